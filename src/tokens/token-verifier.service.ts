import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { decodeProtectedHeader, errors, JWTPayload } from 'jose';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { ID_TOKEN_ALGS } from '../config/load-providers';
import { AppError } from '../common/app.errors';
import { Clock, CLOCK_TOLERANCE_S } from '../common/clock';
import { JwksKeySet } from './jwks-key-set';
import { KeyLookup, ParsedJws, parseJws, unverifiedClaims, verifyParsedJwt } from './node-jws';
import { ProviderDiscovery } from './provider-discovery.service';
import { checkSignatureClaims, SignatureKeys, verifyWithAnySecret } from './signature-jwt';
import { AccessTokenClaims, IdTokenClaims } from './token-claims';
import { TokenRejectedError, TokenRejection } from './token.errors';

/** Tokens are small; anything bigger is refused before any parsing or crypto. */
export const MAX_TOKEN_LENGTH = 8192;
const VERIFIED_CACHE_SIZE = 10_000;
/** 43 base64url characters: 256 bits of a signature, so two tokens of the issuer share no key. */
const CACHE_KEY_CHARS = 43;
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat'];
const HEADER_KEYS_REFUSED = ['jwk', 'jku', 'x5u', 'x5c'] as const;
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
/** Every signature algorithm the configuration accepts but the HMAC ones (which need a shared secret). */
const ASYMMETRIC_ALGORITHMS = [...ID_TOKEN_ALGS].filter((alg) => !HMAC_ALGORITHMS.includes(alg));

export interface VerifiedAccessToken {
  readonly provider: ProviderConfig;
  readonly claims: AccessTokenClaims;
}

/**
 * The only place that verifies JWTs. Algorithms are pinned by configuration, keys come only from
 * the issuer's own key set (or, for HS* ID tokens, the client secret), and every claim rule is
 * checked with a small clock tolerance.
 */
@Injectable()
export class TokenVerifier {
  private readonly keySets = new Map<string, JwksKeySet>();
  /**
   * Access tokens already verified, until they expire: a bearer token is presented many times and
   * its signature and claims cannot change. A hit needs the exact string (a re-encoded token is
   * another string and is verified afresh); revocation is checked on every request regardless.
   */
  private readonly verified = new LRUCache<string, { token: string; result: VerifiedAccessToken }>({
    max: VERIFIED_CACHE_SIZE,
  });

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: ProviderDiscovery,
    private readonly clock: Clock,
  ) {}

  /**
   * An ID token from the provider this login started with (OpenID Connect Core 1.0, 3.1.3.7). It
   * always comes from the provider's token endpoint, so an unknown `kid` refetches the keys at once.
   */
  async verifyIdToken(
    provider: ProviderConfig,
    token: string,
    expected: { nonce?: string } = {},
  ): Promise<IdTokenClaims> {
    const algorithms = [...provider.idTokenAlgs];
    const header = checkHeader(token, algorithms);
    // HS* ID tokens are MACed with the client secret; asymmetric ones are checked with the issuer's keys.
    const key = header.alg.startsWith('HS')
      ? new TextEncoder().encode(provider.clientSecret)
      : this.keySet(provider).getKeyForBackChannel;
    const claims = (await this.verify(token, key, provider, algorithms)) as IdTokenClaims;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (audiences.length > 1 && claims.azp === undefined)
      throw new TokenRejectedError('wrong_azp', 'several audiences, no azp');
    if (claims.azp !== undefined && claims.azp !== provider.clientId) throw new TokenRejectedError('wrong_azp');
    if (expected.nonce !== undefined && claims.nonce !== expected.nonce) {
      throw new TokenRejectedError('nonce_mismatch');
    }
    return claims;
  }

  /**
   * An access token from any configured provider. The unverified `iss` only chooses which
   * provider's keys and audience to check against; a token is never checked with another issuer's keys.
   * `fromProvider`: the service fetched it from the provider itself (login, refresh), so an unknown
   * `kid` refetches the keys as for an ID token; a bearer token from a client keeps the cooldown.
   */
  async verifyAccessToken(token: string, options: { fromProvider?: boolean } = {}): Promise<VerifiedAccessToken> {
    const cached = this.verifiedAccessToken(token);
    if (cached) return cached;
    const result = await this.verifyAccessTokenAfresh(token, options.fromProvider === true);
    this.verified.set(cacheKey(token), { token, result });
    return result;
  }

  /**
   * An access token verified before and not expired since, without waiting (a bearer token's every
   * request after its first); undefined when it must be verified (`verifyAccessToken`).
   */
  verifiedAccessToken(token: string): VerifiedAccessToken | undefined {
    const key = cacheKey(token);
    const cached = this.verified.get(key);
    // Another token under the same key (its signature's tail copied onto other claims) is not this one.
    if (cached?.token !== token) return undefined;
    if (cached.result.claims.exp + CLOCK_TOLERANCE_S > this.clock.now() / 1000) return cached.result;
    this.verified.delete(key);
    return undefined;
  }

  private async verifyAccessTokenAfresh(token: string, fromProvider: boolean): Promise<VerifiedAccessToken> {
    // Taken apart once: the unverified `iss` picks the provider, the same parse is then verified.
    let parsed: ParsedJws;
    let issuer: unknown;
    try {
      if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejectedError('too_large');
      parsed = parseJws(token);
      issuer = unverifiedClaims(parsed).iss;
    } catch (error) {
      if (error instanceof TokenRejectedError) throw error;
      throw new TokenRejectedError('malformed');
    }
    const provider = this.config.providers.find((p) => p.issuer === issuer);
    if (!provider) throw new TokenRejectedError('unknown_issuer');
    const algorithms = accessTokenAlgorithms(provider);
    checkHeaderOf(parsed.header, algorithms);
    const keySet = this.keySet(provider);
    const key = fromProvider ? keySet.getKeyForBackChannel : keySet.getKey;
    const claims = await this.verify(parsed, key, provider, algorithms);
    return { provider, claims };
  }

  /**
   * FusionAuth's `X-FusionAuth-Signature-JWT`: from the provider's published keys (only the pinned
   * `kid`, when one is given) or, for HS*, from one of the accepted HMAC secrets. Returns its claims.
   */
  async verifySignatureJwt(provider: ProviderConfig, token: string, accept: SignatureKeys): Promise<JWTPayload> {
    const algorithms = [
      ...(accept.jwks ? ASYMMETRIC_ALGORITHMS : []),
      ...(accept.hmacSecrets.length > 0 ? HMAC_ALGORITHMS : []),
    ];
    // Taken apart once, like an access token: the header picks the keys, the same parse is verified.
    const parsed = parseSignatureJwt(token);
    const header = checkHeaderOf(parsed.header, algorithms);
    let payload: JWTPayload;
    try {
      payload = HMAC_ALGORITHMS.includes(header.alg)
        ? await verifyWithAnySecret(parsed, accept.hmacSecrets, HMAC_ALGORITHMS)
        : await this.verifyWithPinnedKey(provider, parsed, header.kid, accept.keyId);
    } catch (error) {
      const reason = rejectionOf(error);
      if (reason === 'keys_unavailable')
        throw new AppError('PROVIDER_UNAVAILABLE', `keys of ${provider.name}: ${String(error)}`);
      throw new TokenRejectedError(reason, error instanceof Error ? error.message : undefined);
    }
    checkSignatureClaims(payload);
    return payload;
  }

  private async verifyWithPinnedKey(
    provider: ProviderConfig,
    parsed: ParsedJws,
    kid: unknown,
    pinned: string | undefined,
  ): Promise<JWTPayload> {
    // Every key in the issuer's set is published for something; only the webhook key vouches for events.
    if (pinned !== undefined && kid !== pinned)
      throw new TokenRejectedError('wrong_key', `kid ${String(kid)}, not the pinned ${pinned}`);
    return (await verifyParsedJwt(parsed, ASYMMETRIC_ALGORITHMS, this.keySet(provider).getKey)).payload;
  }

  /** After the provider rotated its keys (FusionAuth's `jwt.public-key.update`). */
  async refreshKeys(provider: ProviderConfig): Promise<void> {
    // A key may have been withdrawn: what was verified with the old key set is checked again.
    this.verified.clear();
    await this.keySet(provider).refresh(true);
  }

  private async verify(
    token: string | ParsedJws,
    key: KeyLookup | Uint8Array,
    provider: ProviderConfig,
    algorithms: string[],
  ): Promise<AccessTokenClaims> {
    let payload: JWTPayload;
    try {
      const parsed = typeof token === 'string' ? parseJws(token) : token;
      ({ payload } = await verifyParsedJwt(parsed, algorithms, key, {
        issuer: provider.issuer,
        audience: provider.clientId,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: this.clock.now(),
        requiredClaims: REQUIRED_CLAIMS,
      }));
    } catch (error) {
      const reason = rejectionOf(error);
      // Without the provider's keys nothing can be decided: that is an outage (503), not a bad token.
      if (reason === 'keys_unavailable')
        throw new AppError('PROVIDER_UNAVAILABLE', `keys of ${provider.name}: ${String(error)}`);
      throw new TokenRejectedError(reason, error instanceof Error ? error.message : undefined);
    }
    // jose checks iat only against a maximum age; a token from the future is a forged or broken clock.
    if ((payload.iat ?? 0) > this.clock.now() / 1000 + CLOCK_TOLERANCE_S)
      throw new TokenRejectedError('issued_in_future');
    return { ...payload, roles: stringArray(payload.roles) } as AccessTokenClaims;
  }

  private keySet(provider: ProviderConfig): JwksKeySet {
    let keySet = this.keySets.get(provider.name);
    if (!keySet) {
      keySet = new JwksKeySet(async () => (await this.discovery.metadata(provider)).jwks_uri, this.clock);
      this.keySets.set(provider.name, keySet);
    }
    return keySet;
  }
}

/**
 * A verified token's key in the cache: its last characters, the tail of its signature. Hashing a
 * whole token (about 1 KB) for the lookup cost most of a cache hit; the hit still compares the
 * whole string, so a key only finds the entry and never vouches for a token.
 */
function cacheKey(token: string): string {
  return token.slice(-CACHE_KEY_CHARS);
}

/** Access tokens are never HMAC-signed with our client secret: only the provider's asymmetric keys count. */
function accessTokenAlgorithms(provider: ProviderConfig): string[] {
  const asymmetric = provider.idTokenAlgs.filter((alg) => !alg.startsWith('HS'));
  return asymmetric.length > 0 ? [...asymmetric] : ['RS256'];
}

function checkHeader(token: string, algorithms: readonly string[]): { alg: string; kid?: unknown } {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejectedError('too_large');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new TokenRejectedError('malformed');
  }
  return checkHeaderOf(header, algorithms);
}

/** A webhook's signature JWT taken apart (`parseJws`); too long or not a compact JWS: `malformed`. */
function parseSignatureJwt(token: string): ParsedJws {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejectedError('too_large');
  try {
    return parseJws(token);
  } catch {
    throw new TokenRejectedError('malformed');
  }
}

function checkHeaderOf(header: Record<string, unknown>, algorithms: readonly string[]): { alg: string; kid?: unknown } {
  // `none` is never in the pinned list, whatever the token or the provider's metadata say.
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
    throw new TokenRejectedError('alg_not_allowed', String(header.alg));
  }
  // Keys named or embedded by the token itself are never trusted (RFC 8725, 3.10).
  const embedded = HEADER_KEYS_REFUSED.filter((name) => name in header);
  if (embedded.length > 0) throw new TokenRejectedError('header_key_not_allowed', embedded.join(','));
  return { alg: header.alg, kid: header.kid };
}

function rejectionOf(error: unknown): TokenRejection {
  if (error instanceof TokenRejectedError) return error.reason;
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'missing_claim';
    if (error.claim === 'iss') return 'wrong_issuer';
    if (error.claim === 'aud') return 'wrong_audience';
    if (error.claim === 'nbf') return 'not_yet_valid';
    return 'missing_claim';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown_kid';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'ambiguous_key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JOSENotSupported || (error instanceof errors.JWSInvalid && /crit/.test(error.message))) {
    return 'crit_not_understood';
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'keys_unavailable';
  if (error instanceof errors.JOSEError) return 'malformed';
  return 'keys_unavailable';
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
