import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/rate-limit.guard';
import { BrowserRoute } from '../common/route-kind.decorator';
import { safeReturnTo } from '../common/safe-return-to';
import { CsrfService } from '../session/csrf.service';
import { AuthService } from './auth.service';

interface PasswordLoginForm {
  email?: unknown;
  password?: unknown;
  returnTo?: unknown;
}

const GENERIC_FAILURE = 'That email and password do not match an account. Check both and try again.';

/** The service's own login form (AUTH_MODES has `password`), through FusionAuth's Login API. */
@BrowserRoute()
@Controller('auth/password-login')
export class PasswordLoginController {
  constructor(
    private readonly auth: AuthService,
    private readonly csrf: CsrfService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  form(@Req() req: Request, @Res() res: Response, @Query('returnTo') returnTo: unknown): void {
    this.render(req, res, 200, { returnTo: safeReturnTo(returnTo) });
  }

  @Public()
  @RateLimit('login')
  @Post()
  async submit(@Req() req: Request, @Res() res: Response, @Body() body: PasswordLoginForm): Promise<void> {
    const returnTo = safeReturnTo(body.returnTo);
    const email = typeof body.email === 'string' ? body.email.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!email || !password || email.length > 320 || password.length > 1024) {
      return this.render(req, res, 400, { returnTo, email, error: 'Enter your email and your password.' });
    }
    const result = await this.auth.signIn(req, email, password);
    if (result === 'ok') return res.redirect(302, returnTo ?? '/account');
    // Only the right password reaches "deactivated", so saying so reveals nothing to a guesser.
    const error =
      result === 'deactivated'
        ? 'This account is deactivated for this application. Contact an administrator.'
        : GENERIC_FAILURE;
    this.render(req, res, 401, { returnTo, email, error });
  }

  private render(
    req: Request,
    res: Response,
    status: number,
    model: { returnTo?: string; email?: string; error?: string },
  ): void {
    if (!this.config.hasAuthMode('password')) throw new AppError('NOT_FOUND', 'password login is not enabled');
    res.status(status).setHeader('Cache-Control', 'no-store');
    res.render('password-login', { title: 'Log in', csrfToken: this.csrf.tokenFor(req), ...model });
  }
}
