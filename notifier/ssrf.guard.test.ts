import { describe, expect, it } from 'vitest';
import { guardedLookup, refusalOf, refusalOfLiteralHost, SsrfRefusedError } from './ssrf.guard.ts';

const none = new Set<string>();

describe('SSRF guard', () => {
  it('refuses loopback, private, link-local and other non-public addresses (IPv4 and IPv6)', () => {
    for (const a of [
      '127.0.0.1', '127.1.2.3', '10.0.0.5', '172.16.3.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    ]) {
      expect(refusalOf(a, none), a).not.toBeNull();
    }
  });
  it('judges IPv4-mapped IPv6 as the IPv4 address it maps to', () => {
    expect(refusalOf('::ffff:127.0.0.1', none)).toMatch(/loopback/);
    expect(refusalOf('::ffff:7f00:1', none)).toMatch(/loopback/);
    expect(refusalOf('::ffff:169.254.169.254', none)).toMatch(/linkLocal/);
    expect(refusalOf('::ffff:10.1.2.3', none)).toMatch(/private/);
    expect(refusalOf('::ffff:8.8.8.8', none)).toBeNull();
  });
  it('lets public unicast addresses through', () => {
    for (const a of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111']) expect(refusalOf(a, none), a).toBeNull();
  });
  it('allows exactly the ranges the configuration names', () => {
    const loopback = new Set(['loopback']);
    expect(refusalOf('127.0.0.1', loopback)).toBeNull();
    expect(refusalOf('::1', loopback)).toBeNull();
    expect(refusalOf('::ffff:127.0.0.1', loopback)).toBeNull();
    expect(refusalOf('10.0.0.1', loopback)).not.toBeNull();
    expect(refusalOf('169.254.169.254', loopback)).not.toBeNull();
  });
  it('checks IP literals in URLs, which never reach the lookup', () => {
    expect(refusalOfLiteralHost('[::1]', none)).toMatch(/loopback/);
    expect(refusalOfLiteralHost('169.254.169.254', none)).toMatch(/linkLocal/);
    expect(refusalOfLiteralHost('siem.example.com', none)).toBeNull();
  });
  it('refuses at lookup time when a name resolves to a forbidden address', async () => {
    const lookup = guardedLookup(none);
    const err = await new Promise<unknown>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect(err).toBeInstanceOf(SsrfRefusedError);
    const ok = await new Promise<unknown>((resolve) => guardedLookup(new Set(['loopback']))('localhost', {}, (e, a) => resolve(e ?? a)));
    expect(ok).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
