import { randomUUID } from 'node:crypto';
import type { Application } from '@fusionauth/typescript-client';
import Provider, { ClientMetadata, Configuration, errors, KoaContextWithOIDC } from 'oidc-provider';
import { fusionAuthClaims } from '../tokens/access-tokens';
import { DevIdpState } from '../state/dev-idp-state';
import { fusionAuthDiscovery } from './fusionauth-endpoints';
import { endSessionWithoutSession, fusionAuthLogout } from './logout';
import { OidcStore } from './oidc-store';

/** A resource indicator only used inside the provider, so it mints JWT access tokens as FusionAuth does. */
export const resourceOf = (issuer: string) => `${issuer}/resource/application`;

export interface OidcDeps {
  readonly state: DevIdpState;
  readonly store: OidcStore;
  readonly issuer: string;
  readonly cookieKeys: string[];
}

const ROUTES = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userinfo',
  end_session: '/oauth2/logout',
  introspection: '/oauth2/introspect',
  jwks: '/.well-known/jwks.json',
};

/** An oidc-provider configured to behave like FusionAuth's OAuth endpoints for the applications in the state. */
export function buildOidcProvider(deps: OidcDeps): Provider {
  const { state, issuer } = deps;
  const apps = oauthApplications(state);
  const app = (clientId: string) => state.applications.get(clientId);
  const provider = new Provider(issuer, {
    adapter: deps.store.adapterClass(),
    jwks: { keys: signingJwks(state, apps) },
    cookies: { keys: deps.cookieKeys },
    clients: apps.map((a) => clientMetadata(state, a, issuer)),
    routes: ROUTES,
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => {
      const stored = state.users.get(sub);
      if (!stored || stored.user.active === false) return undefined;
      const { user } = stored;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: user.verified ?? true,
          name: [user.firstName, user.lastName].filter(Boolean).join(' ') || undefined,
          given_name: user.firstName,
          family_name: user.lastName,
          preferred_username: user.username,
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/oauth2/interaction/${interaction.uid}` },
    // FusionAuth's proofKeyForCodeExchangePolicy; the kickstart's application requires PKCE.
    pkce: {
      required: (_ctx, client) =>
        String(app(client.clientId)?.oauthConfiguration?.proofKeyForCodeExchangePolicy) === 'Required',
    },
    features: {
      devInteractions: { enabled: false },
      // Only so that ID tokens carry `sid`, as FusionAuth's do (oidc-provider adds it for
      // back-channel-capable clients); the discovery document says no back-channel logout, as FusionAuth's.
      backchannelLogout: { enabled: true },
      introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      // FusionAuth has neither an RFC 7009 revocation endpoint nor pushed authorization requests.
      revocation: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: fusionAuthLogout(state), postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? resourceOf(issuer),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          const application = app(client.clientId);
          if (indicator !== resourceOf(issuer) || !application) throw new errors.InvalidTarget();
          return {
            scope: 'openid profile email offline_access',
            audience: client.clientId,
            accessTokenFormat: 'jwt',
            accessTokenTTL: state.accessTokenTtlS(application),
            jwt: { sign: { alg: 'RS256', kid: state.accessTokenKey(application)?.kid } },
          };
        },
      },
    },
    extraTokenClaims: (ctx, token) => {
      const application = app(token.clientId!);
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const stored = accountId ? state.users.get(accountId) : undefined;
      if (!application || !stored) return {};
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      const refreshed = Boolean(ctx.oidc.entities.RotatedRefreshToken ?? ctx.oidc.entities.RefreshToken);
      return fusionAuthClaims(state, stored.user, application, {
        authenticationType: refreshed ? 'REFRESH_TOKEN' : 'PASSWORD',
        // The refresh-token family's id: stable across one-time-use rotation, like FusionAuth's.
        sid: 'grantId' in token ? token.grantId : undefined,
        authTime: source?.authTime ?? Math.floor(state.now() / 1000),
        oauth: true,
      });
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          jwt.header = { typ: 'JWT' };
          jwt.payload.jti = randomUUID();
          delete jwt.payload.client_id;
          const gty = 'gty' in token ? token.gty : undefined;
          if (typeof gty === 'string') jwt.payload.gty = gty.split(' ');
        },
      },
    },
    issueRefreshToken: (_ctx, client) =>
      client.grantTypeAllowed('refresh_token') &&
      app(client.clientId)?.oauthConfiguration?.generateRefreshTokens === true,
    rotateRefreshToken: (ctx) => refreshTokenPolicy(state, app(ctx.oidc.client!.clientId)) === 'OneTimeUse',
    expiresWithSession: () => false,
    loadExistingGrant,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
      IdToken: (ctx) => state.accessTokenTtlS(app(ctx.oidc.client!.clientId) ?? {}),
      RefreshToken: (ctx) => state.refreshTokenTtlS(app(ctx.oidc.client!.clientId) ?? {}),
      Grant: (ctx) => state.refreshTokenTtlS(app(ctx.oidc.client!.clientId) ?? {}),
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 8 * 3600,
    },
    clockTolerance: 5,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Error</title><h1>${escape(out.error)}</h1><p>${escape(out.error_description ?? '')}</p>`;
    },
  } satisfies Configuration);
  provider.use(endSessionWithoutSession(state));
  provider.use(fusionAuthDiscovery());
  return provider;
}

/** One grant per authorization, as FusionAuth issues a new refresh token (and `sid`) per login. */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const grantId = (oidc.result?.consent as { grantId?: string } | undefined)?.grantId;
  if (grantId) return oidc.provider.Grant.find(grantId);
  const grant = new oidc.provider.Grant({ accountId: oidc.account!.accountId, clientId: oidc.client!.clientId });
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  if (oidc.claims && Object.keys(oidc.claims).length > 0) grant.addOIDCClaims([...oidc.requestParamClaims]);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    grant.addResourceScope(indicator, [...oidc.requestParamScopes].filter((s) => server.scopes.has(s)).join(' '));
  }
  await grant.save();
  return grant;
}

function oauthApplications(state: DevIdpState): Application[] {
  return [...state.applications.values()].filter(
    (a) => a.active !== false && (a.oauthConfiguration?.enabledGrants ?? []).includes('authorization_code' as never),
  );
}

function clientMetadata(state: DevIdpState, application: Application, issuer: string): ClientMetadata {
  const oauth = application.oauthConfiguration ?? {};
  const redirects = oauth.authorizedRedirectURLs ?? [];
  const grants = (oauth.enabledGrants ?? [])
    .map(String)
    .filter((g) => g === 'authorization_code' || g === 'refresh_token');
  return {
    client_id: application.id!,
    client_secret: oauth.clientSecret,
    redirect_uris: redirects,
    // FusionAuth allows any authorized redirect URL (and the logout URL) after logout.
    post_logout_redirect_uris: [...new Set([...redirects, ...(oauth.logoutURL ? [oauth.logoutURL] : [])])],
    grant_types: grants,
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    require_auth_time: true,
    backchannel_logout_uri: `${issuer}/oauth2/backchannel-unused`,
    backchannel_logout_session_required: true,
  };
}

/** Private keys for signing, the tokens' key first; every other key is published but never signs. */
function signingJwks(state: DevIdpState, apps: Application[]) {
  const primary =
    apps.map((a) => state.idTokenKey(a)).find(Boolean) ?? [...state.keys.values()].find((k) => k.privateJwk);
  const signing = new Set(apps.flatMap((a) => [state.idTokenKey(a)?.id, state.accessTokenKey(a)?.id]));
  const keys = [...state.keys.values()].filter((k) => k.privateJwk);
  keys.sort((a, b) => (a.id === primary?.id ? -1 : b.id === primary?.id ? 1 : 0));
  // key_ops would be published too; a public key marked `sign` could not be imported to verify.
  return keys.map((k) => (signing.has(k.id) ? { ...k.privateJwk } : { ...k.privateJwk, key_ops: ['verify'] }));
}

export function refreshTokenPolicy(state: DevIdpState, application: Application | undefined): string | undefined {
  if (!application) return undefined;
  return application.jwtConfiguration?.enabled
    ? application.jwtConfiguration.refreshTokenUsagePolicy
    : state.tenantOf(application).jwtConfiguration?.refreshTokenUsagePolicy;
}

function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = '<!doctype html><title>Logged out</title><p>You are logged out.</p>';
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
