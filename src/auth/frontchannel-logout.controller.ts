import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../common/public.decorator';
import { BrowserRoute } from '../common/http/route-kind.decorator';
import { SessionService } from '../session/session.service';
import { FrontChannelLogoutService } from './frontchannel-logout.service';

/** Static: nothing from the request (iss, sid) is ever echoed into the page. */
const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Logged out</title></head>' +
  '<body><p>Logged out.</p></body></html>';

@BrowserRoute()
@Controller('auth')
export class FrontChannelLogoutController {
  constructor(
    private readonly frontChannel: FrontChannelLogoutService,
    private readonly sessions: SessionService,
  ) {}

  /** The provider loads this in a hidden iframe when the user logs out of its single sign-on. */
  @Public()
  @Get('frontchannel-logout')
  async frontChannelLogout(
    @Req() req: Request,
    @Res() res: Response,
    @Query('iss') iss: unknown,
    @Query('sid') sid: unknown,
  ): Promise<void> {
    const { user, auth } = req.session ?? {};
    const outcome = await this.frontChannel.logout({
      iss,
      sid,
      framing: {
        fetchDest: req.get('sec-fetch-dest'),
        fetchSite: req.get('sec-fetch-site'),
        referer: req.get('referer'),
      },
      session: user && auth ? { id: req.sessionID, provider: auth.provider } : undefined,
    });
    if (outcome.endsThisSession) await this.sessions.destroy(req, res);
    // The one page meant to be framed, and only by the provider: the pages' frame-ancestors 'none'
    // and X-Frame-Options DENY are replaced for this response alone.
    res.setHeader('Content-Security-Policy', `default-src 'none'; frame-ancestors ${outcome.frameAncestors.join(' ')}`);
    res.removeHeader('X-Frame-Options');
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).type('html').send(PAGE);
  }
}
