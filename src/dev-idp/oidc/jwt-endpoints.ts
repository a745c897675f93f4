import type { KoaContextWithOIDC } from 'oidc-provider';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { DevIdpState } from '../state/dev-idp-state';
import { OidcStore } from './oidc-store';

/**
 * FusionAuth's token response also names the refresh token's id and the user. Successful grants are
 * counted by type, so tests can tell how often a client refreshed.
 */
export function tokenResponseExtras(store: OidcStore, grants: Map<string, number>) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.path !== '/oauth2/token' || ctx.status !== 200) return;
    const grantType = String((ctx.oidc?.params?.grant_type as string | undefined) ?? 'unknown');
    grants.set(grantType, (grants.get(grantType) ?? 0) + 1);
    const body = ctx.body as Record<string, unknown>;
    const refresh = typeof body.refresh_token === 'string' ? store.get('RefreshToken', body.refresh_token) : undefined;
    if (refresh) ctx.body = { ...body, refresh_token_id: refresh.grantId, userId: refresh.accountId };
  };
}

/**
 * FusionAuth answers /oauth2/userinfo and /oauth2/introspect for its JWT access tokens; oidc-provider
 * does not (its JWTs are not stored). These pre-middlewares answer for JWTs and pass anything else on.
 */
export function jwtEndpoints(state: DevIdpState, issuer: string) {
  const verify = (token: string) =>
    jwtVerify(token, createLocalJWKSet({ keys: state.publicJwks() }), {
      issuer,
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
    });

  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    if (ctx.path === '/oauth2/userinfo') {
      const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      if (token?.split('.').length === 3) return userinfo(ctx, token);
    }
    if (ctx.path === '/oauth2/introspect' && ctx.method === 'POST') {
      let raw = '';
      for await (const chunk of ctx.req) raw += String(chunk);
      const form = new URLSearchParams(raw);
      const token = form.get('token') ?? '';
      if (token.split('.').length === 3) return introspect(ctx, form, token);
      (ctx.req as { body?: string }).body = raw;
    }
    await next();
  };

  async function userinfo(ctx: KoaContextWithOIDC, token: string): Promise<void> {
    try {
      const { payload } = await verify(token);
      const user = state.users.get(String(payload.sub))?.user;
      if (!user || user.active === false) throw new Error('unknown user');
      const scopes = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
      ctx.set('cache-control', 'no-store');
      ctx.body = {
        sub: user.id,
        ...(scopes.has('email') ? { email: user.email, email_verified: user.verified ?? true } : {}),
        ...(scopes.has('profile')
          ? {
              given_name: user.firstName,
              family_name: user.lastName,
              name: [user.firstName, user.lastName].filter(Boolean).join(' '),
            }
          : {}),
      };
    } catch {
      ctx.status = 401;
      ctx.set('www-authenticate', 'Bearer error="invalid_token"');
      ctx.body = { error: 'invalid_token', error_description: 'The access token is invalid.' };
    }
  }

  async function introspect(ctx: KoaContextWithOIDC, form: URLSearchParams, token: string): Promise<void> {
    const basic = /^Basic\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
      : [form.get('client_id'), form.get('client_secret')];
    const application = id ? state.applications.get(id) : undefined;
    if (!application || application.oauthConfiguration?.clientSecret !== secret) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_client', error_description: 'The client could not be verified.' };
      return;
    }
    ctx.set('cache-control', 'no-store');
    try {
      const { payload } = await verify(token);
      ctx.body = payload.aud === id ? { active: true, ...payload } : { active: false };
    } catch {
      ctx.body = { active: false };
    }
  }
}
