import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import type { JWK } from 'jose';

export type KeyAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'HS256' | 'HS384' | 'HS512';

/** A key in FusionAuth's Key Master: referenced by `id` (UUID), published and named in JWTs by `kid`. */
export interface SigningKey {
  readonly id: string;
  readonly kid: string;
  readonly algorithm: KeyAlgorithm;
  readonly name: string;
  readonly type: 'RSA' | 'EC' | 'HMAC';
  readonly length?: number;
  readonly insertInstant: number;
  /** Asymmetric keys only. */
  readonly privateKey?: KeyObject;
  readonly publicJwk?: JWK;
  readonly privateJwk?: JWK;
  readonly publicKeyPem?: string;
  /** HMAC keys only. */
  readonly secret?: string;
}

const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

export function generateSigningKey(
  id: string,
  algorithm: KeyAlgorithm,
  name: string,
  length: number | undefined,
  now: number,
): SigningKey {
  if (algorithm.startsWith('HS')) {
    return {
      id,
      kid: randomBytes(5).toString('hex'),
      algorithm,
      name,
      type: 'HMAC',
      insertInstant: now,
      secret: randomBytes(32).toString('base64url'),
    };
  }
  const { privateKey, publicKey } = algorithm.startsWith('RS')
    ? generateKeyPairSync('rsa', { modulusLength: length ?? 2048 })
    : generateKeyPairSync('ec', { namedCurve: CURVES[algorithm]! });
  return keyPair(id, algorithm, name, privateKey, publicKey, undefined, now);
}

/** The Key API's import of a key pair (PEM), with the `kid` it names or, like FusionAuth, one derived. */
export function importKeyPair(
  id: string,
  request: { algorithm: KeyAlgorithm; name: string; kid?: string; privateKey: string },
  now: number,
): SigningKey {
  const privateKey = createPrivateKey(request.privateKey);
  return keyPair(id, request.algorithm, request.name, privateKey, createPublicKey(privateKey), request.kid, now);
}

function keyPair(
  id: string,
  algorithm: KeyAlgorithm,
  name: string,
  privateKey: KeyObject,
  publicKey: KeyObject,
  givenKid: string | undefined,
  now: number,
): SigningKey {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  // FusionAuth names keys by a base64url SHA-1 thumbprint (27 characters), not by their UUID.
  const kid = givenKid ?? createHash('sha1').update(der).digest('base64url');
  const base = { kid, alg: algorithm, use: 'sig' };
  const length = algorithm.startsWith('RS') ? publicKey.asymmetricKeyDetails?.modulusLength : undefined;
  return {
    id,
    kid,
    algorithm,
    name,
    type: algorithm.startsWith('RS') ? 'RSA' : 'EC',
    length: length ?? Number(CURVES[algorithm]?.slice(2)),
    insertInstant: now,
    privateKey,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...base },
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...base },
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The Key API's view of a key: never the private part or the secret. */
export function keyResponse(key: SigningKey): Record<string, unknown> {
  return {
    id: key.id,
    kid: key.kid,
    algorithm: key.algorithm,
    name: key.name,
    type: key.type,
    length: key.length,
    insertInstant: key.insertInstant,
    lastUpdateInstant: key.insertInstant,
    hasPrivateKey: key.type !== 'HMAC',
    publicKey: key.publicKeyPem,
  };
}
