import { freePort } from './support/redis-server';
import { runToExit, startService } from './support/service-process';
import { newKeyPrefix, deleteKeys } from './support/test-app';

describe('the compiled service as a process', () => {
  it('exits with status 1 and one message naming every bad variable, secrets redacted', async () => {
    const result = await runToExit({
      NODE_ENV: 'production',
      PORT: 'eighty',
      APP_URL: 'http://app.example.com',
      SESSION_SECRET: 'too-short-secret',
      OIDC_CLIENT_SECRET: 'super-secret-secret-that-should-be-regenerated-for-production',
      OIDC_ID_TOKEN_ALGS: 'none',
      REDIS_URL: 'redis://:redis-pass-xyz@127.0.0.1:1',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const message = result.stderr;
    expect(message.match(/Invalid configuration/g)).toHaveLength(1);
    for (const variable of [
      'PORT',
      'APP_URL',
      'SESSION_SECRET',
      'OIDC_CLIENT_SECRET',
      'OIDC_ID_TOKEN_ALGS',
      'FUSIONAUTH_API_KEY',
    ]) {
      expect(message).toContain(`  - ${variable}: `);
    }
    expect(message).not.toContain('too-short-secret');
    expect(message).not.toContain('super-secret-secret');
    expect(message).not.toContain('redis-pass-xyz');
  });

  it('starts with a valid configuration and serves /health/live and /', async () => {
    const port = await freePort();
    const keyPrefix = newKeyPrefix();
    const service = await startService({ REDIS_URL: process.env.REDIS_URL!, REDIS_KEY_PREFIX: keyPrefix }, port);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      expect(service.output()).toContain('SESSION_SECRET is not set');
    } finally {
      await service.stop();
      await deleteKeys(keyPrefix);
    }
    // A graceful stop: requests finished, Redis closed, exit status 0.
    expect([service.child.exitCode, service.child.signalCode]).toEqual([0, null]);
  });
});
