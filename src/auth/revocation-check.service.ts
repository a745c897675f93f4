import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app.errors';
import { AuthenticatedUser } from '../common/authenticated-user';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { grantedRoles } from '../common/granted-roles';
import { AppConfig } from '../config/app-config';
import { DenylistService, Verdict } from '../denylist/denylist.service';
import { RevocationLookup } from '../denylist/denylist-mirror';
import { accessTokenId } from '../denylist/revocation';
import { TokenRejectedError } from '../tokens/token.errors';
import { TokenVerifier, VerifiedAccessToken } from '../tokens/token-verifier.service';

/** Claims only an ID token carries: such a token is not accepted as an access token. */
const ID_TOKEN_CLAIMS = ['nonce', 'at_hash', 'c_hash'] as const;

/** What one verified access token admits, kept while the verifier keeps the verification. */
interface Admission {
  /** It carries claims only an ID token carries. */
  readonly idToken: boolean;
  readonly deactivated: boolean;
  readonly lookup: RevocationLookup;
  readonly user: AuthenticatedUser;
}

/** What a session or a token of another transport knows about itself, for `isRevoked`. */
export interface RevocationFacts {
  /** The configured provider's name (`AuthenticatedUser.provider`); default: the default provider. */
  readonly provider?: string;
  /** The user id (`sub`). */
  readonly userId: string;
  /** When the token was issued, seconds since the epoch (`iat`). */
  readonly issuedAt: number;
  /** The refresh token family (FusionAuth's `sid` claim). */
  readonly sid?: string;
  readonly applicationId?: string;
}

/**
 * The global guard's bearer check, for guards of other transports (a WebSocket handshake, a GraphQL
 * context): the same verification, the same revocation list, the same refusals. Each refusal is an
 * AppError whose `code` says why (TOKEN_INVALID, TOKEN_REVOKED, ACCOUNT_DEACTIVATED, SERVICE_UNAVAILABLE).
 */
@Injectable()
export class RevocationCheck {
  constructor(
    private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
    private readonly denylist: DenylistService,
  ) {}

  /** By the verifier's cached result: a token verified afresh (keys refreshed, expiry) is admitted afresh. */
  private readonly admissions = new WeakMap<VerifiedAccessToken, Admission>();

  /** The user an access token proves, or an AppError: verified (signature, iss, aud, exp) and not revoked. */
  async verifyBearer(token: string): Promise<AuthenticatedUser> {
    const verified = this.verifier.verifiedAccessToken(token) ?? (await this.verifier.verifyAccessToken(token));
    const admission = this.admissions.get(verified) ?? this.admission(verified, token);
    if (admission.idToken) throw new TokenRejectedError('malformed', 'an ID token is not an access token');
    // The revocation list is read on every request; only the keys it is read by are kept per token.
    enforce(this.denylist.verdictNow(admission.lookup) ?? (await this.denylist.check(admission.lookup)));
    if (admission.deactivated) throw new AppError('ACCOUNT_DEACTIVATED', `user ${admission.user.id}`);
    return admission.user;
  }

  /** Whether this exact token was verified before and is still valid: `verifyBearer` will not verify it again. */
  verifiedBefore(token: string): boolean {
    return this.verifier.verifiedAccessToken(token) !== undefined;
  }

  /** What a verified token admits, worked out once per verification (its claims cannot change). */
  private admission(verified: VerifiedAccessToken, token: string): Admission {
    const { provider, claims } = verified;
    const admission: Admission = {
      idToken: ID_TOKEN_CLAIMS.some((claim) => claim in claims),
      deactivated: claims.roles.includes(DEACTIVATED_ROLE),
      lookup: new RevocationLookup({
        issuerKey: provider.issuerKey,
        sub: claims.sub,
        iat: claims.iat,
        sid: claims.sid,
        applicationId: claims.applicationId ?? provider.clientId,
        // A token handed in for a refresh (FusionAuth's `jwt.refresh` with `original`) is revoked alone.
        tokenId: accessTokenId(claims.jti, token),
      }),
      // One object for every request this token makes: frozen, so no request can change another's user.
      user: Object.freeze({
        id: claims.sub,
        provider: provider.name,
        email: claims.email,
        roles: Object.freeze([...grantedRoles(provider, claims.roles)]),
        via: 'bearer',
        applicationId: claims.applicationId,
        tokenExpiresAt: claims.exp,
      }),
    };
    this.admissions.set(verified, admission);
    return admission;
  }

  /**
   * Whether a revocation covers these facts (for a connection that outlives its token's check).
   * When the revocation state cannot be trusted (DENYLIST_FAILURE_MODE=closed) it throws
   * SERVICE_UNAVAILABLE rather than answer `false`.
   */
  async isRevoked(facts: RevocationFacts): Promise<boolean> {
    const provider = facts.provider === undefined ? this.config.providers[0] : this.config.provider(facts.provider);
    if (!provider) throw new AppError('TOKEN_INVALID', `unknown provider ${facts.provider}`);
    const verdict = await this.denylist.check({
      issuerKey: provider.issuerKey,
      sub: facts.userId,
      iat: facts.issuedAt,
      sid: facts.sid,
      applicationId: facts.applicationId ?? provider.clientId,
    });
    if (verdict === 'unavailable') enforce(verdict);
    return verdict === 'revoked';
  }
}

function enforce(verdict: Verdict): void {
  if (verdict === 'revoked') throw new AppError('TOKEN_REVOKED');
  // DENYLIST_FAILURE_MODE=closed: when revocations cannot be trusted, nothing protected is served.
  if (verdict === 'unavailable') throw new AppError('SERVICE_UNAVAILABLE', 'revocation state is stale');
}
