import { freePort } from '../support/redis-server';
import { runToExit, startService } from '../support/service-process';
import { deleteKeys, newKeyPrefix } from '../support/test-app';

const METRICS_TOKEN = 'test-only-production-metrics-token-0123456789';

/**
 * The compiled service with NODE_ENV=production refuses what would quietly trust the wrong party
 * (issue 14): the kickstart's issuer or client id by default, a provider over plain http, every
 * X-Forwarded-For hop, and metrics for anyone. Each refusal names its variable; nothing starts.
 */
describe('production refuses unsafe trust', () => {
  /** Complete and safe: each test takes something away. */
  const production = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
    const env: Record<string, string | undefined> = {
      NODE_ENV: 'production',
      APP_URL: 'https://app.example.test',
      SESSION_SECRET: 'test-only-production-session-secret-0123456789',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      // An https issuer on this machine that answers nothing: the service starts without it.
      OIDC_ISSUER: 'https://127.0.0.1:1',
      OIDC_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000001',
      OIDC_CLIENT_SECRET: 'test-only-production-client-secret',
      FUSIONAUTH_API_KEY: 'test-only-production-api-key',
      WEBHOOK_SIGNING_KEY_ID: 'c0ffee00-0000-4000-8000-000000000002',
      TRUST_PROXY: '1',
      METRICS_TOKEN,
      LOG_LEVEL: 'error',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  };

  /** The variables named by the one configuration message, in order. */
  const named = (stderr: string): string[] => [...stderr.matchAll(/^ {2}- ([A-Z0-9_]+): /gm)].map((m) => m[1]!);

  it('exits 1 naming OIDC_ISSUER, OIDC_CLIENT_ID, TRUST_PROXY=true and a public /metrics', async () => {
    const result = await runToExit(
      production({ OIDC_ISSUER: undefined, OIDC_CLIENT_ID: undefined, TRUST_PROXY: 'true', METRICS_TOKEN: undefined }),
    );
    expect(result.code).toBe(1);
    expect(named(result.stderr).sort()).toEqual(['METRICS_TOKEN', 'OIDC_CLIENT_ID', 'OIDC_ISSUER', 'TRUST_PROXY']);
    expect(result.stderr).toContain('METRICS_PUBLIC=true');
    expect(result.stderr).toContain('TRUST_PROXY=1 behind one load balancer');
  });

  it('exits 1 naming a plain-http OIDC_ISSUER and FUSIONAUTH_URL', async () => {
    const result = await runToExit(
      production({ OIDC_ISSUER: 'http://127.0.0.1:1', FUSIONAUTH_URL: 'http://127.0.0.1:2' }),
    );
    expect(result.code).toBe(1);
    expect(named(result.stderr).sort()).toEqual(['FUSIONAUTH_URL', 'OIDC_ISSUER']);
    expect(result.stderr).toContain('must be an https URL');
  });

  it('exits 1 naming each refused secret without printing one of their values', async () => {
    const secrets = {
      SESSION_SECRET: 'short-session-secret-7f3a',
      OIDC_CLIENT_SECRET: 'super-secret-secret-that-should-be-regenerated-for-production',
      METRICS_TOKEN: 'short-9c1e',
      WEBHOOK_HMAC_SECRET: 'hmac-secret-under-32-5d2b',
      OIDC_PARTNER_CLIENT_SECRET: 'partner-secret-4e8d',
      OIDC_PARTNER_WEBHOOK_HMAC_SECRET: 'partner-hmac-one-a61f,,partner-hmac-two-b72e',
    };
    const result = await runToExit(
      production({
        ...secrets,
        WEBHOOK_VERIFY: 'jwt,hmac',
        OIDC_PROVIDERS: 'main,partner',
        OIDC_PARTNER_ISSUER: 'https://127.0.0.1:3',
        OIDC_PARTNER_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000003',
        OIDC_PARTNER_KIND: 'fusionauth',
        OIDC_PARTNER_FUSIONAUTH_API_KEY: 'test-only-partner-api-key',
        OIDC_PARTNER_WEBHOOK_SIGNING_KEY_ID: 'c0ffee00-0000-4000-8000-000000000004',
        REDIS_URL: 'http://user:redis-password-6b0c@127.0.0.1:6379',
      }),
    );
    expect(result.code).toBe(1);
    expect(named(result.stderr).sort()).toEqual([
      'METRICS_TOKEN',
      'OIDC_CLIENT_SECRET',
      'OIDC_PARTNER_WEBHOOK_HMAC_SECRET',
      'REDIS_URL',
      'SESSION_SECRET',
      'WEBHOOK_HMAC_SECRET',
    ]);
    const output = result.stdout + result.stderr;
    for (const value of [...Object.values(secrets), 'partner-hmac-one-a61f', 'redis-password-6b0c']) {
      expect(output).not.toContain(value);
    }
    expect(result.stderr).toContain('(value redacted)');
  });

  it('starts when all of it is set, and serves /metrics only with the token', async () => {
    const port = await freePort();
    const keyPrefix = newKeyPrefix();
    const service = await startService(production({ REDIS_KEY_PREFIX: keyPrefix }), port);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(scraped.status).toBe(200);
    } finally {
      await service.stop();
      await deleteKeys(keyPrefix);
    }
  });
});
