import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../common/public.decorator';
import { BrowserRoute } from '../common/route-kind.decorator';
import { FrontChannelLogoutService } from './frontchannel-logout.service';

/** Static: nothing from the request (iss, sid) is ever echoed into the page. */
const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Logged out</title></head>' +
  '<body><p>Logged out.</p></body></html>';

@BrowserRoute()
@Controller('auth')
export class FrontChannelLogoutController {
  constructor(private readonly frontChannel: FrontChannelLogoutService) {}

  /** The provider calls this in a hidden iframe when the user logs out of its single sign-on. */
  @Public()
  @Get('frontchannel-logout')
  async frontChannelLogout(
    @Req() req: Request,
    @Res() res: Response,
    @Query('iss') iss: unknown,
    @Query('sid') sid: unknown,
  ): Promise<void> {
    await this.frontChannel.logout(req, iss, sid);
    // The one page meant to be framed, and only by the provider: helmet's frame-ancestors 'none'
    // and X-Frame-Options DENY are replaced for this response alone.
    const ancestors = this.frontChannel.frameAncestors(iss).join(' ');
    res.setHeader('Content-Security-Policy', `default-src 'none'; frame-ancestors ${ancestors}`);
    res.removeHeader('X-Frame-Options');
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).type('html').send(PAGE);
  }
}
