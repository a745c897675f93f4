import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { SessionService } from '../session/session.service';
import { AuthService } from './auth.service';
import { ProviderAnswer, strategyName } from './hardened-oidc.strategy';
import { LoginOutcome, loginRejected } from './login-outcome';
import { OidcLoginService } from './oidc-login.service';
import { authenticate } from './passport-authentication';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** A verified hosted login (put here by AuthGuard in OidcCallbackGuard), for the callback's redirect. */
      oidcLogin?: LoginOutcome;
    }
  }
}

const MAX_PARAM = 2048;
const single = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM;

/**
 * `/auth/callback`: the state is checked against this browser's session and used up, the strategy
 * of the provider the login went to (from the session, never the query) exchanges the code through
 * @nestjs/passport's AuthGuard, the tokens are verified, and the browser is signed in with a new
 * session id, as AuthGuard's `logIn` would. Every refusal is counted and thrown to the exception
 * filter: the error page, no session.
 */
@Injectable()
export class OidcCallbackGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly login: OidcLoginService,
    private readonly sessions: SessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    try {
      const outcome = await this.verified(context, req);
      // The browser went away before the provider answered: no session for it.
      if (!outcome) return false;
      await this.sessions.establish(req, outcome.user, { auth: outcome.auth }, outcome.tokens);
      this.auth.signedIn(outcome);
      return true;
    } catch (error) {
      this.auth.countRejectedCallback(error);
      throw error;
    }
  }

  private async verified(context: ExecutionContext, req: Request): Promise<LoginOutcome | undefined> {
    const { code, state, error } = req.query;
    // Exactly one of each parameter: a repeated or missing one is malformed, not a login.
    if (!single(state) || (error === undefined ? !single(code) : !single(error) || code !== undefined)) {
      throw new AppError('LOGIN_MALFORMED', 'callback without exactly one state and one code or error');
    }
    const { states } = this.login;
    const pending = states.peek(req, state);
    if (!pending) {
      // Missing, replayed, expired or from another browser: drop any trace of it all the same.
      states.verify(req, state, () => undefined);
      throw loginRejected('state_mismatch');
    }
    // An error response ends its authorization request too: the state cannot complete a login later.
    if (error !== undefined) states.verify(req, state, () => undefined);
    const provider = this.config.provider(pending.provider);
    if (!provider) throw loginRejected('unknown_provider');
    const options = await this.login.callback(provider);
    return authenticate(context, strategyName(provider.name), { ...options }, (failure, answer, info) =>
      this.login.outcome(provider, {
        error: failure,
        answer: answer as ProviderAnswer | false | undefined,
        info: info as { reason?: string; message?: string } | undefined,
        login: states.verifiedLogin(req),
      }),
    );
  }
}
