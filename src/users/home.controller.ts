import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { Public } from '../common/public.decorator';
import { BrowserRoute } from '../common/http/route-kind.decorator';

@BrowserRoute()
@Controller()
export class HomeController {
  constructor(private readonly config: AppConfig) {}

  /** A page, or (signed in) the account page instead: the one page handler that may redirect. */
  @Public()
  @Get('/')
  home(@Req() req: Request, @Res() res: Response): void {
    if (req.session?.user) return res.redirect(302, '/account');
    res.render('home', {
      title: 'Welcome',
      providers: this.config.providers.map((p) => ({ name: p.name, displayName: p.displayName })),
      oidcLogin: this.config.hasAuthMode('oidc'),
      passwordLogin: this.config.hasAuthMode('password'),
      registration: this.config.registrationEnabled && this.config.defaultProvider.kind === 'fusionauth',
    });
  }
}
