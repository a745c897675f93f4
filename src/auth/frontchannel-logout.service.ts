import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { SessionService } from '../session/session.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';
import { Framing, framedByProvider } from './frontchannel-framing';

const MAX_PARAM = 2048;
const single = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM;

export interface FrontChannelRequest {
  readonly iss: unknown;
  readonly sid: unknown;
  readonly framing: Framing;
  /** The signed-in session whose cookie came with the request, if any. */
  readonly session?: { readonly id: string; readonly provider: string };
}

export interface FrontChannelOutcome {
  /** How many local sessions end. */
  readonly ended: number;
  /** The request's own session is one of them: the caller drops it from the request too. */
  readonly endsThisSession: boolean;
  /** Who may frame the answer (CSP frame-ancestors). */
  readonly frameAncestors: readonly string[];
}

/**
 * Front-channel logout as the relying party, in the two ways providers call it: OpenID Front-Channel
 * Logout 1.0 with `iss` and `sid` (the sessions that SSO session started end), and FusionAuth's way,
 * a bare GET of the logout URL in a hidden iframe of its logout page (the session of the cookie that
 * comes along ends, when the browser says the provider framed it).
 */
@Injectable()
export class FrontChannelLogoutService {
  private readonly logger = new Logger('FrontChannelLogout');

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly discovery: ProviderDiscovery,
  ) {}

  async logout(request: FrontChannelRequest): Promise<FrontChannelOutcome> {
    if (request.iss === undefined && request.sid === undefined) return this.logoutFramed(request);
    // The spec sends both or neither: a sid alone cannot say whose SSO session it is.
    if (!single(request.iss) || !single(request.sid)) return this.nothing(undefined);
    const provider = this.providerOf(request.iss);
    if (!provider) {
      this.logger.warn('front-channel logout for an issuer that is not configured: ignored');
      return this.nothing(undefined);
    }
    const ended = await this.sessions.endIdpSession(provider.name, request.sid);
    this.logger.log(`front-channel logout from ${provider.name}: ${ended.length} session(s) ended`);
    return {
      ended: ended.length,
      // express-session would write this request's session back (a touched lastSeenAt) otherwise.
      endsThisSession: request.session !== undefined && ended.includes(request.session.id),
      frameAncestors: await this.originsOf([provider]),
    };
  }

  /** FusionAuth's bare logout URL: only this browser's session, and only when its provider framed the request. */
  private async logoutFramed(request: FrontChannelRequest): Promise<FrontChannelOutcome> {
    const provider = request.session ? this.config.provider(request.session.provider) : undefined;
    if (!provider) return this.nothing(undefined);
    const origins = await this.originsOf([provider]);
    // A link, an image or a foreign page's frame: a logout CSRF, ended nothing (see framedByProvider).
    if (!framedByProvider(request.framing, origins)) {
      const { fetchDest, fetchSite } = request.framing;
      this.logger.warn(
        `front-channel logout not framed by ${provider.name} (Sec-Fetch-Dest ${short(fetchDest)}, ` +
          `Sec-Fetch-Site ${short(fetchSite)}): ignored`,
      );
      return this.nothing(provider);
    }
    this.logger.log(`front-channel logout from ${provider.name}: the framed session ended`);
    return { ended: 1, endsThisSession: true, frameAncestors: origins };
  }

  private async nothing(provider: ProviderConfig | undefined): Promise<FrontChannelOutcome> {
    const frameAncestors = await this.originsOf(provider ? [provider] : this.config.providers);
    return { ended: 0, endsThisSession: false, frameAncestors };
  }

  /**
   * The origins a provider's pages are served from: its issuer's, and its logout and login pages'
   * from the discovery document (FusionAuth's issuer need not be the URL it is served at).
   */
  private async originsOf(providers: readonly ProviderConfig[]): Promise<string[]> {
    const origins = await Promise.all(
      providers.map(async (provider) => {
        const metadata = await this.discovery.metadata(provider).catch(() => undefined);
        const urls = [provider.issuer, metadata?.end_session_endpoint, metadata?.authorization_endpoint];
        return urls.flatMap((url) => (url ? [new URL(url).origin] : []));
      }),
    );
    return [...new Set(origins.flat())];
  }

  /** Issuers are compared as exact strings, a trailing slash included. */
  private providerOf(iss: string): ProviderConfig | undefined {
    return this.config.providers.find((p) => p.issuer === iss);
  }
}

const short = (value: string | undefined): string => (value ?? 'absent').slice(0, 24).replace(/[^\w-]/g, '?');
