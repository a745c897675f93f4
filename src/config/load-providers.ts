import { createHash } from 'node:crypto';
import { isURL } from 'class-validator';
import { ProviderConfig, ProviderKind } from './app-config';
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
  DISPLAY_NAME: 'OIDC_DISPLAY_NAME',
  TRUST_ROLES: 'OIDC_TRUST_ROLES',
} as const;
type Field = keyof typeof SINGLE_PROVIDER_VARIABLES;

/**
 * The providers: without OIDC_PROVIDERS, one provider named `default` from the single-provider
 * variables; with it, one per listed name from OIDC_<NAME>_*, the first listed falling back to the
 * single-provider variables so an existing configuration stays valid.
 */
export function loadProviders(
  vars: Record<string, string>,
  bad: ReadonlySet<string>,
  production: boolean,
  report: Report,
): ProviderConfig[] {
  const listed = bad.has('OIDC_PROVIDERS') ? undefined : vars.OIDC_PROVIDERS;
  const names = listed ? listed.toLowerCase().split(',') : ['default'];
  if (new Set(names).size !== names.length) report('OIDC_PROVIDERS', 'names a provider twice');
  return names.map((name, index) => {
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
    return readProvider(name, isDefault, production, read, report);
  });
}

function readProvider(
  name: string,
  isDefault: boolean,
  production: boolean,
  read: (field: Field) => { name: string; value: string | undefined },
  report: Report,
): ProviderConfig {
  const required = (field: Field, devDefault: string): string => {
    const { name: variable, value } = read(field);
    const result = value ?? (isDefault ? devDefault : undefined);
    if (result === undefined) report(variable, `must be set for provider ${name}`);
    // Production refuses the public kickstart credentials whether they were set or defaulted.
    else if (production && DEV_CREDENTIALS.has(result)) {
      report(
        variable,
        `${value === undefined ? 'is not set, and its default' : 'is'} a public development credential (refused in production)`,
      );
    }
    return result ?? '';
  };
  const issuerVariable = read('ISSUER');
  const issuer =
    httpUrl(issuerVariable, report) ??
    (issuerVariable.value === undefined ? required('ISSUER', DEV_DEFAULTS.issuer) : '');
  const kind = parseKind(read('KIND'), isDefault ? 'fusionauth' : 'generic', report);
  const provider: ProviderConfig = {
    name,
    displayName: read('DISPLAY_NAME').value ?? (kind === 'fusionauth' && isDefault ? 'FusionAuth' : capitalize(name)),
    kind,
    issuer,
    issuerKey: createHash('sha256').update(issuer).digest('base64url').slice(0, 12),
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
      url: httpUrl(read('FUSIONAUTH_URL'), report) ?? issuer,
      apiKey: required('FUSIONAUTH_API_KEY', DEV_DEFAULTS.fusionAuthApiKey),
    },
  };
}

function httpUrl({ name, value }: { name: string; value: string | undefined }, report: Report): string | undefined {
  if (value === undefined) return undefined;
  if (!isURL(value, { require_tld: false, require_protocol: true, protocols: ['http', 'https'] })) {
    report(name, `must be an absolute http(s) URL (got "${value}")`);
    return undefined;
  }
  // Issuers are compared as exact strings (OpenID Connect Discovery 1.0, section 4.3); only a lone
  // trailing slash is dropped so that `http://idp/` and `http://idp` configure the same provider.
  return value.replace(/\/$/, '');
}

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
