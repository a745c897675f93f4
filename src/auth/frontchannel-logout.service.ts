import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { SessionService } from '../session/session.service';

const MAX_PARAM = 2048;
const single = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM;

/**
 * OpenID Front-Channel Logout 1.0 as the relying party: the provider loads our logout URL in an
 * iframe with `iss` and `sid`, and the local sessions that SSO session started end.
 */
@Injectable()
export class FrontChannelLogoutService {
  private readonly logger = new Logger('FrontChannelLogout');

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionService,
  ) {}

  /** Ends the sessions of (iss, sid); returns how many ended. Anything else ends nothing. */
  async logout(req: Request, iss: unknown, sid: unknown): Promise<number> {
    // Without sid nothing is ended: FusionAuth may call with no parameters, but a bare GET is also
    // what any page can make a browser send (a top-level link carries our Lax cookie), and ending
    // "whoever's cookie came along" would be a logout CSRF. Such sessions still end by timeout.
    // The spec requires iss whenever sid is sent; a sid alone cannot say whose SSO session it is.
    if (!single(iss) || !single(sid)) return 0;
    const provider = this.providerOf(iss);
    if (!provider) {
      this.logger.warn('front-channel logout for an issuer that is not configured: ignored');
      return 0;
    }
    const ended = await this.sessions.endIdpSession(provider.name, sid);
    // This request's own session may be among them; express-session would write it back at the end
    // of the response (a touched lastSeenAt), so it is replaced by a fresh, empty one here.
    if (req.session && ended.includes(req.sessionID)) await this.sessions.expire(req);
    this.logger.log(`front-channel logout from ${provider.name}: ${ended.length} session(s) ended`);
    return ended.length;
  }

  /**
   * Who may frame the page (CSP frame-ancestors): the named provider's origin, or every configured
   * provider's when the request names none (or one we do not know, which then ends nothing anyway).
   */
  frameAncestors(iss: unknown): string[] {
    const provider = single(iss) ? this.providerOf(iss) : undefined;
    const providers = provider ? [provider] : this.config.providers;
    return [...new Set(providers.map((p) => new URL(p.issuer).origin))];
  }

  /** Issuers are compared as exact strings, a trailing slash included. */
  private providerOf(iss: string): ProviderConfig | undefined {
    return this.config.providers.find((p) => p.issuer === iss);
  }
}
