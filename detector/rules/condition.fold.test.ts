import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, type Classification } from '../../classify/catalogue.ts';
import { classify } from '../../classify/classify.ts';
import type { AuditEvent } from '../../schemas/event.ts';
import { compileMatch } from './condition.ts';
import { foldMatch, matchOnRoute } from './condition.fold.ts';
import type { Ev, RouteFacts, UserState } from './rule.types.ts';
import type { Match } from './rule.schema.ts';
import { DEFAULT_RULES_DIR, loadRulesOrThrow } from './rules.load.ts';

const cls = (c: string, labels: string[] = []): Classification => ({ class: c, inferred: false, labels });
const sink: RouteFacts = { kind: 'tool_call', cls: cls('email.send', ['external_sink']) };
const read: RouteFacts = { kind: 'tool_call', cls: cls('file.read', ['private_data']) };
const listing: RouteFacts = { kind: 'tool_list', cls: cls('none') };

describe('foldMatch', () => {
  it('decides conditions on kind, class and labels for the whole route', () => {
    const m: Match = { kind: 'tool_call', labels: 'external_sink' };
    expect(foldMatch(m, sink)).toBe(true);
    expect(foldMatch(m, read)).toBe(false);
    expect(foldMatch(m, listing)).toBe(false);
    expect(foldMatch({ 'tool.class': ['email.send', 'chat.send'] }, sink)).toBe(true);
    expect(foldMatch({ 'tool.class': { not: { eq: 'email.send' } } }, sink)).toBe(false);
    expect(foldMatch({ 'tool.inferred': false }, sink)).toBe(true);
  });

  it('keeps what depends on the event, and the match itself when the route decides nothing', () => {
    const m: Match = { kind: 'tool_call', 'arguments.preview': { regex: 'curl' } };
    expect(foldMatch(m, sink)).toEqual({ 'arguments.preview': { regex: 'curl' } });
    const open: Match = { 'result.status': 'ok', novel_destination: true };
    expect(foldMatch(open, sink)).toBe(open);
    // A boolean condition of the event is not a decided one.
    expect(foldMatch({ novel_destination: false }, sink)).toEqual({ novel_destination: false });
  });

  it('folds alternatives, keeping those before an always-true one for what they record', () => {
    const prov = { provenance: { from: 'private_data', in: 'payload', within: 60_000 } } as unknown as Match;
    expect(foldMatch({ any: [{ labels: 'external_sink' }, prov] }, sink)).toBe(true);
    expect(foldMatch({ any: [prov, { labels: 'external_sink' }] }, sink)).toEqual({ any: [prov, {}] });
    expect(foldMatch({ any: [{ labels: 'external_sink' }, prov] }, read)).toEqual({ any: [prov] });
    expect(foldMatch({ any: [{ labels: 'external_sink' }, { kind: 'tool_list' }] }, read)).toBe(false);
  });

  it('fails a match whose `none` the route satisfies, and drops a `none` it rules out', () => {
    const m: Match = { none: [{ labels: 'private_data' }, { 'tool.class': 'http.request' }], 'result.status': 'ok' };
    expect(foldMatch(m, read)).toBe(false);
    expect(foldMatch(m, sink)).toEqual({ 'result.status': 'ok' });
  });

  it('knows that only shell calls run commands', () => {
    const m: Match = { 'shell.commands': ['curl'] };
    expect(foldMatch(m, sink)).toBe(false);
    expect(foldMatch(m, { kind: 'tool_call', cls: cls('shell.exec') })).toBe(m);
  });
});

/** Every event of the pack's fixtures, classified as the engine classifies them. */
function fixtureEvents(): { ev: Ev; route: RouteFacts }[] {
  const catalogue = loadCatalogue();
  const dir = join(DEFAULT_RULES_DIR, 'fixtures');
  const user = { tenant: 't', user: 'u', prov: null, recentDestinations: null, baseline: undefined, baselineOf: null } as unknown as UserState;
  const out: { ev: Ev; route: RouteFacts }[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ndjson'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as AuditEvent;
      const c = classify(e, catalogue);
      out.push({ ev: { e, ts: Date.parse(e.ts), cls: c, user, origin: undefined }, route: { kind: e.kind, cls: c } });
    }
  }
  return out;
}

describe('a match folded for its route', () => {
  it('answers as the whole match on every fixture event of the pack, for every condition of every rule', () => {
    const events = fixtureEvents();
    expect(events.length).toBeGreaterThan(100);
    const matches: Match[] = [];
    for (const { rule } of loadRulesOrThrow([DEFAULT_RULES_DIR])) {
      if ('match' in rule && rule.match) matches.push(rule.match);
      if (rule.kind === 'sequence') {
        for (const s of rule.steps) if (s.match) matches.push(s.match);
        if (rule.until) matches.push(rule.until);
      }
    }
    let decided = 0;
    for (const m of matches) {
      const whole = compileMatch(m);
      for (const { ev, route } of events) {
        const folded = matchOnRoute(m, route);
        if (folded === false || foldMatch(m, route) === true) decided++;
        expect(folded === false ? false : folded(ev), JSON.stringify(m)).toBe(whole(ev));
      }
    }
    // Most (rule, event) pairs are decided by the route alone: that is the work saved.
    expect(decided).toBeGreaterThan((matches.length * events.length) / 2);
  });
});
