import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { ClientCredentialsStatus } from '../tokens/client-credentials-status.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';
import { TokenVerifier } from '../tokens/token-verifier.service';
import {
  HardenedOidcStrategy,
  LoginRequestOptions,
  OidcAuthenticateOptions,
  OidcClient,
  ProviderAnswer,
} from './hardened-oidc.strategy';
import { LoginOutcome, loginRejected, outcomeFromTokens } from './login-outcome';
import { OidcStateStore } from './oidc-state.store';
import { PendingLogin } from './pending-login';

/** Passport's answer to a callback, as AuthGuard hands it over, and the pending login its state named. */
export interface CallbackAnswer {
  readonly error: unknown;
  readonly answer: ProviderAnswer | false | undefined;
  readonly info: { reason?: string; message?: string } | undefined;
  readonly login: PendingLogin | undefined;
}

/**
 * Browser login through each provider's `oidc:<name>` strategy, in plain values: the authenticate
 * options for a login or a callback (this app's client), and the verdict on what the provider
 * answered (tokens verified through `tokens/`). The guards translate from and to the request.
 */
@Injectable()
export class OidcLoginService {
  private readonly logger = new Logger('Login');
  readonly states: OidcStateStore;

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: ProviderDiscovery,
    private readonly tokens: TokenVerifier,
    private readonly clientStatus: ClientCredentialsStatus,
    private readonly clock: Clock,
  ) {
    this.states = new OidcStateStore(clock);
    // Registered on passport's singleton at once: a strategy holds no endpoints (they come with each
    // request), so a provider that is down at start needs nothing re-created when it answers.
    for (const provider of config.providers) new HardenedOidcStrategy(provider.name);
  }

  /** Options for the authorization request; 503 when the provider is down (no redirect into nothing). */
  async authorization(
    provider: ProviderConfig,
    options: { returnTo?: string; reauth?: boolean },
  ): Promise<OidcAuthenticateOptions> {
    if (!(await this.discovery.reachable(provider))) {
      throw new AppError('PROVIDER_UNAVAILABLE', `${provider.issuer} does not answer: login not started`);
    }
    const login: LoginRequestOptions = options.reauth
      ? { returnTo: options.returnTo, prompt: 'login', maxAge: this.config.reauthMaxAgeS }
      : { returnTo: options.returnTo };
    return { session: false, client: await this.client(provider), login };
  }

  /** Options for the callback of a login that went to `provider`. */
  async callback(provider: ProviderConfig): Promise<OidcAuthenticateOptions> {
    return { session: false, client: await this.client(provider) };
  }

  /**
   * The verdict on a callback: the library's checks passed (state, issuer, audience, expiry, nonce),
   * and `tokens/` verifies the ID token (signature, pinned algorithms, every claim), the access
   * token and userinfo's subject. Any refusal is LOGIN_REJECTED with its reason.
   */
  async outcome(provider: ProviderConfig, { error, answer, info, login }: CallbackAnswer): Promise<LoginOutcome> {
    if (error) {
      if (clientRefused(error)) this.clientStatus.refused(provider.name);
      throw toLoginError(error);
    }
    if (!answer) throw loginRejected(info?.reason ?? info?.message ?? 'rejected');
    if (!login) throw loginRejected('state_mismatch');
    // The token endpoint answered with tokens: it accepts our client credentials.
    this.clientStatus.accepted(provider.name);
    let outcome: LoginOutcome;
    try {
      outcome = await outcomeFromTokens(
        { provider, verifier: this.tokens, now: this.clock.now() },
        { ...answer, login },
      );
    } catch (failure) {
      if (failure instanceof AppError && (failure.code === 'TOKEN_INVALID' || failure.code === 'LOGIN_REJECTED')) {
        this.logger.warn(`login through ${provider.name} rejected: ${failure.detail ?? failure.code}`);
        throw loginRejected(failure.detail ?? failure.code);
      }
      throw toLoginError(failure);
    }
    if (outcome.user.roles.includes(DEACTIVATED_ROLE)) {
      throw new AppError('LOGIN_DEACTIVATED', `user ${outcome.user.id}`);
    }
    return outcome;
  }

  /** This app's client at the provider; the endpoints are discovered (and cached) on first use. */
  private async client(provider: ProviderConfig): Promise<OidcClient> {
    return {
      provider,
      metadata: await this.discovery.metadata(provider),
      callbackURL: this.config.url('/auth/callback'),
      states: this.states,
    };
  }
}

/** The token endpoint refused our client credentials (passport-openidconnect's TokenError). */
const clientRefused = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'TokenError' && (error as { code?: string }).code === 'invalid_client';

/** What went wrong in the library or at the provider, as the error page should say it. */
export function toLoginError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const name = (error as Error | undefined)?.name;
  const code = (error as { code?: string } | undefined)?.code;
  // Our configuration is wrong, not the user's login: an outage (503), like a provider that is down.
  if (clientRefused(error)) return new AppError('PROVIDER_UNAVAILABLE', 'token request: invalid_client');
  if (name === 'AuthorizationError') return loginRejected(`provider_error:${code ?? 'unknown'}`);
  if (name === 'TokenError') return loginRejected(`token_error:${code ?? 'unknown'}`);
  const cause = (error as { oauthError?: { name?: string; code?: string; cause?: { code?: string } } }).oauthError;
  const unreachable = cause?.name === 'TimeoutError' || cause?.name === 'TypeError' || cause?.code === 'ECONNREFUSED';
  if (name === 'InternalOAuthError' && unreachable)
    return new AppError('PROVIDER_UNAVAILABLE', `token request: ${cause.name}`);
  return loginRejected(`invalid_response:${(error as Error | undefined)?.message ?? 'unknown'}`);
}
