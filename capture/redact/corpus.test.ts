// The redaction corpus (capture/redaction.corpus/, fakes only): at least 300 secret samples of at
// least 100 types must be redacted at >= 98%, and at most 1% of at least 150 benign strings may
// change.
import { describe, expect, it } from 'vitest';
import { benignSamples } from '../redaction.corpus/benign.corpus.ts';
import { generatedBenign } from '../redaction.corpus/benign.generated.ts';
import { contextSamples } from '../redaction.corpus/contexts.corpus.ts';
import { formatSamples } from '../redaction.corpus/formats.corpus.ts';
import { secretSamples } from '../redaction.corpus/secrets.corpus.ts';
import { sourceSamples } from '../redaction.corpus/sources.corpus.ts';
import { redactTextWithFindings } from '../redact.ts';

const secrets = [...secretSamples.map((s) => ({ ...s, type: s.name })), ...formatSamples, ...contextSamples, ...sourceSamples];
const benign = [...benignSamples, ...generatedBenign];

describe('redaction corpus', () => {
  it('is big enough', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(300);
    expect(new Set(secrets.map((s) => s.type)).size).toBeGreaterThanOrEqual(100);
    expect(benign.length).toBeGreaterThanOrEqual(150);
  });

  it('redacts at least 98% of the secrets, and reports a kind for each', () => {
    const missed = secrets.filter((s) => {
      const r = redactTextWithFindings(s.text);
      return r.text.includes(s.secret) || r.secrets.length === 0;
    });
    expect(1 - missed.length / secrets.length, `missed: ${missed.map((s) => s.name).join(', ')}`).toBeGreaterThanOrEqual(0.98);
  });

  it('is idempotent: a redacted text has nothing left to redact', () => {
    const changed = secrets.filter((s) => {
      const once = redactTextWithFindings(s.text).text;
      return redactTextWithFindings(once).text !== once;
    });
    expect(changed.map((s) => s.name)).toEqual([]);
  });

  it('changes at most 1% of the benign strings', () => {
    const changed = benign.filter((b) => redactTextWithFindings(b).text !== b);
    expect(changed.length / benign.length, `changed: ${changed.join(' | ')}`).toBeLessThanOrEqual(0.01);
  });
});
