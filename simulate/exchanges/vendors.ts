// Many vendors for the same capability, as real deployments have them: each MCP server has its
// own name, tool names, argument names and description style, so a detector cannot lean on one
// product's vocabulary. A vendor maps the neutral actions of capabilities.ts onto its tools.
import { CAPABILITIES, type Capability, type Param } from './capabilities.ts';
import type { ToolDef } from './exchange.schema.ts';

/** Tool name, then renamed arguments (neutral name → vendor name). */
type ToolSpec = readonly [name: string, rename?: Readonly<Record<string, string>>];

export interface Vendor {
  capability: Capability;
  server: string;
  transport: 'stdio' | 'http' | 'streamable-http' | 'sse';
  product: string;
  /** Lists are sent as one comma-separated string by this vendor. */
  joinLists?: boolean;
  tools: Readonly<Record<string, ToolSpec>>;
}

const v = (capability: Capability, server: string, transport: Vendor['transport'], product: string, tools: Vendor['tools'], joinLists = false): Vendor => ({
  capability, server, transport, product, tools, joinLists,
});

export const VENDORS: Readonly<Record<Capability, readonly Vendor[]>> = {
  mail: [
    v('mail', 'gmail', 'stdio', 'Gmail', { search: ['search_emails', { query: 'q', limit: 'maxResults' }], read: ['read_email', { id: 'messageId' }], send: ['send_email'], reply: ['reply_to_email', { id: 'messageId' }], forward: ['forward_email', { id: 'messageId' }], drafts: ['list_drafts'], delete_draft: ['delete_draft', { id: 'draftId' }], auto_forward: ['update_auto_forwarding', { address: 'emailAddress' }] }),
    v('mail', 'outlook', 'streamable-http', 'Outlook', { search: ['list_messages', { query: 'search', limit: 'top' }], read: ['get_message', { id: 'message_id' }], send: ['send_mail', { to: 'to_recipients', cc: 'cc_recipients', body: 'body_text' }], reply: ['reply_message', { id: 'message_id', body: 'comment', to: 'to_recipients' }], forward: ['forward_message', { id: 'message_id', to: 'to_recipients', note: 'comment' }], drafts: ['list_drafts'], delete_draft: ['delete_message', { id: 'message_id' }], auto_forward: ['create_forwarding_rule', { address: 'forward_to' }] }),
    v('mail', 'fastmail-mcp', 'stdio', 'Fastmail (JMAP)', { search: ['search_mailbox', { query: 'text' }], read: ['fetch_email', { id: 'email_id' }], send: ['compose_and_send'], reply: ['compose_reply', { id: 'email_id' }], forward: ['compose_forward', { id: 'email_id' }], drafts: ['get_drafts'], delete_draft: ['destroy_email', { id: 'email_id' }], auto_forward: ['set_forwarding', { address: 'forward_to' }] }, true),
    v('mail', 'mail', 'stdio', 'IMAP/SMTP', { search: ['mail_list', { query: 'criteria' }], read: ['mail_read', { id: 'uid' }], send: ['mail_send', { body: 'text' }], reply: ['mail_reply', { id: 'uid', body: 'text' }], forward: ['mail_forward', { id: 'uid' }], drafts: ['mail_drafts'], delete_draft: ['mail_delete', { id: 'uid' }], auto_forward: ['mail_redirect_rule', { address: 'target' }] }, true),
  ],
  chat: [
    v('chat', 'slack', 'stdio', 'Slack', { history: ['slack_get_channel_history', { channel: 'channel_id' }], post: ['slack_post_message', { channel: 'channel_id' }], invite: ['slack_invite_to_channel', { channel: 'channel_id', user: 'user_id' }] }),
    v('chat', 'teams', 'streamable-http', 'Microsoft Teams', { history: ['list_channel_messages', { channel: 'channel_name', limit: 'top' }], post: ['send_channel_message', { channel: 'channel_name', text: 'content' }], invite: ['add_channel_member', { channel: 'channel_name', user: 'member_email' }] }),
    v('chat', 'mattermost', 'http', 'Mattermost', { history: ['get_posts', { channel: 'channel_id', limit: 'per_page' }], post: ['create_post', { channel: 'channel_id', text: 'message' }], invite: ['add_user_to_channel', { channel: 'channel_id', user: 'user_id' }] }),
    v('chat', 'discord', 'stdio', 'Discord', { history: ['read_messages', { channel: 'channelId' }], post: ['send_message', { channel: 'channelId', text: 'content' }], invite: ['create_invite', { channel: 'channelId', user: 'target' }] }),
  ],
  shell: [
    v('shell', 'desktop-commander', 'stdio', 'Desktop Commander', { run: ['run_command', { cwd: 'working_directory' }] }),
    v('shell', 'shell', 'stdio', 'shell', { run: ['exec', { command: 'cmd', cwd: 'dir' }] }),
    v('shell', 'terminal', 'stdio', 'Terminal', { run: ['execute', { cwd: 'workdir' }] }),
    v('shell', 'bash-mcp', 'stdio', 'bash', { run: ['run_bash', { command: 'script' }] }),
  ],
  fs: [
    v('fs', 'filesystem', 'stdio', 'filesystem', { read: ['read_file'], write: ['write_file'], list: ['list_directory'], delete: ['move_file_to_trash'] }),
    v('fs', 'fs-mcp', 'stdio', 'fs', { read: ['read_text_file', { path: 'file' }], write: ['write_text_file', { path: 'file', content: 'text' }], list: ['list_dir', { path: 'dir' }], delete: ['remove_file', { path: 'file' }] }),
    v('fs', 'local-files', 'stdio', 'local files', { read: ['open_file', { path: 'filepath' }], write: ['save_file', { path: 'filepath', content: 'data' }], list: ['list_files', { path: 'folder' }], delete: ['delete_file', { path: 'filepath' }] }),
  ],
  code: [
    v('code', 'github', 'stdio', 'GitHub', { get_file: ['get_file_contents'], commits: ['list_commits', { limit: 'perPage' }], get_issue: ['get_issue', { number: 'issue_number' }], create_issue: ['create_issue'], create_pr: ['create_pull_request'], comment: ['add_issue_comment', { number: 'issue_number' }], put_file: ['create_or_update_file'], webhook: ['create_repository_webhook', { url: 'config_url' }], deploy_key: ['create_deploy_key'], add_collaborator: ['add_collaborator'] }),
    v('code', 'gitlab', 'streamable-http', 'GitLab', { get_file: ['get_repository_file', { repo: 'project_id', path: 'file_path' }], commits: ['list_commits', { repo: 'project_id', limit: 'per_page' }], get_issue: ['get_issue', { repo: 'project_id', number: 'issue_iid' }], create_issue: ['create_issue', { repo: 'project_id', body: 'description' }], create_pr: ['create_merge_request', { repo: 'project_id', head: 'source_branch', base: 'target_branch', body: 'description' }], comment: ['create_note', { repo: 'project_id', number: 'noteable_iid' }], put_file: ['create_or_update_file', { repo: 'project_id', path: 'file_path', message: 'commit_message' }], webhook: ['add_project_hook', { repo: 'project_id' }], deploy_key: ['add_deploy_key', { repo: 'project_id' }], add_collaborator: ['add_project_member', { repo: 'project_id', permission: 'access_level' }] }),
    v('code', 'gitea', 'http', 'Gitea', { get_file: ['repo_get_contents', { path: 'filepath' }], commits: ['repo_list_commits'], get_issue: ['issue_get', { number: 'index' }], create_issue: ['issue_create'], create_pr: ['pull_create'], comment: ['issue_comment_create', { number: 'index' }], put_file: ['repo_update_file', { path: 'filepath' }], webhook: ['repo_create_hook', { url: 'target_url' }], deploy_key: ['repo_create_key'], add_collaborator: ['repo_add_collaborator', { username: 'collaborator' }] }),
  ],
  calendar: [
    v('calendar', 'google-calendar', 'stdio', 'Google Calendar', { list: ['list_events', { from: 'timeMin', to: 'timeMax' }], create: ['create_event', { title: 'summary' }] }),
    v('calendar', 'outlook-calendar', 'streamable-http', 'Outlook Calendar', { list: ['get_events', { from: 'start_datetime', to: 'end_datetime' }], create: ['schedule_meeting', { title: 'subject', start: 'start_datetime', end: 'end_datetime', description: 'body' }] }),
    v('calendar', 'cal', 'stdio', 'CalDAV', { list: ['calendar_list'], create: ['calendar_create', { attendees: 'participants' }] }, true),
  ],
  docs: [
    v('docs', 'gdrive', 'stdio', 'Google Drive', { search: ['search_files'], read: ['get_file_content', { file_id: 'fileId' }], share: ['share_file', { file_id: 'fileId', email: 'emailAddress' }] }),
    v('docs', 'onedrive', 'streamable-http', 'OneDrive', { search: ['search_drive', { query: 'q' }], read: ['download_file_content', { file_id: 'item_id' }], share: ['add_permission', { file_id: 'item_id', email: 'recipient', role: 'roles' }] }),
    v('docs', 'notion', 'http', 'Notion', { search: ['notion_search'], read: ['notion_retrieve_page', { file_id: 'page_id' }], share: ['notion_invite_guest', { file_id: 'page_id' }] }),
    v('docs', 'dropbox', 'stdio', 'Dropbox', { search: ['search', { query: 'query' }], read: ['get_file', { file_id: 'path' }], share: ['share_folder_member', { file_id: 'path', email: 'member' }] }),
  ],
  db: [
    v('db', 'postgres', 'stdio', 'PostgreSQL', { query: ['query'] }),
    v('db', 'mysql', 'stdio', 'MySQL', { query: ['run_sql', { sql: 'statement' }] }),
    v('db', 'bigquery', 'streamable-http', 'BigQuery', { query: ['execute_query', { sql: 'query' }] }),
    v('db', 'clickhouse', 'stdio', 'ClickHouse', { query: ['run_select_query', { sql: 'query' }] }),
  ],
  web: [
    v('web', 'fetch', 'stdio', 'fetch', { fetch: ['fetch'] }),
    v('web', 'browser', 'stdio', 'headless browser', { fetch: ['browse_url', { url: 'address' }] }),
    v('web', 'http-client', 'stdio', 'HTTP client', { fetch: ['http_request', { body: 'data' }] }),
  ],
  pay: [
    v('pay', 'bank', 'http', 'online banking', { transactions: ['get_most_recent_transactions', { limit: 'n' }], pay: ['send_money', { iban: 'recipient', reference: 'subject', recipient: 'recipient_name' }], update_password: ['update_password', { new_password: 'password' }] }),
    v('pay', 'payments-mcp', 'streamable-http', 'payments', { transactions: ['list_transactions'], pay: ['create_transfer', { iban: 'beneficiary_iban', recipient: 'beneficiary_name' }], update_password: ['change_credentials', { new_password: 'password' }] }),
    v('pay', 'finance-ops', 'stdio', 'accounts payable', { transactions: ['ledger_entries'], pay: ['pay_invoice', { iban: 'account', reference: 'invoice_number', recipient: 'payee' }], update_password: ['set_password'] }),
  ],
  tickets: [
    v('tickets', 'zendesk', 'streamable-http', 'Zendesk', { list: ['list_tickets'], read: ['get_ticket', { id: 'ticket_id' }], comment: ['create_ticket_comment', { id: 'ticket_id' }] }),
    v('tickets', 'jira', 'stdio', 'Jira Service Management', { list: ['jira_search', { status: 'jql' }], read: ['jira_get_issue', { id: 'issue_key' }], comment: ['jira_add_comment', { id: 'issue_key', body: 'comment' }] }),
    v('tickets', 'freshdesk', 'http', 'Freshdesk', { list: ['get_tickets'], read: ['view_ticket', { id: 'ticket_id' }], comment: ['reply_ticket', { id: 'ticket_id' }] }),
  ],
};

export function vendorByServer(server: string): Vendor {
  for (const list of Object.values(VENDORS)) for (const vd of list) if (vd.server === server) return vd;
  throw new Error(`unknown vendor ${server}`);
}

const DETAIL: Readonly<Record<Capability, string>> = {
  mail: 'Uses the account the server was authorised with.',
  chat: 'Messages are sent as the authorised user.',
  shell: 'Runs with the permissions of the user who started the server; output is truncated to 64 KiB.',
  fs: 'Only paths inside the allowed directories are accessible.',
  code: 'Requires a token with repository scope.',
  calendar: 'Times without an offset are read in the calendar time zone.',
  docs: 'Only files the authorised user can see are returned.',
  db: 'The connection role decides which statements are allowed.',
  web: 'HTML is converted to markdown; binary responses are not returned.',
  pay: 'Transfers above the daily limit need confirmation in the banking app.',
  tickets: 'Public replies are emailed to the requester.',
};

function paramSchema(p: Param, joinLists: boolean): Record<string, unknown> {
  if (p.type === 'string[]') return joinLists ? { type: 'string', description: `${p.description}, comma-separated` } : { type: 'array', items: { type: 'string' }, description: p.description };
  return { type: p.type, description: p.description };
}

/** The tools the vendor advertises in `tools/list`. */
export function toolDefs(vendor: Vendor): ToolDef[] {
  const actions = CAPABILITIES[vendor.capability] as Readonly<Record<string, { summary: string; params: Record<string, Param> }>>;
  return Object.entries(vendor.tools).map(([action, [name, rename = {}]]) => {
    const spec = actions[action]!;
    const properties: Record<string, unknown> = {};
    const required: string[] = [];
    for (const [key, p] of Object.entries(spec.params)) {
      const k = rename[key] ?? key;
      properties[k] = paramSchema(p, vendor.joinLists ?? false);
      if (!p.optional) required.push(k);
    }
    return { name, description: `${spec.summary} (${vendor.product}). ${DETAIL[vendor.capability]}`, inputSchema: { type: 'object', properties, required } };
  });
}

/** The vendor's tool name and arguments for a neutral action. */
export function toolCall(vendor: Vendor, action: string, args: Readonly<Record<string, unknown>>): { name: string; arguments: Record<string, unknown> } {
  const spec = vendor.tools[action];
  if (!spec) throw new Error(`${vendor.server} has no ${action}`);
  const [name, rename = {}] = spec;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    out[rename[key] ?? key] = Array.isArray(value) && vendor.joinLists ? value.join(', ') : value;
  }
  return { name, arguments: out };
}
