import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ShutdownState } from './common/shutdown-state';
import { configFromProcessOrExit } from './config/config-from-process';
import { configureApp } from './configure-app';

async function bootstrap(): Promise<void> {
  const config = configFromProcessOrExit();
  // 503 for a request that arrives on a kept-alive connection once shutdown has begun.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    return503OnClosing: true,
  });
  app.useLogger(app.get(PinoLogger));
  const logger = new Logger('Main');
  for (const warning of config.warnings) logger.warn(warning);
  await configureApp(app, config);
  await app.listen(config.port);
  logger.log(`listening on ${config.appUrl} (port ${config.port}, ${config.nodeEnv})`);
  onStopSignal((signal) => void shutDown(app, signal, config.shutdownTimeoutS));
}

/**
 * Graceful shutdown: readiness turns 503, the server stops accepting connections, requests in
 * flight finish, then Redis and the rest close. Bounded: after SHUTDOWN_TIMEOUT_S it exits anyway.
 */
async function shutDown(app: NestExpressApplication, signal: string, timeoutS: number): Promise<void> {
  const logger = new Logger('Main');
  app.get(ShutdownState).begin();
  logger.log(`${signal}: finishing requests in flight (at most ${timeoutS} s), then stopping`);
  const timer = setTimeout(() => {
    logger.error(`requests still in flight after ${timeoutS} s: stopping anyway`);
    process.exit(1);
  }, timeoutS * 1000);
  try {
    await app.close();
    logger.log('stopped');
    clearTimeout(timer);
    process.exit(0);
  } catch (error) {
    logger.error(`shutdown failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

function onStopSignal(handler: (signal: string) => void): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      // A second signal (Ctrl-C again) means now: no more waiting for requests in flight.
      if (stopping) process.exit(1);
      stopping = true;
      handler(signal);
    });
  }
}

bootstrap().catch((error: unknown) => {
  new Logger('Main').error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
