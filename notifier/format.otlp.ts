// OpenTelemetry: each alert is one log record, the event `gen_ai.guardrail.security.finding` of the
// OpenTelemetry GenAI conventions (semantic-conventions-genai, docs/gen-ai/gen-ai-security.md,
// status Development), sent as an OTLP/HTTP logs export request.
//
// Encoding is @opentelemetry/otlp-transformer's, the serializer the official OTLP exporters use, so
// the bytes are what an OpenTelemetry SDK would send; the transport is the notifier's own (SSRF
// guard, one deadline per attempt, the destination's retries, dead letters), which the exporter
// packages do not let a caller govern.
//
// Attributes: the convention's required policy id, risk category (mapped from rule tags to the
// OWASP LLM Top 10 categories the convention suggests, else `custom:<rule kind>`) and target type;
// the external finding id (= alert id) a SIEM correlates on; verdict `warn` and action `audit`
// (mcp-audit watches, it does not block); the rule as the policy rule; the risk score scaled to
// [0, 1] as the convention asks; the keyed hash of the last evidence call's arguments.
import { gzipSync } from 'node:zlib';
import { SeverityNumber, type Attributes, type HrTime } from '@opentelemetry/api';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AlertV1, Severity } from '../schemas/alert.v1.ts';
import type { DestinationSpec } from './destinations.config.ts';
import { classifyTags } from './threat.taxonomy.ts';

export const FINDING_EVENT_NAME = 'gen_ai.guardrail.security.finding';
const SCOPE = { name: 'mcp-audit.notifier', version: '1' };

export type OtlpOptions = DestinationSpec['otlp'];

/** Log severity of an alert: informational findings are INFO, the rest climb WARN → ERROR. */
const severityNumber: Record<Severity, SeverityNumber> = {
  info: SeverityNumber.INFO,
  low: SeverityNumber.INFO2,
  medium: SeverityNumber.WARN,
  high: SeverityNumber.ERROR,
  critical: SeverityNumber.ERROR2,
};

const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), (ms % 1000) * 1e6];

/** The finding's attributes, without the record around them (tests read these directly). */
export function findingAttributes(alert: AlertV1, opts: Pick<OtlpOptions, 'policy_id'>): Attributes {
  const meaning = classifyTags(alert.tags);
  const last = alert.evidence[alert.evidence.length - 1]!;
  const inputHash = [...alert.evidence].reverse().find((e) => e.arguments_hash)?.arguments_hash;
  const attrs: Attributes = {
    'gen_ai.guardrail.security.policy.id': opts.policy_id,
    'gen_ai.guardrail.security.policy.rule.id': alert.rule.id,
    'gen_ai.guardrail.security.risk.category': meaning.riskCategory ?? `custom:${alert.rule.kind}`,
    'gen_ai.guardrail.security.risk.score': alert.risk_score / 100,
    'gen_ai.guardrail.security.external_finding_id': alert.alert_id,
    'gen_ai.guardrail.target.type': 'input',
    // A drift finding judges a tool's definition (its description); every other one a tool call.
    'gen_ai.guardrail.target.subtype': last.kind === 'tool_list' ? 'tool_definition' : 'tool_call',
    'gen_ai.guardrail.target.id': last.event_id,
    'gen_ai.guardrail.verdict.type': 'warn',
    // Low-cardinality and free of user content, as the convention asks: the rule's title.
    'gen_ai.guardrail.verdict.reason': alert.rule.title,
    'gen_ai.guardrail.action.type': 'audit',
    'gen_ai.guardrail.component.name': 'mcp-audit detector',
    ...(inputHash ? { 'gen_ai.guardrail.security.content.input.hash': inputHash } : {}),
    ...(last.tool_name ? { 'gen_ai.tool.name': last.tool_name } : {}),
    ...(alert.agent_id ? { 'gen_ai.agent.id': alert.agent_id } : {}),
    ...(alert.session_id ? { 'mcp.session.id': alert.session_id } : {}),
    'user.id': alert.user_id,
    'mcp_audit.tenant_id': alert.tenant_id,
    'mcp_audit.incident_id': alert.incident_id,
    'mcp_audit.severity': alert.severity,
    'mcp_audit.rule.version': alert.rule.version,
    'mcp_audit.rule.kind': alert.rule.kind,
    'mcp_audit.evidence.event_ids': alert.evidence.map((e) => e.event_id),
    'mcp_audit.tags': alert.tags,
  };
  if (meaning.owasp.length > 0) attrs['mcp_audit.owasp.ids'] = meaning.owasp;
  const techniques = meaning.attacks.flatMap((a) => [a.technique?.uid, a.subTechnique?.uid]).filter((x): x is string => x !== undefined);
  if (techniques.length > 0) attrs['mcp_audit.attack.technique_ids'] = techniques;
  return attrs;
}

/** The resource of one destination: built once, so every record shares it (one ResourceLogs). */
export function otlpResource(opts: Pick<OtlpOptions, 'service_name' | 'resource_attributes'>): Resource {
  return resourceFromAttributes({ ...opts.resource_attributes, 'service.name': opts.service_name });
}

export function findingLogRecord(alert: AlertV1, opts: OtlpOptions, resource: Resource, now = Date.now()): ReadableLogRecord {
  return {
    eventName: FINDING_EVENT_NAME,
    hrTime: hrTime(Date.parse(alert.detected_at)),
    hrTimeObserved: hrTime(now),
    severityNumber: severityNumber[alert.severity],
    severityText: alert.severity,
    body: alert.summary,
    attributes: findingAttributes(alert, opts),
    droppedAttributesCount: 0,
    resource,
    instrumentationScope: SCOPE,
  };
}

export interface OtlpRequest {
  body: Uint8Array;
  headers: Record<string, string>;
}

export function otlpRequest(alerts: readonly AlertV1[], opts: OtlpOptions, resource: Resource, secret: string | null, now = Date.now()): OtlpRequest {
  const records = alerts.map((a) => findingLogRecord(a, opts, resource, now));
  const json = opts.encoding === 'json';
  const serialized = (json ? JsonLogsSerializer : ProtobufLogsSerializer).serializeRequest(records);
  if (!serialized) throw new Error('the OTLP serializer produced no request');
  const gzip = opts.compression === 'gzip';
  return {
    body: gzip ? gzipSync(serialized) : serialized,
    headers: {
      ...opts.headers,
      'content-type': json ? 'application/json' : 'application/x-protobuf',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...(secret ? { [opts.secret_header.toLowerCase()]: secret } : {}),
    },
  };
}

/**
 * A 2xx answer may still reject records (OTLP partial success); such records must not be retried.
 * Returns why, or null when everything was accepted (or the answer carries no partial success).
 */
export function otlpRejection(body: Buffer | undefined, contentType: string | null | undefined): string | null {
  if (!body || body.length === 0) return null;
  try {
    const json = /json/i.test(contentType ?? '');
    const res = (json ? JsonLogsSerializer : ProtobufLogsSerializer).deserializeResponse(body);
    const rejected = Number(res.partialSuccess?.rejectedLogRecords ?? 0);
    if (rejected > 0) return `${rejected} log record(s) rejected: ${res.partialSuccess?.errorMessage || 'no reason given'}`.slice(0, 512);
  } catch {
    // An answer that is not an OTLP response (a proxy's HTML, say) says nothing about rejection.
  }
  return null;
}
