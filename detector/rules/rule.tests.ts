// Runs the tests a rule carries (`tests:` in its YAML): each feeds an NDJSON fixture of v1 events
// through an engine holding only that rule and compares the number of matches with `expect.alerts`.
// Every match must also turn into a valid AlertV1, so a rule cannot pass its tests yet produce
// alerts the pipeline would reject.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { alertV1 } from '../../schemas/alert.v1.ts';
import { auditEvent, type AuditEvent } from '../../schemas/event.ts';
import { EMPTY_BASELINES } from '../baselines/baseline.types.ts';
import type { Catalogue } from '../../classify/catalogue.ts';
import { toAlert } from './alert.ts';
import { loadBaselineFixture } from './baseline.fixture.ts';
import { createEngine, type RuleMatch } from './engine.ts';
import type { LoadedRule } from './rules.load.ts';

export interface RuleTestResult {
  ruleId: string;
  file: string;
  name: string;
  expected: number;
  actual: number;
  ok: boolean;
  error?: string;
  matches: RuleMatch[];
}

const NIL_INCIDENT = '0'.repeat(64);

/** Reads an NDJSON fixture; every line must be a valid event (v1 or v2). */
export function readEventsFile(file: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '' || line.trimStart().startsWith('//')) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (err) {
        throw new Error(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
      }
      const parsed = auditEvent.safeParse(json);
      if (!parsed.success) {
        throw new Error(`${file}:${i + 1}: not a valid event: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      }
      events.push(parsed.data);
    });
  return events;
}

export function runRuleTests(loaded: LoadedRule, catalogue: Catalogue, allowedLatenessMs = 5_000): RuleTestResult[] {
  const { rule, file } = loaded;
  const base = dirname(file);
  return rule.tests.map((t) => {
    const result: RuleTestResult = { ruleId: rule.id, file, name: t.name, expected: t.expect.alerts, actual: 0, ok: false, matches: [] };
    try {
      const events = readEventsFile(resolve(base, t.events));
      const baselines = t.baselines ? loadBaselineFixture(resolve(base, t.baselines)) : EMPTY_BASELINES;
      const engine = createEngine({ rules: [{ ...rule, enabled: true }], catalogue, baselines, allowedLatenessMs });
      // Matches of this rule (signal or alert); a lone rule never completes a risk story anyway.
      const mine = (ms: RuleMatch[]) => ms.filter((m) => m.rule.id === rule.id);
      for (const e of events) result.matches.push(...mine(engine.process(e)));
      result.matches.push(...mine(engine.advanceWatermark(Number.MAX_SAFE_INTEGER)));
      result.actual = result.matches.length;
      for (const m of result.matches) {
        const alert = alertV1.safeParse(toAlert(m, { incidentId: NIL_INCIDENT, detectedAt: new Date(0) }));
        if (!alert.success) throw new Error(`a match is not a valid alert: ${alert.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      }
      result.ok = result.actual === result.expected;
    } catch (err) {
      result.error = (err as Error).message;
    }
    return result;
  });
}
