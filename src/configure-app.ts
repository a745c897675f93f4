import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { raw } from 'express';
import type { NextFunction } from 'express';
import hbs from 'hbs';
import { PinoLogger } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { everyResponseHeaders } from './common/http/security-headers';
import { assignRequestId } from './common/observability/logging';
import { requestLog } from './common/observability/request-log';
import { RouteKinds } from './common/http/route-kinds.service';

const ROOT = join(__dirname, '..');
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface ConfigureOptions {
  /** The app's own view folders, searched before the package's (whose layout and partials stay available). */
  readonly views?: readonly string[];
}

/**
 * What an app using FusionAuthGuardModule calls once, before `listen()`: security headers, request
 * ids and the request log, the raw body webhook signatures need, no-store on pages, the package's
 * views and static files, trust proxy.
 */
export function configureFusionAuthGuard(app: NestExpressApplication, options: ConfigureOptions = {}): Promise<void> {
  return configureApp(app, app.get(AppConfig), options);
}

/** Everything the HTTP application needs around the modules; shared by main.ts and the tests. */
export async function configureApp(
  app: NestExpressApplication,
  config: AppConfig,
  options: ConfigureOptions = {},
): Promise<void> {
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // Nothing is cached (no-store below; /api answers are per token): an ETag would only cost a hash per answer.
  app.set('etag', false);
  // First, in one middleware (a layer each would cost every request a router step): the security
  // headers and no-store (the HTML-only ones are added by pages, PageHeaders); the X-Request-Id of
  // every answer, probes' too, before any route is matched; then the request log: one line per
  // request (none for quiet routes), the request bound to every log made meanwhile. A probe's exact
  // request line binds nothing up front (its route still decides whether it logs).
  const headers = everyResponseHeaders(config);
  const kinds = app.get(RouteKinds);
  const log = requestLog(await app.resolve(PinoLogger), (method, url) => kinds.isQuietRequest(method, url));
  app.use((req: IncomingMessage, res: ServerResponse, next: NextFunction) => {
    headers(req, res);
    assignRequestId(req, res);
    log(req, res, next);
  });
  // Webhook signatures cover the exact bytes: keep the raw body (at most 1 MiB, else 413).
  app.use('/webhooks', raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }));
  app.useStaticAssets(join(ROOT, 'public'), { prefix: '/static/', index: false, maxAge: '1h', fallthrough: true });
  app.setBaseViewsDir(options.views ? [...options.views, join(ROOT, 'views')] : join(ROOT, 'views'));
  app.setViewEngine('hbs');
  // Compile each template once (Express caches views only in production by default; edits to
  // views/ need a restart).
  app.set('view cache', true);
  await new Promise<void>((resolve) => hbs.registerPartials(join(ROOT, 'views', 'partials'), () => resolve()));
}
