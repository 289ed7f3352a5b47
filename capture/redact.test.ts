import { describe, expect, it } from 'vitest';
import { benignSamples } from './redaction.corpus/benign.corpus.ts';
import { secretSamples } from './redaction.corpus/secrets.corpus.ts';
import { DEFAULT_DENY_KEYS, denyKeyMatcher, redactText, redactValue } from './redact.ts';

describe('redactText', () => {
  it('has a corpus of at least 30 secret shapes', () => {
    expect(new Set(secretSamples.map((s) => s.name)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(secretSamples.map((s) => [s.name, s] as const))('redacts %s', (_name, s) => {
    const out = redactText(s.text);
    expect(out).not.toContain(s.secret);
    expect(out).toContain('[redacted:');
  });

  it.each(benignSamples.map((b) => [b] as const))('leaves benign text untouched: %s', (b) => {
    expect(redactText(b)).toBe(b);
  });

  it('keeps user and host of a URL with a password', () => {
    expect(redactText('postgres://app:hunter2x@db:5432/x')).toBe('postgres://app:[redacted:url-password]@db:5432/x');
  });

  it('is idempotent', () => {
    for (const s of secretSamples) expect(redactText(redactText(s.text))).toBe(redactText(s.text));
  });
});

describe('redactValue', () => {
  const denied = denyKeyMatcher([...DEFAULT_DENY_KEYS, 'ssn']);
  it('replaces deny-listed keys at any depth, whatever their value, and redacts strings', () => {
    const out = redactValue(
      { user: 'bob', Password: 'x', nested: { 'api-key': 42, list: [{ SSN: '123-45-6789' }] }, note: `key ${secretSamples[0]!.secret}` },
      denied,
    );
    expect(out).toEqual({
      user: 'bob',
      Password: '[redacted:denied-key]',
      nested: { 'api-key': '[redacted:denied-key]', list: [{ SSN: '[redacted:denied-key]' }] },
      note: 'key [redacted:aws-access-key-id]',
    });
  });
});
