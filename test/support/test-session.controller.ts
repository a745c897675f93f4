import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Authenticated } from '../../src/common/authenticated.decorator';
import { CurrentUser } from '../../src/common/current-user.decorator';
import type { AuthenticatedUser } from '../../src/common/authenticated-user';
import { Public } from '../../src/common/public.decorator';
import { CsrfService } from '../../src/session/csrf.service';
import { SessionService } from '../../src/session/session.service';
import { BrowserRoute } from '../../src/common/http/route-kind.decorator';

/**
 * Test-only routes that sign a user in directly, so the session layer is tested on its own before
 * (and apart from) the login flows. Never part of the service.
 */
@BrowserRoute()
@Controller('test')
export class TestSessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfService,
  ) {}

  /** The session's CSRF token, as a form would carry it. */
  @Public()
  @Get('csrf')
  csrfToken(@Req() req: Request, @Res({ passthrough: true }) res: Response): { token: string } {
    return { token: this.csrf.tokenFor(req, res) };
  }

  @Public()
  @Post('login')
  @HttpCode(204)
  async login(@Req() req: Request, @Body() body: { id: string; email?: string; roles?: string }): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    // As if signed in with a password at the default provider, with a token good for a day.
    await this.sessions.establish(
      req,
      { id: body.id, email: body.email, roles: body.roles ? body.roles.split(',') : [] },
      {
        auth: {
          provider: 'default',
          method: 'password',
          authTime: now,
          accessTokenIat: now,
          accessTokenExp: now + 86_400,
        },
      },
    );
  }

  /** Puts something in an anonymous session, as the login flow does with its state. */
  @Public()
  @Post('anonymous')
  @HttpCode(204)
  anonymous(@Req() req: Request): void {
    (req.session as unknown as Record<string, unknown>).visited = true;
  }

  @Authenticated()
  @Get('whoami')
  whoami(@CurrentUser() user: AuthenticatedUser, @Req() req: Request): AuthenticatedUser & { sessionId: string } {
    return { ...user, sessionId: req.sessionID };
  }

  @Authenticated()
  @Post('end-all')
  @HttpCode(200)
  async endAll(@CurrentUser() user: AuthenticatedUser): Promise<{ ended: number }> {
    return { ended: await this.sessions.endAllForUser(user.id) };
  }

  @Authenticated()
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.sessions.destroy(req, res);
    res.status(204).end();
  }

  @Public()
  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }
}
