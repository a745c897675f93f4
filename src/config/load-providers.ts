import { createHash } from 'node:crypto';
import { ProviderConfig, ProviderKind, WebhookConfig } from './app-config';
import { ReadContext, Reading, readVariable } from './env-reader';
import { PROVIDER_VARIABLES, ProviderField, ProviderVariable } from './provider-variables';
import { ValueOf } from './variable';

export { ID_TOKEN_ALGS } from './service-parsers';

type FieldValue<F extends ProviderField> = ValueOf<(typeof PROVIDER_VARIABLES)[F]>;
type Read = <F extends ProviderField>(field: F) => FieldValue<F>;

/** The variables a provider's field is read from, in order: its own, then (first provider) the single one. */
export function providerVariableNames(field: ProviderField, name: string, listed: boolean, first: boolean): string[] {
  const own = listed ? [`OIDC_${name.toUpperCase()}_${field}`] : [];
  return first ? [...own, PROVIDER_VARIABLES[field].single] : own;
}

/**
 * The providers: without OIDC_PROVIDERS, one provider named `default` from the single-provider
 * variables; with it, one per listed name from OIDC_<NAME>_*, the first listed falling back to the
 * single-provider variables so an existing configuration stays valid.
 */
export function loadProviders(
  listed: readonly string[] | undefined,
  context: ReadContext,
  webhook: WebhookConfig,
): ProviderConfig[] {
  const names = listed ?? ['default'];
  const providers = names.map((name, index) => {
    // One cast: the declaration of `field` yields FieldValue<F>, which TypeScript cannot follow through the index.
    const read: Read = (field) =>
      readField(field, name, listed !== undefined, index === 0, context).value as FieldValue<typeof field>;
    return readProvider(name, index === 0, read, webhook);
  });
  refuseSharedSecrets(providers, context.report);
  return providers;
}

/**
 * Every candidate that is set is validated (a shadowed single-provider variable too); the first
 * set one is the value. Unset: the default, and for the first provider outside production the
 * kickstart's value; still unset and required, a problem.
 */
function readField(
  field: ProviderField,
  provider: string,
  listed: boolean,
  first: boolean,
  context: ReadContext,
): Reading<unknown> {
  const decl: ProviderVariable = PROVIDER_VARIABLES[field];
  const candidates = providerVariableNames(field, provider, listed, first);
  const set = candidates.filter((name) => context.vars[name] !== undefined);
  for (const shadowed of set.slice(1)) readVariable(decl, shadowed, { ...context, production: false });
  const kickstart = first && !context.production ? decl.kickstart : undefined;
  const reading = readVariable(decl, set[0] ?? candidates[0]!, context, decl.default ?? kickstart ?? null);
  if (reading.value === undefined && !reading.bad && decl.required !== undefined) {
    context.report(
      reading.name,
      context.production && decl.required === true
        ? 'must be set (refused in production)'
        : `must be set for provider ${provider}${decl.required === true ? '' : ` ${decl.required}`}`,
    );
  }
  return reading;
}

function readProvider(name: string, isDefault: boolean, read: Read, webhook: WebhookConfig): ProviderConfig {
  const issuer = read('ISSUER') ?? '';
  const kind: ProviderKind = read('KIND') ?? (isDefault ? 'fusionauth' : 'generic');
  const provider: ProviderConfig = {
    name,
    displayName: read('DISPLAY_NAME') ?? (kind === 'fusionauth' && isDefault ? 'FusionAuth' : capitalize(name)),
    kind,
    // Kept exactly as written: an issuer is compared as an exact string (OpenID Connect Discovery
    // 1.0, 4.3, and the `iss` of every token), so `http://idp/` and `http://idp` are two issuers.
    issuer,
    issuerKey: createHash('sha256').update(issuer).digest('base64url').slice(0, 12),
    // FusionAuth also serves one per tenant; either way the document must name the issuer exactly.
    discoveryUrl: read('DISCOVERY_URL') ?? `${withoutTrailingSlash(issuer)}/.well-known/openid-configuration`,
    clientId: read('CLIENT_ID') ?? '',
    clientSecret: read('CLIENT_SECRET') ?? '',
    scopes: read('SCOPES'),
    idTokenAlgs: read('ID_TOKEN_ALGS'),
    // FusionAuth's roles are this application's own; a generic provider's are trusted only on purpose.
    trustRoles: read('TRUST_ROLES') ?? kind === 'fusionauth',
  };
  if (kind !== 'fusionauth') return provider;
  return {
    ...provider,
    fusionAuth: {
      // An API base, not an identifier: a trailing slash would only double the one of `/api/...`.
      url: withoutTrailingSlash(read('FUSIONAUTH_URL') ?? issuer),
      apiKey: read('FUSIONAUTH_API_KEY') ?? '',
      // Unset in production means no header: right for a FusionAuth with one tenant, refused by one with more.
      tenantId: read('FUSIONAUTH_TENANT_ID'),
    },
    webhook: {
      // Pinned: any other key of the issuer (an access-token key too) must not vouch for an event.
      signingKeyId: webhook.jwt ? read('WEBHOOK_SIGNING_KEY_ID') : undefined,
      hmacSecrets: webhook.hmac ? (read('WEBHOOK_HMAC_SECRET') ?? []) : [],
    },
  };
}

/** Each FusionAuth its own secret: one shared would let one FusionAuth's events pass as another's. */
function refuseSharedSecrets(providers: readonly ProviderConfig[], report: ReadContext['report']): void {
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

const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
