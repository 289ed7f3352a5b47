// Loads a rule-pack fixture (NDJSON of v1 events) and moves it to the present: fresh event ids,
// timestamps shifted so the last event is `endMs`, gaps kept. Lets a test replay a known chain.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { uuidv7 } from '../../core/ids.ts';
import type { AuditEventV1 } from '../../schemas/event.v1.ts';

export function loadChain(fixture: string, endMs = Date.now()): AuditEventV1[] {
  const path = fileURLToPath(new URL(`../../detector/pack/fixtures/${fixture}`, import.meta.url));
  const events = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEventV1);
  const shift = endMs - Date.parse(events[events.length - 1]!.ts);
  return events.map((e) => {
    const ms = Date.parse(e.ts) + shift;
    return { ...e, event_id: uuidv7(ms), ts: new Date(ms).toISOString() };
  });
}
