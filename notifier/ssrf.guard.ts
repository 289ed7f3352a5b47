// Server-side request forgery guard. A destination URL comes from configuration, but the name in it
// is resolved by DNS at every connection, and DNS can answer with an internal address (a cloud
// metadata service at 169.254.169.254, a database on 10.x, the notifier's own host). So the check
// runs on the addresses the socket is about to connect to — inside the `lookup` hook of the HTTP
// request — not on the host name in the configuration.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Address ranges a destination may explicitly allow (ipaddr.js range names). */
export const allowableNetworks = ['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat'] as const;
export type AllowableNetwork = (typeof allowableNetworks)[number];

export class SsrfRefusedError extends Error {
  readonly code = 'ESSRFREFUSED';
}

/**
 * Why an address is refused, or null if it may be connected to. Only public unicast addresses
 * pass by default; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it maps to.
 * Anything else ipaddr.js classifies (unspecified, multicast, broadcast, reserved, 6to4, Teredo,
 * NAT64 ...) is refused because it can reach something other than the public internet.
 */
export function refusalOf(address: string, allowed: ReadonlySet<string>): string | null {
  if (!ipaddr.isValid(address)) return `not an IP address: ${address}`;
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range === 'unicast' || allowed.has(range)) return null;
  return `${ip.toString()} is in the ${range} range`;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request / net.connect that resolves every address of the name and refuses the
 * connection when any one of them is forbidden (so a name with one public and one internal record
 * cannot be used to reach the internal one).
 */
export function guardedLookup(allowed: ReadonlySet<string>) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const a of addresses) {
        const why = refusalOf(a.address, allowed);
        if (why) return callback(new SsrfRefusedError(`refused to connect to ${hostname}: ${why}`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** Node skips `lookup` when the URL holds an IP literal; those are checked here before connecting. */
export function refusalOfLiteralHost(hostname: string, allowed: ReadonlySet<string>): string | null {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(host) ? refusalOf(host, allowed) : null;
}
