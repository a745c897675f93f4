import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * The OAuth paths FusionAuth serves that the dev IdP implements (with oidc-provider's own
 * continuations of a login and a logout). Anything else oidc-provider would answer — RFC 7009
 * revocation, pushed authorization requests, RFC 8414 metadata — FusionAuth does not have.
 */
const FUSIONAUTH_OAUTH_PATH =
  /^\/(?:oauth2\/(?:authorize(?:\/[\w-]+)?|token|userinfo|introspect|logout(?:\/(?:confirm|success))?)|\.well-known\/(?:openid-configuration|jwks\.json))$/;

/** FusionAuth's per-tenant discovery document (since 1.46): `/{tenantId}/.well-known/openid-configuration`. */
const TENANT_DISCOVERY = /^\/([0-9a-f-]{36})(\/\.well-known\/openid-configuration)$/i;

/**
 * The path to hand to oidc-provider for a request's path, or undefined when FusionAuth has no such
 * endpoint (404). The dev IdP has one issuer: only the default tenant's discovery path answers.
 */
export function oauthPathOf(path: string, defaultTenantId: string): string | undefined {
  const tenant = TENANT_DISCOVERY.exec(path);
  if (tenant) return tenant[1]!.toLowerCase() === defaultTenantId.toLowerCase() ? tenant[2] : undefined;
  return FUSIONAUTH_OAUTH_PATH.test(path) ? path : undefined;
}

/** The fields of FusionAuth's discovery document (its documented example) that the dev IdP can honour. */
const DISCOVERY_FIELDS = [
  'authorization_endpoint',
  'claims_supported',
  'end_session_endpoint',
  'grant_types_supported',
  'id_token_signing_alg_values_supported',
  'issuer',
  'jwks_uri',
  'response_modes_supported',
  'response_types_supported',
  'scopes_supported',
  'subject_types_supported',
  'token_endpoint',
  'token_endpoint_auth_methods_supported',
  'userinfo_endpoint',
] as const;

/**
 * The discovery document as FusionAuth publishes it: front-channel logout without session
 * parameters (no `frontchannel_logout_session_supported`: its logout URLs get no `iss` or `sid`),
 * no back-channel logout, and none of the endpoints and extensions FusionAuth does not offer.
 */
export function fusionAuthDiscovery() {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.path !== '/.well-known/openid-configuration' || ctx.status !== 200) return;
    const served = ctx.body as Record<string, unknown>;
    const document: Record<string, unknown> = {};
    for (const field of DISCOVERY_FIELDS) if (served[field] !== undefined) document[field] = served[field];
    ctx.body = { ...document, backchannel_logout_supported: false, frontchannel_logout_supported: true };
  };
}
