// Small building blocks the routines and attacks share: reading a mail the way an agent does
// (search, then open), posting, sending, and harmless look-around calls that pad a run.
import type { Rng } from '../rng.ts';
import { businessMail, calendarList, docPage, gitLog, mailList, mailText, sourceFile, type Mail } from './content.ts';
import type { Exchange } from './exchange.schema.ts';
import type { PopUser } from './population.ts';
import type { Run } from './run.builder.ts';
import type { Person } from './values.ts';

export interface Ctx {
  run: Run;
  u: PopUser;
  rng: Rng;
}

export const mailDate = (ctx: Ctx) => new Date(ctx.run.t - ctx.rng.int(5, 600) * 60_000).toUTCString();

/** Searches the mailbox (the mail among a few others) and opens the mail; returns the read exchange. */
export function readMail(ctx: Ctx, mail: Mail, query: string): Exchange {
  const { run, u, rng } = ctx;
  const others = Array.from({ length: rng.int(1, 4) }, () => businessMail(rng, rng.pick([...u.colleagues, ...u.customers]), [u.me], [], mailDate(ctx)));
  run.call('mail', 'search', { query, limit: 10 }, mailList([mail, ...others]));
  return run.call('mail', 'read', { id: mail.id }, mailText(mail));
}

/** A recipient known only by address. */
export const outsider = (email: string): Person => ({ name: email.split('@')[0]!, email, phone: '', title: '', company: email.split('@')[1]! });

export function sendMail(ctx: Ctx, to: Person[], cc: Person[], subject: string, body: string): Exchange {
  const id = ctx.rng.hex(16);
  return ctx.run.call('mail', 'send', { to: to.map((p) => p.email), ...(cc.length ? { cc: cc.map((p) => p.email) } : {}), subject, body }, `Message sent. id=${id}`, [8, 60]);
}

export function postChat(ctx: Ctx, channel: string, text: string): Exchange {
  return ctx.run.call('chat', 'post', { channel, text }, JSON.stringify({ ok: true, channel, ts: `${Math.floor(ctx.run.t / 1000)}.${ctx.rng.int(100000, 999999)}` }), [5, 60]);
}

export const shell = (ctx: Ctx, command: string, output: string, cwd?: string): Exchange =>
  ctx.run.call('shell', 'run', { command, ...(cwd ? { cwd } : {}) }, output, [3, 30]);

export const project = (ctx: Ctx) => `${ctx.u.home}/src/${ctx.rng.pick(ctx.u.tenant.repos).split('/')[1]}`;

export function chatHistory(rng: Rng, u: PopUser, channel: string): string {
  return Array.from({ length: rng.int(3, 8) }, () => {
    const p = rng.pick(u.colleagues);
    return `[${p.email}] ${rng.pick(['deploy of api 2.41 done', 'anyone seen the flaky e2e test?', 'standup moved to 10:15', 'PR is up for review', 'customer call went well, notes in the doc', 'dashboards look normal after the fix'])}`;
  }).join('\n').concat(`\n(channel ${channel})`);
}

/** Harmless look-around calls that real runs are full of (history, listings, reads). */
export function filler(ctx: Ctx, n: number): void {
  const { run, u, rng } = ctx;
  for (let i = 0; i < n; i++) {
    const options: (() => void)[] = [];
    if (u.stack.chat) options.push(() => { const ch = rng.pick(u.tenant.channels); run.call('chat', 'history', { channel: ch, limit: 20 }, chatHistory(rng, u, ch)); });
    if (u.stack.fs) options.push(() => run.call('fs', 'list', { path: `${u.home}/Documents` }, ['notes.md', 'q4-plan.docx', 'standup.txt', 'expenses-nov.xlsx', 'drafts/'].join('\n')));
    if (u.stack.calendar) options.push(() => run.call('calendar', 'list', { from: new Date(run.t).toISOString().slice(0, 10), to: new Date(run.t + 86_400_000).toISOString().slice(0, 10) }, calendarList([{ title: 'Team sync', start: '10:00', end: '10:30', organizer: rng.pick(u.colleagues), attendees: u.colleagues.slice(0, 3), description: `Agenda: https://docs.${u.tenant.domain}/d/${rng.hex(8)}` }])));
    if (u.stack.code) options.push(() => run.call('code', 'commits', { repo: rng.pick(u.tenant.repos), limit: 10 }, gitLog(rng, u.colleagues, 10, false)));
    if (u.stack.shell) options.push(() => shell(ctx, rng.pick(['git status --short', 'ls -la', 'git branch -a', 'df -h']), rng.pick([' M src/app.ts\n?? notes.txt', 'total 48\ndrwxr-xr-x  9 dev dev 4096 .\n-rw-r--r--  1 dev dev  812 package.json\ndrwxr-xr-x 12 dev dev 4096 src', '* main\n  remotes/origin/main', 'Filesystem Size Used Avail Use% Mounted on\n/dev/nvme0n1p2 468G 201G 244G 46% /']), project(ctx)));
    if (u.stack.fs && u.stack.code) options.push(() => run.call('fs', 'read', { path: `${project(ctx)}/src/client.ts` }, sourceFile(rng, u.tenant)));
    if (u.stack.web) options.push(() => { const h = rng.pick(u.docHosts); run.call('web', 'fetch', { url: `https://${h}/docs/${rng.pick(['configuration', 'getting-started', 'api', 'faq'])}` }, docPage(rng, h, rng.pick(['Configuration', 'Getting started', 'API reference', 'FAQ']))); });
    if (u.stack.docs) options.push(() => run.call('docs', 'search', { query: rng.pick(['q4 plan', 'runbook', 'pricing', 'onboarding']) }, JSON.stringify([{ id: rng.hex(12), title: 'Q4 planning', owner: rng.pick(u.colleagues).email }, { id: rng.hex(12), title: 'Runbook: failover', owner: rng.pick(u.colleagues).email }])));
    rng.pick(options)();
  }
}
