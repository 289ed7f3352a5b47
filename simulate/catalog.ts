// The MCP servers the simulated organisation runs, with the tool descriptions they advertise, and
// the per-role tool mixes (relative weights of each tool in a role's working hour).
import { createHash } from 'node:crypto';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface SimTool {
  name: string;
  description: string;
}
export interface SimServer {
  name: string;
  version: string;
  transport: 'stdio' | 'http' | 'sse';
  tools: readonly SimTool[];
}

export const SERVERS: Readonly<Record<string, SimServer>> = {
  filesystem: {
    name: 'filesystem',
    version: '2025.8.21',
    transport: 'stdio',
    tools: [
      { name: 'read_file', description: 'Read the complete contents of a file from the file system. Only works within allowed directories.' },
      { name: 'write_file', description: 'Create a new file or completely overwrite an existing file with new content. Only works within allowed directories.' },
      { name: 'list_directory', description: 'Get a detailed listing of all files and directories in a specified path.' },
    ],
  },
  github: {
    name: 'github',
    version: '0.6.2',
    transport: 'stdio',
    tools: [
      { name: 'search_code', description: 'Search for code across GitHub repositories.' },
      { name: 'get_file_contents', description: 'Get the contents of a file or directory from a GitHub repository.' },
      { name: 'list_issues', description: 'List issues in a GitHub repository with filtering options.' },
      { name: 'create_issue', description: 'Create a new issue in a GitHub repository.' },
      { name: 'list_pull_requests', description: 'List and filter repository pull requests.' },
      { name: 'create_pull_request', description: 'Create a new pull request in a GitHub repository.' },
    ],
  },
  slack: {
    name: 'slack',
    version: '0.6.2',
    transport: 'stdio',
    tools: [
      { name: 'slack_list_channels', description: 'List public channels in the workspace with pagination.' },
      { name: 'slack_post_message', description: 'Post a new message to a Slack channel.' },
      { name: 'slack_get_channel_history', description: 'Get recent messages from a channel.' },
    ],
  },
  gmail: {
    name: 'gmail',
    version: '1.1.11',
    transport: 'stdio',
    tools: [
      { name: 'search_emails', description: 'Searches for emails using Gmail search syntax.' },
      { name: 'read_email', description: 'Retrieves the content of a specific email.' },
      { name: 'send_email', description: 'Sends a new email.' },
    ],
  },
  postgres: {
    name: 'postgres',
    version: '0.6.2',
    transport: 'stdio',
    tools: [{ name: 'query', description: 'Run a SQL query against the connected database.' }],
  },
  fetch: {
    name: 'fetch',
    version: '0.6.3',
    transport: 'stdio',
    tools: [{ name: 'fetch_url', description: 'Fetches a URL from the internet and extracts its contents as markdown.' }],
  },
  // A shell server under the name of a common one (Desktop Commander), so that the shipped
  // allow-list (server.unapproved) approves the simulated organisation's whole tool set.
  'desktop-commander': {
    name: 'desktop-commander',
    version: '1.0.4',
    transport: 'stdio',
    tools: [{ name: 'run_command', description: 'Run a shell command in the working directory and return its output.' }],
  },
};

/** Which server each simulated tool lives on. */
export const SERVER_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(SERVERS).flatMap((s) => s.tools.map((t) => [t.name, s.name])),
);

export const roles = ['developer', 'analyst', 'support', 'sre'] as const;
export type Role = (typeof roles)[number];

/** Share of each role in the population. */
export const ROLE_SHARE: Readonly<Record<Role, number>> = { developer: 40, analyst: 20, support: 25, sre: 15 };

export const ROLE_TOOLS: Readonly<Record<Role, Readonly<Record<string, number>>>> = {
  developer: {
    read_file: 24, list_directory: 10, write_file: 8, search_code: 8, get_file_contents: 8, list_issues: 5, list_pull_requests: 3,
    create_pull_request: 2, create_issue: 1, run_command: 12, fetch_url: 7, slack_post_message: 4, slack_list_channels: 1,
    slack_get_channel_history: 3, query: 4,
  },
  analyst: {
    query: 40, read_file: 10, write_file: 6, list_directory: 4, slack_post_message: 8, slack_get_channel_history: 4,
    search_emails: 8, read_email: 10, send_email: 3, fetch_url: 7,
  },
  support: {
    search_emails: 20, read_email: 30, send_email: 12, slack_post_message: 10, slack_get_channel_history: 6, slack_list_channels: 2,
    query: 12, list_issues: 4, create_issue: 2, fetch_url: 2,
  },
  sre: {
    run_command: 32, read_file: 14, list_directory: 6, query: 6, slack_post_message: 12, slack_get_channel_history: 6,
    list_pull_requests: 4, get_file_contents: 6, fetch_url: 12, write_file: 2,
  },
};

/** Servers a role connects to (each session lists their tools). */
export function serversOf(role: Role): string[] {
  return [...new Set(Object.keys(ROLE_TOOLS[role]).map((t) => SERVER_OF[t]!))].sort();
}

export interface ListedTools {
  tools: { name: string; description: string; description_sha256: string }[];
  fingerprint: string;
}

/** The tool listing of a server as capture reports it: descriptions, their hashes, and the list's fingerprint. */
export function listing(tools: readonly SimTool[]): ListedTools {
  const listed = tools.map((t) => ({ name: t.name, description: t.description, description_sha256: sha256(t.description) }));
  return { tools: listed, fingerprint: sha256(JSON.stringify(listed.map((t) => [t.name, t.description_sha256]))) };
}
