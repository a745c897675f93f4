import { Injectable, Logger } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { ClientCredentialsStatus } from '../tokens/client-credentials-status.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';
import { TokenVerifier } from '../tokens/token-verifier.service';
import { HardenedOidcStrategy, LoginRequestOptions } from './hardened-oidc.strategy';
import { LoginOutcome, loginRejected, outcomeFromTokens } from './login-outcome';
import { OidcStateStore } from './oidc-state.store';
import { TokenResponse } from './token-endpoint';

type Done = (err: unknown, outcome?: LoginOutcome | false, info?: { reason: string }) => void;

/**
 * Browser login through each provider's `oidc:<name>` strategy: the authorization request (state,
 * nonce, PKCE) and the callback (state bound to this session and used once, tokens verified).
 */
@Injectable()
export class OidcLoginService {
  private readonly logger = new Logger('Login');
  private readonly passport = new Passport();
  private readonly strategies = new Map<string, HardenedOidcStrategy>();
  readonly states: OidcStateStore;

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: ProviderDiscovery,
    private readonly tokens: TokenVerifier,
    private readonly clientStatus: ClientCredentialsStatus,
    private readonly clock: Clock,
  ) {
    this.states = new OidcStateStore(clock);
  }

  /** Redirects the browser to the provider's authorization endpoint. */
  async begin(req: Request, res: Response, provider: ProviderConfig, login: LoginRequestOptions): Promise<void> {
    const strategy = await this.strategyFor(provider);
    await new Promise<void>((resolve, reject) => {
      res.once('finish', () => resolve());
      const middleware = this.passport.authenticate(strategy.name, {
        session: false,
        login,
      } as object) as RequestHandler;
      middleware(req, res, (error?: unknown) => (error ? reject(toLoginError(error)) : resolve()));
    });
  }

  /** The callback: the provider is the one this session's pending login went to, never the query's. */
  async complete(req: Request, res: Response): Promise<LoginOutcome> {
    const pending = this.states.peek(req, req.query.state);
    if (!pending) {
      // Missing, replayed, expired or from another browser: drop any trace of it all the same.
      this.states.verify(req, req.query.state, () => undefined);
      throw loginRejected('state_mismatch');
    }
    // An error response ends its authorization request too: the state cannot complete a login later.
    if (req.query.error !== undefined) this.states.verify(req, req.query.state, () => undefined);
    const provider = this.config.provider(pending.provider);
    if (!provider) throw loginRejected('unknown_provider');
    const strategy = await this.strategyFor(provider);
    return new Promise<LoginOutcome>((resolve, reject) => {
      const callback = (
        error: unknown,
        outcome?: LoginOutcome | false,
        info?: { reason?: string; message?: string },
      ) => {
        if (error) {
          if (clientRefused(error)) this.clientStatus.refused(provider.name);
          return reject(toLoginError(error));
        }
        if (!outcome) return reject(loginRejected(info?.reason ?? info?.message ?? 'rejected'));
        resolve(outcome);
      };
      const middleware = this.passport.authenticate(strategy.name, { session: false }, callback) as RequestHandler;
      middleware(req, res, (error?: unknown) => reject(toLoginError(error)));
    });
  }

  private async strategyFor(provider: ProviderConfig): Promise<HardenedOidcStrategy> {
    const existing = this.strategies.get(provider.name);
    if (existing) return existing;
    const metadata = await this.discovery.metadata(provider);
    const verify = this.verifyFor(provider);
    const strategy = new HardenedOidcStrategy(
      provider,
      metadata,
      this.config.url('/auth/callback'),
      this.states,
      verify,
    );
    this.passport.use(strategy.name, strategy);
    this.strategies.set(provider.name, strategy);
    return strategy;
  }

  /** passport-openidconnect calls this with ten arguments (it dispatches on the arity). */
  private verifyFor(provider: ProviderConfig) {
    return (
      req: Request,
      _issuer: string,
      userinfo: { id?: string } | undefined,
      _idProfile: unknown,
      _context: unknown,
      idToken: string,
      accessToken: string,
      refreshToken: string | undefined,
      params: TokenResponse,
      done: Done,
    ): void => {
      const login = this.states.verifiedLogin(req);
      if (!login) return done(null, false, { reason: 'state_mismatch' });
      // The token endpoint answered with tokens: it accepts our client credentials.
      this.clientStatus.accepted(provider.name);
      outcomeFromTokens(
        { provider, verifier: this.tokens, now: this.clock.now() },
        { idToken, accessToken, refreshToken, params, userinfoSub: userinfo?.id, login },
      ).then(
        (outcome) => done(null, outcome),
        (error: unknown) => {
          if (error instanceof AppError && (error.code === 'TOKEN_INVALID' || error.code === 'LOGIN_REJECTED')) {
            this.logger.warn(`login through ${provider.name} rejected: ${error.detail ?? error.code}`);
            return done(null, false, { reason: error.detail ?? error.code });
          }
          done(error);
        },
      );
    };
  }
}

/** The token endpoint refused our client credentials (passport-openidconnect's TokenError). */
const clientRefused = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'TokenError' && (error as { code?: string }).code === 'invalid_client';

/** What went wrong in the library or at the provider, as the error page should say it. */
function toLoginError(error: unknown): AppError {
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
