import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import express, { NextFunction, Request, Response } from 'express';
import type Provider from 'oidc-provider';
import { ApiContext } from './api/api-support';
import { apiRouter } from './api/api.router';
import { Kickstart, loadKickstart, replayKickstart } from './kickstart';
import { oauthPathOf } from './oidc/fusionauth-endpoints';
import { interactionHandler } from './oidc/interactions';
import { jwtEndpoints, tokenResponseExtras } from './oidc/jwt-endpoints';
import { buildOidcProvider } from './oidc/oidc-provider.factory';
import { OidcStore } from './oidc/oidc-store';
import { refreshGrantEvents } from './oidc/refresh-grant-events';
import { DevIdpState } from './state/dev-idp-state';
import { generateSigningKey } from './state/signing-keys';
import { RefreshTokens } from './tokens/refresh-tokens';
import { loginSuccessEvent, publicKeyUpdateEvent } from './webhooks/events';
import { WebhookSender } from './webhooks/webhook-sender';

export interface DevIdpOptions {
  /** 0 picks a free port (tests). Default 9011. */
  readonly port?: number;
  readonly host?: string;
  /** Overrides the tenant's issuer (tests use the URL they listen on). */
  readonly issuer?: string;
  /** `null`: start empty, without a kickstart. */
  readonly kickstartPath?: string | null;
  /** For `#{ENV.NAME}` in the kickstart. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Shortens every access token (tests of expiry and refresh). */
  readonly accessTokenTtlS?: number;
  readonly log?: (line: string) => void;
}

/**
 * The embedded development identity provider: a FusionAuth stand-in on oidc-provider, configured by
 * the same kickstart file as a real FusionAuth. State lives in memory; a restart re-reads the kickstart.
 */
export class DevIdp {
  private provider?: Provider;
  private providerStale = true;
  /** OAuth endpoints wait until the kickstart has run and the issuer is settled. */
  private ready = false;
  private readonly cookieKeys = [randomBytes(32).toString('base64url')];
  /** Successful token requests by grant type (authorization_code, refresh_token). */
  readonly grants = new Map<string, number>();

  private constructor(
    readonly state: DevIdpState,
    readonly webhooks: WebhookSender,
    readonly kickstart: Kickstart | undefined,
    private readonly store: OidcStore,
    private readonly server: Server,
  ) {}

  static async start(options: DevIdpOptions = {}): Promise<DevIdp> {
    const kickstart = options.kickstartPath ? loadKickstart(options.kickstartPath, options.env ?? {}) : undefined;
    const state = new DevIdpState(Date.now, kickstart?.variables.defaultTenantId);
    kickstart?.apiKeys.forEach((k) => state.apiKeys.add(k.key));
    state.accessTokenTtlOverrideS = options.accessTokenTtlS;
    const store = new OidcStore(state.now, () => undefined);
    const webhooks = new WebhookSender(
      () => state.webhooks.values(),
      (id) => state.tenants.get(id),
      (id) => state.keys.get(id),
      () => state.now(),
    );
    const server = createServer();
    const idp = new DevIdp(state, webhooks, kickstart, store, server);
    server.on('request', idp.app(new RefreshTokens(state, store)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 9011, options.host ?? '127.0.0.1', resolve);
    });
    if (kickstart) await replayKickstart(kickstart, idp.url);
    if (options.issuer) state.defaultTenant.issuer = options.issuer;
    else if (!/^https?:\/\//.test(state.defaultTenant.issuer ?? '')) state.defaultTenant.issuer = idp.url;
    if (![...state.keys.values()].some((k) => k.privateKey)) {
      state.keys.set(
        'default-signing-key',
        generateSigningKey('default-signing-key', 'RS256', 'Default signing key', 2048, state.now()),
      );
    }
    idp.providerStale = true;
    idp.ready = true;
    options.log?.(`dev IdP: issuer ${idp.issuer}, listening on ${idp.url}`);
    return idp;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get issuer(): string {
    return this.state.defaultTenant.issuer!;
  }

  /** Changes the default tenant's issuer (the OIDC provider is rebuilt with it). */
  useIssuer(issuer: string): Promise<void> {
    this.state.defaultTenant.issuer = issuer;
    this.providerStale = true;
    return Promise.resolve();
  }

  /** Points every webhook at a URL, as `PATCH /api/webhook/{id}` would (tests start the service later). */
  setWebhookUrl(url: string): void {
    for (const webhook of this.state.webhooks.values()) webhook.url = url;
  }

  async close(): Promise<void> {
    this.webhooks.stop();
    await this.webhooks.settled();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private app(refreshTokens: RefreshTokens) {
    const app = express();
    app.disable('x-powered-by');
    const ctx: ApiContext = {
      state: this.state,
      refreshTokens,
      webhookEventLog: this.webhooks.log,
      emit: (event) => this.webhooks.send(event),
      configChanged: ({ keysOf }) => {
        this.providerStale = true;
        if (keysOf && keysOf.length > 0)
          this.webhooks.send(publicKeyUpdateEvent(this.state.defaultTenantId, keysOf, this.state.now()));
      },
    };
    app.use(apiRouter(ctx));
    const interaction = interactionHandler({
      state: this.state,
      provider: () => this.oidc(),
      onLogin: (userId, applicationId) => {
        const user = this.state.users.get(userId)!.user;
        user.lastLoginInstant = this.state.now();
        this.webhooks.send(loginSuccessEvent(user.tenantId!, user, applicationId, 'PASSWORD', this.state.now()));
      },
    });
    app.use('/oauth2/interaction/:uid', express.urlencoded({ extended: false, limit: '16kb' }));
    app.get('/oauth2/interaction/:uid', interaction);
    app.post('/oauth2/interaction/:uid', interaction);
    app.use((req: Request, res: Response) => {
      if (!this.ready) return void res.status(503).type('text/plain').send('dev IdP is starting');
      const path = oauthPathOf(req.path, this.state.defaultTenantId);
      if (!path) return void res.status(404).type('text/plain').send('Not found');
      // oidc-provider derives its mount point from originalUrl: both name the path it serves.
      if (path !== req.path) req.url = req.originalUrl = `${path}${req.url.slice(req.path.length)}`;
      void this.oidc().callback()(req, res);
    });
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      // eslint-disable-next-line no-console -- the dev IdP's own log
      console.error('dev IdP error:', error);
      if (!res.headersSent) res.status(500).type('text/plain').send('dev IdP internal error');
    });
    return app;
  }

  /** The OIDC provider, rebuilt after keys or applications change (its store survives). */
  private oidc(): Provider {
    if (!this.provider || this.providerStale) {
      this.providerStale = false;
      const provider = buildOidcProvider({
        state: this.state,
        store: this.store,
        issuer: this.issuer,
        cookieKeys: this.cookieKeys,
      });
      provider.use(jwtEndpoints(this.state, this.issuer));
      provider.use(refreshGrantEvents(this.state, (event) => this.webhooks.send(event)));
      provider.use(tokenResponseExtras(this.store, this.grants));
      // eslint-disable-next-line no-console -- an internal error of the dev IdP must be visible
      provider.on('server_error', (_ctx, error) => console.error('dev IdP OIDC error:', error));
      this.provider = provider;
    }
    return this.provider;
  }
}
