// Realistic tool-result text: mails with headers and signatures, kube configs, git logs, API
// JSON, documentation pages with links, tickets, calendar listings, logs and reports. These carry
// the values (addresses, URLs, hosts, IBANs, phone numbers, ids, passages) a provenance detector
// fingerprints, the way real results do.
import type { Rng } from '../rng.ts';
import type { PopUser, Tenant } from './population.ts';
import { ipv4, uuid, type Person } from './values.ts';

export interface Mail {
  id: string;
  from: Person;
  to: Person[];
  cc: Person[];
  date: string;
  subject: string;
  body: string;
}

const addr = (p: Person) => `${p.name} <${p.email}>`;

export const signature = (p: Person) => `--\n${p.name}\n${p.title} | ${p.company}\nPhone: ${p.phone}\nhttps://www.${p.email.split('@')[1]}`;

export function mailText(m: Mail): string {
  return [
    `Message-ID: <${m.id}@mail.${m.from.email.split('@')[1]}>`,
    `From: ${addr(m.from)}`,
    `To: ${m.to.map(addr).join(', ')}`,
    ...(m.cc.length ? [`Cc: ${m.cc.map(addr).join(', ')}`] : []),
    `Date: ${m.date}`,
    `Subject: ${m.subject}`,
    '',
    m.body,
    '',
    signature(m.from),
  ].join('\n');
}

export function mailList(mails: readonly Mail[]): string {
  return JSON.stringify(mails.map((m) => ({ id: m.id, from: addr(m.from), subject: m.subject, date: m.date, snippet: m.body.slice(0, 90) })), null, 1);
}

const SUBJECTS = ['Quick question about the Q3 renewal', 'Re: onboarding checklist', 'Follow-up from our call', 'Updated proposal attached', 'Delivery schedule for next week', 'Access request', 'Meeting notes', 'Re: contract draft v3', 'Pricing for the enterprise tier', 'Invoice clarification'];
const BODIES = [
  'Hi {to},\n\nthanks for the quick turnaround yesterday. Could you confirm the numbers in the attached sheet before Friday? The shared folder is at {link}.\n\nBest,\n{from}',
  'Hello {to},\n\nas discussed, here is the summary of our call:\n- rollout to the second region moves to next sprint\n- the API limits stay at 600 requests/minute\n- {from} sends the revised SOW\n\nDetails: {link}\n\nRegards,\n{from}',
  'Hi {to},\n\nwe are seeing slower exports since Monday (ticket reference {ref}). Could your team take a look? Call me any time.\n\nThanks,\n{from}',
  'Dear {to},\n\nplease find the updated proposal here: {link}. Let me know if the timeline works for you.\n\nKind regards,\n{from}',
];

/** A plausible business mail between people (links point at the sender's company). */
export function businessMail(rng: Rng, from: Person, to: Person[], cc: Person[], date: string): Mail {
  const body = rng
    .pick(BODIES)
    .replaceAll('{to}', to[0]!.name.split(' ')[0]!)
    .replaceAll('{from}', from.name.split(' ')[0]!)
    .replaceAll('{link}', `https://files.${from.email.split('@')[1]}/s/${rng.hex(10)}`)
    .replaceAll('{ref}', `CS-${rng.int(10000, 99999)}`);
  return { id: rng.hex(16), from, to, cc, date, subject: rng.pick(SUBJECTS), body };
}

export function invoiceMail(rng: Rng, from: Person, to: Person, date: string, iban: string, amount: string, invoiceNo: string): Mail {
  const body = `Hello ${to.name.split(' ')[0]},\n\nplease find invoice ${invoiceNo} for the services delivered last month.\n\nAmount due: EUR ${amount}\nDue date: within 14 days\nBank: ${from.company} GmbH\nIBAN: ${iban.replace(/(.{4})/g, '$1 ').trim()}\nReference: ${invoiceNo}\n\nThe PDF is available at https://billing.${from.email.split('@')[1]}/invoices/${invoiceNo}.pdf\n\nThank you,\n${from.name.split(' ')[0]}`;
  return { id: rng.hex(16), from, to: [to], cc: [], date, subject: `Invoice ${invoiceNo} - ${from.company}`, body };
}

export function kubeconfig(t: Tenant, u: PopUser): string {
  const clusters = t.clusters.map((c) => `- cluster:\n    certificate-authority-data: <redacted>\n    server: ${c.server}\n  name: ${c.name}`).join('\n');
  const contexts = t.clusters.map((c) => `- context:\n    cluster: ${c.name}\n    namespace: default\n    user: ${u.me.email.split('@')[0]}-${c.name}\n  name: ${c.name}`).join('\n');
  const users = t.clusters.map((c) => `- name: ${u.me.email.split('@')[0]}-${c.name}\n  user:\n    token: <token-from-sso-redacted>`).join('\n');
  return `apiVersion: v1\nkind: Config\nclusters:\n${clusters}\ncontexts:\n${contexts}\ncurrent-context: ${t.clusters[0]!.name}\npreferences: {}\nusers:\n${users}\n`;
}

const COMMIT_MSGS = ['fix: retry idempotent requests on 503', 'feat(api): paginate /v2/orders', 'chore(deps): bump undici to 7.16.0', 'refactor: split billing worker', 'docs: update runbook for failover', 'test: cover empty cart checkout', 'fix(ui): focus trap in modal', 'perf: cache tenant settings for 60s', 'ci: run e2e on merge queue', 'feat: export invoices as CSV'];

export function gitLog(rng: Rng, authors: readonly Person[], n: number, oneline: boolean): string {
  const lines: string[] = [];
  let t = Date.UTC(2026, 10, 20, 12);
  for (let i = 0; i < n; i++) {
    t -= rng.int(600, 40000) * 1000;
    const a = rng.pick(authors);
    const hash = rng.hex(40);
    const msg = rng.pick(COMMIT_MSGS);
    lines.push(oneline ? `${hash.slice(0, 7)} ${msg}` : `commit ${hash}\nAuthor: ${a.name} <${a.email}>\nDate:   ${new Date(t).toUTCString()}\n\n    ${msg}\n`);
  }
  return lines.join('\n');
}

export function githubRuns(rng: Rng, repo: string): string {
  const runs = Array.from({ length: 5 }, () => {
    const id = rng.int(10_000_000_000, 19_999_999_999);
    return { id, name: rng.pick(['CI', 'Release', 'CodeQL', 'e2e']), head_branch: rng.pick(['main', `feat/${rng.hex(4)}`]), head_sha: rng.hex(40), status: 'completed', conclusion: rng.pick(['success', 'success', 'failure']), html_url: `https://github.com/${repo}/actions/runs/${id}` };
  });
  return JSON.stringify({ total_count: 5, workflow_runs: runs }, null, 2);
}

export function docPage(rng: Rng, host: string, topic: string): string {
  const path = `/${topic.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return `# ${topic}\n\nSource: https://${host}${path}\n\n${topic} is configured per environment. The defaults work for most deployments; see https://${host}${path}/configuration for every option and https://${host}/changelog for changes in the latest release.\n\n## Example\n\n\`\`\`\n${topic.toLowerCase().replace(/\s+/g, '_')}.enabled = true\n${topic.toLowerCase().replace(/\s+/g, '_')}.timeout = ${rng.int(5, 120)}s\n\`\`\`\n\nRelated: https://${host}/guides/${rng.hex(6)} · Report a problem: https://${host}/community\n`;
}

export function ticketText(rng: Rng, id: string, customer: Person, agent: Person): string {
  return `Ticket ${id} · Priority: ${rng.pick(['normal', 'high', 'low'])} · Status: open\nRequester: ${customer.name} <${customer.email}> (${customer.company})\nPhone: ${customer.phone}\nAssignee: ${agent.name}\n\n${customer.name.split(' ')[0]} wrote:\nSince the last update our exports to https://app.${customer.email.split('@')[1]}/import fail with "401 token expired". Order ${rng.int(1000000, 9999999)} is affected. Please advise.\n\n${signatureLess(customer)}`;
}
const signatureLess = (p: Person) => `${p.name} · ${p.title}, ${p.company} · ${p.phone}`;

export interface CalEvent {
  title: string;
  start: string;
  end: string;
  organizer: Person;
  attendees: Person[];
  description: string;
}

export function calendarList(events: readonly CalEvent[]): string {
  return events.map((e) => `${e.start} – ${e.end}  ${e.title}\n  Organizer: ${e.organizer.email}\n  Attendees: ${e.attendees.map((a) => a.email).join(', ')}\n  ${e.description}`).join('\n\n');
}

/** Application log lines (request ids, client IPs, latencies, URLs). */
export function logLines(rng: Rng, service: string, n: number): string {
  const out: string[] = [];
  let t = Date.UTC(2026, 10, 20, 9, 0, 0);
  for (let i = 0; i < n; i++) {
    t += rng.int(10, 4000);
    const level = rng.weighted({ INFO: 80, WARN: 14, ERROR: 6 });
    out.push(`${new Date(t).toISOString()} ${level.padEnd(5)} ${service} req=${uuid(rng)} client=${ipv4(rng)} ${rng.pick(['GET', 'POST', 'PUT'])} /api/v2/${rng.pick(['orders', 'invoices', 'customers', 'sessions'])}/${rng.int(1000, 99999)} status=${level === 'ERROR' ? rng.pick([500, 502, 504]) : rng.pick([200, 200, 201, 204, 404])} dur_ms=${rng.int(3, 2400)}`);
  }
  return out.join('\n');
}

/** Rows of a customer/order table as the database tool prints them. */
export function customerRows(rng: Rng, customers: readonly Person[], n: number): string {
  const head = 'id | name | email | phone | country | mrr_eur | last_order';
  const rows = Array.from({ length: n }, (_, i) => {
    const c = customers[i % customers.length]!;
    return `${rng.int(10000, 99999)} | ${c.company} | ${c.email} | ${c.phone} | ${rng.pick(['DE', 'FR', 'US', 'GB', 'NL'])} | ${rng.int(200, 40000)} | 2026-11-${String(rng.int(1, 28)).padStart(2, '0')}`;
  });
  return [head, ...rows, `(${n} rows)`].join('\n');
}

export function metricsRows(rng: Rng, n: number): string {
  const head = 'day | signups | active_users | revenue_eur | churned';
  return [head, ...Array.from({ length: n }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')} | ${rng.int(20, 400)} | ${rng.int(5000, 9000)} | ${rng.int(20000, 90000)} | ${rng.int(0, 30)}`), `(${n} rows)`].join('\n');
}

export function envExample(t: Tenant): string {
  return `# Copy to .env and fill in. Never commit real values.\nNODE_ENV=development\nPORT=3000\nDATABASE_URL=postgres://app:changeme@localhost:5432/app\nREDIS_URL=redis://localhost:6379\nAUTH_ISSUER=https://${t.services[3]}/realms/dev\nSTRIPE_SECRET_KEY=sk_test_replace_me\nSENTRY_DSN=\nFEATURE_FLAGS=checkout_v2,fast_search\n`;
}

export function sourceFile(rng: Rng, t: Tenant): string {
  const svc = rng.pick(t.services);
  return `import { request } from 'undici';\n\nconst BASE = process.env.SERVICE_URL ?? 'http://${svc}:8080';\n\nexport async function fetchOrder(id: string) {\n  const res = await request(\`\${BASE}/api/v2/orders/\${id}\`, { headersTimeout: ${rng.int(2, 10)}_000 });\n  if (res.statusCode === 404) return null;\n  return res.body.json();\n}\n`;
}

export function kubectlPods(rng: Rng, ns: string): string {
  const head = 'NAME                                READY   STATUS    RESTARTS   AGE';
  return [head, ...Array.from({ length: rng.int(4, 9) }, () => `${rng.pick(['api', 'worker', 'web', 'billing', 'search'])}-${rng.hex(10)}-${rng.hex(5)}`.padEnd(36) + `${rng.pick(['1/1', '1/1', '2/2', '0/1'])}     ${rng.pick(['Running', 'Running', 'Running', 'CrashLoopBackOff'])}   ${rng.int(0, 6)}          ${rng.int(1, 40)}d`)].join('\n').replace('default', ns);
}
