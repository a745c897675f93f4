import { randomUUID } from 'node:crypto';
import { DynamicModule, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { createClient } from 'redis';
import { AppModule } from '../../src/app.module';
import { Clock } from '../../src/common/clock';
import { AppConfig } from '../../src/config/app-config';
import { Env, loadConfig } from '../../src/config/load-config';
import { configureApp } from '../../src/configure-app';
import { CaptureLogger } from './capture-logger';

/** A test-only secret, clearly not for any real deployment. */
export const TEST_SESSION_SECRET = 'test-only-session-secret-not-for-production-0123456789';

export interface StartOptions {
  env?: Env;
  /** Share a prefix between apps to share their Redis state (two instances, a restart). */
  keyPrefix?: string;
  clock?: Clock;
  controllers?: Type<unknown>[];
  imports?: (Type<unknown> | DynamicModule)[];
  logger?: CaptureLogger;
  /** Listen on this port (default: a free one). */
  port?: number;
}

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly url: string;
  readonly config: AppConfig;
  readonly logger: CaptureLogger;
  readonly keyPrefix: string;
  close(): Promise<void>;
}

export const newKeyPrefix = (): string => `test:${randomUUID().slice(0, 8)}:`;

export function testConfig(env: Env = {}, keyPrefix = newKeyPrefix()): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    SESSION_SECRET: TEST_SESSION_SECRET,
    // Request logs go to the process's stdout: quiet in tests that do not read them.
    LOG_LEVEL: 'silent',
    // Suites sign in many times from 127.0.0.1; the rate-limit tests set their own limits.
    RATE_LIMIT_LOGIN: '100000/60',
    RATE_LIMIT_WEBHOOK: '100000/60',
    RATE_LIMIT_PASSWORD_CHANGE: '100000/60',
    ...env,
  });
}

/** The whole service on 127.0.0.1:<free port>, with real Redis; close() also removes its keys. */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const keyPrefix = options.keyPrefix ?? newKeyPrefix();
  const config = testConfig(options.env, keyPrefix);
  const logger = options.logger ?? new CaptureLogger();
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...(options.imports ?? [])],
    controllers: options.controllers ?? [],
  }).setLogger(logger);
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger, forceCloseConnections: true });
  await configureApp(app, config);
  await app.listen(options.port ?? 0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    config,
    logger,
    keyPrefix,
    close: async () => {
      await app.close();
      if (!options.keyPrefix) await deleteKeys(keyPrefix);
    },
  };
}

/** Removes every key under a prefix; suites call it for prefixes they share between apps. */
export async function deleteKeys(prefix: string): Promise<void> {
  const client = createClient({ url: process.env.REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

/** A plain client for assertions on what the service stored. */
export async function redisClient(): Promise<ReturnType<typeof createClient>> {
  const client = createClient({ url: process.env.REDIS_URL });
  await client.connect();
  return client;
}
