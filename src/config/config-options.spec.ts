import { ConfigError } from './config.errors';
import { ConfigOptions, optionsToEnv } from './config-options';
import { loadConfig } from './load-config';

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration from code', () => {
  it('names each option after its variable, in camel case', () => {
    expect(
      optionsToEnv({ oidcIssuer: 'https://login.example.com', sessionIdleTimeoutS: 600, metricsPublic: true }),
    ).toEqual({ OIDC_ISSUER: 'https://login.example.com', SESSION_IDLE_TIMEOUT_S: '600', METRICS_PUBLIC: 'true' });
  });

  it('writes a list as the comma-separated text the environment holds', () => {
    expect(optionsToEnv({ authModes: ['oidc', 'password'] })).toEqual({ AUTH_MODES: 'oidc,password' });
  });

  it('turns providers into OIDC_PROVIDERS and each provider’s own variables, in order', () => {
    expect(
      optionsToEnv({
        providers: {
          main: { issuer: 'https://a.example.com', clientId: 'a' },
          partner: { issuer: 'https://b.example.com', kind: 'generic', trustRoles: false },
        },
      }),
    ).toEqual({
      OIDC_PROVIDERS: 'main,partner',
      OIDC_MAIN_ISSUER: 'https://a.example.com',
      OIDC_MAIN_CLIENT_ID: 'a',
      OIDC_PARTNER_ISSUER: 'https://b.example.com',
      OIDC_PARTNER_KIND: 'generic',
      OIDC_PARTNER_TRUST_ROLES: 'false',
    });
  });

  it('refuses an option that names no variable instead of ignoring it', () => {
    const untyped = { oidcIssuer: 'https://a.example.com', oidcIsuer: 'typo' } as ConfigOptions;
    expect(() => optionsToEnv(untyped)).toThrow('unknown configuration option(s): oidcIsuer');
  });

  it('reports bad values in code with the very message the same values get from the environment', () => {
    const options: ConfigOptions = { port: 'eighty', sessionIdleTimeoutS: -1, oidcIssuer: 'ftp://x' };
    const env = { PORT: 'eighty', SESSION_IDLE_TIMEOUT_S: '-1', OIDC_ISSUER: 'ftp://x' };
    const fromCode = messageOf(() => loadConfig(optionsToEnv(options)));
    expect(fromCode).toBe(messageOf(() => loadConfig(env)));
    expect(fromCode).toContain('PORT');
    expect(fromCode).toContain('SESSION_IDLE_TIMEOUT_S');
    expect(fromCode).toContain('OIDC_ISSUER');
  });
});
