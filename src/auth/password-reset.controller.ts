import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/http/rate-limit.guard';
import { BrowserRoute } from '../common/http/route-kind.decorator';
import { SessionService } from '../session/session.service';
import { ForgotPasswordForm } from './password-login.dto';
import { PasswordLoginService } from './password-login.service';
import { renderLogin, renderNotice, STEP_PATHS } from './password-pages';
import { newStep } from './password-step';

/** FusionAuth's changePasswordIds are URL-safe strings (its secure generator); anything else is no link. */
const CHANGE_PASSWORD_ID = /^[A-Za-z0-9_-]{8,256}$/;

/**
 * "Forgot your password?": FusionAuth's Forgot Password API mails a link to
 * `/auth/password-reset?changePasswordId=…`; that link's id goes straight into this browser's
 * session and the browser on to the same change-password step as a 203.
 */
@BrowserRoute()
@Controller('auth')
export class PasswordResetController {
  constructor(
    private readonly login: PasswordLoginService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
  ) {}

  @Public()
  @Get('forgot-password')
  @Render('forgot-password')
  form(): { title: string } {
    this.enabled();
    return { title: 'Forgot your password?' };
  }

  @Public()
  @RateLimit('login')
  @Post('forgot-password')
  async start(@Res() res: Response, @Body() form: ForgotPasswordForm): Promise<void> {
    this.enabled();
    const outcome = await this.login.forgotPassword(form.email);
    if (outcome.kind === 'refused') return renderLogin(res, outcome.status, { error: outcome.message });
    renderNotice(res, 200, outcome.kind === 'notice' ? outcome.message : '');
  }

  /**
   * The link FusionAuth mailed. Its changePasswordId leaves the URL at once: kept in the session,
   * the browser redirected to a clean URL (no Referer leaks it: Referrer-Policy no-referrer), and
   * the request log shows only `changePasswordId=[REDACTED]`.
   */
  @Public()
  @RateLimit('login')
  @Get('password-reset')
  async reset(
    @Req() req: Request,
    @Res() res: Response,
    @Query('changePasswordId') changePasswordId: unknown,
  ): Promise<void> {
    this.enabled();
    if (typeof changePasswordId !== 'string' || !CHANGE_PASSWORD_ID.test(changePasswordId)) {
      return void res.redirect(303, '/auth/forgot-password');
    }
    const step = {
      kind: 'change-password',
      origin: 'reset',
      provider: this.login.provider.name,
      changePasswordId,
    } as const;
    req.session.passwordStep = newStep(step, this.clock.now(), randomBytes(16).toString('base64url'));
    await this.sessions.persist(req);
    res.redirect(303, STEP_PATHS['change-password']);
  }

  private enabled(): void {
    if (!this.config.hasAuthMode('password') || !this.login.provider.fusionAuth)
      throw new AppError('NOT_FOUND', 'password login is not enabled');
  }
}
