import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureFusionAuthGuard } from 'fusionauth-guard';
import { AdopterModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AdopterModule);
  // Headers, request ids and the request log, the webhook's raw body, views (this app's first, then
  // the package's layout), static files.
  await configureFusionAuthGuard(app, { views: [join(__dirname, 'views')] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}

void bootstrap();
