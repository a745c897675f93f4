import { ConfigError } from './config.errors';
import { DEV_DEFAULTS } from './dev-defaults';
import { Env, loadConfig } from './load-config';

const STRONG_SECRET = 'a-production-session-secret-of-40-characters';

/** A second provider, complete. */
const partner: Env = {
  OIDC_PARTNER_ISSUER: 'https://partner.example.com',
  OIDC_PARTNER_CLIENT_ID: 'p',
  OIDC_PARTNER_CLIENT_SECRET: 's',
};

/** A production environment that passes every refusal; each test breaks one thing. */
const productionEnv = (overrides: Env = {}): Env => ({
  NODE_ENV: 'production',
  APP_URL: 'https://app.example.com',
  TRUST_PROXY: '1',
  REDIS_URL: 'redis://redis.internal:6379',
  SESSION_SECRET: STRONG_SECRET,
  OIDC_ISSUER: 'https://login.example.com',
  OIDC_CLIENT_ID: 'c1',
  OIDC_CLIENT_SECRET: 'a-real-client-secret',
  FUSIONAUTH_API_KEY: 'a-real-api-key',
  METRICS_TOKEN: 'a-metrics-token-of-32-characters',
  WEBHOOK_SIGNING_KEY_ID: 'ZmKa4yqQ1dWxN8Sd6u7xP0oQ3cE',
  ...overrides,
});

/** 32 bytes: the shortest HMAC secret production accepts. */
const HMAC_32 = 'hmac-secret-of-exactly-32-bytes!';

function problemsOf(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

const variablesOf = (env: Env) => problemsOf(env).problems.map((p) => p.variable);

describe('loadConfig', () => {
  describe('development defaults', () => {
    it('starts with nothing set, on the kickstart values', () => {
      const config = loadConfig({});
      expect(config.production).toBe(false);
      expect(config.port).toBe(3000);
      expect(config.appUrl).toBe('http://localhost:3000');
      expect(config.url('/auth/callback')).toBe('http://localhost:3000/auth/callback');
      expect(config.providers).toHaveLength(1);
      expect(config.defaultProvider).toMatchObject({
        name: 'default',
        kind: 'fusionauth',
        issuer: 'http://localhost:9011',
        clientId: DEV_DEFAULTS.clientId,
        clientSecret: DEV_DEFAULTS.clientSecret,
        scopes: ['openid', 'profile', 'email', 'offline_access'],
        idTokenAlgs: ['RS256'],
        fusionAuth: { url: 'http://localhost:9011', apiKey: DEV_DEFAULTS.fusionAuthApiKey },
      });
      expect(config.authModes).toEqual(['oidc', 'password']);
      expect(config.session).toMatchObject({
        store: undefined,
        idleTimeoutS: 1800,
        absoluteTimeoutS: 28800,
        cookieName: 'sid',
        cookieSecure: false,
      });
      expect(config.webhook).toMatchObject({ jwt: true, hmac: false, basic: false, maxAgeS: 86400 });
      expect(config.defaultProvider.webhook).toEqual({
        signingKeyId: DEV_DEFAULTS.webhookSigningKeyId,
        hmacSecrets: [],
      });
      expect(config.denylistFailureMode).toBe('closed');
      expect(config.accessTokenTtlS).toBe(3600);
      expect(config.devIdpPort).toBe(9011);
      expect(config.registrationEnabled).toBe(true);
      expect(config.rateLimits.passwordChange).toEqual({ limit: 5, windowS: 300 });
      expect(config.reauthMaxAgeS).toBe(600);
    });

    it('reads REAUTH_MAX_AGE_S as whole seconds', () => {
      expect(loadConfig({ REAUTH_MAX_AGE_S: '30' }).reauthMaxAgeS).toBe(30);
      expect(problemsOf({ REAUTH_MAX_AGE_S: 'abc' }).message).toBe(
        'Invalid configuration (1 problem):\n  - REAUTH_MAX_AGE_S: must be a positive whole number of seconds (got "abc")',
      );
    });

    it('generates a session secret per start, and says so once', () => {
      const a = loadConfig({});
      const b = loadConfig({});
      expect(a.session.secretGenerated).toBe(true);
      expect(a.session.secret).not.toBe(b.session.secret);
      expect(a.session.secret.length).toBeGreaterThanOrEqual(32);
      expect(a.warnings.filter((w) => w.includes('SESSION_SECRET'))).toHaveLength(1);
    });

    it('treats an empty variable as not set', () => {
      expect(loadConfig({ PORT: '', SESSION_SECRET: ' ' }).port).toBe(3000);
    });

    it('reads TRUST_PROXY as Express does: 1 is one hop, not "trust everyone"', () => {
      expect(loadConfig({}).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
      expect(loadConfig({ TRUST_PROXY: 'uniquelocal,192.0.2.10,2001:db8::/32' }).trustProxy).toEqual([
        'uniquelocal',
        '192.0.2.10',
        '2001:db8::/32',
      ]);
    });

    it('accepts TRUST_PROXY=true outside production, with a warning that says what it costs', () => {
      const config = loadConfig({ TRUST_PROXY: 'true' });
      expect(config.trustProxy).toBe(true);
      expect(config.warnings.filter((w) => w.startsWith('TRUST_PROXY=true: '))).toHaveLength(1);
      expect(loadConfig({ TRUST_PROXY: '1' }).warnings.some((w) => w.includes('TRUST_PROXY'))).toBe(false);
    });

    it('offers only OIDC login when the provider is not FusionAuth', () => {
      const config = loadConfig({ OIDC_PROVIDER: 'generic' });
      expect(config.authModes).toEqual(['oidc']);
      expect(config.defaultProvider.fusionAuth).toBeUndefined();
    });
  });

  describe('FusionAuth tenant (X-FusionAuth-TenantId)', () => {
    const tenant = 'c0ffee00-1111-4222-8333-444455556666';

    it("defaults, in development, to the kickstart's tenant", () => {
      expect(loadConfig({}).defaultProvider.fusionAuth?.tenantId).toBe(DEV_DEFAULTS.fusionAuthTenantId);
      expect(DEV_DEFAULTS.fusionAuthTenantId).toBe('d7d09513-a3f5-401c-9685-34ab6c552453');
    });

    it('takes FUSIONAUTH_TENANT_ID, and in production sends none when it is unset', () => {
      expect(loadConfig({ FUSIONAUTH_TENANT_ID: tenant }).defaultProvider.fusionAuth?.tenantId).toBe(tenant);
      expect(loadConfig(productionEnv()).defaultProvider.fusionAuth?.tenantId).toBeUndefined();
      expect(loadConfig(productionEnv({ FUSIONAUTH_TENANT_ID: tenant })).defaultProvider.fusionAuth?.tenantId).toBe(
        tenant,
      );
    });

    it('reads OIDC_<NAME>_FUSIONAUTH_TENANT_ID per provider, the first falling back to FUSIONAUTH_TENANT_ID', () => {
      const other = 'c0ffee00-9999-4222-8333-444455556666';
      const config = loadConfig({
        OIDC_PROVIDERS: 'main,partner',
        FUSIONAUTH_TENANT_ID: tenant,
        OIDC_PARTNER_ISSUER: 'https://p.example',
        OIDC_PARTNER_CLIENT_ID: 'p',
        OIDC_PARTNER_CLIENT_SECRET: 's',
        OIDC_PARTNER_KIND: 'fusionauth',
        OIDC_PARTNER_FUSIONAUTH_API_KEY: 'k',
        OIDC_PARTNER_FUSIONAUTH_TENANT_ID: other,
        OIDC_PARTNER_WEBHOOK_SIGNING_KEY_ID: 'partner-webhook-key',
      });
      expect(config.providers.map((p) => p.fusionAuth?.tenantId)).toEqual([tenant, other]);
    });
  });

  describe('rejects each bad value, naming the variable', () => {
    it.each<[string, Env]>([
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['APP_URL', { APP_URL: 'ftp://example.com' }],
      ['APP_URL', { APP_URL: 'http://example.com/app?x=1' }],
      ['TRUST_PROXY', { TRUST_PROXY: 'yes' }],
      ['TRUST_PROXY', { TRUST_PROXY: '-1' }],
      ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/33' }],
      ['TRUST_PROXY', { TRUST_PROXY: '10.0.0' }],
      ['TRUST_PROXY', { TRUST_PROXY: 'loopback,' }],
      ['TRUST_PROXY', { TRUST_PROXY: 'loopback,10.0.0.0/8/8' }],
      ['METRICS_PUBLIC', { METRICS_PUBLIC: 'yes' }],
      ['METRICS_PUBLIC', { METRICS_PUBLIC: 'true', METRICS_TOKEN: 'a-metrics-token-of-32-characters' }],
      ['NODE_ENV', { NODE_ENV: 'prod' }],
      ['OIDC_ISSUER', { OIDC_ISSUER: 'not a url' }],
      ['OIDC_PROVIDER', { OIDC_PROVIDER: 'okta' }],
      ['OIDC_SCOPES', { OIDC_SCOPES: 'profile email' }],
      ['OIDC_ID_TOKEN_ALGS', { OIDC_ID_TOKEN_ALGS: 'none' }],
      ['OIDC_ID_TOKEN_ALGS', { OIDC_ID_TOKEN_ALGS: 'RS256,none' }],
      ['OIDC_ID_TOKEN_ALGS', { OIDC_ID_TOKEN_ALGS: 'RS257' }],
      ['FUSIONAUTH_URL', { FUSIONAUTH_URL: 'localhost:9011' }],
      ['FUSIONAUTH_TENANT_ID', { FUSIONAUTH_TENANT_ID: 'the-default-tenant' }],
      [
        'OIDC_PARTNER_FUSIONAUTH_TENANT_ID',
        {
          OIDC_PROVIDERS: 'main,partner',
          OIDC_PARTNER_ISSUER: 'https://p.example',
          OIDC_PARTNER_CLIENT_ID: 'p',
          OIDC_PARTNER_CLIENT_SECRET: 's',
          OIDC_PARTNER_KIND: 'fusionauth',
          OIDC_PARTNER_FUSIONAUTH_API_KEY: 'k',
          OIDC_PARTNER_FUSIONAUTH_TENANT_ID: '1234',
        },
      ],
      ['AUTH_MODES', { AUTH_MODES: 'magic-link' }],
      ['AUTH_MODES', { AUTH_MODES: 'password', OIDC_PROVIDER: 'generic' }],
      ['SESSION_STORE', { SESSION_STORE: 'disk' }],
      ['SESSION_IDLE_TIMEOUT_S', { SESSION_IDLE_TIMEOUT_S: '0' }],
      ['SESSION_IDLE_TIMEOUT_S', { SESSION_IDLE_TIMEOUT_S: '9000', SESSION_ABSOLUTE_TIMEOUT_S: '3600' }],
      ['SESSION_ABSOLUTE_TIMEOUT_S', { SESSION_ABSOLUTE_TIMEOUT_S: '-5' }],
      ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
      ['REDIS_KEY_PREFIX', { REDIS_KEY_PREFIX: 'has space' }],
      ['ACCESS_TOKEN_TTL_S', { ACCESS_TOKEN_TTL_S: '1.5' }],
      ['WEBHOOK_VERIFY', { WEBHOOK_VERIFY: 'none' }],
      ['WEBHOOK_HMAC_SECRET', { WEBHOOK_VERIFY: 'hmac' }],
      ['WEBHOOK_HMAC_SECRET', { WEBHOOK_VERIFY: 'hmac', WEBHOOK_HMAC_SECRET: 'one,,two' }],
      ['WEBHOOK_SIGNING_KEY_ID', { WEBHOOK_SIGNING_KEY_ID: 'has space' }],
      ['WEBHOOK_MAX_AGE_S', { WEBHOOK_MAX_AGE_S: '0' }],
      ['WEBHOOK_MAX_AGE_S', { WEBHOOK_MAX_AGE_S: '86401' }],
      ['WEBHOOK_BASIC_USER', { WEBHOOK_VERIFY: 'jwt,basic', WEBHOOK_BASIC_PASSWORD: 'p' }],
      ['WEBHOOK_BASIC_PASSWORD', { WEBHOOK_VERIFY: 'jwt,basic', WEBHOOK_BASIC_USER: 'u' }],
      ['DENYLIST_FAILURE_MODE', { DENYLIST_FAILURE_MODE: 'maybe' }],
      ['DEV_IDP_PORT', { DEV_IDP_PORT: 'x' }],
      ['OIDC_PROVIDERS', { OIDC_PROVIDERS: 'a,,b' }],
      ['OIDC_PROVIDERS', { OIDC_PROVIDERS: 'main,main' }],
      [
        'OIDC_PARTNER_ISSUER',
        { OIDC_PROVIDERS: 'main,partner', OIDC_PARTNER_CLIENT_ID: 'p', OIDC_PARTNER_CLIENT_SECRET: 's' },
      ],
      [
        'OIDC_PARTNER_CLIENT_ID',
        { OIDC_PROVIDERS: 'main,partner', OIDC_PARTNER_ISSUER: 'https://p.example', OIDC_PARTNER_CLIENT_SECRET: 's' },
      ],
      ['OIDC_TRUST_ROLES', { OIDC_TRUST_ROLES: 'always' }],
      [
        'OIDC_PARTNER_TRUST_ROLES',
        {
          OIDC_PROVIDERS: 'main,partner',
          OIDC_PARTNER_ISSUER: 'https://p.example',
          OIDC_PARTNER_CLIENT_ID: 'p',
          OIDC_PARTNER_CLIENT_SECRET: 's',
          OIDC_PARTNER_TRUST_ROLES: 'yes',
        },
      ],
      ['REGISTRATION_ENABLED', { REGISTRATION_ENABLED: 'sometimes' }],
      ['RATE_LIMIT_PASSWORD_CHANGE', { RATE_LIMIT_PASSWORD_CHANGE: '5' }],
      ['REAUTH_MAX_AGE_S', { REAUTH_MAX_AGE_S: 'abc' }],
      ['REAUTH_MAX_AGE_S', { REAUTH_MAX_AGE_S: '0' }],
      ['REAUTH_MAX_AGE_S', { REAUTH_MAX_AGE_S: '600.5' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['SHUTDOWN_TIMEOUT_S', { SHUTDOWN_TIMEOUT_S: '-1' }],
      ['METRICS_TOKEN', { METRICS_TOKEN: 'too-short' }],
      ['RATE_LIMIT_LOGIN', { RATE_LIMIT_LOGIN: '0/60' }],
      ['RATE_LIMIT_WEBHOOK', { RATE_LIMIT_WEBHOOK: '3000' }],
      ['ALLOW_INSECURE_HTTP', { ALLOW_INSECURE_HTTP: 'yes' }],
      ['OIDC_DISCOVERY_URL', { OIDC_DISCOVERY_URL: 'not a url' }],
      [
        'OIDC_PARTNER_WEBHOOK_SIGNING_KEY_ID',
        {
          OIDC_PROVIDERS: 'main,partner',
          OIDC_PARTNER_ISSUER: 'https://p.example',
          OIDC_PARTNER_CLIENT_ID: 'p',
          OIDC_PARTNER_CLIENT_SECRET: 's',
          OIDC_PARTNER_KIND: 'fusionauth',
          OIDC_PARTNER_FUSIONAUTH_API_KEY: 'k',
          OIDC_PARTNER_WEBHOOK_SIGNING_KEY_ID: 'has space',
        },
      ],
      [
        'OIDC_PARTNER_KIND',
        {
          OIDC_PROVIDERS: 'main,partner',
          OIDC_PARTNER_ISSUER: 'https://p.example',
          OIDC_PARTNER_CLIENT_ID: 'p',
          OIDC_PARTNER_CLIENT_SECRET: 's',
          OIDC_PARTNER_KIND: 'okta',
        },
      ],
    ])('%s in %j', (variable, env) => {
      const error = problemsOf(env);
      expect(error.problems.map((p) => p.variable)).toContain(variable);
      expect(error.message).toContain(`${variable}: `);
    });
  });

  it('names every bad variable in one message', () => {
    const error = problemsOf({ PORT: 'abc', TRUST_PROXY: 'maybe', SESSION_STORE: 'disk', OIDC_ID_TOKEN_ALGS: 'none' });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'OIDC_ID_TOKEN_ALGS',
      'PORT',
      'SESSION_STORE',
      'TRUST_PROXY',
    ]);
    expect(error.message.split('\n')[0]).toBe('Invalid configuration (4 problems):');
    expect(error.message).toContain('PORT: must be a port number (0-65535) (got "abc")');
  });

  it('shows each rate limit its own default as the example', () => {
    const message = problemsOf({
      RATE_LIMIT_LOGIN: 'x',
      RATE_LIMIT_WEBHOOK: 'x',
      RATE_LIMIT_PASSWORD_CHANGE: 'x',
    }).message;
    expect(message).toContain('RATE_LIMIT_LOGIN: must be <requests>/<seconds>, for example 20/60 (got "x")');
    expect(message).toContain('RATE_LIMIT_WEBHOOK: must be <requests>/<seconds>, for example 3000/10 (got "x")');
    expect(message).toContain('RATE_LIMIT_PASSWORD_CHANGE: must be <requests>/<seconds>, for example 5/300 (got "x")');
  });

  it('counts one problem for one mistake: a rule that reads a refused value stays silent', () => {
    expect(variablesOf({ OIDC_PROVIDERS: 'main,main' })).toEqual(['OIDC_PROVIDERS']);
    expect(variablesOf(productionEnv({ SESSION_SECRET: undefined, METRICS_TOKEN: 'short' }))).toEqual([
      'SESSION_SECRET',
      'METRICS_TOKEN',
    ]);
    expect(problemsOf(productionEnv({ METRICS_TOKEN: 'short' })).message).toBe(
      'Invalid configuration (1 problem):\n  - METRICS_TOKEN: must be at least 16 characters (value redacted)',
    );
  });

  it('never puts a secret value in the message', () => {
    const secrets = {
      SESSION_SECRET: 'short-secret-value',
      OIDC_CLIENT_SECRET: DEV_DEFAULTS.clientSecret,
      REDIS_URL: 'http://user:redis-password-123@host:6379',
    };
    const message = problemsOf(productionEnv(secrets)).message;
    expect(message).toContain('SESSION_SECRET');
    expect(message).toContain('OIDC_CLIENT_SECRET');
    expect(message).toContain('REDIS_URL');
    expect(message).not.toContain('short-secret-value');
    expect(message).not.toContain(DEV_DEFAULTS.clientSecret);
    expect(message).not.toContain('redis-password-123');
  });

  describe('production', () => {
    it('accepts a complete, safe configuration', () => {
      const config = loadConfig(productionEnv());
      expect(config.production).toBe(true);
      expect(config.session).toMatchObject({
        store: 'redis',
        secretGenerated: false,
        cookieName: '__Host-sid',
        cookieSecure: true,
      });
      expect(config.warnings).toEqual([]);
    });

    it.each<[string, string, Env]>([
      ['a short SESSION_SECRET', 'SESSION_SECRET', { SESSION_SECRET: 'x'.repeat(31) }],
      ['a missing SESSION_SECRET', 'SESSION_SECRET', { SESSION_SECRET: undefined }],
      ['an http APP_URL', 'APP_URL', { APP_URL: 'http://app.example.com' }],
      ['a missing APP_URL (the http default)', 'APP_URL', { APP_URL: undefined }],
      ['a missing REDIS_URL', 'REDIS_URL', { REDIS_URL: undefined }],
      ['the memory session store', 'SESSION_STORE', { SESSION_STORE: 'memory' }],
      [
        'unsigned webhooks',
        'WEBHOOK_VERIFY',
        { WEBHOOK_VERIFY: 'basic', WEBHOOK_BASIC_USER: 'u', WEBHOOK_BASIC_PASSWORD: 'p' },
      ],
      ['the kickstart client secret, set', 'OIDC_CLIENT_SECRET', { OIDC_CLIENT_SECRET: DEV_DEFAULTS.clientSecret }],
      ['the kickstart client secret, by default', 'OIDC_CLIENT_SECRET', { OIDC_CLIENT_SECRET: undefined }],
      ['the kickstart API key, set', 'FUSIONAUTH_API_KEY', { FUSIONAUTH_API_KEY: DEV_DEFAULTS.fusionAuthApiKey }],
      ['the kickstart API key, by default', 'FUSIONAUTH_API_KEY', { FUSIONAUTH_API_KEY: undefined }],
      ['an unset OIDC_ISSUER (no kickstart default)', 'OIDC_ISSUER', { OIDC_ISSUER: undefined }],
      ['a plain-http OIDC_ISSUER', 'OIDC_ISSUER', { OIDC_ISSUER: 'http://login.example.com' }],
      ['a plain-http OIDC_ISSUER, in capitals', 'OIDC_ISSUER', { OIDC_ISSUER: 'HTTP://login.example.com' }],
      ['a plain-http FUSIONAUTH_URL', 'FUSIONAUTH_URL', { FUSIONAUTH_URL: 'http://fusionauth.internal:9011' }],
      ['an unset client id (no kickstart default)', 'OIDC_CLIENT_ID', { OIDC_CLIENT_ID: undefined }],
      ['TRUST_PROXY=true (every hop believed)', 'TRUST_PROXY', { TRUST_PROXY: 'true' }],
      ['a public /metrics: neither METRICS_TOKEN nor METRICS_PUBLIC', 'METRICS_TOKEN', { METRICS_TOKEN: undefined }],
      [
        'a plain-http issuer of a second provider',
        'OIDC_PARTNER_ISSUER',
        { OIDC_PROVIDERS: 'main,partner', ...partner, OIDC_PARTNER_ISSUER: 'http://partner.example.com' },
      ],
      [
        'an unset client id of the first listed provider',
        'OIDC_MAIN_CLIENT_ID',
        { OIDC_PROVIDERS: 'main,partner', OIDC_CLIENT_ID: undefined, ...partner },
      ],
      ['jwt webhooks without a pinned key', 'WEBHOOK_SIGNING_KEY_ID', { WEBHOOK_SIGNING_KEY_ID: undefined }],
      [
        "the kickstart's webhook key",
        'WEBHOOK_SIGNING_KEY_ID',
        { WEBHOOK_SIGNING_KEY_ID: DEV_DEFAULTS.webhookSigningKeyId },
      ],
      [
        'an HMAC secret under 32 bytes',
        'WEBHOOK_HMAC_SECRET',
        { WEBHOOK_VERIFY: 'hmac', WEBHOOK_HMAC_SECRET: HMAC_32.slice(1) },
      ],
      [
        'an HMAC secret under 32 bytes among good ones',
        'WEBHOOK_HMAC_SECRET',
        { WEBHOOK_VERIFY: 'jwt,hmac', WEBHOOK_HMAC_SECRET: `${HMAC_32},short` },
      ],
    ])('refuses %s', (_case, variable, overrides) => {
      expect(variablesOf(productionEnv(overrides))).toEqual([variable]);
    });

    it('names the variable and the reason of each refusal', () => {
      const message = problemsOf(
        productionEnv({
          OIDC_ISSUER: undefined,
          OIDC_CLIENT_ID: undefined,
          TRUST_PROXY: 'true',
          METRICS_TOKEN: undefined,
        }),
      ).message;
      expect(message).toContain('OIDC_ISSUER: must be set (refused in production)');
      expect(message).toContain('OIDC_CLIENT_ID: must be set (refused in production)');
      expect(message).toMatch(
        /TRUST_PROXY: must not be true: .*TRUST_PROXY=1 behind one load balancer.*\(refused in production\)/,
      );
      expect(message).toContain('METRICS_TOKEN: must be set, or METRICS_PUBLIC=true');
      expect(message).not.toContain('localhost:9011');
    });

    it('serves /metrics without a token only when METRICS_PUBLIC=true says so', () => {
      const config = loadConfig(productionEnv({ METRICS_TOKEN: undefined, METRICS_PUBLIC: 'true' }));
      expect(config).toMatchObject({ metricsToken: undefined, metricsPublic: true });
    });

    it('accepts hop counts, loopback and CIDR lists for TRUST_PROXY', () => {
      expect(loadConfig(productionEnv({ TRUST_PROXY: '2' })).trustProxy).toBe(2);
      expect(loadConfig(productionEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' })).trustProxy).toEqual([
        'loopback',
        '10.0.0.0/8',
        'fd00::/8',
      ]);
    });

    it('accepts jwt and hmac together, several HMAC secrets at once, and an HMAC-only provider without a key id', () => {
      const both = loadConfig(
        productionEnv({ WEBHOOK_VERIFY: 'jwt,hmac', WEBHOOK_HMAC_SECRET: `${HMAC_32}, ${'n'.repeat(40)}` }),
      );
      expect(both.webhook).toMatchObject({ jwt: true, hmac: true });
      expect(both.defaultProvider.webhook).toEqual({
        signingKeyId: 'ZmKa4yqQ1dWxN8Sd6u7xP0oQ3cE',
        hmacSecrets: [HMAC_32, 'n'.repeat(40)],
      });
      const hmacOnly = loadConfig(
        productionEnv({ WEBHOOK_VERIFY: 'hmac', WEBHOOK_HMAC_SECRET: HMAC_32, WEBHOOK_SIGNING_KEY_ID: undefined }),
      );
      expect(hmacOnly.defaultProvider.webhook).toEqual({ signingKeyId: undefined, hmacSecrets: [HMAC_32] });
    });

    it('allows http only when ALLOW_INSECURE_HTTP=true', () => {
      const config = loadConfig(productionEnv({ APP_URL: 'http://app.internal', ALLOW_INSECURE_HTTP: 'true' }));
      expect(config.https).toBe(false);
      expect(config.session.cookieName).toBe('sid');
      // A boolean like every other: 1 is true, 0 is false.
      expect(loadConfig(productionEnv({ APP_URL: 'http://app.internal', ALLOW_INSECURE_HTTP: '1' })).https).toBe(false);
      expect(variablesOf(productionEnv({ APP_URL: 'http://app.internal', ALLOW_INSECURE_HTTP: '0' }))).toEqual([
        'APP_URL',
      ]);
    });

    it('needs no FusionAuth API key for a generic provider', () => {
      const config = loadConfig(productionEnv({ OIDC_PROVIDER: 'generic', FUSIONAUTH_API_KEY: undefined }));
      expect(config.defaultProvider.fusionAuth).toBeUndefined();
    });

    it('offers no self-service registration unless REGISTRATION_ENABLED=true', () => {
      expect(loadConfig(productionEnv()).registrationEnabled).toBe(false);
      expect(loadConfig(productionEnv({ REGISTRATION_ENABLED: 'true' })).registrationEnabled).toBe(true);
    });

    it('warns when https is configured without TRUST_PROXY', () => {
      const config = loadConfig(productionEnv({ TRUST_PROXY: undefined }));
      expect(config.warnings.some((w) => w.includes('TRUST_PROXY'))).toBe(true);
      expect(loadConfig(productionEnv({ TRUST_PROXY: 'loopback' })).warnings).toEqual([]);
    });
  });

  describe('cookie policy', () => {
    it('uses a __Host- prefixed, Secure cookie when APP_URL is https', () => {
      const config = loadConfig({ APP_URL: 'https://app.example.com/' });
      expect(config.appUrl).toBe('https://app.example.com');
      expect(config.session).toMatchObject({ cookieName: '__Host-sid', cookieSecure: true });
    });
  });

  describe('several providers', () => {
    const env: Env = {
      OIDC_PROVIDERS: 'FusionAuth,partner',
      OIDC_ISSUER: 'http://localhost:9011',
      OIDC_PARTNER_ISSUER: 'https://partner.example.com/oauth2/default',
      OIDC_PARTNER_CLIENT_ID: 'partner-client',
      OIDC_PARTNER_CLIENT_SECRET: 'partner-secret',
      OIDC_PARTNER_DISPLAY_NAME: 'Partner SSO',
    };

    it('reads the first from the single-provider variables and the others from OIDC_<NAME>_*', () => {
      const config = loadConfig(env);
      expect(config.providers.map((p) => p.name)).toEqual(['fusionauth', 'partner']);
      expect(config.defaultProvider).toMatchObject({
        kind: 'fusionauth',
        issuer: 'http://localhost:9011',
        clientId: DEV_DEFAULTS.clientId,
      });
      expect(config.provider('partner')).toMatchObject({
        kind: 'generic',
        displayName: 'Partner SSO',
        issuer: 'https://partner.example.com/oauth2/default',
        clientId: 'partner-client',
        clientSecret: 'partner-secret',
      });
    });

    it("gives each FusionAuth its own webhook keys, and refuses one it could not verify or one that shares another's secret", () => {
      const two: Env = {
        OIDC_PROVIDERS: 'main,second',
        OIDC_SECOND_ISSUER: 'https://second.example.com',
        OIDC_SECOND_CLIENT_ID: 'second-client',
        OIDC_SECOND_CLIENT_SECRET: 'second-secret',
        OIDC_SECOND_KIND: 'fusionauth',
        OIDC_SECOND_FUSIONAUTH_API_KEY: 'second-api-key',
      };
      expect(variablesOf(two)).toEqual(['OIDC_SECOND_WEBHOOK_SIGNING_KEY_ID']);
      const config = loadConfig({ ...two, OIDC_SECOND_WEBHOOK_SIGNING_KEY_ID: 'second-kid' });
      expect(config.providers.map((p) => p.webhook?.signingKeyId)).toEqual([
        DEV_DEFAULTS.webhookSigningKeyId,
        'second-kid',
      ]);
      const hmac = { ...two, WEBHOOK_VERIFY: 'hmac', WEBHOOK_HMAC_SECRET: 'main-secret' };
      expect(variablesOf(hmac)).toEqual(['OIDC_SECOND_WEBHOOK_HMAC_SECRET']);
      expect(variablesOf({ ...hmac, OIDC_SECOND_WEBHOOK_HMAC_SECRET: 'other,main-secret' })).toEqual([
        'OIDC_SECOND_WEBHOOK_HMAC_SECRET',
      ]);
      expect(
        loadConfig({ ...hmac, OIDC_SECOND_WEBHOOK_HMAC_SECRET: 'second-secret' }).provider('second')?.webhook,
      ).toEqual({ signingKeyId: undefined, hmacSecrets: ['second-secret'] });
    });

    it("trusts FusionAuth's roles, and a generic provider's only with OIDC_<NAME>_TRUST_ROLES=true", () => {
      const [fusionAuth, partner] = loadConfig(env).providers;
      expect([fusionAuth!.trustRoles, partner!.trustRoles]).toEqual([true, false]);
      expect(loadConfig({ ...env, OIDC_PARTNER_TRUST_ROLES: 'true' }).provider('partner')!.trustRoles).toBe(true);
      expect(loadConfig({ OIDC_PROVIDER: 'generic' }).defaultProvider.trustRoles).toBe(false);
      expect(loadConfig({ OIDC_PROVIDER: 'generic', OIDC_TRUST_ROLES: 'true' }).defaultProvider.trustRoles).toBe(true);
    });

    it('gives each issuer its own short key', () => {
      const [a, b] = loadConfig(env).providers;
      expect(a!.issuerKey).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(a!.issuerKey).not.toBe(b!.issuerKey);
      expect(loadConfig({}).defaultProvider.issuerKey).toBe(a!.issuerKey);
    });
  });
});
