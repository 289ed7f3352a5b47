// A recorded sample of Claude Code's OTLP log export (OTEL_LOGS_EXPORTER=otlp,
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json, OTEL_LOG_TOOL_DETAILS=1), written from the event format
// its monitoring documentation publishes: one log record per event, body `claude_code.<event>`,
// the `event.name` attribute, the standard attributes on every event (session.id, user.*,
// organization.id, terminal.type, app.version, event.timestamp, event.sequence, prompt.id) and the
// event's own (tool_result: tool_name, success, duration_ms, error, decision_type,
// decision_source, tool_use_id, tool_result_size_bytes, mcp_server_scope, tool_parameters,
// tool_input; tool_decision: tool_name, decision, source, tool_use_id). The session reads a mail,
// reads an AWS credentials file with Bash, then tries to post to Slack, which the user rejects.
import { logsRequest } from '../support/otlp.payloads.ts';

export function claudeCodeSession(startMs: number, user = 'dev@acme.example', session = 'b1c2d3e4-0000-4000-8000-00000000cc01') {
  let seq = 0;
  const common = (atMs: number, prompt: string) => ({
    'session.id': session,
    'user.id': 'a3f9e0c1d2b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382716051f4e3d2c1b',
    'user.email': user,
    'user.account_uuid': '0c3a3f9e-1b2c-4d5e-8f90-a1b2c3d4e5f6',
    'organization.id': '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    'terminal.type': 'vscode',
    'app.version': '2.1.40',
    'prompt.id': prompt,
    'event.timestamp': new Date(atMs).toISOString(),
    'event.sequence': seq++,
  });
  const at = (s: number) => startMs + s * 1000;
  const record = (s: number, name: string, prompt: string, attrs: Record<string, unknown>) => ({
    timeMs: at(s),
    body: `claude_code.${name}`,
    attrs: { ...common(at(s), prompt), 'event.name': name, ...attrs },
  });
  return logsRequest(
    { 'service.name': 'claude-code', 'service.version': '2.1.40', 'os.type': 'linux', 'host.arch': 'amd64' },
    [
      record(0, 'user_prompt', 'p-1', { prompt_length: 61 }),
      record(1, 'api_request', 'p-1', { model: 'claude-sonnet-4-5', cost_usd: 0.0042, duration_ms: 1830, input_tokens: 2104, output_tokens: 96 }),
      record(2, 'tool_decision', 'p-1', { tool_name: 'mcp__gmail__search_emails', decision: 'accept', source: 'config', tool_use_id: 'toolu_01A' }),
      record(3, 'tool_result', 'p-1', {
        tool_name: 'mcp__gmail__search_emails',
        success: 'true',
        duration_ms: 640,
        decision_type: 'accept',
        decision_source: 'config',
        tool_use_id: 'toolu_01A',
        tool_result_size_bytes: 2211,
        mcp_server_scope: 'user',
        tool_parameters: JSON.stringify({ mcp_server_name: 'gmail', mcp_tool_name: 'search_emails' }),
        tool_input: JSON.stringify({ query: 'from:billing newer_than:1d' }),
      }),
      record(5, 'tool_decision', 'p-1', { tool_name: 'Bash', decision: 'accept', source: 'user_temporary', tool_use_id: 'toolu_01B' }),
      record(6, 'tool_result', 'p-1', {
        tool_name: 'Bash',
        success: 'true',
        duration_ms: 35,
        decision_type: 'accept',
        decision_source: 'user_temporary',
        tool_use_id: 'toolu_01B',
        tool_result_size_bytes: 116,
        tool_parameters: JSON.stringify({ bash_command: 'cat', full_command: 'cat /home/dev/.aws/credentials', timeout: 120000, description: 'Show AWS credentials' }),
        tool_input: JSON.stringify({ command: 'cat /home/dev/.aws/credentials', description: 'Show AWS credentials' }),
      }),
      record(8, 'tool_decision', 'p-1', { tool_name: 'mcp__slack__post_message', decision: 'reject', source: 'user_reject', tool_use_id: 'toolu_01C' }),
      record(9, 'api_error', 'p-1', { model: 'claude-sonnet-4-5', error: 'overloaded', status_code: '529', duration_ms: 300, attempt: 1 }),
    ],
  );
}
