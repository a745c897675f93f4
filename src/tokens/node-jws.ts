import { constants, createHmac, createPublicKey, JsonWebKey, KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { errors, JSONWebKeySet, JWK, JWTPayload } from 'jose';

/**
 * Compact JWS verification on node:crypto, with no WebCrypto round trip: jose 6 verifies through
 * `crypto.subtle` (a promise and a key import per call), node:crypto verifies a signature with a
 * cached `KeyObject` synchronously. The rules are jose's own (`jwtVerify`, `createLocalJWKSet`),
 * and a refusal is one of jose's errors, so a reason reads the same whichever verified it.
 */

interface Algorithm {
  readonly kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  readonly crv?: string;
  /** The hash for node:crypto; null for EdDSA, which hashes itself. */
  readonly digest: string | null;
  readonly pss?: boolean;
}

const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  HS256: { kty: 'oct', digest: 'sha256' },
  HS384: { kty: 'oct', digest: 'sha384' },
  HS512: { kty: 'oct', digest: 'sha512' },
  RS256: { kty: 'RSA', digest: 'sha256' },
  RS384: { kty: 'RSA', digest: 'sha384' },
  RS512: { kty: 'RSA', digest: 'sha512' },
  PS256: { kty: 'RSA', digest: 'sha256', pss: true },
  PS384: { kty: 'RSA', digest: 'sha384', pss: true },
  PS512: { kty: 'RSA', digest: 'sha512', pss: true },
  ES256: { kty: 'EC', crv: 'P-256', digest: 'sha256' },
  ES384: { kty: 'EC', crv: 'P-384', digest: 'sha384' },
  ES512: { kty: 'EC', crv: 'P-521', digest: 'sha512' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', digest: null },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', digest: null },
};

/** RFC 7518 3.3 and 3.5 (jose's minRsaBits). */
const MIN_RSA_BITS = 2048;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface JwsHeader {
  readonly alg: string;
  readonly kid?: unknown;
  readonly [name: string]: unknown;
}

/** The key for one token: a public key (from a key set) or an HMAC secret. */
export type VerificationKey = KeyObject | Uint8Array;
export type KeyLookup = (header: JwsHeader) => VerificationKey | Promise<VerificationKey>;

/** The claim rules of jose's `jwtVerify` that this service uses. */
export interface ClaimRules {
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockTolerance?: number;
  /** Milliseconds since the epoch. */
  readonly currentDate?: number;
  readonly requiredClaims?: readonly string[];
}

/**
 * A compact JWS taken apart once: its decoded protected header, and its payload decoded only when
 * asked (`unverifiedClaims`, the claim checks), so a caller that must read `iss` before it can pick
 * the keys does not decode the token twice. Nothing in it is trusted before `verifyParsedJwt`.
 */
export interface ParsedJws {
  readonly header: JwsHeader;
  readonly encodedHeader: string;
  readonly encodedPayload: string;
  readonly encodedSignature: string;
  /** The decoded claims, once something asked for them. */
  claims?: JWTPayload;
}

/** Three base64url parts and a JSON-object header; refuses anything else with jose's JWSInvalid. */
export function parseJws(token: string): ParsedJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw new errors.JWSInvalid('Invalid Compact JWS');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  if (!BASE64URL.test(encodedHeader) || !BASE64URL.test(encodedPayload) || !BASE64URL.test(encodedSignature))
    throw new errors.JWSInvalid('Invalid Compact JWS');
  return { header: decodeHeader(encodedHeader), encodedHeader, encodedPayload, encodedSignature };
}

/** The claims before any check (decoded once per parsed token): only to choose which keys and rules apply. */
export function unverifiedClaims(parsed: ParsedJws): JWTPayload {
  parsed.claims ??= decodeClaims(Buffer.from(parsed.encodedPayload, 'base64url'));
  return parsed.claims;
}

/** A compact JWS whose signature one of `keys` makes, with only `algorithms` allowed; its claims are checked. */
export async function verifyJwt(
  token: string,
  algorithms: readonly string[],
  key: KeyLookup | VerificationKey | readonly Uint8Array[],
  rules: ClaimRules = {},
): Promise<{ header: JwsHeader; payload: JWTPayload }> {
  return verifyParsedJwt(parseJws(token), algorithms, key, rules);
}

/** `verifyJwt` for a token already taken apart by `parseJws`. */
export async function verifyParsedJwt(
  parsed: ParsedJws,
  algorithms: readonly string[],
  key: KeyLookup | VerificationKey | readonly Uint8Array[],
  rules: ClaimRules = {},
): Promise<{ header: JwsHeader; payload: JWTPayload }> {
  const header = checkHeaderRules(parsed.header);
  if (!algorithms.includes(header.alg))
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  const algorithm = ALGORITHMS[header.alg];
  if (!algorithm) throw new errors.JOSENotSupported(`unsupported alg ${header.alg}`);
  const signingInput = Buffer.from(`${parsed.encodedHeader}.${parsed.encodedPayload}`, 'ascii');
  const signature = Buffer.from(parsed.encodedSignature, 'base64url');
  const candidates = Array.isArray(key)
    ? (key as readonly Uint8Array[])
    : [typeof key === 'function' ? await key(header) : (key as VerificationKey)];
  let verified = false;
  for (const candidate of candidates) {
    verified = await verifies(algorithm, header.alg, candidate, signingInput, signature);
    if (verified) break;
  }
  if (!verified) throw new errors.JWSSignatureVerificationFailed();
  return { header, payload: checkClaims(unverifiedClaims(parsed), rules) };
}

function decodeHeader(encoded: string): JwsHeader {
  let header: unknown;
  try {
    header = JSON.parse(strictUtf8.decode(Buffer.from(encoded, 'base64url')));
  } catch {
    throw new errors.JWSInvalid('JWS Protected Header is invalid');
  }
  if (!isObject(header)) throw new errors.JWSInvalid('JWS Protected Header is invalid');
  return header as JwsHeader;
}

function checkHeaderRules(header: JwsHeader): JwsHeader {
  // No extension is understood here (jose's only one, b64, has no place in a JWT): any `crit` is refused.
  if (header.crit !== undefined) throw new errors.JOSENotSupported('Extension Header Parameter is not recognized');
  if (typeof header.alg !== 'string' || !header.alg)
    throw new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  return header;
}

function verifies(
  algorithm: Algorithm,
  alg: string,
  key: VerificationKey,
  signingInput: Buffer,
  signature: Buffer,
): boolean | Promise<boolean> {
  if (algorithm.kty === 'oct') {
    if (key instanceof KeyObject) throw new TypeError(`${alg} needs a secret`);
    const mac = createHmac(algorithm.digest!, key).update(signingInput).digest();
    return mac.length === signature.length && timingSafeEqual(mac, signature);
  }
  if (!(key instanceof KeyObject) || key.type !== 'public') throw new TypeError(`${alg} needs a public key`);
  checkKeyType(algorithm, alg, key);
  // The KeyObject itself where no option is needed (RS*, EdDSA): node:crypto tells a KeyObject from an
  // options object by brand checks that throw for the latter, which cost a third of an RS256 verification.
  const options =
    algorithm.kty === 'EC'
      ? { key, dsaEncoding: 'ieee-p1363' as const }
      : algorithm.pss
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : key;
  // With a callback, node:crypto verifies on libuv's thread pool: the event loop serves other
  // requests meanwhile, as WebCrypto's did, without WebCrypto's key import and promise machinery.
  return new Promise((resolve, reject) => {
    try {
      verify(algorithm.digest, signingInput, options, signature, (error, ok) =>
        error ? reject(new errors.JWSSignatureVerificationFailed(undefined, { cause: error })) : resolve(ok),
      );
    } catch (cause) {
      reject(new errors.JWSSignatureVerificationFailed(undefined, { cause }));
    }
  });
}

/** Keys already found fit for an algorithm: reading a KeyObject's details costs more than the check. */
const fitFor = new WeakMap<KeyObject, Set<string>>();

/** A key of the algorithm's type (and curve), as jose checks a CryptoKey before using it. */
function checkKeyType(algorithm: Algorithm, alg: string, key: KeyObject): void {
  const known = fitFor.get(key);
  if (known?.has(alg)) return;
  const details = key.asymmetricKeyDetails ?? {};
  const type = key.asymmetricKeyType;
  const fits =
    algorithm.kty === 'RSA'
      ? type === 'rsa' || (algorithm.pss === true && type === 'rsa-pss')
      : algorithm.kty === 'EC'
        ? type === 'ec' && details.namedCurve === NODE_CURVES[algorithm.crv!]
        : type === 'ed25519';
  if (!fits) throw new TypeError(`${alg} cannot be verified with this key`);
  if (algorithm.kty === 'RSA' && (details.modulusLength ?? 0) < MIN_RSA_BITS)
    throw new TypeError(`${alg} requires key modulusLength to be ${MIN_RSA_BITS} bits or larger`);
  fitFor.set(key, (known ?? new Set()).add(alg));
}

const NODE_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

function decodeClaims(bytes: Buffer): JWTPayload {
  let claims: unknown;
  try {
    claims = JSON.parse(strictUtf8.decode(bytes));
  } catch (cause) {
    throw new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object', { cause });
  }
  if (!isObject(claims)) throw new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object');
  return claims;
}

/** jose's validateClaimsSet, for the rules above. */
function checkClaims(payload: JWTPayload, rules: ClaimRules): JWTPayload {
  const required = new Set([
    ...(rules.issuer !== undefined ? ['iss'] : []),
    ...(rules.audience !== undefined ? ['aud'] : []),
    ...(rules.requiredClaims ?? []),
  ]);
  for (const claim of required)
    if (!Object.hasOwn(payload, claim))
      throw new errors.JWTClaimValidationFailed(`missing required "${claim}" claim`, payload, claim, 'missing');
  if (rules.issuer !== undefined && payload.iss !== rules.issuer) unexpected(payload, 'iss');
  if (rules.audience !== undefined && !hasAudience(payload.aud, rules.audience)) unexpected(payload, 'aud');
  const tolerance = rules.clockTolerance ?? 0;
  const now = Math.floor((rules.currentDate ?? Date.now()) / 1000);
  numericDate(payload, 'iat');
  const nbf = numericDate(payload, 'nbf');
  if (nbf !== undefined && nbf > now + tolerance)
    throw new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', payload, 'nbf', 'check_failed');
  const exp = numericDate(payload, 'exp');
  if (exp !== undefined && exp <= now - tolerance)
    throw new errors.JWTExpired('"exp" claim timestamp check failed', payload, 'exp', 'check_failed');
  return payload;
}

function hasAudience(aud: unknown, audience: string): boolean {
  return typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience);
}

function numericDate(payload: JWTPayload, claim: 'iat' | 'nbf' | 'exp'): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number')
    throw new errors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, payload, claim, 'invalid');
  return value;
}

function unexpected(payload: JWTPayload, claim: string): never {
  throw new errors.JWTClaimValidationFailed(`unexpected "${claim}" claim value`, payload, claim, 'check_failed');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A provider's published key set, each key imported once as a `KeyObject` (by the JWK itself, so by
 * `kid`) the first time a token names it. Which key a header selects follows jose's
 * `createLocalJWKSet`: same key type (and curve), the `kid` when the token gives one, `alg`, `use`
 * and `key_ops` when the key states them; none is `unknown_kid`, several are ambiguous.
 */
export class LocalKeySet {
  private readonly keys: readonly JWK[];
  private readonly imported = new WeakMap<JWK, KeyObject>();

  constructor(document: unknown) {
    if (!isObject(document) || !Array.isArray(document.keys) || !document.keys.every(isObject))
      throw new errors.JWKSInvalid('JSON Web Key Set malformed');
    this.keys = structuredClone((document as unknown as JSONWebKeySet).keys);
  }

  key(header: JwsHeader): KeyObject {
    const algorithm = ALGORITHMS[header.alg];
    if (!algorithm || algorithm.kty === 'oct')
      throw new errors.JOSENotSupported('Unsupported "alg" value for a JSON Web Key Set');
    const candidates = this.keys.filter((jwk) => usable(jwk, algorithm, header));
    if (candidates.length === 0) throw new errors.JWKSNoMatchingKey();
    if (candidates.length > 1) throw new errors.JWKSMultipleMatchingKeys();
    return this.import(candidates[0]!);
  }

  private import(jwk: JWK): KeyObject {
    let key = this.imported.get(jwk);
    if (!key) {
      if (jwk.d !== undefined) throw new errors.JWKSInvalid('JSON Web Key Set members must be public keys');
      try {
        key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      } catch (cause) {
        throw new errors.JWKSInvalid('JSON Web Key Set member could not be imported', { cause });
      }
      this.imported.set(jwk, key);
    }
    return key;
  }
}

function usable(jwk: JWK, algorithm: Algorithm, header: JwsHeader): boolean {
  const ops = jwk.key_ops;
  return (
    (jwk.ext === undefined || typeof jwk.ext === 'boolean') &&
    (ops === undefined ||
      (Array.isArray(ops) &&
        ops.every((op, i) => typeof op === 'string' && ops.indexOf(op) === i) &&
        ops.includes('verify'))) &&
    jwk.kty === algorithm.kty &&
    (header.kid === undefined || (typeof header.kid === 'string' && header.kid === jwk.kid)) &&
    (jwk.alg === undefined || jwk.alg === header.alg) &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    (algorithm.crv === undefined || jwk.crv === algorithm.crv)
  );
}
