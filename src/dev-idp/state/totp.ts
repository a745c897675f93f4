import { createHmac, timingSafeEqual } from 'node:crypto';

/** FusionAuth's authenticator method: HMAC-SHA1, 30 s steps, 6 digits (apis/two-factor). */
export const TOTP_STEP_S = 30;
export const TOTP_DIGITS = 6;

/**
 * RFC 6238 (TOTP) over RFC 4226 (HOTP): the code for the time step that contains `atMs`.
 * `secret` is the raw key: FusionAuth stores it base64, authenticator apps take it base32.
 */
export function totp(secret: Buffer, atMs: number, digits = TOTP_DIGITS): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / TOTP_STEP_S)));
  const mac = createHmac('sha1', secret).update(counter).digest();
  // RFC 4226 5.3: dynamic truncation.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** A code from the current step or one either side (RFC 6238 5.2: allow for clock drift). */
export function verifyTotp(secret: Buffer, code: string, atMs: number): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return [-1, 0, 1].some((drift) => {
    const expected = Buffer.from(totp(secret, atMs + drift * TOTP_STEP_S * 1000));
    return timingSafeEqual(expected, Buffer.from(code));
  });
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding: what an authenticator app is given for the secret. */
export function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
