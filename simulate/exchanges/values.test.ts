import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { iban, ibanCheckDigits } from './values.ts';

describe('iban', () => {
  it('computes the check digits of the published example', () => {
    expect(ibanCheckDigits('GB', 'WEST12345698765432')).toBe('82');
    expect(ibanCheckDigits('DE', '370400440532013000')).toBe('89');
  });
  it('makes IBANs whose check a validator accepts', () => {
    const rng = createRng(5);
    for (let i = 0; i < 50; i++) {
      const x = iban(rng);
      const moved = (x.slice(4) + x.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
      expect(BigInt(moved) % 97n).toBe(1n);
    }
  });
});
