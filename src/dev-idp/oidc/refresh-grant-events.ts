import type { KoaContextWithOIDC } from 'oidc-provider';
import { DevIdpState } from '../state/dev-idp-state';
import { EventBody, jwtRefreshEvent } from '../webhooks/events';

/**
 * FusionAuth sends `jwt.refresh` for the OAuth refresh_token grant too. The grant has no parameter
 * for the access token being replaced, so the event carries no `original`.
 */
export function refreshGrantEvents(state: DevIdpState, emit: (event: EventBody) => void) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const params = ctx.oidc?.params as { grant_type?: unknown; refresh_token?: unknown } | undefined;
    if (ctx.path !== '/oauth2/token' || ctx.status !== 200 || params?.grant_type !== 'refresh_token') return;
    const token = (ctx.body as { access_token?: unknown }).access_token;
    const presented = ctx.oidc.entities.RefreshToken;
    const application = ctx.oidc.client ? state.applications.get(ctx.oidc.client.clientId) : undefined;
    if (typeof token !== 'string' || typeof params.refresh_token !== 'string' || !presented || !application) return;
    emit(
      jwtRefreshEvent({
        tenantId: state.tenantOf(application).id!,
        now: state.now(),
        applicationId: application.id!,
        userId: presented.accountId,
        token,
        refreshToken: params.refresh_token,
      }),
    );
  };
}
