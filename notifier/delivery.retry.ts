// What to do after one delivery attempt: the HTTP status (or transport failure) decides between
// done, retry later, park in the dead-letter topic, or disable the destination; and how long to
// wait before the next attempt (exponential backoff with full jitter, or the server's Retry-After).

export type AttemptFailure = 'timeout' | 'network' | 'ssrf_refused';

export type Decision =
  | { kind: 'delivered' }
  | { kind: 'retry'; reason: string }
  | { kind: 'dead_letter'; reason: string }
  | { kind: 'disable'; reason: string };

/** Classifies one attempt's result by the rules of the notifier (README "Alert delivery"). */
export function decide(result: { status: number } | { failure: AttemptFailure }): Decision {
  if ('failure' in result) {
    // A destination resolving to a forbidden address will not become allowed by waiting.
    if (result.failure === 'ssrf_refused') return { kind: 'dead_letter', reason: 'ssrf_refused' };
    return { kind: 'retry', reason: result.failure };
  }
  const s = result.status;
  if (s >= 200 && s < 300) return { kind: 'delivered' };
  // 410 Gone: the receiver says the endpoint is gone for good; stop sending to it at all.
  if (s === 410) return { kind: 'disable', reason: 'http_410' };
  // 408 Request Timeout and 429 Too Many Requests are the receiver asking us to come back later.
  if (s === 408 || s === 429 || s >= 500) return { kind: 'retry', reason: `http_${s}` };
  // Any other 4xx (bad request, auth refused, ...) and unexpected 1xx/3xx: retrying sends the same
  // request and gets the same answer, so the alert is parked for a person to look at.
  return { kind: 'dead_letter', reason: `http_${s}` };
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Wait before attempt `attempt + 1` (attempt counts from 1): "full jitter", a uniformly random
 * wait between 0 and min(max, initial * 2^(attempt-1)), so many notifiers retrying against one
 * recovering SIEM spread out instead of arriving together. Never less than a tenth of the cap,
 * so a retry loop cannot spin.
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(Math.round(cap * random()), Math.round(cap / 10));
}

/** Parses a Retry-After header (delay in seconds, or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP date (IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone would also
  // accept things like "-5" as a year.
  if (!/^[A-Za-z]{3},? /.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** The wait before the next attempt: the server's Retry-After when it gave one (capped), else backoff. */
export function nextDelayMs(
  attempt: number,
  policy: BackoffPolicy & { retryAfterMaxMs: number },
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, policy.retryAfterMaxMs);
  return backoffMs(attempt, policy, random);
}
