// Extracts the targets a call touched from its arguments: file paths, URLs and their hosts, mail
// and chat recipients, and SQL table names where a query makes them obvious. Works on any tool by
// argument names and value shapes, so no per-vendor list is needed; the detector's catalogue maps
// the targets to capability classes later. Every value goes through redaction before it is kept.
import { redactText } from './redact.ts';

export interface Resources {
  paths?: string[];
  urls?: string[];
  hosts?: string[];
  recipients?: string[];
  tables?: string[];
}

const MAX_PER_LIST = 64;

const PATH_KEYS = /^(?:path|paths|file|files|filename|filepath|file_path|source|destination|dest|target|dir|directory|folder|cwd|root|from|to)$/i;
const RECIPIENT_KEYS = /^(?:to|cc|bcc|recipient|recipients|email|emails|channel|channel_id|channels|user|users|chat_id|conversation|thread|room|address|addresses)$/i;
const SQL_KEYS = /^(?:sql|query|statement|stmt)$/i;
const HOST_KEYS = /^(?:host|hostname|domain|server)$/i;

const URL_RE = /\b(?:https?|wss?|ftp|sftp|s3|gs|file):\/\/[^\s"'<>`]+/gi;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOOKS_LIKE_PATH = /^(?:~|\.{1,2})?[/\\]|^[A-Za-z]:[\\/]/;
const CHANNEL_RE = /^[#@][\w.-]+$|^[CDG][A-Z0-9]{8,}$/;
const SQL_TABLE_RE = /\b(?:from|join|into|update|table(?:\s+if\s+(?:not\s+)?exists)?)\s+((?:[`"[]?[A-Za-z_][\w$]*[`"\]]?\.)?[`"[]?[A-Za-z_][\w$]*[`"\]]?)/gi;
const SQL_START = /^\s*(?:select|with|insert|update|delete|create|drop|alter|truncate|merge|replace)\b/i;

class Collector {
  readonly sets = { paths: new Set<string>(), urls: new Set<string>(), hosts: new Set<string>(), recipients: new Set<string>(), tables: new Set<string>() };
  add(kind: keyof Collector['sets'], value: string): void {
    const set = this.sets[kind];
    const v = redactText(value.trim()).slice(0, kind === 'hosts' ? 256 : kind === 'recipients' ? 512 : 4096);
    if (v && set.size < MAX_PER_LIST) set.add(v);
  }
  result(): Resources | undefined {
    const out: Resources = {};
    for (const [k, set] of Object.entries(this.sets)) if (set.size) out[k as keyof Resources] = [...set];
    return Object.keys(out).length ? out : undefined;
  }
}

/** Removes user info from a URL (it may hold a password) and returns it with its host, or null. */
function parseUrl(raw: string): { url: string; host: string } | null {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    const host = u.hostname;
    if (u.protocol === 'file:') return { url: u.href, host: '' };
    return { url: u.href, host };
  } catch {
    return null;
  }
}

function addUrls(c: Collector, text: string): void {
  for (const m of text.matchAll(URL_RE)) {
    const parsed = parseUrl(m[0].replace(/[.,;:)\]}]+$/, ''));
    if (!parsed) continue;
    c.add('urls', parsed.url);
    if (parsed.host) c.add('hosts', parsed.host);
    if (parsed.url.startsWith('file:')) c.add('paths', decodeURIComponent(new URL(parsed.url).pathname));
  }
}

function addTables(c: Collector, sqlText: string): void {
  if (!SQL_START.test(sqlText)) return;
  for (const m of sqlText.matchAll(SQL_TABLE_RE)) c.add('tables', m[1]!.replace(/[`"[\]]/g, ''));
}

function visit(c: Collector, key: string, value: unknown, depth: number): void {
  if (depth > 8) return;
  if (typeof value === 'string') {
    if (PATH_KEYS.test(key) && (LOOKS_LIKE_PATH.test(value) || /^[\w.-]+(?:[/\\][\w. -]+)+$/.test(value))) c.add('paths', value);
    if (RECIPIENT_KEYS.test(key)) {
      for (const part of value.split(/[,;]\s*/)) {
        const p = part.replace(/^.*<([^>]+)>\s*$/, '$1').trim();
        if (EMAIL_RE.test(p) || CHANNEL_RE.test(p)) c.add('recipients', p);
      }
    } else if (!value.includes('://') && EMAIL_RE.test(value)) c.add('recipients', value);
    if (SQL_KEYS.test(key)) addTables(c, value);
    if (HOST_KEYS.test(key) && /^[A-Za-z0-9.-]+(?::\d+)?$/.test(value)) c.add('hosts', value.replace(/:\d+$/, ''));
    if (value.includes('://')) addUrls(c, value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 256)) visit(c, key, v, depth + 1);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) visit(c, k, v, depth + 1);
  }
}

/** Targets named by `args` (the arguments of a call, or `{ uri }` of a resource read). */
export function extractResources(args: unknown): Resources | undefined {
  const c = new Collector();
  visit(c, '', args, 0);
  return c.result();
}
