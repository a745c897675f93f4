import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '../common/app.errors';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/rate-limit.guard';
import { BrowserRoute } from '../common/route-kind.decorator';
import { CsrfService } from '../session/csrf.service';
import { FieldErrors } from './forms';
import { RegistrationService } from './registration.service';

@BrowserRoute()
@Controller('auth/register')
export class RegisterController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly csrf: CsrfService,
  ) {}

  @Public()
  @Get()
  form(@Req() req: Request, @Res() res: Response): void {
    this.render(req, res, 200, {}, {});
  }

  @Public()
  @RateLimit('login')
  @Post()
  async submit(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const result = await this.registration.register(req, body ?? {});
    if (result.kind === 'signed-in') return res.redirect(303, '/account');
    if (result.kind === 'created') return res.redirect(303, '/auth/password-login?registered=1');
    this.render(req, res, 400, result.errors, result.form);
  }

  private render(req: Request, res: Response, status: number, errors: FieldErrors, form: object): void {
    if (!this.registration.available) throw new AppError('NOT_FOUND', 'registration is not available');
    res
      .status(status)
      .render('register', { title: 'Create an account', errors, form, csrfToken: this.csrf.tokenFor(req, res) });
  }
}
