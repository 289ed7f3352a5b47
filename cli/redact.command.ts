// `mcp-audit redact`: shows what capture would store for a call's arguments, so a deny-list or a
// new secret shape can be checked before deploying. It runs the real event builder with the
// configured deny-list and preview length; nothing is sent anywhere.
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { buildOptionsFrom } from '../capture/capture.ts';
import { createLogger } from '../core/logger.ts';
import { AUDITED_METHODS, buildEvent, type ObservedCall } from '../capture/event.builder.ts';
import { redactValueWithFindings } from '../capture/redact.ts';
import { loadConfig } from '../core/config.ts';

/** What capture stores for one call's arguments. */
export interface RedactReport {
  preview: string | null;
  resource: Record<string, string[]> | null;
  secrets: string[];
}

/** The call `input` stands for: a JSON-RPC request as it is, any other JSON or text as `tools/call` arguments. */
function callFrom(input: string, asText: boolean): ObservedCall {
  let args: unknown = input;
  if (!asText) {
    try {
      args = JSON.parse(input);
    } catch {
      args = input;
    }
  }
  const rpc = args as { jsonrpc?: unknown; method?: unknown; params?: unknown };
  const isRequest = rpc && typeof rpc === 'object' && rpc.jsonrpc === '2.0' && typeof rpc.method === 'string' && rpc.method in AUDITED_METHODS;
  const base = { startedAtMs: Date.now(), durationMs: 0, outcome: { missing: 'no_response' as const } };
  if (isRequest) return { ...base, method: rpc.method as string, params: (rpc.params ?? undefined) as Record<string, unknown> | undefined };
  return { ...base, method: 'tools/call', params: { name: 'redact', arguments: args } };
}

export function redactReport(input: string, opts: { text?: boolean } = {}): RedactReport {
  // The report shows no hash, so a throwaway key serves when none is configured: nothing is written
  // to the stack folder and nothing warns about a local key.
  const config = loadConfig({ ...process.env, MCP_AUDIT_HASH_KEY: process.env.MCP_AUDIT_HASH_KEY || randomBytes(32).toString('hex') });
  const build = buildOptionsFrom(config, createLogger('error', 'redact'));
  const call = callFrom(input, opts.text === true);
  const event = buildEvent(call, { tenantId: 'redact', userId: 'redact' }, { transport: 'other', fallbackServerName: 'redact' }, build);
  const params = call.params ?? {};
  const args = call.method === 'tools/call' ? (params.arguments ?? {}) : params;
  return {
    preview: event?.arguments?.preview ?? null,
    resource: (event?.resource as Record<string, string[]> | undefined) ?? null,
    secrets: redactValueWithFindings(args, build.isDeniedKey).secrets,
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function printText(r: RedactReport): void {
  const lines = [`preview    ${r.preview ?? '(none)'}`];
  const res = Object.entries(r.resource ?? {});
  lines.push(`resources  ${res.length ? res.map(([k, v]) => `${k}: ${v.join(', ')}`).join('\n           ') : '(none)'}`);
  lines.push(`secrets    ${r.secrets.length ? r.secrets.join(', ') : '(none found)'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerRedact(program: Command): void {
  program
    .command('redact')
    .description(
      'Read a tool call\'s arguments (JSON) or any text on stdin and print what capture would store for it: the redacted argument preview, ' +
        'the extracted resources (paths, URLs, hosts, recipients, tables) and the kinds of secret found (never their values). ' +
        'Uses the configured deny-list (MCP_AUDIT_CAPTURE_DENY_KEYS) and preview length; sends nothing.',
    )
    .option('--json', 'print one JSON object {preview, resource, secrets} instead of text')
    .option('--text', 'treat stdin as one text argument even when it parses as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Input: a JSON value is taken as the arguments of a tools/call; a JSON-RPC request (tools/call,',
        'resources/read, prompts/get, ...) is taken as it is; anything else is one text argument.',
        '',
        'Examples:',
        `  echo '{"path":"/etc/app.env","db_password":"hunter2"}' | mcp-audit redact`,
        `  echo 'curl -u admin:hunter2 https://ci.example.com' | mcp-audit redact --json`,
      ].join('\n'),
    )
    .action(async (opts: { json?: boolean; text?: boolean }) => {
      const input = (await readStdin()).replace(/\r?\n$/, '');
      const report = redactReport(input, opts);
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printText(report);
    });
}
