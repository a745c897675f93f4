import { createHash } from 'node:crypto';
import { exportSPKI, JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { IncomingMessage, ServerResponse } from 'node:http';
import { json, newKey, signRaw, TestIssuer, TestKey } from './test-issuer';

/**
 * The ways a hostile provider forges a token (OpenID RP certification, RFC 8725): each breaks exactly
 * one rule and is otherwise a valid token for the claims given.
 */
export type Forgery =
  | 'alg-none'
  | 'hs256-with-public-key'
  | 'bad-signature'
  | 'unknown-key'
  | 'no-kid'
  | 'header-jwk'
  | 'header-jku'
  | 'header-x5u';

/** How the token endpoint misbehaves: an OAuth error, no answer at all, or a body that is not JSON. */
export type TokenEndpointFault = 'error' | 'hang' | 'garbage';

/** Where a forged header points the service; a service that fetched it would have trusted the token. */
export const ATTACKER_KEYS_PATH = '/attacker/jwks.json';

export interface AuthorizeRequest {
  readonly state: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly redirectUri: string;
  readonly responseType?: string;
  readonly scope?: string;
}

/**
 * An OpenID provider a test controls completely: authorization is granted at once (no login page),
 * and the token endpoint answers with whatever `tokens` builds: correct tokens by default, broken
 * ones on purpose. It checks the PKCE verifier, so a client that does not send one fails.
 */
export class HostileProvider extends TestIssuer {
  readonly authorizations: AuthorizeRequest[] = [];
  tokenRequests = 0;
  /** Builds the token response for an authorization; a test replaces it to misbehave. */
  tokens: (auth: AuthorizeRequest) => Promise<{ status?: number; body: unknown }> = async (auth) => ({
    body: {
      access_token: 'opaque-access-token',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: await this.idToken(auth),
    },
  });
  /** Answers a refresh_token grant; a test replaces it to misbehave. */
  refresh: (refreshToken: string) => Promise<{ status?: number; body: unknown }> = async () => ({
    body: {
      access_token: 'opaque-refreshed',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: await this.sign({ sub: 'hostile-user' }),
    },
  });
  refreshRequests = 0;
  /** What /oauth2/userinfo answers (for a bearer token it issued). */
  userinfo: () => Record<string, unknown> = () => ({ sub: 'hostile-user', email: 'user@hostile.example' });
  /** The Authorization header of each token request and each userinfo request, in order. */
  readonly tokenAuthorizations: string[] = [];
  readonly userinfoAuthorizations: string[] = [];
  /** Every request the provider received, by path. */
  readonly requests = new Map<string, number>();
  private readonly codes = new Map<string, AuthorizeRequest>();
  private strangerKey?: TestKey;

  static override async start(keyCount = 1): Promise<HostileProvider> {
    const provider = new HostileProvider();
    for (let i = 0; i < keyCount; i++) provider.keys.push(await newKey(`key-${i + 1}`));
    provider.handlers.push((req) => provider.count(req));
    provider.handlers.push((req, res) => provider.route(req, res));
    await provider.listen();
    return provider;
  }

  /** Back to a well-behaved provider (between tests); a rotated key stays rotated. */
  reset(): void {
    this.answerWithIdToken((auth) => this.idToken(auth));
    this.userinfo = () => ({ sub: 'hostile-user', email: 'user@hostile.example' });
    this.publishedJwks = undefined;
    this.discoveryOverrides = {};
    this.failJwks = false;
  }

  /** A key pair the provider does not publish: what an attacker signs with. */
  async stranger(): Promise<TestKey> {
    return (this.strangerKey ??= await newKey('stranger'));
  }

  requestsTo(path: string): number {
    return this.requests.get(path) ?? 0;
  }

  /** A token with the default claims and `claims`, forged in one way. */
  async forge(forgery: Forgery, claims: JWTPayload = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const full = { iss: this.url, sub: 'hostile-user', aud: 'client-1', iat: now, exp: now + 300, ...claims };
    const stranger = await this.stranger();
    switch (forgery) {
      case 'alg-none':
        return new UnsecuredJWT(full).encode();
      case 'hs256-with-public-key': {
        // The classic key confusion: the RSA public key (which anyone can fetch) used as an HMAC secret.
        const secret = new TextEncoder().encode(await exportSPKI(this.key.publicKey));
        return new SignJWT(full).setProtectedHeader({ alg: 'HS256', kid: this.key.kid }).sign(secret);
      }
      case 'bad-signature': {
        const [header, , signature] = (await this.sign({ ...full, sub: 'somebody-else' })).split('.');
        return `${header}.${Buffer.from(JSON.stringify(full)).toString('base64url')}.${signature}`;
      }
      case 'unknown-key':
        return signRaw({ alg: 'RS256', kid: stranger.kid, typ: 'JWT' }, full, stranger);
      case 'no-kid':
        return signRaw({ alg: 'RS256', typ: 'JWT' }, full, this.key);
      case 'header-jwk':
        return signRaw({ alg: 'RS256', typ: 'JWT', jwk: stranger.publicJwk }, full, stranger);
      case 'header-jku':
        return signRaw({ alg: 'RS256', kid: stranger.kid, jku: `${this.url}${ATTACKER_KEYS_PATH}` }, full, stranger);
      case 'header-x5u':
        return signRaw({ alg: 'RS256', kid: stranger.kid, x5u: `${this.url}/attacker/cert.pem` }, full, stranger);
    }
  }

  /** From now on the token endpoint answers with the ID token `build` makes for each authorization. */
  answerWithIdToken(build: (auth: AuthorizeRequest) => Promise<string>): void {
    this.tokens = async (auth) => ({
      body: { access_token: 'opaque-access-token', token_type: 'Bearer', expires_in: 300, id_token: await build(auth) },
    });
  }

  /** From now on the token endpoint fails in the given way. */
  failTokenEndpoint(fault: TokenEndpointFault): void {
    this.tokens = () => {
      if (fault === 'hang') return new Promise<never>(() => undefined);
      if (fault === 'garbage') return Promise.resolve({ body: '<html>this is not JSON' });
      return Promise.resolve({ status: 500, body: { error: 'server_error' } });
    };
  }

  /** Replaces the signing key: the old one is withdrawn from the key set, the new one signs from now on. */
  async rotateKey(): Promise<TestKey> {
    const next = await newKey(`key-rotated-${this.keys.length + 1}-${Date.now()}`);
    this.keys = [next];
    return next;
  }

  private count(req: IncomingMessage): boolean {
    const path = new URL(req.url ?? '/', this.url).pathname;
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    return false;
  }

  /** A correct ID token for this authorization, claims overridable. */
  idToken(auth: AuthorizeRequest, claims: JWTPayload = {}): Promise<string> {
    return this.sign({ sub: 'hostile-user', email: 'user@hostile.example', nonce: auth.nonce, ...claims });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/oauth2/authorize') {
      const auth: AuthorizeRequest = {
        state: url.searchParams.get('state') ?? '',
        nonce: url.searchParams.get('nonce') ?? undefined,
        codeChallenge: url.searchParams.get('code_challenge') ?? undefined,
        codeChallengeMethod: url.searchParams.get('code_challenge_method') ?? undefined,
        redirectUri: url.searchParams.get('redirect_uri') ?? '',
        responseType: url.searchParams.get('response_type') ?? undefined,
        scope: url.searchParams.get('scope') ?? undefined,
      };
      this.authorizations.push(auth);
      const code = `code-${this.authorizations.length}`;
      this.codes.set(code, auth);
      const back = new URL(auth.redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', auth.state);
      res.writeHead(302, { location: back.href }).end();
      return true;
    }
    if (url.pathname === ATTACKER_KEYS_PATH) {
      // Served, so that a service following `jku` would find the attacker's key there and be fooled.
      json(res, 200, { keys: this.strangerKey ? [this.strangerKey.publicJwk] : [] });
      return true;
    }
    if (url.pathname === '/oauth2/userinfo') {
      this.userinfoAuthorizations.push(req.headers.authorization ?? `query:${url.search}`);
      json(res, req.headers.authorization?.startsWith('Bearer ') ? 200 : 401, this.userinfo());
      return true;
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      this.tokenRequests++;
      this.tokenAuthorizations.push(req.headers.authorization ?? '');
      let raw = '';
      for await (const chunk of req) raw += String(chunk);
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') === 'refresh_token') {
        this.refreshRequests++;
        const answer = await this.refresh(form.get('refresh_token') ?? '');
        json(res, answer.status ?? 200, answer.body);
        return true;
      }
      const auth = this.codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!auth || auth.codeChallengeMethod !== 'S256' || challenge !== auth.codeChallenge) {
        json(res, 400, { error: 'invalid_grant' });
        return true;
      }
      const answer = await this.tokens(auth);
      if (typeof answer.body === 'string')
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(answer.body);
      else json(res, answer.status ?? 200, answer.body);
      return true;
    }
    return false;
  }
}
