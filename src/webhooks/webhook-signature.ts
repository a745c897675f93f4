import { createHash, timingSafeEqual } from 'node:crypto';

/** FusionAuth's `request_body_sha256`: the standard base64 (with padding) SHA-256 of the raw body bytes. */
export function bodySha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64');
}

/** Constant-time equality of two strings (of any length). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** Whether the signature claim matches the body that arrived (a body changed after signing does not). */
export function bodyMatches(claimed: unknown, body: Buffer): boolean {
  if (typeof claimed !== 'string') return false;
  const given = Buffer.from(claimed, 'utf8');
  const expected = Buffer.from(bodySha256(body), 'latin1');
  // Compared in constant time as they are: the length of a base64 SHA-256 (44) is no secret, so no
  // hashing both sides first as for a password.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether `Authorization: Basic` carries exactly these credentials. */
export function basicMatches(header: string | undefined, user: string, password: string): boolean {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '')?.[1];
  if (!encoded) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared, always: which half was wrong must not show in the timing.
  const userOk = constantTimeEqual(decoded.slice(0, colon), user);
  const passwordOk = constantTimeEqual(decoded.slice(colon + 1), password);
  return userOk && passwordOk;
}
