import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Authenticated } from '../common/authenticated.decorator';
import { PasswordSignIn } from '../common/password-sign-in';
import { RateLimit } from '../common/http/rate-limit.guard';
import { RecentLogin } from '../common/recent-login.decorator';
import { BrowserRoute } from '../common/http/route-kind.decorator';
import { formRefused } from '../common/http/validation.pipe';
import { setFlash } from '../session/flash';
import { ListsSessions } from '../session/lists-sessions.decorator';
import { sessionExpiresAt } from '../session/session-expiry';
import { sessionTimeouts } from '../session/session-store';
import { ChangePasswordForm, EndSessionForm } from './account-forms.dto';
import { AccountService, SessionView, SignedInAccount } from './account.service';

interface RedirectTo {
  readonly url: string;
  readonly statusCode: number;
}

/** The account page's view model (the CSRF token, user and flash come from res.locals). */
export interface AccountPage {
  readonly title: string;
  readonly user: SignedInAccount['user'];
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
  /** ms since the epoch, shown by `{{time}}`. */
  readonly signedInAt?: number;
  readonly signInMethod: string;
  readonly expiresAt?: number;
  readonly idleMinutes: number;
  readonly sessions: SessionView[];
  readonly canChangePassword: boolean;
}

@Authenticated()
@BrowserRoute()
@Controller('account')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly config: AppConfig,
    private readonly signIn: PasswordSignIn,
  ) {}

  @Get()
  @Render('account')
  @ListsSessions()
  async show(@Req() req: Request): Promise<AccountPage> {
    const account = accountOf(req);
    const { auth } = account.session;
    const timeouts = { ...sessionTimeouts(this.config), idleMs: Number.MAX_SAFE_INTEGER };
    const expiresAt = sessionExpiresAt(req.session, timeouts);
    // What this application grants (the guard's view), not whatever the provider's claim listed.
    const roles = req.user?.roles ?? [];
    return {
      title: 'Your account',
      user: account.user,
      roles,
      isAdmin: roles.includes('admin'),
      signedInAt: auth ? auth.authTime * 1000 : undefined,
      signInMethod: this.account.signInMethod(auth),
      expiresAt,
      idleMinutes: Math.round(this.config.session.idleTimeoutS / 60),
      sessions: await this.account.sessionsOf(account),
      canChangePassword: this.account.passwordProvider(account) !== undefined,
    };
  }

  @RecentLogin('/account')
  @Post('sessions/end')
  @Redirect()
  async endSession(@Req() req: Request, @Body() form: EndSessionForm): Promise<RedirectTo> {
    await this.account.endSession(accountOf(req), form.session);
    return { url: '/account', statusCode: 303 };
  }

  @RecentLogin()
  @Get('password')
  @Render('password')
  passwordForm(@Req() req: Request): { title: string; managed: boolean } {
    return { title: 'Change your password', managed: this.account.passwordProvider(accountOf(req)) !== undefined };
  }

  @RecentLogin('/account/password')
  // Like a login, a guess at the current password costs: per client, and per user whatever the client.
  @RateLimit('login', 'passwordChange')
  @Post('password')
  @Redirect()
  async changePassword(@Req() req: Request, @Body() form: ChangePasswordForm): Promise<RedirectTo> {
    const result = await this.account.changePassword(accountOf(req), form, req.ip);
    if (!result.ok) throw formRefused(ChangePasswordForm, form, result.errors, { needsCode: result.needsCode });
    // This browser stays signed in: a new session, with tokens issued after the revocation.
    const signedIn = await this.signIn.signIn(req, result.loginId, form.newPassword, {
      twoFactorTrustId: result.twoFactorTrustId,
    });
    if (signedIn !== 'ok') throw new AppError('LOGIN_REQUIRED', 'signing in with the new password failed');
    setFlash(req.session, 'Your password was changed. Your other sessions have ended.');
    return { url: '/account?password=changed', statusCode: 303 };
  }
}

/** The guard let only a signed-in session through: its user, id and data, as plain values. */
function accountOf(req: Request): SignedInAccount {
  return {
    user: req.session.user!,
    sessionId: req.sessionID,
    session: req.session,
    indexRead: req.sessionIndexRead,
  };
}
