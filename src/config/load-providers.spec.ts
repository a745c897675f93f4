import { ConfigError } from './config.errors';
import { Env, loadConfig } from './load-config';

const TENANT = 'd7d09513-a3f5-401c-9685-34ab6c552453';

function refusal(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.reason}`);
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the issuer and its discovery document', () => {
  it('keeps the issuer exactly as configured, a trailing slash included', () => {
    const withSlash = loadConfig({ OIDC_ISSUER: 'https://auth.example.com/' }).defaultProvider;
    const without = loadConfig({ OIDC_ISSUER: 'https://auth.example.com' }).defaultProvider;
    expect(withSlash.issuer).toBe('https://auth.example.com/');
    expect(without.issuer).toBe('https://auth.example.com');
    // Two issuers, two sets of revocation and session keys.
    expect(withSlash.issuerKey).not.toBe(without.issuerKey);
  });

  it("finds the document at the issuer's well-known path, never with a double slash", () => {
    for (const issuer of ['https://auth.example.com', 'https://auth.example.com/']) {
      expect(loadConfig({ OIDC_ISSUER: issuer }).defaultProvider.discoveryUrl).toBe(
        'https://auth.example.com/.well-known/openid-configuration',
      );
    }
    expect(loadConfig({ OIDC_ISSUER: 'https://idp.example.com/oauth2/default' }).defaultProvider.discoveryUrl).toBe(
      'https://idp.example.com/oauth2/default/.well-known/openid-configuration',
    );
  });

  it("takes OIDC_DISCOVERY_URL as it is, for FusionAuth's per-tenant document", () => {
    const url = `https://auth.example.com/${TENANT}/.well-known/openid-configuration`;
    const provider = loadConfig({ OIDC_ISSUER: 'https://auth.example.com/', OIDC_DISCOVERY_URL: url }).defaultProvider;
    expect(provider).toMatchObject({ issuer: 'https://auth.example.com/', discoveryUrl: url });
  });

  it('reads OIDC_<NAME>_DISCOVERY_URL for each of several providers', () => {
    const config = loadConfig({
      OIDC_PROVIDERS: 'fusionauth,partner',
      OIDC_FUSIONAUTH_ISSUER: 'https://auth.example.com',
      OIDC_FUSIONAUTH_DISCOVERY_URL: `https://auth.example.com/${TENANT}/.well-known/openid-configuration`,
      OIDC_PARTNER_ISSUER: 'https://partner.example.com/',
      OIDC_PARTNER_CLIENT_ID: 'p',
      OIDC_PARTNER_CLIENT_SECRET: 's',
    });
    expect(config.providers.map((p) => p.discoveryUrl)).toEqual([
      `https://auth.example.com/${TENANT}/.well-known/openid-configuration`,
      'https://partner.example.com/.well-known/openid-configuration',
    ]);
  });

  it('keeps the FusionAuth API base without a trailing slash', () => {
    expect(loadConfig({ OIDC_ISSUER: 'http://localhost:9011/' }).defaultProvider.fusionAuth?.url).toBe(
      'http://localhost:9011',
    );
  });

  it('refuses a discovery URL that is not an http(s) URL, naming the variable', () => {
    expect(refusal({ OIDC_DISCOVERY_URL: 'auth.example.com/.well-known' })).toEqual([
      expect.stringMatching(/^OIDC_DISCOVERY_URL: must be an absolute http\(s\) URL/),
    ]);
    expect(
      refusal({
        OIDC_PROVIDERS: 'a',
        OIDC_A_ISSUER: 'https://a.example.com',
        OIDC_A_DISCOVERY_URL: 'ftp://a.example.com/x',
      }),
    ).toEqual([expect.stringMatching(/^OIDC_A_DISCOVERY_URL: must be an absolute http\(s\) URL/)]);
  });

  it('refuses in production a plain-http discovery URL for an https issuer', () => {
    const problems = refusal({
      NODE_ENV: 'production',
      OIDC_ISSUER: 'https://login.example.com',
      OIDC_DISCOVERY_URL: 'http://login.example.com/.well-known/openid-configuration',
    });
    expect(problems).toContain(
      'OIDC_DISCOVERY_URL: must be an https URL (got "http://login.example.com/.well-known/openid-configuration") (refused in production)',
    );
  });
});

describe('the single-provider variables beside OIDC_PROVIDERS', () => {
  it('are still validated when the first provider has its own, so every bad variable is named', () => {
    expect(
      refusal({ OIDC_PROVIDERS: 'main', OIDC_MAIN_ISSUER: 'https://main.example.com', OIDC_ISSUER: 'not a url' }),
    ).toEqual(['OIDC_ISSUER: must be an absolute http(s) URL (got "not a url")']);
  });

  it("give way to the first provider's own variable", () => {
    const config = loadConfig({
      OIDC_PROVIDERS: 'main',
      OIDC_MAIN_ISSUER: 'https://main.example.com',
      OIDC_ISSUER: 'https://single.example.com',
      OIDC_CLIENT_ID: 'single-client',
    });
    expect(config.defaultProvider).toMatchObject({ issuer: 'https://main.example.com', clientId: 'single-client' });
  });

  it("redact a provider's secret in every spelling", () => {
    const problems = refusal({
      OIDC_PROVIDERS: 'main,partner',
      WEBHOOK_VERIFY: 'hmac',
      WEBHOOK_HMAC_SECRET: 'main-secret',
      OIDC_PARTNER_ISSUER: 'https://p.example',
      OIDC_PARTNER_CLIENT_ID: 'p',
      OIDC_PARTNER_CLIENT_SECRET: 's',
      OIDC_PARTNER_KIND: 'fusionauth',
      OIDC_PARTNER_FUSIONAUTH_API_KEY: 'k',
      OIDC_PARTNER_WEBHOOK_HMAC_SECRET: 'partner-secret-one,,partner-secret-two',
    });
    expect(problems).toEqual(['OIDC_PARTNER_WEBHOOK_HMAC_SECRET: has an empty secret in its list (value redacted)']);
  });
});
