// Client-side transports that keep the exact bytes a client received, so a test can compare what
// an MCP client got from a server directly and through a proxy: a stdio transport over a child
// process that records each line the child wrote, and a fetch that records each HTTP answer.
import { spawn, type ChildProcess } from 'node:child_process';

/** A client transport (either SDK generation) over a child's stdio; `lines` holds its stdout lines as written. */
export class RecordingStdioTransport {
  onmessage?: (message: unknown) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly lines: string[] = [];
  private child: ChildProcess | null = null;
  private readonly spawnArgs: [string, string[], Record<string, string>];
  private closed: Promise<void> | null = null;

  constructor(command: string, args: string[], env: Record<string, string>) {
    this.spawnArgs = [command, args, env];
  }

  async start(): Promise<void> {
    const [command, args, env] = this.spawnArgs;
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        this.lines.push(line);
        this.onmessage?.(JSON.parse(line));
      }
    });
    void this.closed.then(() => this.onclose?.());
  }

  async send(message: unknown): Promise<void> {
    this.child!.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends the child's input and waits until it has exited (a proxy has then delivered its events). */
  async close(): Promise<void> {
    this.child?.stdin!.end();
    await this.closed;
  }
}

/** A fetch that keeps each answer as status, content type and body bytes (headers such as Date vary). */
export function recordingFetch(): { fetch: typeof fetch; answers: string[] } {
  const answers: string[] = [];
  return {
    answers,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      const body = Buffer.from(await res.clone().arrayBuffer()).toString('base64');
      answers.push(`${res.status} ${res.headers.get('content-type')} ${body}`);
      return res;
    },
  };
}
