// The notifier's destinations: a JSON or YAML file (MCP_AUDIT_NOTIFIER_DESTINATIONS) or the same
// list inline as JSON (MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON), validated by one zod schema. Secrets
// never sit in that list: each destination names the environment variable (`secret_env`) or file
// (`secret_file`) holding its signing secret or token, read once here and never logged.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, PROJECT_ROOT } from '../core/config.ts';
import { allowableNetworks } from './ssrf.guard.ts';

export const destinationTypes = ['standard-webhooks', 'splunk-hec', 'ocsf', 'ecs', 'otlp'] as const;
export type DestinationType = (typeof destinationTypes)[number];

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'an HTTP header name');
/** Headers the notifier sets itself for an OTLP request; configured headers may not replace them. */
const reservedHeaders = new Set(['content-type', 'content-encoding', 'content-length', 'host', 'user-agent', 'transfer-encoding']);

/** OTLP/HTTP logs: how each alert travels as a `gen_ai.guardrail.security.finding` event. */
const otlpSchema = z
  .strictObject({
    /** OTLP/HTTP body: binary protobuf (`application/x-protobuf`, the OTLP default) or JSON. */
    encoding: z.enum(['protobuf', 'json']).default('protobuf'),
    compression: z.enum(['none', 'gzip']).default('none'),
    /** The header carrying the secret (secret_env / secret_file) verbatim, e.g. "Bearer …" in authorization. */
    secret_header: headerName.default('authorization'),
    /** Further request headers that are not secret (e.g. a tenant header of the collector). */
    headers: z.record(headerName, z.string().max(4096)).default({}),
    /** Resource `service.name` of the finding events. */
    service_name: z.string().min(1).max(256).default('mcp-audit'),
    /** More resource attributes, e.g. `deployment.environment.name`. */
    resource_attributes: z.record(z.string().min(1).max(256), z.string().max(4096)).default({}),
    /** `gen_ai.guardrail.security.policy.id`: the policy whose rules produced the finding. */
    policy_id: z.string().min(1).max(256).default('mcp-audit'),
  })
  .refine((o) => Object.keys(o.headers).every((h) => !reservedHeaders.has(h.toLowerCase())), 'headers may not set content-type, content-encoding, content-length, host, user-agent or transfer-encoding');

const otlpDefaults = { encoding: 'protobuf', compression: 'none', secret_header: 'authorization', headers: {}, service_name: 'mcp-audit', resource_attributes: {}, policy_id: 'mcp-audit' } as const;

export const destinationSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, _ . - (used in metric labels)'),
    type: z.enum(destinationTypes),
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    secret_file: z.string().min(1).optional(),
    /** One HTTP request, connect to last byte of the answer. */
    timeout_ms: int(100, 600_000).default(10_000),
    /** Attempts per alert before it is parked in the dead-letter topic. */
    max_attempts: int(1, 10_000).default(12),
    backoff_initial_ms: int(1, 3_600_000).default(1_000),
    backoff_max_ms: int(1, 86_400_000).default(300_000),
    /** Longest Retry-After the notifier obeys; a larger one is cut to this. */
    retry_after_max_ms: int(0, 86_400_000).default(600_000),
    /** Requests in flight to this destination at once. */
    concurrency: int(1, 64).default(4),
    /** Alerts per request; Splunk HEC (concatenated events) and OTLP (log records) take several. */
    batch_max: int(1, 1_000).default(1),
    /** Alerts waiting for this destination before intake pauses (bounds memory while it is down). */
    max_backlog: int(1, 1_000_000).default(10_000),
    /** Address ranges this destination may resolve to although they are not public (SSRF guard). */
    allow_networks: z.array(z.enum(allowableNetworks)).default([]),
    /** Splunk HEC envelope fields. */
    splunk: z
      .strictObject({
        host: z.string().min(1).optional(),
        source: z.string().min(1).default('mcp-audit'),
        sourcetype: z.string().min(1).default('mcp_audit:alert'),
        index: z.string().min(1).optional(),
      })
      .default({ source: 'mcp-audit', sourcetype: 'mcp_audit:alert' }),
    otlp: otlpSchema.default(otlpDefaults),
  })
  .refine((d) => !(d.secret_env && d.secret_file), 'give secret_env or secret_file, not both')
  .refine((d) => d.type === 'splunk-hec' || d.type === 'otlp' || d.batch_max === 1, 'batch_max > 1 is only supported for splunk-hec and otlp')
  .refine((d) => d.backoff_initial_ms <= d.backoff_max_ms, 'backoff_initial_ms must not exceed backoff_max_ms');

/** The file holds `{destinations: [...]}`, or just the list. */
const fileSchema = z.strictObject({ destinations: z.array(destinationSchema).min(1) });

export type DestinationSpec = z.output<typeof destinationSchema>;

export interface Destination extends DestinationSpec {
  /** standard-webhooks / ocsf / ecs: the `whsec_` signing secrets (several during a rotation). */
  signingSecrets: Buffer[];
  /** splunk-hec: the HEC token; otlp: the value of its secret header. */
  token: string | null;
}

/** What is said when neither destination setting is set. */
export const NO_DESTINATIONS = 'no notifier destinations configured (MCP_AUDIT_NOTIFIER_DESTINATIONS or MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON)';

/** Whether a destination list is given at all (an empty setting means none: destinations are optional). */
export function destinationsConfigured(settings: { destinationsFile: string; destinationsJson: string }): boolean {
  return Boolean(settings.destinationsFile || settings.destinationsJson);
}

/** Reads the destination list from the file or inline setting; throws ConfigError naming the cause. */
export function loadDestinations(
  settings: { destinationsFile: string; destinationsJson: string },
  env: NodeJS.ProcessEnv = process.env,
): Destination[] {
  let raw: unknown;
  let where: string;
  if (settings.destinationsFile) {
    where = 'MCP_AUDIT_NOTIFIER_DESTINATIONS';
    const path = resolve(PROJECT_ROOT, settings.destinationsFile);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`${where}: cannot read ${path}: ${(err as Error).message}`);
    }
    raw = parseText(text, /\.ya?ml$/i.test(path) ? 'yaml' : 'json', where);
  } else if (settings.destinationsJson) {
    where = 'MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON';
    raw = parseText(settings.destinationsJson, 'json', where);
  } else {
    throw new ConfigError('no notifier destinations: set MCP_AUDIT_NOTIFIER_DESTINATIONS (file) or MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON');
  }
  const parsed = fileSchema.safeParse(Array.isArray(raw) ? { destinations: raw } : raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`${where}: invalid destinations:\n    ${issues.join('\n    ')}`);
  }
  const names = new Set<string>();
  return parsed.data.destinations.map((spec) => {
    if (names.has(spec.name)) throw new ConfigError(`${where}: destination name "${spec.name}" is used twice`);
    names.add(spec.name);
    return withSecrets(spec, env, where);
  });
}

function parseText(text: string, format: 'json' | 'yaml', where: string): unknown {
  try {
    return format === 'yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${where}: not valid ${format.toUpperCase()}: ${(err as Error).message}`);
  }
}

function readSecret(spec: DestinationSpec, env: NodeJS.ProcessEnv, where: string): string | null {
  const label = `${where}: destination "${spec.name}"`;
  if (spec.secret_env) {
    const v = env[spec.secret_env]?.trim();
    if (!v) throw new ConfigError(`${label}: environment variable ${spec.secret_env} is empty or unset`);
    return v;
  }
  if (spec.secret_file) {
    try {
      const v = readFileSync(resolve(PROJECT_ROOT, spec.secret_file), 'utf8').trim();
      if (!v) throw new Error('file is empty');
      return v;
    } catch (err) {
      // The message names the file, never its content.
      throw new ConfigError(`${label}: cannot read secret_file ${spec.secret_file}: ${(err as Error).message}`);
    }
  }
  return null;
}

/** `whsec_<base64>` secrets separated by spaces or commas; each must decode to at least 16 bytes. */
export function parseSigningSecrets(value: string, label: string): Buffer[] {
  const parts = value.split(/[\s,]+/).filter(Boolean);
  return parts.map((p, i) => {
    const b64 = p.startsWith('whsec_') ? p.slice('whsec_'.length) : null;
    const key = b64 !== null && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : null;
    if (!key || key.length < 16) throw new ConfigError(`${label}: signing secret #${i + 1} is not whsec_<base64 of 16+ bytes>`);
    return key;
  });
}

function withSecrets(spec: DestinationSpec, env: NodeJS.ProcessEnv, where: string): Destination {
  const secret = readSecret(spec, env, where);
  const label = `${where}: destination "${spec.name}"`;
  if (spec.type === 'splunk-hec') {
    if (!secret) throw new ConfigError(`${label}: splunk-hec needs its HEC token in secret_env or secret_file`);
    return { ...spec, signingSecrets: [], token: secret };
  }
  // OTLP receivers authenticate with a header (bearer token, API key) when they do at all.
  if (spec.type === 'otlp') return { ...spec, signingSecrets: [], token: secret };
  if (spec.type === 'standard-webhooks' && !secret) {
    throw new ConfigError(`${label}: standard-webhooks needs a whsec_ signing secret in secret_env or secret_file`);
  }
  // ocsf and ecs are signed the same way when a secret is given, and sent unsigned otherwise.
  return { ...spec, signingSecrets: secret ? parseSigningSecrets(secret, label) : [], token: null };
}

/** What may be logged about a destination: never the secret, nor URL credentials or query. */
export function describeDestination(d: DestinationSpec): { name: string; type: string; endpoint: string } {
  const u = new URL(d.url);
  return { name: d.name, type: d.type, endpoint: `${u.protocol}//${u.host}${u.pathname}` };
}
