import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { MetricsService } from '../common/observability/metrics.service';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { EndedSession } from '../session/session.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';
import { TokenRejectedError } from '../tokens/token.errors';
import { LoginOutcome } from './login-outcome';

/** Hosted login, callback and logout: what the auth controllers call (the password form: PasswordLoginService). */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly config: AppConfig,
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

  /**
   * Where `/auth/login` sends the browser when the hosted login is off (`AUTH_MODES` without `oidc`):
   * the password form, or nowhere (404) when no login is enabled.
   */
  loginWithoutProvider(returnTo: string | undefined): string {
    if (!this.config.hasAuthMode('password')) throw new AppError('NOT_FOUND', 'no login is enabled');
    return `/auth/password-login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;
  }

  /** A hosted login ended in a new session: counted and logged. */
  signedIn(outcome: LoginOutcome): void {
    this.metrics.login('oidc', 'success');
    this.logger.log(`user ${outcome.user.id} signed in through ${outcome.auth.provider}`);
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

  /**
   * After the session ended here: revokes its refresh token at FusionAuth, and returns the provider's
   * end-session URL (RP-Initiated Logout 1.0) so the provider's own session ends too.
   */
  async logout({ auth, tokens }: EndedSession): Promise<string> {
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
