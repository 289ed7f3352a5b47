import { describe, expect, it } from 'vitest';
import type { FingerprintKind } from '../schemas/event.v2.ts';
import { bareHost, classifyKey, emailIn, numberIn, phoneValue, scanText, urlIn } from './value.shapes.ts';

const scan = (text: string, isSecret = (_: string) => false) => {
  const out: [FingerprintKind, string][] = [];
  scanText(text, (kind, value) => out.push([kind, value]), isSecret);
  return out;
};

describe('value shapes', () => {
  it('normalise numbers: separators, currency and zeros dropped; fewer than 3 significant digits ignored', () => {
    expect(['1,250.00', '$1250', '1250', '€1,250.0', '01250'].map(numberIn)).toEqual(['1250', '1250', '1250', '1250', '1250']);
    expect(['0.0725', '12.5%', '1,000,000.01'].map(numberIn)).toEqual(['0.0725', '12.5', '1000000.01']);
    expect(['100', '12', '1,000', '0.50', '12,34', '1,2345', '2024-05-01', 'v1.2.3', '1.2.3'].map(numberIn)).toEqual(Array(9).fill(null));
  });

  it('find IBANs only with valid check digits, spaced or not, and phone numbers with a +', () => {
    expect(scan('pay DE89 3704 0044 0532 0130 00 today')).toEqual([['account', 'DE89370400440532013000']]);
    expect(scan('IBAN: gb82west12345698765432.')).toEqual([['account', 'GB82WEST12345698765432']]);
    expect(scan('pay DE89 3704 0044 0532 0130 01 today').filter(([k]) => k === 'account')).toEqual([]);
    expect(scan('call +1 (415) 555-0100 now')).toEqual([['phone', '+14155550100']]);
    expect(phoneValue('020 7946 0958', true)).toBe('+02079460958');
    expect(phoneValue('020 7946 0958')).toBeNull();
    expect(phoneValue('+12 34')).toBeNull();
  });

  it('take addresses, URLs and hosts, lowercased, and leave file names alone', () => {
    expect(emailIn('<Jane.Doe+news@Mail.Example.COM>')).toBe('jane.doe+news@mail.example.com');
    expect(emailIn('user@localhost')).toBeNull();
    expect(urlIn('(see HTTPS://user:pw@Docs.Example.org:8443/a/b/?x=1#frag')).toEqual({ url: 'https://docs.example.org:8443/a/b?x=1', host: 'docs.example.org' });
    expect(['www.Example.io', 'api.github.com', '10.0.0.12:8080', 'readme.md', 'main.rs', 'setup.py', 'archive.tar.gz'].map((h) => bareHost(h))).toEqual([
      'www.example.io', 'api.github.com', '10.0.0.12', null, null, null, null,
    ]);
    expect(bareHost('build.internal', true)).toBe('build.internal');
  });

  it('take identifiers that mix letters and digits, unless they are secrets', () => {
    expect(scan('order ORD-2024-88A1 ref a1b2c3d4e5 word abcdefgh 12345678')).toEqual([
      ['id', 'ORD-2024-88A1'],
      ['id', 'a1b2c3d4e5'],
      ['number', '12345678'],
    ]);
    expect(scan('key A1B2C3D4E5F6', (t) => t.startsWith('A1B2'))).toEqual([]);
    expect(scan('at 2026-11-30T09:15:06.517Z')).toEqual([]);
  });

  it('classify keys in any case and separator style, and generic child keys by their parent', () => {
    for (const k of ['to', 'BCC', 'recipient_emails', 'recipientAccount', 'Share-With', 'webhook_url', 'target_host', 'repo']) expect(classifyKey(k, '').destination, k).toBe(true);
    for (const k of ['body', 'subject', 'amount', 'path', 'query']) expect(classifyKey(k, '').destination, k).toBe(false);
    expect(classifyKey('address', 'recipients').destination).toBe(true);
    expect(classifyKey('address', 'sender_info').destination).toBe(false);
    expect(classifyKey('recipient_iban', '')).toMatchObject({ destination: true, account: true, phone: false });
    expect(classifyKey('mobilePhone', '')).toMatchObject({ phone: true });
  });
});
