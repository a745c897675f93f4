import type { Application } from '@fusionauth/typescript-client';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { DevIdpState } from '../state/dev-idp-state';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
/** FusionAuth's oauth2Logout template waits this long before it goes on to the redirect URL. */
const LOGOUT_DURATION_S = 2;

/**
 * GET/POST /oauth2/logout as FusionAuth answers it (its OAuth logout action and `oauth2Logout`
 * template), whether or not the browser has an SSO session: the SSO session ends at once (no
 * confirmation page), then by the application's `logoutBehavior`:
 * - `RedirectOnly`: a 302 to the redirect URL;
 * - `AllApplications` (the default): a page that loads the logout URL of every application of the
 *   tenant in a hidden iframe, exactly as configured — no `iss` and no `sid`: FusionAuth's discovery
 *   has no `frontchannel_logout_session_supported` — and after two seconds goes to the redirect URL.
 * Refresh tokens are not revoked (FusionAuth does not either).
 */
export function fusionAuthLogout(state: DevIdpState) {
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    const { session, params, client } = ctx.oidc;
    const application = client ? state.applications.get(client.clientId) : undefined;
    await session?.destroy();
    ctx.cookies.set(ctx.oidc.provider.cookieName('session'), null);
    const target = logoutTarget(state, application, params as Record<string, string | undefined>);
    ctx.set('cache-control', 'no-store');
    if (String(application?.oauthConfiguration?.logoutBehavior) === 'RedirectOnly') {
      ctx.status = 302;
      return ctx.redirect(target);
    }
    ctx.status = 200;
    ctx.type = 'html';
    ctx.body = logoutPage(target, allLogoutUrls(state, application));
  };
}

/** oidc-provider renders a script-driven confirmation form without a signed-in user; FusionAuth does not. */
export function endSessionWithoutSession(state: DevIdpState) {
  const logout = fusionAuthLogout(state);
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'end_session' || ctx.status !== 200 || ctx.oidc.session?.accountId) return;
    await logout(ctx);
  };
}

function logoutPage(target: string, frames: string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Logging out</title>
<meta http-equiv="Refresh" content="${LOGOUT_DURATION_S}; url=${escape(target)}"></head><body>
<p>Logging out… <a href="${escape(target)}">continue</a></p>
${frames.map((src) => `<iframe src="${escape(src)}" style="width:0; height:0; border:0; border:none;"></iframe>`).join('\n')}
</body></html>`;
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

/** The tenant's applications' logout URLs, once each (FusionAuth's `allLogoutURLs`). */
function allLogoutUrls(state: DevIdpState, application: Application | undefined): string[] {
  const tenantId = application?.tenantId ?? state.defaultTenantId;
  const urls = [...state.applications.values()]
    .filter((a) => a.active !== false && (a.tenantId ?? state.defaultTenantId) === tenantId)
    .flatMap((a) => (a.oauthConfiguration?.logoutURL ? [a.oauthConfiguration.logoutURL] : []));
  return [...new Set(urls)];
}
