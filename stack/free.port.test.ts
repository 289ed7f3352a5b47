// freePort: a port a server can bind, drawn below the kernel's ephemeral range so that no outgoing
// connection can take it between the choice and the bind.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralLow, freePort } from './free.port.ts';

describe('freePort', () => {
  it('gives ports below the ephemeral range that a server can then bind', async () => {
    const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralLow());
      expect(port).toBeGreaterThan(1024);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
