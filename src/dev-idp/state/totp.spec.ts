import { base32, totp, verifyTotp } from './totp';

// RFC 6238 appendix B: the SHA-1 key is the ASCII string "12345678901234567890".
const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('matches the RFC 6238 test vector at T=%i s', (seconds, expected) => {
    expect(totp(RFC_KEY, seconds * 1000, 8)).toBe(expected);
  });

  it('gives the last 6 digits as the 6-digit code (RFC 4226 truncation)', () => {
    expect(totp(RFC_KEY, 59_000)).toBe('287082');
  });

  it('accepts the previous, current and next step, and nothing further', () => {
    const now = 1_700_000_015_000;
    for (const drift of [-30_000, 0, 30_000]) expect(verifyTotp(RFC_KEY, totp(RFC_KEY, now + drift), now)).toBe(true);
    for (const drift of [-60_000, 60_000]) expect(verifyTotp(RFC_KEY, totp(RFC_KEY, now + drift), now)).toBe(false);
  });

  it('refuses anything that is not six digits', () => {
    const now = 1_700_000_015_000;
    const code = totp(RFC_KEY, now);
    for (const bad of ['', `${code}0`, code.slice(1), 'abcdef', ` ${code.slice(1)}`]) {
      expect(verifyTotp(RFC_KEY, bad, now)).toBe(false);
    }
  });

  it('encodes base32 as RFC 4648 section 10 does (without padding)', () => {
    const cases: [string, string][] = [
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, expected] of cases) expect(base32(Buffer.from(input))).toBe(expected);
  });
});
