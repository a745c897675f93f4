import { performance } from 'node:perf_hooks';
import { BenchOptions } from '../options';
import { BenchStack } from '../stack/bench-stack';
import { log, loud } from '../support/log';
import { browserSession } from './browser-sessions';
import { FreshUser, freshUsers } from './revocation';
import { distinctTokens, loginToken, verifyCacheSize } from './tokens';

async function timed<T>(what: string, work: Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work;
  log(`  ${what}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

export interface Prepared {
  readonly token: string;
  readonly coldTokens: readonly string[];
  readonly verifyCacheSize: number;
  readonly serviceCookie: string;
  readonly peerCookie: string;
  readonly users: readonly FreshUser[];
}

/**
 * The credentials the targets use, all from the dev IdP: richard's token from the Login API, as many
 * distinct tokens of his as the cold targets need, a browser logged in to A and one logged in to the
 * OpenID Connect peer (both through the IdP's login page), and fresh users for the revocation phase.
 */
export async function preparePhase(
  stack: BenchStack,
  options: BenchOptions,
  needs: { cold: boolean },
  warnings: string[],
): Promise<Prepared> {
  const token = await loginToken(stack.fusionAuth);
  const cache = verifyCacheSize();
  if (!cache.found) {
    warnings.push(`the service's verify cache size was not found in dist/: assuming ${cache.size}`);
    loud(warnings.at(-1)!);
  }
  const count = needs.cold ? (options.coldTokens ?? Math.ceil(cache.size * 1.1)) : 0;
  const [coldTokens, serviceCookie, peerCookie, users] = await Promise.all([
    timed(`${count} distinct tokens`, distinctTokens(stack.idp, token, count)),
    timed('a browser session on A', browserSession(stack.a.url, '/auth/login', '/account')),
    timed(
      'a browser session on express-openid-connect',
      browserSession(stack.peers.express_openid_connect.url, '/login', '/account'),
    ),
    timed(`${options.revocations} fresh users`, freshUsers(stack.fusionAuth, options.revocations)),
  ]);
  // The IdP's own webhooks for those logins and registrations are delivered before anything is measured.
  await stack.idp.webhooks.settled();
  log(
    `  a bearer token, ${coldTokens.length} distinct tokens (the service's verify cache holds ${cache.size}), ` +
      `browser sessions on A and on express-openid-connect, ${users.length} fresh users`,
  );
  return { token, coldTokens, verifyCacheSize: cache.size, serviceCookie, peerCookie, users };
}
