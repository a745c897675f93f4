import type { AuthMode } from './app-config';
import { httpUrl, list, mapped, matching, refine, text } from './parsers';
import type { Parsed, Parser } from './variable';

/** The forms of this service's own variables; the generic parsers are in parsers.ts. */

/** APP_URL: an origin; a trailing slash is dropped, a path, query or fragment refused. */
export const appOrigin: Parser<string> = mapped(
  refine(httpUrl, (raw) => {
    const url = new URL(raw);
    return url.search || url.hash || url.pathname !== '/'
      ? 'must be an origin without path, query or fragment'
      : undefined;
  }),
  (raw) => new URL(raw).origin,
);

export const authModes: Parser<AuthMode[]> = mapped(
  matching(/^(oidc|password)(,(oidc|password))?$/, 'must be oidc, password or oidc,password'),
  (raw) => [...new Set(raw.split(','))] as AuthMode[],
);

export const providerNames: Parser<string[]> = refine(
  mapped(
    matching(/^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$/i, 'must be a comma-separated list of names (letters, digits, _)'),
    (raw) => raw.toLowerCase().split(','),
  ),
  (names) => (new Set(names).size === names.length ? undefined : 'names a provider twice'),
);

export interface WebhookWays {
  readonly jwt: boolean;
  readonly hmac: boolean;
  readonly basic: boolean;
}

export const webhookWays: Parser<WebhookWays> = mapped(
  matching(
    /^(jwt|hmac|basic)(,(jwt|hmac|basic)){0,2}$/,
    'must be jwt, hmac and/or basic (basic with jwt or hmac), comma-separated',
  ),
  (raw) => {
    const ways = new Set(raw.split(','));
    return { jwt: ways.has('jwt'), hmac: ways.has('hmac'), basic: ways.has('basic') };
  },
);

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

export const idTokenAlgs: Parser<string[]> = (raw): Parsed<string[]> => {
  const algs = raw
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  // An unsigned ID token proves nothing; `none` is refused whatever the provider says it supports.
  if (algs.some((a) => a.toLowerCase() === 'none')) {
    return { error: 'must not contain none: unsigned ID tokens are never accepted' };
  }
  const unknown = algs.filter((a) => !ID_TOKEN_ALGS.has(a));
  if (unknown.length > 0) {
    return { error: `has unknown algorithm(s) ${unknown.join(', ')}; known: ${[...ID_TOKEN_ALGS].join(', ')}` };
  }
  if (algs.length === 0) return { error: 'must name at least one algorithm' };
  return { value: algs };
};

export const scopes: Parser<string[]> = (raw) => {
  const given = raw.split(/\s+/).filter(Boolean);
  return given.includes('openid') ? { value: [...new Set(given)] } : { error: 'must include openid' };
};

/** A JWK `kid`: printable ASCII, no spaces. */
export const keyId: Parser<string> = matching(
  /^[\x21-\x7e]{1,256}$/,
  'must be a key id (kid) of 1-256 printable characters',
);

/** One secret or a comma-separated list (several at once while FusionAuth's key is rotated). */
export const secretList: Parser<string[]> = list(',', text(), 'secret');
