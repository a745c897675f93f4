import { hash } from 'node:crypto';

/**
 * One revocation: every token of the subject issued at or before `instant` is rejected. The subject
 * is a user, a user within one application, an application, one refresh-token family (`sid`), or
 * one access token (`token`, by its id: see `accessTokenId`). Subjects are unique per issuer only,
 * so each names its issuer's key.
 */
export type RevocationSubject =
  | { readonly kind: 'user'; readonly issuerKey: string; readonly userId: string }
  | { readonly kind: 'user-app'; readonly issuerKey: string; readonly userId: string; readonly applicationId: string }
  | { readonly kind: 'app'; readonly issuerKey: string; readonly applicationId: string }
  | { readonly kind: 'sid'; readonly issuerKey: string; readonly sid: string }
  | { readonly kind: 'token'; readonly issuerKey: string; readonly tokenId: string };

export interface Revocation {
  readonly subject: RevocationSubject;
  /** ms since the epoch. */
  readonly instant: number;
  /** How long the entry must live: the longest lifetime of a token it can affect (ms). */
  readonly ttlMs: number;
}

/** What a guard knows about the token (or session) it checks. */
export interface TokenFacts {
  readonly issuerKey: string;
  readonly sub: string;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  readonly sid?: string;
  readonly applicationId?: string;
  /** The access token's own id (`accessTokenId`); sessions leave it out. */
  readonly tokenId?: string;
}

/**
 * The id one access token is revoked by: its `jti` (FusionAuth sets one on every token), else the
 * token itself. Either is hashed into the key like every field, so no token is ever stored.
 */
export function accessTokenId(jti: unknown, token: string): string {
  return typeof jti === 'string' && jti !== '' ? `jti:${jti}` : `jwt:${token}`;
}

/**
 * The key of a subject, shared by Redis, the pub/sub messages and the in-process mirror: its kind
 * (`u`, `ua`, `a`, `s`, `t`) and 96 bits of SHA-256 over its fields. Identifiers of any length and
 * alphabet give a key of the same short length (about 100 000 entries cost Redis under 150 bytes
 * each; see `npm run bench`); the kind stays readable for operators.
 */
export function subjectKey(subject: RevocationSubject): string {
  switch (subject.kind) {
    case 'user':
      return keyOf('u', subject.issuerKey, subject.userId);
    case 'user-app':
      return keyOf('ua', subject.issuerKey, subject.userId, subject.applicationId);
    case 'app':
      return keyOf('a', subject.issuerKey, subject.applicationId);
    case 'sid':
      return keyOf('s', subject.issuerKey, subject.sid);
    case 'token':
      return keyOf('t', subject.issuerKey, subject.tokenId);
  }
}

/** Subject keys of recent sessions (user, user-app, app, sid), so their tokens hash only their own id. */
const SESSION_KEYS_KEPT = 10_000;
const sessionKeyCache = new Map<string, readonly string[]>();

/**
 * Every subject key that could revoke a token with these facts. A user's tokens share all keys but
 * the token's own: those are computed once per session (issuer, user, application, sid) and kept in
 * a bounded map (emptied when full); only the token key is hashed per token.
 */
export function candidateKeys(facts: TokenFacts): string[] {
  const keys = [...sessionKeys(facts)];
  if (facts.tokenId) keys.push(keyOf('t', facts.issuerKey, facts.tokenId));
  return keys;
}

function sessionKeys(facts: TokenFacts): readonly string[] {
  const id = JSON.stringify([facts.issuerKey, facts.sub, facts.applicationId || null, facts.sid || null]);
  let keys = sessionKeyCache.get(id);
  if (keys) return keys;
  const computed = [keyOf('u', facts.issuerKey, facts.sub)];
  if (facts.applicationId) {
    computed.push(
      keyOf('ua', facts.issuerKey, facts.sub, facts.applicationId),
      keyOf('a', facts.issuerKey, facts.applicationId),
    );
  }
  if (facts.sid) computed.push(keyOf('s', facts.issuerKey, facts.sid));
  keys = computed;
  if (sessionKeyCache.size >= SESSION_KEYS_KEPT) sessionKeyCache.clear();
  sessionKeyCache.set(id, keys);
  return keys;
}

/** True for the key of a refresh-token family or of one token: they revoke whatever the issue time. */
export function isFamilyKey(key: string): boolean {
  return key.startsWith('s:') || key.startsWith('t:');
}

function keyOf(kind: 'u' | 'ua' | 'a' | 's' | 't', ...fields: string[]): string {
  // JSON keeps the fields apart whatever characters they hold.
  return `${kind}:${hash('sha256', JSON.stringify(fields), 'base64url').slice(0, 16)}`;
}
