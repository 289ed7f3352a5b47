import { describe, expect, it } from 'vitest';
import { benignSamples } from './redaction.corpus/benign.corpus.ts';
import { secretSamples } from './redaction.corpus/secrets.corpus.ts';
import { DEFAULT_DENY_KEYS, denyKeyMatcher, redactText, redactTextWithFindings, redactValue, redactValueWithFindings } from './redact.ts';

describe('redactText', () => {
  it.each(secretSamples.map((s) => [s.name, s] as const))('redacts %s', (_name, s) => {
    const out = redactText(s.text);
    expect(out).not.toContain(s.secret);
    expect(out).toContain('[redacted:');
  });

  it.each(benignSamples.map((b) => [b] as const))('leaves benign text untouched: %s', (b) => {
    expect(redactText(b)).toBe(b);
  });

  it.each([
    "onConstructorPoisoning: 'remove',",
    "session: initializing ? newSession() : sessionFor(sessionId),",
    'const newSession = (): SessionInfo => ({ transport: "http" });',
    'secret.read: [private_data]',
    '"cookie-signature": "^1.2.1",',
    'const secret = `whsec_${randomBytes(32).toString("base64")}`;',
    'function rotateSecret(secret: string): void {}',
    'const apiKey: string = process.env.API_KEY!;',
    'password: ${{ secrets.DB_PASSWORD }}',
    'token: Optional[str] = None',
    'secret = os.environ["APP_SECRET"]',
  ])('leaves code alone: %s', (code) => {
    expect(redactText(code)).toBe(code);
  });

  it('keeps scheme, user and host of a URL with a password', () => {
    expect(redactText('postgres://app:hunter2x@db:5432/x')).toBe('postgres://app:[redacted:url_credentials]@db:5432/x');
  });

  it('keeps the key and the auth scheme readable', () => {
    expect(redactText('DB_PASSWORD=letmein')).toBe('DB_PASSWORD=[redacted:password]');
    expect(redactText("curl -H 'Authorization: Bearer abcdefghijklmnop0123' https://x")).toBe("curl -H 'Authorization: Bearer [redacted:authorization]' https://x");
  });

  it('is idempotent', () => {
    for (const s of secretSamples) expect(redactText(redactText(s.text))).toBe(redactText(s.text));
  });
});

describe('findings', () => {
  it('names the kinds removed, never the values', () => {
    const aws = ['AK', 'IA', 'Z'.repeat(12), '2345'].join('');
    const r = redactTextWithFindings(`key ${aws} and postgres://u:pw123456@db/x and password=hunter22`);
    expect(r.secrets).toEqual(['aws_access_key', 'url_credentials', 'password']);
    expect(JSON.stringify(r.secrets)).not.toContain('hunter22');
  });

  it('finds secrets under base64, hex and URL-encoding, and redacts the encoded run', () => {
    const ghp = ['gh', 'p_', 'a1B2c3D4e5F6g7H8i9J0'.repeat(2).slice(0, 36)].join('');
    const inner = JSON.stringify({ token: ghp });
    for (const encoded of [Buffer.from(inner).toString('base64'), Buffer.from(inner).toString('hex'), encodeURIComponent(inner)]) {
      const r = redactTextWithFindings(`blob=${encoded}`);
      expect(r.secrets).toContain('github_token');
      expect(r.text).not.toContain(encoded);
    }
    // Two levels: base64 of a base64.
    const twice = Buffer.from(Buffer.from(`password=${ghp}`).toString('base64')).toString('base64');
    expect(redactTextWithFindings(`x ${twice}`).secrets).toContain('github_token');
  });

  it('leaves encoded benign text alone', () => {
    const b = Buffer.from('The quarterly report is attached, see page four.').toString('base64');
    expect(redactTextWithFindings(`data ${b}`)).toEqual({ text: `data ${b}`, secrets: [] });
  });
});

describe('redactValue', () => {
  const denied = denyKeyMatcher([...DEFAULT_DENY_KEYS, 'ssn']);
  it('replaces secret-named and deny-listed keys at any depth, whatever their value, and redacts strings', () => {
    const aws = ['AK', 'IA', 'Q'.repeat(12), '7777'].join('');
    const out = redactValueWithFindings(
      { user: 'bob', Password: 'x', nested: { 'api-key': 42, list: [{ SSN: '123-45-6789' }] }, note: `key ${aws}`, flag: { token: true } },
      denied,
    );
    expect(out.value).toEqual({
      user: 'bob',
      Password: '[redacted:password]',
      nested: { 'api-key': '[redacted:api_key]', list: [{ SSN: '[redacted:denied_key]' }] },
      note: 'key [redacted:aws_access_key]',
      flag: { token: true },
    });
    expect(out.secrets.sort()).toEqual(['api_key', 'aws_access_key', 'denied_key', 'password']);
    expect(redactValue({ a: 1 }, denied)).toEqual({ a: 1 });
  });

  it('keeps a __proto__ key as an ordinary, redacted key', () => {
    const out = redactValue(JSON.parse('{"__proto__":{"password":"abc12345"},"a":1}'), denied) as object;
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"password":"[redacted:password]"},"a":1}');
  });
});
