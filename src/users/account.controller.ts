import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { Authenticated } from '../common/authenticated.decorator';
import { RateLimit } from '../common/rate-limit.guard';
import { RecentLogin } from '../common/recent-login.decorator';
import { BrowserRoute } from '../common/route-kind.decorator';
import { CsrfService } from '../session/csrf.service';
import { sessionExpiresAt } from '../session/session-expiry';
import { sessionTimeouts } from '../session/session-store';
import { AccountService } from './account.service';
import { FieldErrors } from './forms';

@Authenticated()
@BrowserRoute()
@Controller('account')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly csrf: CsrfService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async show(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { user, auth } = req.session;
    const timeouts = { ...sessionTimeouts(this.config), idleMs: Number.MAX_SAFE_INTEGER };
    const expiresAt = sessionExpiresAt(req.session, timeouts);
    res.render('account', {
      title: 'Your account',
      user,
      // What this application grants (the guard's view), not whatever the provider's claim listed.
      roles: req.user?.roles ?? [],
      isAdmin: req.user?.roles.includes('admin'),
      signedInAt: auth ? new Date(auth.authTime * 1000).toISOString() : undefined,
      signInMethod: auth?.method === 'password' ? 'email and password' : `via ${auth?.provider ?? 'a provider'}`,
      expiresAt: expiresAt ? new Date(expiresAt).toISOString() : undefined,
      idleMinutes: Math.round(this.config.session.idleTimeoutS / 60),
      sessions: await this.account.sessionsOf(req),
      canChangePassword: this.account.passwordProvider(req) !== undefined,
      csrfToken: this.csrf.tokenFor(req, res),
    });
  }

  @RecentLogin('/account')
  @Post('sessions/end')
  async endSession(@Req() req: Request, @Res() res: Response, @Body('session') handle: unknown): Promise<void> {
    if (typeof handle === 'string') await this.account.endSession(req, handle);
    res.redirect(303, '/account');
  }

  @RecentLogin()
  @Get('password')
  passwordForm(@Req() req: Request, @Res() res: Response): void {
    this.renderPassword(req, res, 200, {});
  }

  @RecentLogin('/account/password')
  // Like a login, a guess at the current password costs: per client, and per user whatever the client.
  @RateLimit('login', 'passwordChange')
  @Post('password')
  async changePassword(
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    const refused = await this.account.changePassword(req, body ?? {});
    if (!refused) return res.redirect(303, '/account?password=changed');
    this.renderPassword(req, res, 400, refused.errors, refused.needsCode);
  }

  private renderPassword(req: Request, res: Response, status: number, errors: FieldErrors, needsCode = false): void {
    res.status(status).render('password', {
      title: 'Change your password',
      managed: this.account.passwordProvider(req) !== undefined,
      errors,
      needsCode,
      csrfToken: this.csrf.tokenFor(req, res),
    });
  }
}
