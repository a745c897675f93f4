import { Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '../common/app.errors';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/rate-limit.guard';
import { BrowserRoute } from '../common/route-kind.decorator';
import { safeReturnTo } from '../common/safe-return-to';
import { AuthService } from './auth.service';

const MAX_PARAM = 2048;
const single = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM;

@BrowserRoute()
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('login')
  @Get('login')
  async login(
    @Req() req: Request,
    @Res() res: Response,
    @Query('returnTo') returnTo: unknown,
    @Query('provider') provider: unknown,
    @Query('reauth') reauth: unknown,
  ): Promise<void> {
    await this.auth.startLogin(req, res, this.auth.providerNamed(provider), {
      returnTo: safeReturnTo(returnTo),
      reauth: reauth === '1',
    });
  }

  @Public()
  @RateLimit('login')
  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { code, state, error } = req.query;
    // Exactly one of each parameter: a repeated or missing one is malformed, not a login.
    if (!single(state) || (error === undefined ? !single(code) : !single(error) || code !== undefined)) {
      const malformed = new AppError('LOGIN_MALFORMED', 'callback without exactly one state and one code or error');
      this.auth.countRejectedCallback(malformed);
      throw malformed;
    }
    res.redirect(302, await this.auth.completeLogin(req, res));
  }

  @Public()
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.redirect(302, await this.auth.logout(req, res));
  }
}
