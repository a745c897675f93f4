import type { Application } from '@fusionauth/typescript-client';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { DevIdpState } from '../state/dev-idp-state';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * GET/POST /oauth2/logout with a signed-in user, the way FusionAuth does it: the SSO session ends at
 * once (no confirmation page, no script), every application of the tenant with a logout URL is
 * loaded in a hidden iframe (OpenID Front-Channel Logout, with `iss` and `sid`), then the browser is
 * sent on to `post_logout_redirect_uri`. Refresh tokens are not revoked (FusionAuth does not either).
 */
export function logoutSource(state: DevIdpState) {
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    const { session, params, client } = ctx.oidc;
    const application = client ? state.applications.get(client.clientId) : undefined;
    const authorizations = (session?.authorizations ?? {}) as Record<string, { sid?: string }>;
    const iframes = tenantApplications(state, application)
      .filter((a) => a.oauthConfiguration?.logoutURL)
      .map((a) => {
        const url = new URL(a.oauthConfiguration!.logoutURL!);
        url.searchParams.set('iss', ctx.oidc.issuer);
        const sid = authorizations[a.id!]?.sid;
        if (sid) url.searchParams.set('sid', sid);
        return url.href;
      });
    await session?.destroy();
    ctx.cookies.set(ctx.oidc.provider.cookieName('session'), null);
    const target = logoutTarget(state, application, params as Record<string, string | undefined>);
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = `<!doctype html><html><head><meta charset="utf-8"><title>Logging out</title>
<meta http-equiv="refresh" content="${iframes.length > 0 ? 2 : 0};url=${escape(target)}"></head><body>
${iframes.map((src) => `<iframe src="${escape(src)}" hidden title="logout"></iframe>`).join('\n')}
<p>Logging out… <a href="${escape(target)}">continue</a></p></body></html>`;
  };
}

/** Without a signed-in user oidc-provider would answer with a script-driven form; redirect instead. */
export function endSessionDirectly(state: DevIdpState) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'end_session' || ctx.status !== 200 || ctx.oidc.session?.accountId) return;
    const application = ctx.oidc.client ? state.applications.get(ctx.oidc.client.clientId) : undefined;
    ctx.status = 303;
    ctx.redirect(logoutTarget(state, application, ctx.oidc.params as Record<string, string | undefined>));
  };
}

/** FusionAuth's order: post_logout_redirect_uri (already validated), the app's logout URL, the tenant's, `/`. */
function logoutTarget(
  state: DevIdpState,
  application: Application | undefined,
  params: Record<string, string | undefined>,
): string {
  const requested = params.post_logout_redirect_uri;
  const fallback =
    application?.oauthConfiguration?.logoutURL ?? (application && state.tenantOf(application).logoutURL) ?? '/';
  if (!requested) return fallback;
  const target = new URL(requested);
  if (params.state) target.searchParams.set('state', params.state);
  return target.href;
}

function tenantApplications(state: DevIdpState, application: Application | undefined): Application[] {
  const tenantId = application?.tenantId ?? state.defaultTenantId;
  return [...state.applications.values()].filter((a) => (a.tenantId ?? state.defaultTenantId) === tenantId);
}
