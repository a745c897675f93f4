import express from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import { peerEnv, runPeer } from './peer-env';

// Express + Auth0's bearer middleware, as its README shows: issuer and audience checked, keys from
// the issuer's discovery document and JWKS (cached by the library). No revocation.

runPeer(async () => {
  const env = peerEnv();
  const app = express();
  const checkJwt = auth({ issuerBaseURL: env.issuer, audience: env.clientId, tokenSigningAlg: 'RS256' });
  app.get('/api/me', checkJwt, (req, res) => {
    const claims = req.auth?.payload ?? {};
    res.json({
      sub: claims.sub,
      email: claims.email,
      roles: claims.roles,
      applicationId: claims.applicationId,
      exp: claims.exp,
    });
  });
  await new Promise<void>((resolve) => app.listen(env.port, '127.0.0.1', () => resolve()));
});
