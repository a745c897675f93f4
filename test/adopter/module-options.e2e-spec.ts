import { Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  AppConfig,
  ConfigError,
  configureFusionAuthGuard,
  ConfigOptions,
  FusionAuthGuardModule,
} from '../../src/index';
import { loadConfig } from '../../src/config/load-config';
import { CaptureLogger } from '../support/capture-logger';
import { deleteKeys, newKeyPrefix, TEST_SESSION_SECRET } from '../support/test-app';

/** Nothing answers here: the app starts with its provider down (logins answer 503, the rest works). */
const NO_PROVIDER = 'http://127.0.0.1:9';

/** A config service of the app's own, which forRootAsync's factory reads. */
class Settings {
  constructor(readonly values: ConfigOptions) {}
}

const settingsModule = (values: ConfigOptions) => {
  @Module({ providers: [{ provide: Settings, useValue: new Settings(values) }], exports: [Settings] })
  class SettingsModule {}
  return SettingsModule;
};

const base = (keyPrefix: string): ConfigOptions => ({
  nodeEnv: 'test',
  oidcIssuer: NO_PROVIDER,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  redisKeyPrefix: keyPrefix,
  sessionSecret: TEST_SESSION_SECRET,
  logLevel: 'silent',
});

function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('FusionAuthGuardModule options', () => {
  const keyPrefix = newKeyPrefix();
  let app: NestExpressApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => deleteKeys(keyPrefix));

  async function start(imports: Parameters<typeof Test.createTestingModule>[0]['imports']): Promise<string> {
    const moduleRef = await Test.createTestingModule({ imports }).setLogger(new CaptureLogger()).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: new CaptureLogger() });
    await configureFusionAuthGuard(app);
    await app.listen(0, '127.0.0.1');
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  it('refuses bad options in code with the message the same values get from the environment', () => {
    const error = refusal(() =>
      FusionAuthGuardModule.forRoot({ fromEnv: false, config: { port: 'eighty', sessionIdleTimeoutS: -1 } }),
    );
    expect(error.message).toBe(refusal(() => loadConfig({ PORT: 'eighty', SESSION_IDLE_TIMEOUT_S: '-1' })).message);
    expect(error.problems.map((p) => p.variable)).toEqual(expect.arrayContaining(['PORT', 'SESSION_IDLE_TIMEOUT_S']));
  });

  it('applies the production refusals to options in code too', () => {
    const error = refusal(() =>
      FusionAuthGuardModule.forRoot({ fromEnv: false, config: { nodeEnv: 'production', sessionSecret: 'short' } }),
    );
    expect(error.problems.map((p) => p.variable)).toEqual(expect.arrayContaining(['SESSION_SECRET', 'REDIS_URL']));
  });

  it('takes its configuration from a factory with injected providers (forRootAsync)', async () => {
    const url = await start([
      FusionAuthGuardModule.forRootAsync({
        imports: [settingsModule({ ...base(keyPrefix), sessionIdleTimeoutS: 600 })],
        inject: [Settings],
        useFactory: (settings: Settings) => ({ config: settings.values, fromEnv: false }),
      }),
    ]);
    expect(app!.get(AppConfig).session.idleTimeoutS).toBe(600);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    // Without `pages`, the account page is not mounted.
    expect((await fetch(`${url}/account`, { redirect: 'manual' })).status).toBe(404);
  });

  it('refuses to start when the factory’s values are bad, naming them', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        FusionAuthGuardModule.forRootAsync({
          useFactory: () =>
            Promise.resolve({ config: { ...base(keyPrefix), sessionIdleTimeoutS: 'soon' }, fromEnv: false }),
        }),
      ],
    })
      .setLogger(new CaptureLogger())
      .compile();
    await expect(compiling).rejects.toThrow(/SESSION_IDLE_TIMEOUT_S/);
  });

  it('mounts the pages and the API when asked', async () => {
    const url = await start([
      FusionAuthGuardModule.forRoot({ fromEnv: false, config: base(keyPrefix), pages: true, api: true }),
    ]);
    const account = await fetch(`${url}/account`, { redirect: 'manual' });
    expect(account.status).toBe(302);
    expect(account.headers.get('location')).toBe('/auth/login?returnTo=/account');
    expect((await fetch(`${url}/api/me`)).status).toBe(401);
  });
});
