import { RedisStore } from 'connect-redis';
import express from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import { createClient } from 'redis';
import { peerEnv, runPeer } from './peer-env';

// Express + Auth0's OpenID Connect middleware with its sessions in Redis (connect-redis, the store
// its README names), logging in through the dev IdP with the code flow, and a small page that
// renders req.oidc.user.

/**
 * connect-redis is an express-session store, which is what the library takes (its README); only the
 * two packages' type declarations of a session's cookie differ.
 */
type SessionStore = NonNullable<NonNullable<Parameters<typeof auth>[0]>['session']>['store'];

const escape = (value: unknown): string =>
  typeof value === 'string' ? value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`) : '';

runPeer(async () => {
  const env = peerEnv();
  const client = createClient({ url: env.redisUrl });
  client.on('error', () => undefined);
  await client.connect();
  const app = express();
  app.use(
    auth({
      issuerBaseURL: env.issuer,
      baseURL: env.baseUrl,
      clientID: env.clientId,
      clientSecret: env.clientSecret,
      secret: 'bench-only-cookie-secret-0123456789abcdef-not-for-production',
      authRequired: false,
      idpLogout: false,
      authorizationParams: { response_type: 'code', scope: 'openid profile email' },
      session: { store: new RedisStore({ client, prefix: 'bench-eoc:' }) as unknown as SessionStore },
    }),
  );
  app.get('/account', requiresAuth(), (req, res) => {
    const user = req.oidc.user ?? {};
    res.send(
      `<!doctype html><html lang="en"><head><title>Account</title></head><body><h1>Account</h1>` +
        `<p>${escape(user.name)}</p><p>${escape(user.email)}</p></body></html>`,
    );
  });
  await new Promise<void>((resolve) => app.listen(env.port, '127.0.0.1', () => resolve()));
});
