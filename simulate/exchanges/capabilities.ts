// What each kind of MCP server can do, vendor-neutral: the actions and their parameters. Vendors
// (vendors.ts) give these actions their own tool names, argument names and descriptions.

export type ParamType = 'string' | 'integer' | 'number' | 'boolean' | 'string[]';
export interface Param {
  type: ParamType;
  description: string;
  optional?: boolean;
}
export type Action = { summary: string; params: Record<string, Param> };

const s = (description: string, optional = false): Param => ({ type: 'string', description, optional });
const list = (description: string, optional = false): Param => ({ type: 'string[]', description, optional });
const int = (description: string, optional = false): Param => ({ type: 'integer', description, optional });

export const CAPABILITIES = {
  mail: {
    search: { summary: 'Search messages in the mailbox', params: { query: s('Search query (sender, subject words, date filters)'), limit: int('Maximum number of messages to return', true) } },
    read: { summary: 'Read one message with headers and body', params: { id: s('Message id') } },
    send: { summary: 'Compose and send a new message', params: { to: list('Recipient addresses'), cc: list('Cc addresses', true), subject: s('Subject line'), body: s('Plain-text body') } },
    reply: { summary: 'Reply to a message (the reply goes to its sender)', params: { id: s('Message id to reply to'), to: list('Recipient addresses'), body: s('Reply text') } },
    forward: { summary: 'Forward a message with its attachments', params: { id: s('Message id to forward'), to: list('Recipient addresses'), note: s('Text to add above the forwarded message', true) } },
    drafts: { summary: 'List draft messages', params: { older_than_days: int('Only drafts older than this many days', true) } },
    delete_draft: { summary: 'Delete a draft', params: { id: s('Draft id') } },
    auto_forward: { summary: 'Forward all incoming mail to another address', params: { address: s('Forwarding address'), enabled: { type: 'boolean', description: 'Turn forwarding on or off' } } },
  },
  chat: {
    history: { summary: 'Read recent messages of a channel', params: { channel: s('Channel name or id'), limit: int('How many messages', true) } },
    post: { summary: 'Post a message to a channel or direct conversation', params: { channel: s('Channel name, id or user handle'), text: s('Message text (markdown)') } },
    invite: { summary: 'Add a member to a channel', params: { channel: s('Channel name or id'), user: s('User handle or email') } },
  },
  shell: {
    run: { summary: 'Run a shell command and return its output', params: { command: s('The command line'), cwd: s('Working directory', true) } },
  },
  fs: {
    read: { summary: 'Read a text file', params: { path: s('Absolute or home-relative path') } },
    write: { summary: 'Create or overwrite a file', params: { path: s('File path'), content: s('New file content') } },
    list: { summary: 'List a directory', params: { path: s('Directory path') } },
    delete: { summary: 'Delete a file', params: { path: s('File path') } },
  },
  code: {
    get_file: { summary: 'Get a file from a repository', params: { repo: s('owner/name'), path: s('Path in the repository'), ref: s('Branch, tag or commit', true) } },
    commits: { summary: 'List commits of a repository', params: { repo: s('owner/name'), limit: int('How many commits', true) } },
    get_issue: { summary: 'Read an issue with its comments', params: { repo: s('owner/name'), number: int('Issue number') } },
    create_issue: { summary: 'Open an issue', params: { repo: s('owner/name'), title: s('Issue title'), body: s('Issue body (markdown)') } },
    create_pr: { summary: 'Open a pull or merge request', params: { repo: s('owner/name'), title: s('Title'), head: s('Source branch'), base: s('Target branch'), body: s('Description') } },
    comment: { summary: 'Comment on an issue or pull request', params: { repo: s('owner/name'), number: int('Issue or PR number'), body: s('Comment text') } },
    put_file: { summary: 'Create or update a file with a commit', params: { repo: s('owner/name'), path: s('File path'), content: s('File content'), message: s('Commit message') } },
    webhook: { summary: 'Create a repository webhook', params: { repo: s('owner/name'), url: s('Payload URL'), events: list('Events that trigger it') } },
    deploy_key: { summary: 'Add an SSH deploy key to a repository', params: { repo: s('owner/name'), title: s('Key title'), key: s('Public key'), read_only: { type: 'boolean', description: 'Read-only key', optional: true } } },
    add_collaborator: { summary: 'Give a user access to a repository', params: { repo: s('owner/name'), username: s('Account name'), permission: s('pull, push or admin') } },
  },
  calendar: {
    list: { summary: 'List events in a time range', params: { from: s('Start (ISO date)'), to: s('End (ISO date)') } },
    create: { summary: 'Create an event and invite attendees', params: { title: s('Event title'), start: s('Start time (RFC 3339)'), end: s('End time (RFC 3339)'), attendees: list('Attendee emails'), description: s('Description', true) } },
  },
  docs: {
    search: { summary: 'Search documents', params: { query: s('Search terms') } },
    read: { summary: 'Read a document', params: { file_id: s('Document id') } },
    share: { summary: 'Share a document with a person', params: { file_id: s('Document id'), email: s('Person to share with'), role: s('reader, commenter or writer') } },
  },
  db: {
    query: { summary: 'Run a SQL statement', params: { sql: s('SQL statement') } },
  },
  web: {
    fetch: { summary: 'Fetch a URL and return its content as text', params: { url: s('URL'), method: s('HTTP method', true), body: s('Request body', true) } },
  },
  pay: {
    transactions: { summary: 'List recent account transactions', params: { limit: int('How many', true) } },
    pay: { summary: 'Send a bank transfer', params: { iban: s('Beneficiary IBAN'), amount: s('Amount'), currency: s('ISO currency code'), reference: s('Payment reference'), recipient: s('Beneficiary name') } },
    update_password: { summary: 'Change the online banking password', params: { new_password: s('New password') } },
  },
  tickets: {
    list: { summary: 'List tickets', params: { status: s('open, pending or solved') } },
    read: { summary: 'Read a ticket with its conversation', params: { id: s('Ticket id') } },
    comment: { summary: 'Add a public reply or internal note to a ticket', params: { id: s('Ticket id'), body: s('Reply text') } },
  },
} as const satisfies Record<string, Record<string, Action>>;

export type Capability = keyof typeof CAPABILITIES;
export type ActionOf<C extends Capability> = keyof (typeof CAPABILITIES)[C] & string;
