// A free TCP port for a server started outside the stack's fixed ports (private brokers and ClickHouse
// servers of tests and benches, the API of a demo under test).
//
// The port is drawn below the kernel's ephemeral range. A port the OS hands out for `listen(0)` comes
// from that range, and so does the local port of every outgoing connection: between finding the port
// free and the server binding it, a connection another test opens could take it (EADDRINUSE, seen in
// CI on 2026-12-03). Below the range, only a server binding that very port can.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** How many ports below the ephemeral range are drawn from. */
const SPAN = 10_000;
/** Random ports tried before leaving the choice to the OS. */
const TRIES = 32;

/** A port nothing listens on right now, below the ephemeral range when one is free there. */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let i = 0; i < TRIES; i++) {
    const port = low - SPAN + Math.floor(Math.random() * SPAN);
    if (await canListen(port)) return port;
  }
  return listenAnywhere();
}

/** The first port of the kernel's ephemeral range (Linux; 32768, its usual value, elsewhere). */
export function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > SPAN + 1024) return low;
  } catch {
    // Not Linux, or no /proc: the usual value.
  }
  return 32_768;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function listenAnywhere(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
