import { DEV_CREDENTIALS, DEV_DEFAULTS } from './dev-defaults';
import { boolean, httpUrl, oneOf, text, uuid } from './parsers';
import { idTokenAlgs, keyId, scopes, secretList } from './service-parsers';
import { Parser, ProductionRule, Variable, variable, VariableOptions } from './variable';

/**
 * One field of a provider, declared once: provider `<name>` reads it from `OIDC_<NAME>_<FIELD>`;
 * the first (or only) provider falls back to the single-provider variable, `single`.
 */
export interface ProviderVariable<
  T = unknown,
  D extends string | undefined = string | undefined,
  S extends string = string,
> extends Variable<T, D> {
  readonly single: S;
  /** The kickstart's value: the first provider's default outside production (it is public). */
  readonly kickstart?: string;
  /** Unset without a default: a problem (`true`), or one under the condition named. */
  readonly required?: true | string;
}

function providerVariable<T, S extends string, D extends string | undefined = undefined>(
  single: S,
  parse: Parser<T>,
  options: VariableOptions<T, D> & Pick<ProviderVariable<T>, 'kickstart' | 'required'>,
): ProviderVariable<T, D, S> {
  return { ...variable(parse, options), single, kickstart: options.kickstart, required: options.required };
}

/** Over plain http the browser's login, the tokens and the API key would cross the network readable. */
const https: ProductionRule<string> = {
  refuse: (given, shown) =>
    given !== undefined && !/^https:/i.test(given) ? `must be an https URL ${shown}` : undefined,
  doc: 'https',
};

/** The kickstart's credentials are in the repository: production refuses them, set or by default. */
const notAKickstartCredential: ProductionRule<string> = {
  refuse: (given) =>
    given !== undefined && DEV_CREDENTIALS.has(given) ? 'is a public development credential' : undefined,
  doc: "not the kickstart's",
};

/** FusionAuth signs a webhook with an HMAC key whose UTF-8 bytes are the secret; under 256 bits is guessable. */
const MIN_PRODUCTION_HMAC_BYTES = 32;

export const PROVIDER_VARIABLES = {
  ISSUER: providerVariable('OIDC_ISSUER', httpUrl, {
    group: 'provider',
    kickstart: DEV_DEFAULTS.issuer,
    required: true,
    production: https,
    doc: 'the provider, compared exactly as written (a trailing slash too); the rest comes from its discovery document',
  }),
  DISCOVERY_URL: providerVariable('OIDC_DISCOVERY_URL', httpUrl, {
    group: 'provider',
    defaultDoc: 'the issuer + `/.well-known/openid-configuration`',
    production: https,
    doc: "for FusionAuth's per-tenant `/<tenantId>/.well-known/openid-configuration`; its `issuer` must still be the issuer",
  }),
  CLIENT_ID: providerVariable('OIDC_CLIENT_ID', text(), {
    group: 'provider',
    kickstart: DEV_DEFAULTS.clientId,
    defaultDoc: "the kickstart's client",
    required: true,
    doc: 'the confidential client',
  }),
  CLIENT_SECRET: providerVariable('OIDC_CLIENT_SECRET', text(), {
    group: 'provider',
    secret: true,
    kickstart: DEV_DEFAULTS.clientSecret,
    defaultDoc: "the kickstart's secret",
    required: true,
    production: notAKickstartCredential,
    doc: "the client's secret",
  }),
  KIND: providerVariable('OIDC_PROVIDER', oneOf(['fusionauth', 'generic']), {
    group: 'provider',
    defaultDoc: '`fusionauth` (`generic` for every provider but the first)',
    example: 'fusionauth',
    doc: '`fusionauth` turns on the FusionAuth API features and webhooks; `generic` is any OpenID Connect provider',
  }),
  SCOPES: providerVariable('OIDC_SCOPES', scopes, {
    group: 'provider',
    default: DEV_DEFAULTS.scopes,
    doc: 'scopes asked for, space-separated (must include `openid`)',
  }),
  ID_TOKEN_ALGS: providerVariable('OIDC_ID_TOKEN_ALGS', idTokenAlgs, {
    group: 'provider',
    default: 'RS256',
    doc: 'accepted ID-token algorithms, comma-separated; `none` is never accepted; `HS256` means verified with the client secret',
  }),
  DISPLAY_NAME: providerVariable('OIDC_DISPLAY_NAME', text(), {
    group: 'provider',
    defaultDoc: "`FusionAuth` (else the provider's name)",
    doc: "the login button's label",
  }),
  TRUST_ROLES: providerVariable('OIDC_TRUST_ROLES', boolean, {
    group: 'provider',
    defaultDoc: '`true` for FusionAuth, else `false`',
    doc: "whether the provider's `roles` claim grants roles here (never over another provider's users)",
  }),
  FUSIONAUTH_URL: providerVariable('FUSIONAUTH_URL', httpUrl, {
    group: 'provider',
    defaultDoc: '= the issuer',
    production: https,
    doc: 'FusionAuth API base',
  }),
  FUSIONAUTH_API_KEY: providerVariable('FUSIONAUTH_API_KEY', text(), {
    group: 'provider',
    secret: true,
    kickstart: DEV_DEFAULTS.fusionAuthApiKey,
    defaultDoc: "the kickstart's key",
    required: true,
    production: notAKickstartCredential,
    doc: 'API key for the FusionAuth API (FusionAuth only)',
  }),
  FUSIONAUTH_TENANT_ID: providerVariable('FUSIONAUTH_TENANT_ID', uuid('a tenant id'), {
    group: 'provider',
    kickstart: DEV_DEFAULTS.fusionAuthTenantId,
    defaultDoc: "the kickstart's tenant (`d7d09513-…`)",
    production: { doc: 'none by default (no header)' },
    doc: 'sent as `X-FusionAuth-TenantId` on every FusionAuth call: with more than one tenant FusionAuth refuses loginId and email calls without it (`[TenantIdRequired]`, answered 503 here, never as a wrong password), and as `tenantId` on the hosted login authorize request (it picks the tenant theme)',
  }),
  WEBHOOK_SIGNING_KEY_ID: providerVariable('WEBHOOK_SIGNING_KEY_ID', keyId, {
    group: 'webhook',
    kickstart: DEV_DEFAULTS.webhookSigningKeyId,
    defaultDoc: "the kickstart's webhook key",
    required: true,
    production: notAKickstartCredential,
    doc: "with `jwt`: the `kid` of FusionAuth's webhook signing key, the only key whose signature is accepted",
  }),
  WEBHOOK_HMAC_SECRET: providerVariable('WEBHOOK_HMAC_SECRET', secretList, {
    group: 'webhook',
    secret: true,
    required: 'when WEBHOOK_VERIFY includes hmac',
    production: {
      refuse: (given) =>
        given?.some((s) => Buffer.byteLength(s, 'utf8') < MIN_PRODUCTION_HMAC_BYTES)
          ? `each secret must be at least ${MIN_PRODUCTION_HMAC_BYTES} bytes`
          : undefined,
      doc: `each at least ${MIN_PRODUCTION_HMAC_BYTES} bytes`,
    },
    doc: 'with `hmac` (required then): one secret or a comma-separated list (rotation); no two providers share one',
  }),
};

export type ProviderField = keyof typeof PROVIDER_VARIABLES;
