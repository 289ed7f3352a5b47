import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { OTHER_HASH_KEY, TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import { fingerprintOf } from './fingerprints.ts';
import { derivedKeyId, keyedDigest, keyedHex, LOCAL_KEY_FILE, resolveHashKey } from './hash.key.ts';

const silent = { warn: () => undefined } as unknown as Parameters<typeof resolveHashKey>[1];

describe('hash key', () => {
  it('is standard HMAC-SHA256 over a domain prefix, and the domains never agree', () => {
    expect(keyedHex(TEST_HASH_KEY, 'arguments', '{"a":1}')).toBe(createHmac('sha256', TEST_HASH_KEY.bytes).update('args:{"a":1}').digest('hex'));
    const text = 'email:a@b.example';
    const all = [keyedHex(TEST_HASH_KEY, 'arguments', text), keyedHex(TEST_HASH_KEY, 'result', text), keyedHex(TEST_HASH_KEY, 'fingerprint', text)];
    expect(new Set(all).size).toBe(3);
    expect(keyedHex(OTHER_HASH_KEY, 'arguments', text)).not.toBe(all[0]);
    expect(fingerprintOf(TEST_HASH_KEY, 'email', 'a@b.example')).toBe(`email:${all[2]!.slice(0, 16)}`);
    expect(keyedDigest(TEST_HASH_KEY, 'arguments', { b: 1, a: 'é' })).toEqual({
      hmac_sha256: keyedHex(TEST_HASH_KEY, 'arguments', '{"a":"é","b":1}'),
      size_bytes: Buffer.byteLength('{"a":"é","b":1}'),
      truncated: false,
    });
    // Streamed through the bounded canonical writer: a value past its depth budget is hashed as far as kept, and says so.
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(keyedDigest(TEST_HASH_KEY, 'result', deep)).toMatchObject({ hmac_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), truncated: true });
  });

  it('comes from MCP_AUDIT_HASH_KEY as hex or base64 of 32+ bytes, with a derived id unless one is set', () => {
    const hex = loadConfig({ MCP_AUDIT_HASH_KEY: 'ab'.repeat(32) }).capture;
    expect(hex.hashKey).toEqual(Buffer.alloc(32, 0xab));
    expect(hex.hashKeyId).toBeUndefined();
    expect(resolveHashKey({ hashKey: hex.hashKey, hashKeyId: hex.hashKeyId, stackDir: '/nonexistent' }, silent).id).toBe(derivedKeyId(Buffer.alloc(32, 0xab)));
    const b64 = loadConfig({ MCP_AUDIT_HASH_KEY: Buffer.alloc(40, 7).toString('base64'), MCP_AUDIT_HASH_KEY_ID: '2026-q4' }).capture;
    expect(b64.hashKey).toEqual(Buffer.alloc(40, 7));
    expect(b64.hashKeyId).toBe('2026-q4');
  });

  it('refuses a short key without echoing it', () => {
    expect(() => loadConfig({ MCP_AUDIT_HASH_KEY: 'c0ffee'.repeat(5) })).toThrow(/MCP_AUDIT_HASH_KEY=\(hidden\): expected hex or base64 of at least 32 bytes/);
    expect(() => loadConfig({ MCP_AUDIT_HASH_KEY: 'c0ffee'.repeat(5) })).not.toThrow(/c0ffee/);
  });

  it('without a setting: generated once into the stack folder (0600), reused, and warned about every time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpa-key-'));
    const warnings: unknown[] = [];
    const log = { warn: (...a: unknown[]) => warnings.push(a) } as unknown as Parameters<typeof resolveHashKey>[1];
    const a = resolveHashKey({ hashKey: undefined, hashKeyId: undefined, stackDir: dir }, log);
    const b = resolveHashKey({ hashKey: undefined, hashKeyId: undefined, stackDir: dir }, log);
    expect(a.bytes.length).toBe(32);
    expect(b).toEqual(a);
    expect(statSync(join(dir, LOCAL_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(2);
    expect(JSON.stringify(warnings)).not.toContain(readFileSync(join(dir, LOCAL_KEY_FILE), 'utf8').trim());
  });
});
