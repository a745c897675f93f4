import express, { NextFunction, Request, Response, Router } from 'express';
import { ApiContext } from './api-support';
import { configApi } from './config.api';
import { jwtApi } from './jwt.api';
import { loginApi } from './login.api';
import { actionsApi } from './actions.api';
import { passwordApi } from './password.api';
import { systemApi } from './system.api';
import { templatesApi } from './templates.api';
import { twoFactorApi } from './two-factor.api';
import { userSearchApi } from './user-search.api';
import { usersApi } from './users.api';
import { verificationApi } from './verification.api';

/** The APIs FusionAuth serves without an API key (a key, when sent, must still be valid). */
const ANONYMOUS = [
  { method: 'POST', path: '/api/jwt/refresh' },
  { method: 'POST', path: '/api/two-factor/login' },
  { method: 'POST', path: '/api/user/change-password' },
  { method: 'POST', path: '/api/user/forgot-password' },
  { method: 'PUT', path: '/api/user/verify-email' },
  { method: 'POST', path: '/api/user/verify-email' },
  { method: 'PUT', path: '/api/user/verify-registration' },
  { method: 'POST', path: '/api/user/verify-registration' },
];

/** FusionAuth's API subset, behind the API key (`Authorization: <key>`, no scheme). */
export function apiRouter(ctx: ApiContext): Router {
  const router = express.Router();
  router.use('/api', express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  router.use('/api', express.urlencoded({ extended: false }));
  router.use('/api', (req: Request, res: Response, next: NextFunction) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    const key = req.get('authorization');
    if (key !== undefined && !ctx.state.apiKeys.has(key)) return void res.status(401).end();
    const anonymous = ANONYMOUS.some(
      (a) => a.method === req.method && (path === a.path || path.startsWith(`${a.path}/`)),
    );
    if (key === undefined && !anonymous) return void res.status(401).end();
    ctx.state.recordCall({ method: req.method, path, tenantId: req.get('x-fusionauth-tenantid') });
    next();
  });
  // Order matters: the specific /api/user/* paths before /api/user/:userId.
  configApi(router, ctx);
  templatesApi(router, ctx);
  loginApi(router, ctx);
  twoFactorApi(router, ctx);
  passwordApi(router, ctx);
  verificationApi(router, ctx);
  actionsApi(router, ctx);
  jwtApi(router, ctx);
  userSearchApi(router, ctx);
  systemApi(router, ctx);
  usersApi(router, ctx);
  router.use('/api', (_req: Request, res: Response) => void res.status(404).end());
  router.use('/api', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type !== 'entity.parse.failed') return next(error);
    res.status(400).json({ generalErrors: [{ code: '[invalidJSON]', message: 'Your JSON was invalid.' }] });
  });
  return router;
}
