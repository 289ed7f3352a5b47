// One alert as one line a person can read as it scrolls by: local time, seconds since the demo
// started, severity, rule title and id, tenant/user, and the alert's own summary.
import type { AlertV1 } from '../schemas/alert.v1.ts';

const two = (n: number) => String(n).padStart(2, '0');

export function alertLine(alert: AlertV1, startedAtMs: number, nowMs = Date.now()): string {
  const d = new Date(alert.detected_at);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const elapsed = `+${Math.round((nowMs - startedAtMs) / 1000)}s`;
  return `${time} ${elapsed.padStart(6)}  ALERT ${alert.severity.toUpperCase().padEnd(8)} ${alert.rule.title} [${alert.rule.id}]  ${alert.tenant_id}/${alert.user_id}  ${alert.summary}`;
}
