import { errors, JWTPayload } from 'jose';
import { ParsedJws, verifyParsedJwt } from './node-jws';
import { TokenRejectedError } from './token.errors';

/** The only claim of FusionAuth's webhook signature JWT (extend/events-and-webhooks/signing). */
const SIGNATURE_CLAIMS = ['request_body_sha256'];

/** The keys a webhook signature may be made with. */
export interface SignatureKeys {
  /** The issuer's published (asymmetric) keys. */
  readonly jwks: boolean;
  /** With `jwks`: only this `kid`. */
  readonly keyId?: string;
  /** HMAC secrets, any of which verifies (rotation); none: HS* is refused. */
  readonly hmacSecrets: readonly string[];
}

/** Each secret in turn: a rotation keeps the old and the new one valid until FusionAuth has switched. */
export async function verifyWithAnySecret(
  parsed: ParsedJws,
  secrets: readonly string[],
  algorithms: string[],
): Promise<JWTPayload> {
  const keys = secrets.map((secret) => new TextEncoder().encode(secret));
  try {
    return (await verifyParsedJwt(parsed, algorithms, keys)).payload;
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed)
      throw new TokenRejectedError('bad_signature', `none of ${secrets.length} HMAC secret(s) verifies`);
    throw error;
  }
}

/** FusionAuth puts one claim there; a JWT with any other was made for another purpose. */
export function checkSignatureClaims(payload: JWTPayload): void {
  const unexpected = Object.keys(payload).filter((claim) => !SIGNATURE_CLAIMS.includes(claim));
  if (unexpected.length > 0) throw new TokenRejectedError('unexpected_claim', unexpected.join(','));
}
