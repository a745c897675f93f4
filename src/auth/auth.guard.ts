import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { AuthenticatedUser } from '../common/authenticated-user';
import { Clock } from '../common/clock';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { grantedRoles } from '../common/granted-roles';
import { MetricsService } from '../common/observability/metrics.service';
import { RECENT_LOGIN } from '../common/recent-login.decorator';
import { markRoute, routeDeclaration } from '../common/http/route-kind';
import { RoutePolicy, routePolicy } from '../common/route-policy';
import { DenylistService, Verdict } from '../denylist/denylist.service';
import { SessionService } from '../session/session.service';
import { RevocationCheck } from './revocation-check.service';
import { TokenRefreshService } from './token-refresh.service';

const BEARER_PREFIX = 'Bearer ';
const BEARER_HEADER = /^Bearer [A-Za-z0-9._~+/=-]+$/;

type Handler = ReturnType<ExecutionContext['getHandler']>;
type Controller = ReturnType<ExecutionContext['getClass']>;
type RecentLogin = { returnTo?: string };

/**
 * The global guard. Every route is closed unless it says otherwise: @Public() opens it, anything
 * else needs a signed-in user, and @Roles() one of the named roles. What proves the user is the
 * route's declared kind, never its URL: machine routes take a bearer token only, browser routes the
 * session only (its access token refreshed when near expiry). Both are checked against the
 * revocation list on every request, and a `deactivated` user is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly recentLogins = new WeakMap<Handler, { controller: Controller; recent: RecentLogin | undefined }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly revocation: RevocationCheck,
    private readonly denylist: DenylistService,
    private readonly refresher: TokenRefreshService,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /** A public route is answered synchronously (Nest awaits nothing for a boolean); others verify. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // The request and response as Nest hands them to an HTTP guard (switchToHttp() makes three closures a call).
    const [req, res] = [context.getArgByIndex<Request>(0), context.getArgByIndex<Response>(1)];
    const declared = routeDeclaration(this.reflector, context.getHandler(), context.getClass());
    // Neither kind is guessed: a page reached with a bearer token, or an API with the browser's
    // ambient cookie and no CSRF check, would each be the wrong trust. An undeclared route is not served.
    if (!declared) throw new AppError('NOT_FOUND', 'the route declares no kind (@MachineRoute or @BrowserRoute)');
    markRoute(req, res, declared);
    const policy = routePolicy(this.reflector, context.getHandler(), context.getClass());
    if (policy.kind === 'public') return true;
    return this.signedIn(req, context, policy, declared.kind === 'machine');
  }

  private async signedIn(
    req: Request,
    context: ExecutionContext,
    policy: RoutePolicy,
    bearer: boolean,
  ): Promise<boolean> {
    const done = this.metrics.guardTimer(bearer ? 'bearer' : 'session');
    try {
      await this.admit(req, context, policy, bearer);
      done('allowed');
      return true;
    } catch (error) {
      done('refused');
      throw error;
    }
  }

  private async admit(req: Request, context: ExecutionContext, policy: RoutePolicy, bearer: boolean): Promise<void> {
    const user = bearer ? await this.bearerUser(req) : await this.sessionUser(req);
    const recent = user.via === 'session' ? this.recentLogin(context.getHandler(), context.getClass()) : undefined;
    if (recent) this.requireRecentLogin(req, recent.returnTo);
    if (policy.kind === 'roles' && !policy.roles.some((role) => user.roles.includes(role))) {
      throw new AppError('INSUFFICIENT_ROLE', `needs one of ${policy.roles.join(', ')}`);
    }
    req.user = user;
  }

  /** The route's @RecentLogin(), read once per handler: decorators are fixed once the app is built. */
  private recentLogin(handler: Handler, controller: Controller): RecentLogin | undefined {
    const known = this.recentLogins.get(handler);
    if (known && known.controller === controller) return known.recent;
    const recent = this.reflector.getAllAndOverride<RecentLogin | undefined>(RECENT_LOGIN, [handler, controller]);
    this.recentLogins.set(handler, { controller, recent });
    return recent;
  }

  private bearerUser(req: Request): Promise<AuthenticatedUser> {
    // RFC 6750 allows tokens in the query; it leaks them into logs and histories, so they are refused.
    if (req.query.access_token !== undefined) throw new AppError('LOGIN_REQUIRED', 'token in the query string');
    const header = req.headers.authorization;
    const token = header?.startsWith(BEARER_PREFIX) ? header.slice(BEARER_PREFIX.length) : undefined;
    // A token verified before had this form then (three base64url parts): only a new one is scanned.
    if (token === undefined || (!this.revocation.verifiedBefore(token) && !BEARER_HEADER.test(header!)))
      throw new AppError('LOGIN_REQUIRED', 'no bearer token');
    return this.revocation.verifyBearer(token);
  }

  private async sessionUser(req: Request): Promise<AuthenticatedUser> {
    if (!req.session?.user) throw new AppError('LOGIN_REQUIRED');
    const { user: storedUser, auth: storedAuth } = req.session;
    if (!storedAuth) return this.endSession(req, 'a session without sign-in details');
    const fresh = await this.refresher.ensureFresh({ id: req.sessionID, user: storedUser, auth: storedAuth });
    if (!fresh) return this.endSession(req, 'the session could not be refreshed');
    // The session carries what the refresh found (new expiry, refresh token family, roles).
    const { user, auth } = fresh;
    if (auth !== storedAuth) req.session.auth = auth;
    if (user !== storedUser) req.session.user = user;
    const provider = this.config.provider(auth.provider);
    if (!provider) return this.endSession(req, `unknown provider ${auth.provider}`);
    const verdict = await this.denylist.check({
      issuerKey: provider.issuerKey,
      sub: user.id,
      iat: auth.accessTokenIat,
      sid: auth.refreshTokenId,
      applicationId: user.applicationId ?? provider.clientId,
    });
    if (verdict === 'revoked') return this.endSession(req, 'revoked');
    this.enforce(verdict);
    if (user.roles.includes(DEACTIVATED_ROLE)) return this.endSession(req, 'deactivated');
    return {
      id: user.id,
      provider: provider.name,
      email: user.email,
      name: user.name,
      roles: grantedRoles(provider, user.roles),
      via: 'session',
      applicationId: user.applicationId,
      tokenExpiresAt: auth.accessTokenExp,
    };
  }

  /** Sensitive actions need a sign-in at most REAUTH_MAX_AGE_S old. */
  private requireRecentLogin(req: Request, returnTo: string | undefined): void {
    const authTime = req.session.auth?.authTime ?? 0;
    if (Math.floor(this.clock.now() / 1000) - authTime <= this.config.reauthMaxAgeS) return;
    throw new AppError(
      'REAUTH_REQUIRED',
      `signed in at ${authTime}`,
      req.method === 'GET' ? req.originalUrl : returnTo,
    );
  }

  private enforce(verdict: Verdict): void {
    if (verdict === 'revoked') throw new AppError('TOKEN_REVOKED');
    // DENYLIST_FAILURE_MODE=closed: when revocations cannot be trusted, nothing protected is served.
    if (verdict === 'unavailable') throw new AppError('SERVICE_UNAVAILABLE', 'revocation state is stale');
  }

  /** A revoked or deactivated session is ended, and the browser sent to log in again. */
  private async endSession(req: Request, reason: string): Promise<never> {
    await this.sessions.expire(req);
    throw new AppError('LOGIN_REQUIRED', `session ended: ${reason}`);
  }
}
