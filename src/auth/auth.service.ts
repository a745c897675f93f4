import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { MetricsService } from '../common/metrics.service';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { SessionService } from '../session/session.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';
import { TokenRejectedError } from '../tokens/token.errors';
import { LoginRequestOptions } from './hardened-oidc.strategy';
import { OidcLoginService } from './oidc-login.service';

/** Hosted login, callback and logout: what the auth controllers call (the password form: PasswordLoginService). */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly config: AppConfig,
    private readonly oidc: OidcLoginService,
    private readonly sessions: SessionService,
    private readonly fusionAuth: FusionAuthService,
    private readonly discovery: ProviderDiscovery,
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
