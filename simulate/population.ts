// The simulated people: each user has a tenant, a role, a time zone and working hours, an activity
// level, and the agents and MCP client they work through.
import { ROLE_SHARE, type Role } from './catalog.ts';
import type { Rng } from './rng.ts';

export interface SimUser {
  tenant_id: string;
  user_id: string;
  /** Home folder name, used in file paths. */
  handle: string;
  role: Role;
  /** Time zone as a fixed UTC offset in minutes (no daylight saving: keeps the rhythm simple and exact). */
  tz: string;
  utcOffsetMin: number;
  /** Local working hours, in hours (fractional). */
  workStart: number;
  workEnd: number;
  /** Mean tool calls per working hour. */
  callsPerHour: number;
  /** Chance of a short session on a weekend day (on-call SREs more often). */
  weekendChance: number;
  agents: string[];
  client: { name: string; version: string };
  sourceAddress: string;
}

const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'ursula', 'victor', 'wendy', 'xavier', 'yara', 'zoe', 'amir', 'bea', 'chen', 'dara', 'emeka', 'fatima', 'goran'];
const LAST = ['smith', 'jones', 'garcia', 'kim', 'nguyen', 'patel', 'mueller', 'rossi', 'tanaka', 'silva', 'cohen', 'okafor', 'larsen', 'novak', 'haddad', 'ivanova', 'dubois', 'schmidt', 'lopez', 'wang'];
const ZONES: readonly [string, number][] = [
  ['America/Los_Angeles', -480], ['America/New_York', -300], ['Europe/London', 0], ['Europe/Berlin', 60],
  ['Asia/Kolkata', 330], ['Asia/Singapore', 480], ['Asia/Tokyo', 540],
];
const CLIENTS = [
  { name: 'claude-desktop', version: '0.12.28' },
  { name: 'cursor', version: '1.5.11' },
  { name: 'vscode-copilot', version: '1.104.0' },
  { name: 'claude-code', version: '1.0.98' },
] as const;

export const DEFAULT_TENANTS = ['acme', 'globex', 'initech'] as const;

/** `n` users spread over `tenants`; ids depend only on the index, the rest on the seed. */
export function makePopulation(rng: Rng, n: number, tenants: readonly string[]): SimUser[] {
  const users: SimUser[] = [];
  for (let i = 0; i < n; i++) {
    const tenant = tenants[i % tenants.length]!;
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const round = Math.floor(i / (FIRST.length * LAST.length));
    const handle = `${first}.${last}${round ? round + 1 : ''}`;
    const role = rng.weighted(ROLE_SHARE);
    const [tz, utcOffsetMin] = rng.pick(ZONES);
    const workStart = 8 + rng.int(0, 8) / 4;
    users.push({
      tenant_id: tenant,
      user_id: `${handle}@${tenant}.example`,
      handle,
      role,
      tz,
      utcOffsetMin,
      workStart,
      workEnd: workStart + 8 + rng.int(0, 4) / 4,
      callsPerHour: 4 + rng.int(0, 12),
      weekendChance: role === 'sre' ? 0.25 : 0.05,
      agents: Array.from({ length: rng.int(1, 2) }, () => `agent-${rng.hex(8)}`),
      client: rng.pick(CLIENTS),
      sourceAddress: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    });
  }
  return users;
}

/** The tenant's own mail domain: recipients outside it are external. */
export const domainOf = (tenant: string) => `${tenant}.example`;
