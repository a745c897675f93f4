import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import FusionAuthClient from '@fusionauth/typescript-client';
import { decodeJwt } from 'jose';
import { DevIdp } from '../../src/dev-idp/dev-idp';
import { signAccessToken } from '../../src/dev-idp/tokens/access-tokens';
import { KICKSTART_DEFAULTS as K } from '../../test/support/dev-idp';
import { ROOT } from '../../test/support/paths';
import { inPool } from '../support/time';

/** Where the service keeps the access tokens it has verified (src/tokens/token-verifier.service.ts). */
const VERIFIER = join(ROOT, 'dist', 'tokens', 'token-verifier.service.js');
const FALLBACK_CACHE_SIZE = 10_000;

/**
 * The size of the service's cache of verified tokens, read from the compiled service, so a pool "larger
 * than the cache" stays larger when the cache changes. Undefined when it cannot be found.
 */
export function verifyCacheSize(): { size: number; found: boolean } {
  const match = /VERIFIED_CACHE_SIZE = ([\d_]+)/.exec(readFileSync(VERIFIER, 'utf8'));
  return match
    ? { size: Number(match[1]!.replace(/_/g, '')), found: true }
    : { size: FALLBACK_CACHE_SIZE, found: false };
}

/** richard's access token from FusionAuth's Login API. */
export async function loginToken(fusionAuth: FusionAuthClient): Promise<string> {
  const { response } = await fusionAuth.login({
    loginId: K.richard.email,
    password: K.richard.password,
    applicationId: K.applicationId,
  });
  if (!response.token) throw new Error(`the Login API gave ${K.richard.email} no access token`);
  return response.token;
}

/**
 * `count` distinct access tokens of the same user and login as `token`, each signed by the dev IdP
 * exactly as its Login API signs one (same claims, a new `jti` each): a new token per request, which
 * no cache of verified tokens can have seen when the pool is larger than the cache.
 */
export async function distinctTokens(idp: DevIdp, token: string, count: number): Promise<string[]> {
  const claims = decodeJwt(token);
  const user = idp.state.users.get(String(claims.sub))?.user;
  const application = idp.state.applications.get(K.applicationId);
  if (!user || !application) throw new Error('the dev IdP has no richard or no application (kickstart)');
  const context = {
    authenticationType: String(claims.authenticationType),
    sid: typeof claims.sid === 'string' ? claims.sid : undefined,
    authTime: Number(claims.auth_time),
  };
  const tokens = await inPool(
    Array.from({ length: count }, (_, i) => i),
    8,
    async () => (await signAccessToken(idp.state, user, application, context)).token,
  );
  if (new Set(tokens).size !== count) throw new Error('the distinct tokens are not distinct');
  return tokens;
}
