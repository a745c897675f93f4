import { createHash } from 'node:crypto';
import { isURL, isUUID } from 'class-validator';
import { ProviderConfig, ProviderKind, WebhookConfig } from './app-config';
import { DEV_CREDENTIALS, DEV_DEFAULTS } from './dev-defaults';

type Report = (variable: string, reason: string) => void;

export const ID_TOKEN_ALGS: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'HS256',
  'HS384',
  'HS512',
]);

/** Where each provider field is read from when it describes the single (default) provider. */
const SINGLE_PROVIDER_VARIABLES = {
  ISSUER: 'OIDC_ISSUER',
  CLIENT_ID: 'OIDC_CLIENT_ID',
  CLIENT_SECRET: 'OIDC_CLIENT_SECRET',
  KIND: 'OIDC_PROVIDER',
  SCOPES: 'OIDC_SCOPES',
  ID_TOKEN_ALGS: 'OIDC_ID_TOKEN_ALGS',
  FUSIONAUTH_URL: 'FUSIONAUTH_URL',
  FUSIONAUTH_API_KEY: 'FUSIONAUTH_API_KEY',
  FUSIONAUTH_TENANT_ID: 'FUSIONAUTH_TENANT_ID',
  DISPLAY_NAME: 'OIDC_DISPLAY_NAME',
  DISCOVERY_URL: 'OIDC_DISCOVERY_URL',
  WEBHOOK_SIGNING_KEY_ID: 'WEBHOOK_SIGNING_KEY_ID',
  WEBHOOK_HMAC_SECRET: 'WEBHOOK_HMAC_SECRET',
  TRUST_ROLES: 'OIDC_TRUST_ROLES',
} as const;
type Field = keyof typeof SINGLE_PROVIDER_VARIABLES;
type Read = (field: Field) => { name: string; value: string | undefined };
/** FusionAuth signs a webhook with an HMAC key whose UTF-8 bytes are the secret; under 256 bits is guessable. */
const MIN_PRODUCTION_HMAC_BYTES = 32;

/**
 * The providers: without OIDC_PROVIDERS, one provider named `default` from the single-provider
 * variables; with it, one per listed name from OIDC_<NAME>_*, the first listed falling back to the
 * single-provider variables so an existing configuration stays valid.
 */
export function loadProviders(
  vars: Record<string, string>,
  bad: ReadonlySet<string>,
  production: boolean,
  webhook: WebhookConfig,
  report: Report,
): ProviderConfig[] {
  const listed = bad.has('OIDC_PROVIDERS') ? undefined : vars.OIDC_PROVIDERS;
  const names = listed ? listed.toLowerCase().split(',') : ['default'];
  if (new Set(names).size !== names.length) report('OIDC_PROVIDERS', 'names a provider twice');
  const providers = names.map((name, index) => {
    const isDefault = index === 0;
    const variable = (field: Field): string[] => {
      const own = listed ? [`OIDC_${name.toUpperCase()}_${field}`] : [];
      return isDefault ? [...own, SINGLE_PROVIDER_VARIABLES[field]] : own;
    };
    const read = (field: Field): { name: string; value: string | undefined } => {
      const candidates = variable(field);
      const found = candidates.find((v) => vars[v] !== undefined && !bad.has(v));
      return { name: found ?? candidates[0]!, value: found === undefined ? undefined : vars[found] };
    };
    return readProvider(name, isDefault, production, read, report, webhook);
  });
  refuseSharedSecrets(providers, report);
  return providers;
}

function readProvider(
  name: string,
  isDefault: boolean,
  production: boolean,
  read: Read,
  report: Report,
  webhook: WebhookConfig,
): ProviderConfig {
  const required = (field: Field, devDefault: string): string => {
    const { name: variable, value } = read(field);
    // Production has no kickstart defaults: each of these names the real provider, or a secret.
    const result = value ?? (isDefault && !production ? devDefault : undefined);
    if (result === undefined) {
      report(variable, production ? 'must be set (refused in production)' : `must be set for provider ${name}`);
    } else if (production && DEV_CREDENTIALS.has(result)) {
      report(variable, 'is a public development credential (refused in production)');
    }
    return result ?? '';
  };
  const issuerVariable = read('ISSUER');
  const issuer =
    httpUrl(issuerVariable, production, report) ??
    (issuerVariable.value === undefined ? required('ISSUER', DEV_DEFAULTS.issuer) : '');
  const kind = parseKind(read('KIND'), isDefault ? 'fusionauth' : 'generic', report);
  const provider: ProviderConfig = {
    name,
    displayName: read('DISPLAY_NAME').value ?? (kind === 'fusionauth' && isDefault ? 'FusionAuth' : capitalize(name)),
    kind,
    issuer,
    issuerKey: createHash('sha256').update(issuer).digest('base64url').slice(0, 12),
    discoveryUrl: parseDiscoveryUrl(read('DISCOVERY_URL'), issuer, production, report),
    clientId: required('CLIENT_ID', DEV_DEFAULTS.clientId),
    clientSecret: required('CLIENT_SECRET', DEV_DEFAULTS.clientSecret),
    scopes: parseScopes(read('SCOPES'), report),
    idTokenAlgs: parseAlgs(read('ID_TOKEN_ALGS'), report),
    trustRoles: parseTrustRoles(read('TRUST_ROLES'), kind, report),
  };
  if (kind !== 'fusionauth') return provider;
  return {
    ...provider,
    fusionAuth: {
      // An API base, not an identifier: a trailing slash would only double the one of `/api/...`.
      url: withoutTrailingSlash(httpUrl(read('FUSIONAUTH_URL'), production, report) ?? issuer),
      apiKey: required('FUSIONAUTH_API_KEY', DEV_DEFAULTS.fusionAuthApiKey),
      tenantId: tenantId(read('FUSIONAUTH_TENANT_ID'), report) ?? (isDefault && !production ? devTenant : undefined),
    },
    webhook: {
      // Pinned: any other key of the issuer (an access-token key too) must not vouch for an event.
      signingKeyId: webhook.jwt ? required('WEBHOOK_SIGNING_KEY_ID', DEV_DEFAULTS.webhookSigningKeyId) : undefined,
      hmacSecrets: webhook.hmac ? hmacSecrets(name, read('WEBHOOK_HMAC_SECRET'), production, report) : [],
    },
  };
}

/** One secret or a comma-separated list (several at once while FusionAuth's key is rotated). */
function hmacSecrets(
  provider: string,
  { name, value }: { name: string; value: string | undefined },
  production: boolean,
  report: Report,
): string[] {
  if (value === undefined) {
    report(name, `must be set for provider ${provider} when WEBHOOK_VERIFY includes hmac`);
    return [];
  }
  const secrets = value.split(',').map((s) => s.trim());
  if (secrets.some((s) => s === '')) report(name, 'has an empty secret in its list');
  if (production && secrets.some((s) => Buffer.byteLength(s, 'utf8') < MIN_PRODUCTION_HMAC_BYTES)) {
    report(name, `each secret must be at least ${MIN_PRODUCTION_HMAC_BYTES} bytes (refused in production)`);
  }
  return secrets.filter(Boolean);
}

/** Each FusionAuth its own secret: one shared would let one FusionAuth's events pass as another's. */
function refuseSharedSecrets(providers: readonly ProviderConfig[], report: Report): void {
  const owner = new Map<string, string>();
  for (const provider of providers) {
    for (const secret of provider.webhook?.hmacSecrets ?? []) {
      const other = owner.get(secret);
      if (other !== undefined && other !== provider.name) {
        report(`OIDC_${provider.name.toUpperCase()}_WEBHOOK_HMAC_SECRET`, `shares a secret with provider ${other}`);
      }
      owner.set(secret, provider.name);
    }
  }
}

const devTenant = DEV_DEFAULTS.fusionAuthTenantId;

/** Unset in production means no header: right for a FusionAuth with one tenant, refused by one with more. */
function tenantId({ name, value }: { name: string; value: string | undefined }, report: Report): string | undefined {
  if (value === undefined) return undefined;
  if (!isUUID(value)) {
    report(name, `must be a tenant id (a UUID) (got "${value}")`);
    return undefined;
  }
  return value;
}

function httpUrl(
  { name, value }: { name: string; value: string | undefined },
  production: boolean,
  report: Report,
): string | undefined {
  if (value === undefined) return undefined;
  if (!isURL(value, { require_tld: false, require_protocol: true, protocols: ['http', 'https'] })) {
    report(name, `must be an absolute http(s) URL (got "${value}")`);
    return undefined;
  }
  // Over plain http the browser's login, the tokens and the API key would cross the network readable.
  if (production && !/^https:/i.test(value))
    report(name, `must be an https URL (got "${value}") (refused in production)`);
  // Kept exactly as written: an issuer is compared as an exact string (OpenID Connect Discovery
  // 1.0, 4.3, and the `iss` of every token), so `http://idp/` and `http://idp` are two issuers.
  return value;
}

/**
 * Where the discovery document is: OIDC_DISCOVERY_URL (FusionAuth also serves one per tenant at
 * `/{tenantId}/.well-known/openid-configuration`), else the issuer's well-known path. Either way the
 * document must name the configured issuer exactly.
 */
function parseDiscoveryUrl(
  variable: { name: string; value: string | undefined },
  issuer: string,
  production: boolean,
  report: Report,
): string {
  // Discovery names the key set: in production it is https like every other URL (httpUrl refuses http).
  const configured = httpUrl(variable, production, report);
  return configured ?? `${withoutTrailingSlash(issuer)}/.well-known/openid-configuration`;
}

const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

function parseKind(
  { name, value }: { name: string; value: string | undefined },
  fallback: ProviderKind,
  report: Report,
) {
  if (value === undefined) return fallback;
  if (value === 'fusionauth' || value === 'generic') return value;
  report(name, `must be fusionauth or generic (got "${value}")`);
  return fallback;
}

/** FusionAuth's roles are this application's own; a generic provider's are trusted only on purpose. */
function parseTrustRoles(
  { name, value }: { name: string; value: string | undefined },
  kind: ProviderKind,
  report: Report,
): boolean {
  if (value === undefined) return kind === 'fusionauth';
  if (['true', '1'].includes(value)) return true;
  if (['false', '0'].includes(value)) return false;
  report(name, `must be true or false (got "${value}")`);
  return false;
}

function parseScopes({ name, value }: { name: string; value: string | undefined }, report: Report): string[] {
  const scopes = (value ?? DEV_DEFAULTS.scopes).split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) report(name, `must include openid (got "${value}")`);
  return [...new Set(scopes)];
}

function parseAlgs({ name, value }: { name: string; value: string | undefined }, report: Report): string[] {
  const algs = (value ?? 'RS256')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  // An unsigned ID token proves nothing; `none` is refused whatever the provider says it supports.
  if (algs.some((a) => a.toLowerCase() === 'none'))
    report(name, 'must not contain none: unsigned ID tokens are never accepted');
  const unknown = algs.filter((a) => a.toLowerCase() !== 'none' && !ID_TOKEN_ALGS.has(a));
  if (unknown.length > 0)
    report(name, `has unknown algorithm(s) ${unknown.join(', ')}; known: ${[...ID_TOKEN_ALGS].join(', ')}`);
  if (algs.length === 0) report(name, 'must name at least one algorithm');
  return algs;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
