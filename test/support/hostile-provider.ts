import { createHash } from 'node:crypto';
import { JWTPayload } from 'jose';
import { IncomingMessage, ServerResponse } from 'node:http';
import { json, newKey, TestIssuer } from './test-issuer';

export interface AuthorizeRequest {
  readonly state: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly redirectUri: string;
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
  private readonly codes = new Map<string, AuthorizeRequest>();

  static override async start(keyCount = 1): Promise<HostileProvider> {
    const provider = new HostileProvider();
    for (let i = 0; i < keyCount; i++) provider.keys.push(await newKey(`key-${i + 1}`));
    provider.handlers.push((req, res) => provider.route(req, res));
    await provider.listen();
    return provider;
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
    if (url.pathname === '/oauth2/userinfo') {
      json(res, req.headers.authorization?.startsWith('Bearer ') ? 200 : 401, this.userinfo());
      return true;
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      this.tokenRequests++;
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
