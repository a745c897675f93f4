import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { MetricsService } from '../common/observability/metrics.service';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { Locks } from '../redis/locks';
import { SessionService } from '../session/session.service';
import { SessionTokens } from '../session/session-tokens';
import { SessionAuth, SessionUser } from '../session/session-user';
import { ClientCredentialsStatus } from '../tokens/client-credentials-status.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';
import { TokenRejectedError } from '../tokens/token.errors';
import { TokenVerifier } from '../tokens/token-verifier.service';
import { requestTokens, TokenEndpointError } from './token-endpoint';

/** Refresh this long before the access token expires. */
export const REFRESH_AHEAD_S = 60;
const LOCK_TTL_MS = 15_000;
const WAIT_MS = 12_000;

/** A signed-in browser session, as the refresh reads it: its id and what the session says of the sign-in. */
export interface SignedInSession {
  readonly id: string;
  readonly user: SessionUser;
  readonly auth: SessionAuth;
}

/** What a refresh decided: new tokens, keep going on the current ones (provider down), or end the session. */
type Refreshed =
  | { kind: 'tokens'; tokens: SessionTokens; iat: number; roles?: readonly string[] }
  | { kind: 'keep' }
  | { kind: 'end'; reason: string };

/**
 * Keeps a browser session's access token fresh. One refresh per session at a time, across every
 * instance (a Redis lock): other requests wait and take the new tokens, so one-time-use refresh
 * tokens are never presented twice and no request writes back an older token.
 */
@Injectable()
export class TokenRefreshService {
  private readonly logger = new Logger('Refresh');

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly locks: Locks,
    private readonly discovery: ProviderDiscovery,
    private readonly verifier: TokenVerifier,
    private readonly fusionAuth: FusionAuthService,
    private readonly clientStatus: ClientCredentialsStatus,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * The session as it goes on: unchanged, or with the refreshed tokens' facts (and roles); undefined
   * when it cannot go on (refresh refused, user changed, session ended elsewhere).
   */
  async ensureFresh(session: SignedInSession, retried = false): Promise<SignedInSession | undefined> {
    const { id, user, auth } = session;
    if (!this.nearExpiry(auth.accessTokenExp)) return session;
    const lock = `refresh:${id}`;
    const held = await this.locks.acquire(lock, LOCK_TTL_MS);
    if (!held) {
      await this.locks.waitForRelease(lock, WAIT_MS);
      const current = await this.sessions.tokensOf(id);
      if (!current) return undefined;
      const adopted = withTokens(session, current);
      if (!this.expired(current.accessTokenExp)) return adopted;
      return retried ? undefined : this.ensureFresh(adopted, true);
    }
    try {
      const current = await this.sessions.tokensOf(id);
      if (!current) return undefined;
      // Another request (or instance) refreshed while this one was on its way.
      if (!this.nearExpiry(current.accessTokenExp)) return withTokens(session, current);
      const result = await this.refresh(user, auth, current).catch((error: unknown) => {
        this.metrics.refresh('failure');
        throw error;
      });
      this.metrics.refresh(result.kind === 'tokens' ? 'success' : 'failure');
      if (result.kind === 'end') {
        this.logger.log(`session of user ${user.id} ends: ${result.reason}`);
        return undefined;
      }
      if (result.kind === 'keep') return session;
      // Ended while the provider answered (logout, revocation): it stays ended, nothing is written back.
      if (!(await this.sessions.replaceTokens(id, result.tokens))) return undefined;
      return withTokens(session, result.tokens, result.iat, result.roles);
    } finally {
      await this.locks.release(lock, held);
    }
  }

  private async refresh(user: SessionUser, auth: SessionAuth, current: SessionTokens): Promise<Refreshed> {
    const provider = this.config.provider(auth.provider);
    if (!provider || !current.refreshToken) return { kind: 'end', reason: 'no refresh token' };
    try {
      return auth.method === 'password'
        ? await this.refreshWithLoginApi(provider, user, current)
        : await this.refreshAtTokenEndpoint(provider, user, current);
    } catch (error) {
      if (error instanceof TokenRejectedError)
        return { kind: 'end', reason: `refreshed token rejected: ${error.reason}` };
      // The provider is down: a token that still works keeps working; an expired one cannot be replaced.
      if (!this.expired(current.accessTokenExp)) return { kind: 'keep' };
      throw error instanceof AppError
        ? error
        : new AppError('PROVIDER_UNAVAILABLE', `refresh: ${(error as Error).message}`);
    }
  }

  private async refreshAtTokenEndpoint(
    provider: ProviderConfig,
    user: SessionUser,
    current: SessionTokens,
  ): Promise<Refreshed> {
    const metadata = await this.discovery.metadata(provider);
    let response;
    try {
      response = await requestTokens(provider, metadata.token_endpoint, {
        grant_type: 'refresh_token',
        refresh_token: current.refreshToken!,
      });
    } catch (error) {
      if (error instanceof TokenEndpointError && error.clientRefused) {
        this.clientStatus.refused(provider.name);
        throw new AppError('PROVIDER_UNAVAILABLE', `refresh: ${provider.name} refuses the client (invalid_client)`);
      }
      if (error instanceof TokenEndpointError && error.status < 500)
        return { kind: 'end', reason: `refresh refused: ${error.error}` };
      throw error;
    }
    this.clientStatus.accepted(provider.name);
    if (response.id_token) {
      // OpenID Connect Core 12.2: a refreshed ID token must be about the same user.
      const claims = await this.verifier.verifyIdToken(provider, response.id_token);
      if (claims.sub !== user.id) return { kind: 'end', reason: 'refreshed ID token names another subject' };
    }
    const access = await this.accessFacts(provider, user, response.access_token, response.expires_in);
    if (!access) return { kind: 'end', reason: 'refreshed access token names another subject' };
    return {
      kind: 'tokens',
      roles: access.roles,
      iat: access.iat,
      tokens: {
        accessToken: response.access_token,
        accessTokenIat: access.iat,
        accessTokenExp: access.exp,
        refreshToken: response.refresh_token ?? current.refreshToken,
        refreshTokenId: response.refresh_token_id ?? access.sid ?? current.refreshTokenId,
        idToken: response.id_token ?? current.idToken,
      },
    };
  }

  private async refreshWithLoginApi(
    provider: ProviderConfig,
    user: SessionUser,
    current: SessionTokens,
  ): Promise<Refreshed> {
    const refreshed = await this.fusionAuth.refresh(provider, current.refreshToken!);
    if (!refreshed) return { kind: 'end', reason: 'refresh refused by FusionAuth' };
    const access = await this.accessFacts(provider, user, refreshed.token);
    if (!access) return { kind: 'end', reason: 'refreshed access token names another subject' };
    return {
      kind: 'tokens',
      roles: access.roles,
      iat: access.iat,
      tokens: {
        accessToken: refreshed.token,
        accessTokenIat: access.iat,
        accessTokenExp: access.exp,
        refreshToken: refreshed.refreshToken,
        refreshTokenId: refreshed.refreshTokenId ?? current.refreshTokenId,
        idToken: current.idToken,
      },
    };
  }

  /** FusionAuth access tokens are verified (and name the roles); other providers' may be opaque. */
  private async accessFacts(provider: ProviderConfig, user: SessionUser, accessToken: string, expiresIn?: number) {
    const now = Math.floor(this.clock.now() / 1000);
    if (provider.kind !== 'fusionauth')
      return { iat: now, exp: now + (expiresIn ?? 300), roles: undefined, sid: undefined };
    const { claims } = await this.verifier.verifyAccessToken(accessToken, { fromProvider: true });
    if (claims.sub !== user.id) return undefined;
    return { iat: claims.iat, exp: claims.exp, roles: claims.roles, sid: claims.sid };
  }

  private nearExpiry(exp: number): boolean {
    return this.clock.now() / 1000 >= exp - REFRESH_AHEAD_S;
  }

  private expired(exp: number): boolean {
    return this.clock.now() / 1000 >= exp;
  }
}

/** The session's facts after it took `tokens` (from a refresh here or by another request). */
function withTokens(
  session: SignedInSession,
  tokens: SessionTokens,
  iat?: number,
  roles?: readonly string[],
): SignedInSession {
  const { auth, user } = session;
  return {
    id: session.id,
    auth: {
      ...auth,
      accessTokenIat: iat ?? tokens.accessTokenIat ?? auth.accessTokenIat,
      accessTokenExp: tokens.accessTokenExp,
      refreshTokenId: tokens.refreshTokenId ?? auth.refreshTokenId,
    },
    user: roles ? { ...user, roles } : user,
  };
}
