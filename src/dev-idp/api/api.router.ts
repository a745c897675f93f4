import express, { NextFunction, Request, Response, Router } from 'express';
import { ApiContext } from './api-support';
import { configApi } from './config.api';
import { jwtApi } from './jwt.api';
import { loginApi } from './login.api';
import { usersApi } from './users.api';

const ANONYMOUS = [{ method: 'POST', path: '/api/jwt/refresh' }];

/** FusionAuth's API subset, behind the API key (`Authorization: <key>`, no scheme). */
export function apiRouter(ctx: ApiContext): Router {
  const router = express.Router();
  router.use('/api', express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  router.use('/api', express.urlencoded({ extended: false }));
  router.use('/api', (req: Request, res: Response, next: NextFunction) => {
    const path = req.originalUrl.split('?')[0];
    if (ANONYMOUS.some((a) => a.method === req.method && a.path === path)) return next();
    const key = req.get('authorization');
    if (!key || !ctx.state.apiKeys.has(key)) return void res.status(401).end();
    next();
  });
  // Order matters: the specific /api/user/* paths before /api/user/:userId.
  configApi(router, ctx);
  loginApi(router, ctx);
  jwtApi(router, ctx);
  usersApi(router, ctx);
  router.use('/api', (_req: Request, res: Response) => void res.status(404).end());
  router.use('/api', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type !== 'entity.parse.failed') return next(error);
    res.status(400).json({ generalErrors: [{ code: '[invalidJSON]', message: 'Your JSON was invalid.' }] });
  });
  return router;
}
