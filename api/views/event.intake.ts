// What POST /v1/events was given, checked: one JSON event, or an NDJSON batch (one event per line),
// each validated against its own contract version (v1 or v2) and its tenant against the API key's.
// Pure: the route produces the valid events and maps the outcome to HTTP.
import { EventRejectedError, encodeEvent } from '../../producer/audit.producer.ts';
import type { AuditEvent } from '../../schemas/event.ts';

/** The issue of an event of another tenant than the key's (the route answers 403 for a single one). */
export const FOREIGN_TENANT = "tenant_id: must be the API key's tenant";

export interface IntakeError {
  /** 0-based position of the event in the batch. */
  index: number;
  issues: string[];
}

export type Intake =
  | { ok: true; batch: boolean; valid: AuditEvent[]; errors: IntakeError[] }
  /** A batch with more lines than allowed: nothing is checked. */
  | { ok: false; lines: number };

type Checked = { ok: true; event: AuditEvent } | { ok: false; issues: string[] };

function check(input: unknown, tenantId: string, maxBytes: number): Checked {
  try {
    const { event } = encodeEvent(input, maxBytes);
    if (event.tenant_id !== tenantId) return { ok: false, issues: [FOREIGN_TENANT] };
    return { ok: true, event };
  } catch (err) {
    if (err instanceof EventRejectedError) return { ok: false, issues: err.issues };
    throw err;
  }
}

/**
 * Checks a request body: a string is an NDJSON batch (blank lines skipped), anything else one
 * parsed JSON event. Errors come in batch order.
 */
export function checkIntake(body: unknown, tenantId: string, limits: { maxBytes: number; batchMax: number }): Intake {
  const batch = typeof body === 'string';
  const inputs: unknown[] = [];
  const errors: IntakeError[] = [];
  if (batch) {
    const lines = body.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > limits.batchMax) return { ok: false, lines: lines.length };
    lines.forEach((line, index) => {
      try {
        inputs[index] = JSON.parse(line);
      } catch {
        errors.push({ index, issues: ['not valid JSON'] });
        inputs[index] = undefined;
      }
    });
  } else {
    inputs.push(body);
  }
  const valid: AuditEvent[] = [];
  inputs.forEach((input, index) => {
    if (errors.some((e) => e.index === index)) return;
    const checked = check(input, tenantId, limits.maxBytes);
    if (checked.ok) valid.push(checked.event);
    else errors.push({ index, issues: checked.issues });
  });
  errors.sort((a, b) => a.index - b.index);
  return { ok: true, batch, valid, errors };
}
