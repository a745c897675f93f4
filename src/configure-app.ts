import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { raw } from 'express';
import hbs from 'hbs';
import { AppConfig } from './config/app-config';
import { everyResponseHeaders } from './common/security-headers';

const ROOT = join(__dirname, '..');
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** Everything the HTTP application needs around the modules; shared by main.ts and the tests. */
export async function configureApp(app: NestExpressApplication, config: AppConfig): Promise<void> {
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // Nothing is cached (no-store below; /api answers are per token): an ETag would only cost a hash per answer.
  app.set('etag', false);
  // Security headers and no-store in one middleware; the HTML-only ones are added by pages (PageHeaders).
  app.use(everyResponseHeaders(config));
  // Webhook signatures cover the exact bytes: keep the raw body (at most 1 MiB, else 413).
  app.use('/webhooks', raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }));
  app.useStaticAssets(join(ROOT, 'public'), { prefix: '/static/', index: false, maxAge: '1h', fallthrough: true });
  app.setBaseViewsDir(join(ROOT, 'views'));
  app.setViewEngine('hbs');
  // Compile each template once (Express caches views only in production by default; edits to
  // views/ need a restart).
  app.set('view cache', true);
  await new Promise<void>((resolve) => hbs.registerPartials(join(ROOT, 'views', 'partials'), () => resolve()));
}
