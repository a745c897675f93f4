import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { MetricsService } from '../common/metrics.service';
import { PasswordSignIn, SignInResult } from '../common/password-sign-in';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { SessionService } from '../session/session.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';
import { TokenRejectedError } from '../tokens/token.errors';
import { TokenVerifier } from '../tokens/token-verifier.service';
import { LoginRequestOptions } from './hardened-oidc.strategy';
import { OidcLoginService } from './oidc-login.service';

/** Login (hosted page or password form), callback and logout: what the auth controllers call. */
@Injectable()
export class AuthService implements PasswordSignIn {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly config: AppConfig,
    private readonly oidc: OidcLoginService,
    private readonly sessions: SessionService,
    private readonly fusionAuth: FusionAuthService,
    private readonly verifier: TokenVerifier,
    private readonly discovery: ProviderDiscovery,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  providerNamed(name: unknown): ProviderConfig {
    if (name === undefined) return this.config.defaultProvider;
    const provider = typeof name === 'string' ? this.config.provider(name) : undefined;
    if (!provider) throw new AppError('BAD_REQUEST', 'unknown provider');
    return provider;
  }

  /** The hosted login; `reauth` demands a fresh sign-in (prompt=login, max_age) for a sensitive action. */
  async startLogin(
    req: Request,
    res: Response,
    provider: ProviderConfig,
    options: { returnTo?: string; reauth?: boolean },
  ): Promise<void> {
    if (!this.config.hasAuthMode('oidc')) {
      if (!this.config.hasAuthMode('password')) throw new AppError('NOT_FOUND', 'no login is enabled');
      const query = options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : '';
      return res.redirect(302, `/auth/password-login${query}`);
    }
    if (!(await this.discovery.reachable(provider))) {
      throw new AppError('PROVIDER_UNAVAILABLE', `${provider.issuer} does not answer: login not started`);
    }
    const login: LoginRequestOptions = options.reauth
      ? { returnTo: options.returnTo, prompt: 'login', maxAge: this.config.reauthMaxAgeS }
      : { returnTo: options.returnTo };
    await this.oidc.begin(req, res, provider, login);
  }

  /** Verifies the callback and signs the browser in with a new session id; returns where to go. */
  async completeLogin(req: Request, res: Response): Promise<string> {
    try {
      const returnTo = await this.completeOidcLogin(req, res);
      this.metrics.login('oidc', 'success');
      return returnTo;
    } catch (error) {
      this.countRejectedCallback(error);
      throw error;
    }
  }

  /** A refused callback, counted by why (the token check's reason, the login error, or the code). */
  countRejectedCallback(error: unknown): void {
    const reason =
      error instanceof TokenRejectedError
        ? `token_${error.reason}`
        : error instanceof AppError
          ? error.code === 'LOGIN_REJECTED' && /^[a-z_]{1,40}$/.test(error.detail ?? '')
            ? error.detail!
            : error.code.toLowerCase()
          : 'internal';
    this.metrics.callbackRejected(reason);
    const rejected = error instanceof AppError && error.code !== 'INTERNAL' && !error.code.endsWith('UNAVAILABLE');
    this.metrics.login('oidc', rejected ? 'rejected' : 'error');
  }

  private async completeOidcLogin(req: Request, res: Response): Promise<string> {
    const outcome = await this.oidc.complete(req, res);
    if (outcome.user.roles.includes(DEACTIVATED_ROLE))
      throw new AppError('LOGIN_DEACTIVATED', `user ${outcome.user.id}`);
    await this.sessions.establish(req, outcome.user, { auth: outcome.auth }, outcome.tokens);
    this.logger.log(`user ${outcome.user.id} signed in through ${outcome.auth.provider}`);
    return outcome.returnTo ?? '/account';
  }

  /**
   * FusionAuth's Login API, then the same checks and the same session as the hosted login. Any
   * refusal is reported the same way, so the form cannot tell which field was wrong.
   */
  async signIn(req: Request, loginId: string, password: string): Promise<SignInResult> {
    try {
      const result = await this.passwordLogin(req, loginId, password);
      this.metrics.login('password', result === 'ok' ? 'success' : 'rejected');
      return result;
    } catch (error) {
      this.metrics.login('password', 'error');
      throw error;
    }
  }

  async passwordLogin(req: Request, loginId: string, password: string): Promise<SignInResult> {
    const provider = this.config.defaultProvider;
    const result = await this.fusionAuth.login(provider, loginId, password, req.ip);
    if (result.kind === 'rejected') {
      this.logger.log(`password login refused: ${result.reason}`);
      return 'refused';
    }
    let verified;
    try {
      verified = await this.verifier.verifyAccessToken(result.token);
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) throw error;
      this.logger.warn(`password login: FusionAuth's token was rejected (${error.reason})`);
      return 'refused';
    }
    const { claims } = verified;
    if (verified.provider.name !== provider.name || (result.user.id && result.user.id !== claims.sub)) return 'refused';
    if (claims.roles.includes(DEACTIVATED_ROLE)) return 'deactivated';
    const name =
      result.user.fullName ?? ([result.user.firstName, result.user.lastName].filter(Boolean).join(' ') || undefined);
    const refreshTokenId = result.refreshTokenId ?? claims.sid;
    const user = {
      id: claims.sub,
      email: claims.email ?? result.user.email,
      name,
      roles: claims.roles,
      provider: provider.name,
      applicationId: claims.applicationId,
    };
    const auth = {
      provider: provider.name,
      method: 'password' as const,
      authTime: claims.auth_time ?? Math.floor(this.clock.now() / 1000),
      accessTokenIat: claims.iat,
      accessTokenExp: claims.exp,
      refreshTokenId,
    };
    await this.sessions.establish(
      req,
      user,
      { auth },
      {
        accessToken: result.token,
        accessTokenIat: claims.iat,
        accessTokenExp: claims.exp,
        refreshToken: result.refreshToken,
        refreshTokenId,
      },
    );
    this.logger.log(`user ${user.id} signed in with a password`);
    return 'ok';
  }

  /**
   * Ends the session here, revokes its refresh token at FusionAuth, and returns the provider's
   * end-session URL (RP-Initiated Logout 1.0) so the provider's own session ends too.
   */
  async logout(req: Request, res: Response): Promise<string> {
    const auth = req.session?.auth;
    const tokens = auth ? await this.sessions.tokensOf(req.sessionID) : undefined;
    await this.sessions.destroy(req, res);
    const provider = auth ? this.config.provider(auth.provider) : undefined;
    if (!provider) return '/';
    // By its id, never by its value: FusionAuth's revoke-by-value takes the token in the query string.
    const refreshTokenId = tokens?.refreshTokenId ?? auth?.refreshTokenId;
    if (provider.fusionAuth && refreshTokenId) await this.fusionAuth.revokeRefreshTokenById(provider, refreshTokenId);
    const metadata = await this.discovery.metadata(provider).catch(() => undefined);
    if (!metadata?.end_session_endpoint) return '/';
    const url = new URL(metadata.end_session_endpoint);
    if (tokens?.idToken) url.searchParams.set('id_token_hint', tokens.idToken);
    url.searchParams.set('client_id', provider.clientId);
    url.searchParams.set('post_logout_redirect_uri', this.config.url('/'));
    return url.href;
  }
}
