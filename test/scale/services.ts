// The pipeline's services as real child processes (`node bin/mcp-audit.js <role>`), each with its
// own Kafka client id (so consumer-group members can be told apart) and its JSON log kept in a
// file of the run folder, where the test reads what the services said (rebalances, rebuilds).
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli, type Child } from '../support/child.ts';

export interface Service {
  name: string;
  role: 'ingest' | 'detector' | 'notifier';
  child: Child;
  logFile: string;
  startedAt: number;
}

export class Services {
  private readonly all: Service[] = [];
  private readonly runDir: string;
  private readonly env: Record<string, string>;
  constructor(runDir: string, env: Record<string, string>) {
    this.runDir = runDir;
    this.env = env;
  }

  /** Starts `name` (e.g. detector-b) in `role`; a name started again appends to the same log. */
  start(name: string, role: Service['role'], env: Record<string, string> = {}): Service {
    const logFile = join(this.runDir, `${name}.log`);
    const child = spawnCli([role], { ...this.env, ...env, MCP_AUDIT_KAFKA_CLIENT_ID: name });
    const keep = (b: Buffer) => appendFileSync(logFile, b);
    child.proc.stdout!.on('data', keep);
    child.proc.stderr!.on('data', keep);
    const s = { name, role, child, logFile, startedAt: Date.now() };
    this.all.push(s);
    return s;
  }

  /** The live process of `name`. */
  get(name: string): Service {
    const s = this.all.findLast((x) => x.name === name && x.child.proc.exitCode === null && x.child.proc.signalCode === null);
    if (!s) throw new Error(`${name} is not running`);
    return s;
  }

  async kill(name: string): Promise<void> {
    const s = this.get(name);
    s.child.proc.kill('SIGKILL');
    await s.child.exited;
  }

  /** Every child still running, SIGKILLed (afterAll, and on exit if the run dies). */
  killAll(): void {
    for (const s of this.all) if (s.child.proc.exitCode === null) s.child.proc.kill('SIGKILL');
  }

  /** Log lines of `name` (all its starts) whose `msg` is `msg`, parsed. */
  logged(name: string, msg: string): Record<string, unknown>[] {
    let text = '';
    try {
      text = readFileSync(join(this.runDir, `${name}.log`), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes(msg))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === msg);
  }

  output(name: string): string {
    return this.all.filter((s) => s.name === name).map((s) => s.child.output()).join('\n--- restart ---\n');
  }
}
