// The benign people: tenants with their shared SaaS vendors, users with roles, working hours,
// their own tool choices, colleagues, customers, suppliers and habits (usual doc hosts, repos).
import type { Rng } from '../rng.ts';
import type { Capability } from './capabilities.ts';
import { VENDORS, vendorByServer, type Vendor } from './vendors.ts';
import { company, DOC_HOSTS, FIRST, iban, LAST, person, phone, type Person } from './values.ts';

export type Role = 'developer' | 'sre' | 'analyst' | 'support' | 'sales';
// Developers and SREs are the ones whose routine shell work tripped the old rules, so they are many.
const ROLE_SHARE: Readonly<Record<Role, number>> = { developer: 30, sre: 15, analyst: 15, support: 20, sales: 20 };

export interface Tenant {
  id: string;
  domain: string;
  company: string;
  /** Code-host organisation of the tenant's private repositories. */
  org: string;
  /** Servers the whole tenant shares (mail, chat, calendar, docs, tickets, payments). */
  shared: Partial<Record<Capability, string>>;
  /** Internal HTTP services (hosts) and Kubernetes API servers. */
  services: string[];
  clusters: { name: string; server: string }[];
  channels: string[];
  repos: string[];
}

export interface Supplier {
  company: string;
  contact: Person;
  iban: string;
}

export interface PopUser {
  /** Short stable key used in exchange ids, e.g. `u017`. */
  key: string;
  tenant: Tenant;
  me: Person;
  user_id: string;
  home: string;
  role: Role;
  utcOffsetMin: number;
  workStart: number;
  workEnd: number;
  /** Mean agent runs per working day. */
  runsPerDay: number;
  agents: string[];
  client: { name: string; version: string };
  /** Older clients still send an MCP session id; newer stateless ones do not. */
  sendsSessionId: boolean;
  stack: Partial<Record<Capability, Vendor>>;
  colleagues: Person[];
  customers: Person[];
  suppliers: Supplier[];
  docHosts: string[];
  /** Weekday (1 = Monday) on which a sales/finance user pays supplier invoices. */
  payDay: number;
}

const TENANTS: readonly Omit<Tenant, 'services' | 'clusters' | 'channels' | 'repos'>[] = [
  { id: 'northwind', domain: 'northwind.example', company: 'Northwind Traders', org: 'northwind-eng', shared: { mail: 'gmail', chat: 'slack', calendar: 'google-calendar', docs: 'gdrive', tickets: 'zendesk', pay: 'bank' } },
  { id: 'contoso', domain: 'contoso.example', company: 'Contoso Ltd', org: 'contoso', shared: { mail: 'outlook', chat: 'teams', calendar: 'outlook-calendar', docs: 'onedrive', tickets: 'jira', pay: 'payments-mcp' } },
  { id: 'fabrikam', domain: 'fabrikam.example', company: 'Fabrikam Inc', org: 'fabrikam-dev', shared: { mail: 'fastmail-mcp', chat: 'mattermost', calendar: 'cal', docs: 'notion', tickets: 'freshdesk', pay: 'finance-ops' } },
  { id: 'umbrella', domain: 'umbrella-health.example', company: 'Umbrella Health', org: 'umbrella-health', shared: { mail: 'mail', chat: 'discord', calendar: 'google-calendar', docs: 'dropbox', tickets: 'zendesk', pay: 'bank' } },
];

const ROLE_CAPS: Readonly<Record<Role, readonly Capability[]>> = {
  developer: ['mail', 'chat', 'calendar', 'docs', 'fs', 'shell', 'code', 'web', 'db'],
  sre: ['mail', 'chat', 'calendar', 'docs', 'fs', 'shell', 'code', 'web', 'db'],
  analyst: ['mail', 'chat', 'calendar', 'docs', 'fs', 'db', 'web'],
  support: ['mail', 'chat', 'calendar', 'docs', 'tickets', 'fs', 'web'],
  sales: ['mail', 'chat', 'calendar', 'docs', 'pay', 'fs', 'web'],
};

const CLIENTS = [
  { name: 'claude-desktop', version: '1.4.2' }, { name: 'cursor', version: '2.1.7' }, { name: 'vscode-copilot', version: '1.110.0' },
  { name: 'claude-code', version: '2.3.0' }, { name: 'goose', version: '1.9.1' }, { name: 'windsurf', version: '1.12.4' },
] as const;
const ZONES = [-480, -300, 0, 60, 120, 330, 480, 540];
const SERVICES = ['billing', 'orders', 'search', 'auth', 'inventory', 'notify', 'reports', 'gateway'];
const REPOS = ['web-app', 'api', 'infra', 'mobile', 'data-pipeline', 'billing-service', 'design-system', 'ops-runbooks'];

function makeTenant(rng: Rng, t: (typeof TENANTS)[number]): Tenant {
  const internal = `${t.id}.internal`;
  return {
    ...t,
    services: SERVICES.map((s) => `${s}.${internal}`),
    clusters: ['prod-eu1', 'prod-us1', 'staging'].map((c) => ({ name: c, server: `https://k8s-${c}.${internal}:6443` })),
    channels: ['#eng', '#deploys', '#incidents', '#support', '#sales', '#data', '#random', `#team-${rng.pick(['atlas', 'nova', 'orion', 'kite'])}`],
    repos: REPOS.map((r) => `${t.org}/${r}`),
  };
}

/** `n` users; ids depend only on the index, everything else on the seed. */
export function makePopulation(rng: Rng, n: number): PopUser[] {
  const tenants = TENANTS.map((t) => makeTenant(rng, t));
  const users: PopUser[] = [];
  for (let i = 0; i < n; i++) {
    const tenant = tenants[i % tenants.length]!;
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const handle = `${first}.${last}${i >= FIRST.length * LAST.length ? Math.floor(i / (FIRST.length * LAST.length)) + 1 : ''}`;
    const role = rng.weighted(ROLE_SHARE);
    const stack: Partial<Record<Capability, Vendor>> = {};
    for (const c of ROLE_CAPS[role]) stack[c] = tenant.shared[c] ? vendorByServer(tenant.shared[c]) : rng.pick(VENDORS[c]);
    const workStart = 7.5 + rng.int(0, 10) / 4;
    const me: Person = {
      name: `${first.charAt(0).toUpperCase()}${first.slice(1)} ${last.charAt(0).toUpperCase()}${last.slice(1)}`,
      email: `${handle}@${tenant.domain}`,
      phone: phone(rng),
      title: { developer: 'Software Engineer', sre: 'Site Reliability Engineer', analyst: 'Data Analyst', support: 'Support Engineer', sales: 'Account Executive' }[role],
      company: tenant.company,
    };
    const customers = Array.from({ length: rng.int(3, 8) }, () => {
      const c = company(rng);
      return person(rng, c.domain, c.name);
    });
    const suppliers = role === 'sales' ? Array.from({ length: rng.int(2, 4) }, () => {
      const c = company(rng);
      return { company: c.name, contact: person(rng, c.domain, c.name), iban: iban(rng) };
    }) : [];
    users.push({
      key: `u${String(i).padStart(3, '0')}`,
      tenant,
      me,
      user_id: me.email,
      home: `/home/${handle.replace('.', '')}`,
      role,
      utcOffsetMin: rng.pick(ZONES),
      workStart,
      workEnd: workStart + 8 + rng.int(0, 6) / 4,
      // About 100 exchanges per user and working day, near what the independent evaluation saw.
      runsPerDay: { developer: 14, sre: 15, analyst: 11, support: 14, sales: 12 }[role] * (0.7 + rng.next() * 0.6),
      agents: Array.from({ length: rng.int(1, 2) }, () => `agent-${rng.hex(8)}`),
      client: rng.pick(CLIENTS),
      // Most clients speak the stateless protocol; a minority still send Mcp-Session-Id.
      sendsSessionId: rng.chance(0.3),
      stack,
      colleagues: [],
      customers,
      suppliers,
      docHosts: Array.from({ length: rng.int(3, 6) }, () => rng.pick(DOC_HOSTS)),
      payDay: rng.int(1, 5),
    });
  }
  for (const u of users) {
    const mates = users.filter((o) => o !== u && o.tenant === u.tenant);
    for (let k = 0; k < Math.min(6, mates.length); k++) u.colleagues.push(rng.pick(mates).me);
    if (!u.colleagues.length) u.colleagues.push(person(rng, u.tenant.domain, u.tenant.company));
  }
  return users;
}
