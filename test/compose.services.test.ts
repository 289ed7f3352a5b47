// What docker-compose.yml relies on from the services themselves, run as real processes: the
// notifier without destinations (the SIEM list is optional) stays up and healthy and says why it
// delivers nothing, instead of exiting 2 and crash-looping under `restart: unless-stopped`; and
// `baselines schedule` answers the /healthz its healthcheck probes. Both stop cleanly on SIGTERM.
import { describe, expect, it } from 'vitest';
import { spawnCli } from './support/child.ts';
import { freePort } from '../stack/free.port.ts';
import { createTestEnv, eventually } from './support/test.env.ts';

const healthz = async (port: number) => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);

describe('services as compose runs them', () => {
  it('the notifier without destinations idles healthy, says so in its log, and exits 0 on SIGTERM', async () => {
    const child = spawnCli(['notifier'], {
      MCP_AUDIT_NOTIFIER_DESTINATIONS: '',
      MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON: '',
      MCP_AUDIT_NOTIFIER_HEALTH_PORT: '0',
      MCP_AUDIT_LOG_LEVEL: 'info',
    });
    try {
      const idleLine = () => child.output().split('\n').find((l) => l.includes('no notifier destinations configured'));
      expect(await eventually(async () => idleLine() !== undefined, 30_000), child.output()).toBe(true);
      const line = JSON.parse(idleLine()!) as { healthPort: number; msg: string };
      expect(line.msg).toMatch(/idles and delivers nothing/);
      const res = await fetch(`http://127.0.0.1:${line.healthPort}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      // Still running: it did not exit on its own.
      expect(child.proc.exitCode).toBeNull();
    } finally {
      child.proc.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
  });

  it('baselines schedule serves /healthz and its run counts on /metrics, and exits 0 on SIGTERM', async () => {
    const t = await createTestEnv('baselines_health');
    await t.clickhouse.close();
    const port = await freePort();
    const child = spawnCli(['baselines', 'schedule'], { ...t.env, MCP_AUDIT_BASELINE_HEALTH_PORT: String(port) });
    try {
      expect(await eventually(async () => (await healthz(port)) === 200, 60_000), child.output()).toBe(true);
      // No run stored yet, so it computes at once; the count shows on /metrics.
      const metrics = () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      expect(await eventually(async () => /mcp_audit_baseline_runs_total\{outcome="done"[^}]*\} 1/.test(await metrics()), 60_000), await metrics()).toBe(true);
    } finally {
      child.proc.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
  });
});
