import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configFromProcessOrExit } from './config/config-from-process';
import { configureApp } from './configure-app';

async function bootstrap(): Promise<void> {
  const config = configFromProcessOrExit();
  const logger = new Logger('Main');
  for (const warning of config.warnings) logger.warn(warning);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config));
  await configureApp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  logger.log(`listening on ${config.appUrl} (port ${config.port}, ${config.nodeEnv})`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Main').error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
