// The committed AgentDojo export holds together: every line is an exchange `capture import` takes,
// every trace opens with its servers' tool lists, and every label points at the exchanges it names
// (the injected call's output carries the attack; harmful calls come after it, in the same trace).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exchangeRecord, type ExchangeRecord } from '../../capture/exchange.import.ts';

const DATA = new URL('./data/', import.meta.url);
const SUITES = ['workspace', 'travel'] as const;

interface Label {
  trace_id: string;
  suite: string;
  user_id: string;
  attack: boolean;
  goal?: string;
  injected_exchange_id?: string;
  harmful_exchange_ids?: string[];
  harmful_action_ids?: string[];
  first_harmful_action_ts?: string;
  revealable?: boolean;
  not_revealable_reason?: string;
}

function records(file: string): ExchangeRecord[] {
  return gunzipSync(readFileSync(new URL(file, DATA)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => exchangeRecord.parse(JSON.parse(line)));
}

const idOf = (r: ExchangeRecord) => String((r.request as { id: unknown }).id);
const traceOf = (r: ExchangeRecord) => idOf(r).split('#')[0]!;
const textOf = (r: ExchangeRecord) => ((r.response as { result?: { content?: { text: string }[] } }).result?.content ?? []).map((c) => c.text).join('');

describe('AgentDojo export', () => {
  const labels = (JSON.parse(readFileSync(new URL('labels.json', DATA), 'utf8')) as { traces: Label[] }).traces;
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', DATA), 'utf8')) as { servers: Record<string, string[]> };

  it.each(SUITES)('%s: traces open with the tool lists, labels point at their exchanges', (suite) => {
    const byTrace = new Map<string, ExchangeRecord[]>();
    for (const kind of ['benign', 'attacks']) {
      for (const r of records(`${suite}.${kind}.ndjson.gz`)) {
        const list = byTrace.get(traceOf(r)) ?? [];
        list.push(r);
        byTrace.set(traceOf(r), list);
      }
    }
    const mine = labels.filter((l) => l.suite === suite);
    expect(new Set(mine.map((l) => l.trace_id))).toEqual(new Set(byTrace.keys()));
    for (const label of mine) {
      const rs = byTrace.get(label.trace_id)!;
      const lists = rs.filter((r) => (r.request as { method: string }).method === 'tools/list');
      expect(lists.map((r) => r.server.name).sort()).toEqual([...manifest.servers[suite]!].sort());
      expect(rs.slice(0, lists.length)).toEqual(lists);
      expect(rs.every((r) => r.user_id === label.user_id)).toBe(true);
      if (!label.attack) continue;
      const ids = rs.map(idOf);
      const injectedAt = ids.indexOf(label.injected_exchange_id!);
      expect(textOf(rs[injectedAt]!)).toContain('<INFORMATION>');
      for (const h of label.harmful_exchange_ids!) expect(ids.indexOf(h)).toBeGreaterThan(injectedAt);
      expect(label.harmful_action_ids!.every((h) => label.harmful_exchange_ids!.includes(h))).toBe(true);
      const firstAction = label.harmful_action_ids![0];
      if (firstAction) expect(label.first_harmful_action_ts).toBe(rs[ids.indexOf(firstAction)]!.ts);
      if (label.revealable) expect(label.harmful_action_ids!.length).toBeGreaterThan(0);
      else expect(label.not_revealable_reason).toBeTruthy();
    }
  });

  it.each(SUITES)('%s: history is benign, before the evaluation day, and imports as exchanges', (suite) => {
    const history = records(`${suite}.history.ndjson.gz`);
    const firstEvalDay = Math.min(...labels.filter((l) => l.suite === suite).map((l) => Date.parse((l as unknown as { start: string }).start)));
    expect(history.length).toBeGreaterThan(1000);
    expect(history.every((r) => Date.parse(r.ts) < firstEvalDay)).toBe(true);
    expect(history.some((r) => textOf(r).includes('<INFORMATION>'))).toBe(false);
  });
});
