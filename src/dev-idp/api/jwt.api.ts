import type { Request, Router } from 'express';
import { signAccessToken } from '../tokens/access-tokens';
import { jwtRefreshEvent } from '../webhooks/events';
import { ApiContext, pathParam, generalError, handle, notFound, param } from './api-support';
import { revokeAndAnnounce } from './user-operations';

/** Refresh tokens: exchange (no API key), list, and revoke by id, value, user, application or both. */
export function jwtApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/jwt/refresh',
    handle(async (req) => {
      const { value, original } = refreshParameters(req);
      const record = value ? ctx.refreshTokens.exchange(value) : undefined;
      const user = record ? state.users.get(record.userId)?.user : undefined;
      const application = record ? state.applications.get(record.applicationId) : undefined;
      // FusionAuth answers an unknown, expired or revoked refresh token with 400.
      if (!record || !user || user.active === false || !application) {
        throw generalError('invalid', 'The refresh token is expired, was not found, or has been revoked.');
      }
      const { token } = await signAccessToken(state, user, application, {
        authenticationType: 'REFRESH_TOKEN',
        sid: record.id,
        authTime: record.authTime,
      });
      ctx.emit(
        jwtRefreshEvent({
          tenantId: record.tenantId,
          now: state.now(),
          applicationId: application.id!,
          userId: user.id!,
          token,
          refreshToken: value!,
          original,
        }),
      );
      return { token, refreshToken: record.token, refreshTokenId: record.id };
    }),
  );

  router.get(
    '/api/jwt/refresh',
    handle((req) => {
      const userId = param(req.query.userId);
      if (!userId) throw generalError('invalid', 'You must specify the [userId] parameter.');
      return { refreshTokens: ctx.refreshTokens.list({ userId }) };
    }),
  );

  router.get(
    '/api/jwt/refresh/:tokenId',
    handle((req) => {
      const [refreshToken] = ctx.refreshTokens.list({ id: pathParam(req, 'tokenId') });
      if (!refreshToken) throw notFound();
      return { refreshToken };
    }),
  );

  router.delete(
    '/api/jwt/refresh/:tokenId',
    handle((req) => {
      if (revokeAndAnnounce(ctx, { id: pathParam(req, 'tokenId') }).length === 0) throw notFound();
      return undefined;
    }),
  );

  router.delete(
    '/api/jwt/refresh',
    handle((req) => {
      const { token, userId, applicationId } = revokeParameters(req);
      if (token !== undefined) {
        if (revokeAndAnnounce(ctx, { token }).length === 0) throw notFound();
        return undefined;
      }
      if (userId === undefined && applicationId === undefined) {
        throw generalError('invalid', 'You must specify a [token], a [userId] and/or an [applicationId].');
      }
      revokeAndAnnounce(ctx, { userId, applicationId });
      return undefined;
    }),
  );
}

/**
 * The refresh token and the access token being replaced, from the body or from the `refresh_token`
 * and `access_token` cookies (a cookie wins when both are given, as at FusionAuth).
 */
function refreshParameters(req: Request): { value?: string; original?: string } {
  const body = (req.body ?? {}) as { refreshToken?: unknown; token?: unknown };
  const cookies = new Map(
    (req.headers.cookie ?? '').split(';').map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at).trim(), cookieValue(pair.slice(at + 1).trim())] as const;
    }),
  );
  return {
    value: param(cookies.get('refresh_token')) ?? param(body.refreshToken),
    original: param(cookies.get('access_token')) ?? param(body.token),
  };
}

function cookieValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** From the query string, a form body or a JSON body, as FusionAuth accepts them. */
function revokeParameters(req: Request): { token?: string; userId?: string; applicationId?: string } {
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const pick = (name: string) => param(req.query[name]) ?? param(body[name]);
  return { token: pick('token'), userId: pick('userId'), applicationId: pick('applicationId') };
}
