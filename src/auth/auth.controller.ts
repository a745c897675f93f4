import { Controller, Get, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/http/rate-limit.guard';
import { BrowserRoute } from '../common/http/route-kind.decorator';
import { safeReturnTo } from '../common/http/safe-return-to';
import { SessionService } from '../session/session.service';
import { AuthService } from './auth.service';
import { OidcCallbackGuard } from './oidc-callback.guard';
import { OidcLoginGuard } from './oidc-login.guard';

@BrowserRoute()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
  ) {}

  /** OidcLoginGuard answers with the redirect to the provider; this runs only without the hosted login. */
  @Public()
  @RateLimit('login')
  @UseGuards(OidcLoginGuard)
  @Get('login')
  login(@Res() res: Response, @Query('returnTo') returnTo: unknown): void {
    res.redirect(302, this.auth.loginWithoutProvider(safeReturnTo(returnTo)));
  }

  /** OidcCallbackGuard has verified the login and started the new session. */
  @Public()
  @RateLimit('login')
  @UseGuards(OidcCallbackGuard)
  @Get('callback')
  callback(@Req() req: Request, @Res() res: Response): void {
    res.redirect(302, req.oidcLogin?.returnTo ?? '/account');
  }

  @Public()
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.redirect(302, await this.auth.logout(await this.sessions.destroy(req, res)));
  }
}
