import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/http/rate-limit.guard';
import { BrowserRoute } from '../common/http/route-kind.decorator';
import { safeReturnTo } from '../common/http/safe-return-to';
import { SessionService } from '../session/session.service';
import { MIN_PASSWORD } from '../users/account-forms.dto';
import { MESSAGES, PasswordLoginOutcome } from './password-login-outcome';
import { PasswordLoginService } from './password-login.service';
import { NewPasswordStepForm, PasswordLoginForm, TwoFactorStepForm, VerifyStepForm } from './password-login.dto';
import type { LoginPage } from './password-pages';
import { loginPage, renderLogin, renderNotice, renderStep, STEP_PATHS } from './password-pages';
import { afterFailedAttempt, currentStep, liveStep, newStep, PasswordStep, PasswordStepKind } from './password-step';

/** An authenticator code (6 digits) or a recovery code. */
const CODE = /^[A-Za-z0-9-]{6,64}$/;

/**
 * The service's own login form (AUTH_MODES has `password`) and each further step FusionAuth's Login
 * API can ask for. Every POST is CSRF-checked (middleware) and rate limited; a step acts only on the
 * one this browser's session holds, named by the handle its page handed out.
 */
@BrowserRoute()
@Controller('auth/password-login')
export class PasswordLoginController {
  constructor(
    private readonly login: PasswordLoginService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
  ) {}

  @Public()
  @Get()
  @Render('password-login')
  form(@Query('returnTo') returnTo: unknown, @Query('registered') registered: unknown): LoginPage {
    this.enabled();
    // After a registration that FusionAuth did not sign in at once (e.g. an email to verify first).
    const notice = registered === '1' ? 'Your account was created. Log in to continue.' : undefined;
    return loginPage({ returnTo: safeReturnTo(returnTo), notice });
  }

  @Public()
  @RateLimit('login')
  @Post()
  async submit(@Req() req: Request, @Res() res: Response, @Body() form: PasswordLoginForm): Promise<void> {
    this.enabled();
    const { email, password, returnTo } = form;
    await this.respond(req, res, await this.login.begin(email, password, req.ip, returnTo), { email, returnTo });
  }

  @Public()
  @Get('two-factor')
  twoFactorPage(@Req() req: Request, @Res() res: Response): void {
    this.showStep(req, res, 'two-factor');
  }

  @Public()
  @RateLimit('login')
  @Post('two-factor')
  async twoFactor(@Req() req: Request, @Res() res: Response, @Body() form: TwoFactorStepForm): Promise<void> {
    const step = this.takeStep(req, 'two-factor', form.step);
    if (!step) return this.restart(req, res);
    const code = (form.code ?? '').trim().replace(/\s/g, '');
    if (!CODE.test(code))
      return this.retry(req, res, step, 400, { code: 'Enter the code from your authenticator app.' });
    await this.respond(req, res, await this.login.twoFactor(step, code, req.ip), { step });
  }

  @Public()
  @Get('change-password')
  changePasswordPage(@Req() req: Request, @Res() res: Response): void {
    this.showStep(req, res, 'change-password');
  }

  @Public()
  @RateLimit('login')
  @Post('change-password')
  async changePassword(@Req() req: Request, @Res() res: Response, @Body() form: NewPasswordStepForm): Promise<void> {
    const step = this.takeStep(req, 'change-password', form.step);
    if (!step) return this.restart(req, res);
    const password = form.password ?? '';
    const code = form.code === undefined ? undefined : form.code.trim().replace(/\s/g, '');
    const email = form.email || undefined;
    const errors: Record<string, string> = {};
    if (password.length < MIN_PASSWORD || password.length > 256)
      errors.password = `Use between ${MIN_PASSWORD} and 256 characters.`;
    else if (form.confirmPassword !== password) errors.confirmPassword = 'The two passwords do not match.';
    if (code !== undefined && !CODE.test(code)) errors.code = 'Enter the code from your authenticator app.';
    if (Object.keys(errors).length > 0) return this.retry(req, res, step, 400, errors, code !== undefined);
    await this.respond(req, res, await this.login.setPassword(step, { password, code, email }, req.ip), { step });
  }

  @Public()
  @Get('verify')
  verifyPage(@Req() req: Request, @Res() res: Response): void {
    this.showStep(req, res, 'verify');
  }

  @Public()
  @RateLimit('login')
  @Post('verify')
  async resend(@Req() req: Request, @Res() res: Response, @Body() form: VerifyStepForm): Promise<void> {
    const step = this.takeStep(req, 'verify', form.step);
    if (!step) return this.restart(req, res);
    await this.respond(req, res, await this.login.resendVerification(step), { step });
  }

  /** Renders an outcome: a new session, the next step's page, the login form again, or a notice. */
  private async respond(
    req: Request,
    res: Response,
    outcome: PasswordLoginOutcome,
    context: { step?: PasswordStep; email?: string; returnTo?: string },
  ): Promise<void> {
    switch (outcome.kind) {
      case 'signed-in':
        // A new session id: the old session (and any step in it) is gone.
        await this.login.establish(req, outcome.session);
        return res.redirect(302, context.step?.returnTo ?? context.returnTo ?? '/account');
      case 'step':
        req.session.passwordStep = newStep(outcome.step, this.clock.now(), randomBytes(16).toString('base64url'));
        await this.sessions.persist(req);
        return res.redirect(303, STEP_PATHS[outcome.step.kind]);
      case 'retry':
        if (!context.step) return this.restart(req, res);
        return this.retry(req, res, context.step, outcome.status, outcome.errors, outcome.needsCode);
      case 'notice':
        delete req.session.passwordStep;
        return renderNotice(res, 200, outcome.message);
      case 'refused':
        delete req.session.passwordStep;
        return renderLogin(res, outcome.status, {
          email: context.email ?? context.step?.loginId,
          returnTo: context.step?.returnTo ?? context.returnTo,
          error: outcome.message,
        });
    }
  }

  /** The same step again, one attempt used; when the attempts are used up, the login starts over. */
  private retry(
    req: Request,
    res: Response,
    step: PasswordStep,
    status: number,
    errors: Readonly<Record<string, string>>,
    needsCode?: boolean,
  ): void {
    const next = afterFailedAttempt(step);
    if (!next) return this.restart(req, res);
    req.session.passwordStep = next;
    renderStep(res, status, next, { errors, needsCode });
  }

  /**
   * The session's step named by the form, removed from the session before FusionAuth is asked:
   * each twoFactorId or changePasswordId is used once; only a retry puts the step back.
   */
  private takeStep(req: Request, kind: PasswordStepKind, handle: string | undefined): PasswordStep | undefined {
    this.enabled();
    const step = currentStep(req.session.passwordStep, kind, handle, this.clock.now());
    if (step) delete req.session.passwordStep;
    return step;
  }

  private showStep(req: Request, res: Response, kind: PasswordStepKind): void {
    this.enabled();
    const step = liveStep(req.session.passwordStep, kind, this.clock.now());
    if (!step) return res.redirect(303, '/auth/password-login');
    renderStep(res, 200, step, {});
  }

  private restart(req: Request, res: Response): void {
    delete req.session.passwordStep;
    renderLogin(res, 401, { error: MESSAGES.restart });
  }

  private enabled(): void {
    if (!this.config.hasAuthMode('password')) throw new AppError('NOT_FOUND', 'password login is not enabled');
  }
}
