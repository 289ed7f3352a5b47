// Routine runs of analysts, support and sales/assistants (and everyone's office chores): reports
// from the database posted to chat, replies to the sender of a mail just read, forwarding to a
// colleague, a first mail to a new customer, new documentation hosts, weekly supplier payments
// whose IBAN and amount come from the invoice mail, sharing, meeting invites, deleting drafts.
import { businessMail, calendarList, customerRows, docPage, invoiceMail, mailList, metricsRows, ticketText } from './content.ts';
import type { Routine } from './routine.ts';
import { mailDate, postChat, readMail, sendMail, type Ctx } from './steps.ts';
import { company, DOC_HOSTS, money, person } from './values.ts';

const first = (name: string) => name.split(' ')[0]!;

const dbReport: Routine = {
  name: 'db-report', roles: { analyst: 4, sre: 0.5 }, patterns: ['long-post-after-private-read'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const metrics = metricsRows(rng, rng.int(20, 30));
    run.call('db', 'query', { sql: "SELECT day, signups, active_users, revenue_eur, churned FROM daily_kpis WHERE day >= date_trunc('month', now()) ORDER BY day" }, metrics);
    const top = customerRows(rng, u.customers, rng.int(25, 45));
    run.call('db', 'query', { sql: 'SELECT id, name, email, phone, country, mrr_eur, last_order FROM customers ORDER BY mrr_eur DESC LIMIT 40' }, top);
    const report = `*Monthly KPI snapshot* (${new Date(run.t).toISOString().slice(0, 10)})\n\n\`\`\`\n${metrics}\n\`\`\`\n\nTop accounts by MRR:\n\`\`\`\n${top}\n\`\`\`\nFull notebook: https://notebooks.${u.tenant.domain}/kpi/${rng.hex(8)}`;
    if (rng.chance(0.6)) postChat(ctx, '#data', report);
    else sendMail(ctx, u.colleagues.slice(0, rng.int(1, 3)), [], 'KPI snapshot', report);
  },
};

const docsLookup: Routine = {
  name: 'docs-lookup', roles: { developer: 2, sre: 1, analyst: 1.5 }, patterns: ['new-doc-host'],
  build(ctx, force) {
    const { u, rng, run } = ctx;
    const fresh = DOC_HOSTS.filter((h) => !u.docHosts.includes(h));
    // Now and then a page on a host this user never opened: routine, and a first-seen destination.
    const host = (force || rng.chance(0.12)) && fresh.length ? rng.pick(fresh) : rng.pick(u.docHosts);
    const topic = rng.pick(['Connection pooling', 'Rate limiting', 'Retention policies', 'Window functions', 'Health checks', 'Service accounts']);
    run.call('web', 'fetch', { url: `https://${host}/docs/${topic.toLowerCase().replace(/ /g, '-')}` }, docPage(rng, host, topic));
    if (!u.docHosts.includes(host)) u.docHosts.push(host);
    if (rng.chance(0.5)) run.call('web', 'fetch', { url: `https://${host}/docs/${topic.toLowerCase().replace(/ /g, '-')}/configuration` }, docPage(rng, host, `${topic} configuration`));
    run.call('fs', 'write', { path: `${u.home}/notes/${topic.toLowerCase().replace(/ /g, '-')}.md`, content: `Notes on ${topic}: see https://${host}. Default timeout is fine for us.` }, 'File written.');
  },
};

const ticketReply: Routine = {
  name: 'ticket-reply', roles: { support: 4 }, patterns: ['reply-to-sender'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const customer = rng.pick(u.customers);
    const id = String(rng.int(40000, 99999));
    run.call('tickets', 'list', { status: 'open' }, JSON.stringify([{ id, subject: 'Exports fail with 401', requester: customer.email }, { id: String(rng.int(40000, 99999)), subject: 'Invoice copy', requester: rng.pick(u.customers).email }]));
    run.call('tickets', 'read', { id }, ticketText(rng, id, customer, u.me));
    if (rng.chance(0.5)) run.call('tickets', 'comment', { id, body: `Hi ${first(customer.name)}, the token rotation on our side expired your integration key. I re-issued it; please reconnect from Settings → Integrations. Best, ${first(u.me.name)}` }, 'Comment added (public).');
    else sendMail(ctx, [customer], [], `Re: ticket ${id}`, `Hi ${first(customer.name)},\n\nyour integration key expired with our token rotation; I re-issued it. Please reconnect from Settings → Integrations and let me know if exports still fail.\n\nBest regards,\n${u.me.name}\n${u.me.phone}`);
  },
};

const inboxReply: Routine = {
  name: 'inbox-reply', roles: { support: 2, sales: 4, analyst: 1, developer: 0.5, sre: 0.5 }, patterns: ['reply-to-sender'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const sender = rng.chance(0.6) ? rng.pick(u.customers) : rng.pick(u.colleagues);
    const mail = businessMail(rng, sender, [u.me], rng.chance(0.3) ? [rng.pick(u.colleagues)] : [], mailDate(ctx));
    readMail(ctx, mail, rng.pick(['is:unread', 'newer_than:1d', `from:${sender.email}`]));
    if (rng.chance(0.5)) run.call('mail', 'reply', { id: mail.id, to: [sender.email], body: `Hi ${first(sender.name)},\n\nthanks, confirmed. I will send the figures by Thursday.\n\n${u.me.name}` }, 'Reply sent.');
    else sendMail(ctx, [sender], mail.cc, `Re: ${mail.subject}`, `Hi ${first(sender.name)},\n\nthanks, confirmed. I will send the figures by Thursday.\n\n${u.me.name}\n${u.me.title} | ${u.me.company}\n${u.me.phone}`);
  },
};

const forwardDoc: Routine = {
  name: 'forward-doc', roles: { support: 1, sales: 1.5, analyst: 1, developer: 0.3, sre: 0.3 }, patterns: ['forward-doc'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const mate = rng.pick(u.colleagues);
    const mail = businessMail(rng, rng.pick(u.customers), [u.me], [], mailDate(ctx));
    readMail(ctx, mail, 'has:attachment newer_than:7d');
    run.call('mail', 'forward', { id: mail.id, to: [mate.email], note: `${first(mate.name)}, FYI – can you take this one?` }, 'Forwarded.');
  },
};

const newCustomer: Routine = {
  name: 'new-customer', roles: { sales: 0.6, support: 0.2 }, patterns: ['new-external-contact'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const c = company(rng);
    const lead = person(rng, c.domain, c.name);
    run.call('web', 'fetch', { url: `https://www.${c.domain}/about` }, `# About ${c.name}\n\n${c.name} runs ${rng.int(20, 400)} stores. Contact: ${lead.name}, ${lead.title}, ${lead.email}, ${lead.phone}.\nhttps://www.${c.domain}/contact`);
    sendMail(ctx, [lead], [rng.pick(u.colleagues)], `${u.tenant.company} × ${c.name}`, `Dear ${lead.name},\n\nthank you for your interest in ${u.tenant.company}. As promised, here is our product overview: https://www.${u.tenant.domain}/overview.pdf\n\nWould Tuesday 15:00 work for a 30-minute call?\n\nBest regards,\n${u.me.name}\n${u.me.title}\n${u.me.phone}`);
    u.customers.push(lead);
  },
};

const payInvoice: Routine = {
  name: 'pay-invoice', roles: { sales: 0 }, patterns: ['supplier-payment'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const s = rng.pick(u.suppliers);
    const amount = money(rng, 180, 9800);
    const no = `INV-${new Date(run.t).getUTCFullYear()}-${rng.int(1000, 9999)}`;
    readMail(ctx, invoiceMail(rng, s.contact, u.me, mailDate(ctx), s.iban, amount, no), 'subject:invoice newer_than:7d');
    run.call('pay', 'transactions', { limit: 10 }, JSON.stringify([{ date: '2026-11-10', amount: -Number(money(rng, 100, 3000)), counterparty: rng.pick(u.suppliers).company, iban: rng.pick(u.suppliers).iban }]));
    run.call('pay', 'pay', { iban: s.iban, amount, currency: 'EUR', reference: no, recipient: s.company }, `Transfer scheduled: ${rng.hex(12)} (${amount} EUR to ${s.iban})`, [10, 60]);
    if (rng.chance(0.5)) sendMail(ctx, [s.contact], [], `Re: Invoice ${no} - ${s.company}`, `Hello ${first(s.contact.name)},\n\nwe paid ${no} today (EUR ${amount}).\n\nRegards,\n${u.me.name}`);
  },
};

const shareFile: Routine = {
  name: 'share-file', roles: { analyst: 1.5, sales: 1.5, support: 0.5, developer: 0.3 }, patterns: ['share-file'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const id = rng.hex(20);
    const mate = rng.pick(u.colleagues);
    run.call('docs', 'search', { query: rng.pick(['proposal', 'quarterly review', 'pricing sheet']) }, JSON.stringify([{ id, title: 'Q4 proposal – draft', owner: u.me.email, modified: '2026-11-18' }]));
    run.call('docs', 'read', { file_id: id }, `Q4 proposal – draft\n\nScope: migration of 3 regions, SLA 99.9%.\nBudget: EUR ${money(rng, 20000, 200000)}\nContacts: ${u.me.email}, ${mate.email}\nTimeline: https://docs.${u.tenant.domain}/d/${rng.hex(8)}`);
    run.call('docs', 'share', { file_id: id, email: mate.email, role: rng.pick(['reader', 'writer', 'commenter']) }, `Shared with ${mate.email}.`);
  },
};

const inviteColleague: Routine = {
  name: 'invite-colleague', roles: { analyst: 1, sales: 1.5, support: 0.5, developer: 0.5, sre: 0.5 }, patterns: ['invite-colleague'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const day = new Date(run.t + 86_400_000).toISOString().slice(0, 10);
    const mates = [rng.pick(u.colleagues), rng.pick(u.colleagues)].filter((p, i, a) => a.indexOf(p) === i);
    run.call('calendar', 'list', { from: day, to: day }, calendarList([{ title: 'Customer review', start: `${day}T14:00`, end: `${day}T15:00`, organizer: rng.pick(u.colleagues), attendees: [u.me, ...mates], description: `Dial-in: https://meet.${u.tenant.domain}/${rng.hex(10)}` }]));
    run.call('calendar', 'create', { title: rng.pick(['Prep: customer review', 'Sprint planning', 'Pricing sync']), start: `${day}T10:00:00Z`, end: `${day}T10:30:00Z`, attendees: mates.map((p) => p.email), description: `Agenda in https://docs.${u.tenant.domain}/d/${rng.hex(8)}` }, `Event created: ${rng.hex(26)}`);
  },
};

const deleteDrafts: Routine = {
  name: 'delete-drafts', roles: { support: 0.8, sales: 1, analyst: 0.3 }, patterns: ['delete-drafts'],
  build(ctx) {
    const { u, rng, run } = ctx;
    const drafts = Array.from({ length: rng.int(2, 4) }, () => businessMail(rng, u.me, [rng.pick([...u.customers, ...u.colleagues])], [], mailDate(ctx)));
    run.call('mail', 'drafts', { older_than_days: 30 }, mailList(drafts));
    for (const d of drafts) run.call('mail', 'delete_draft', { id: d.id }, 'Deleted.', [1, 5]);
  },
};

export const OFFICE_ROUTINES: readonly Routine[] = [dbReport, docsLookup, ticketReply, inboxReply, forwardDoc, newCustomer, payInvoice, shareFile, inviteColleague, deleteDrafts];
export const PAY_INVOICE = payInvoice;
