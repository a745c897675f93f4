import { createSign, KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { CryptoKey, exportJWK, generateKeyPair, JWK, JWTPayload, SignJWT } from 'jose';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function newKey(kid: string, alg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** RS256 over any header and payload, bypassing a library's refusals: for hostile tokens. */
export function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key: TestKey): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(KeyObject.from(key.privateKey));
  return `${input}.${signature.toString('base64url')}`;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/**
 * A minimal OpenID issuer on 127.0.0.1:0 that serves discovery and a key set the test controls, and
 * counts key-set fetches. Tests sign tokens with its keys, correctly or on purpose incorrectly.
 */
export class TestIssuer {
  keys: TestKey[] = [];
  /** Extra keys published without the issuer signing with them (or `kid`-less variants). */
  publishedJwks?: () => JWK[];
  jwksFetches = 0;
  failJwks = false;
  discoveryOverrides: Record<string, unknown> = {};
  readonly handlers: Handler[] = [];
  private server?: Server;
  url = '';

  static async start(keyCount = 1): Promise<TestIssuer> {
    const issuer = new TestIssuer();
    for (let i = 0; i < keyCount; i++) issuer.keys.push(await newKey(`key-${i + 1}`));
    await issuer.listen();
    return issuer;
  }

  get key(): TestKey {
    return this.keys[0]!;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  discovery(): Record<string, unknown> {
    return {
      issuer: this.url,
      authorization_endpoint: `${this.url}/oauth2/authorize`,
      token_endpoint: `${this.url}/oauth2/token`,
      userinfo_endpoint: `${this.url}/oauth2/userinfo`,
      jwks_uri: `${this.url}/.well-known/jwks.json`,
      end_session_endpoint: `${this.url}/oauth2/logout`,
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      ...this.discoveryOverrides,
    };
  }

  /** A token signed with `key` (default: the issuer's first key), claims defaulted to a valid one. */
  async sign(
    claims: JWTPayload,
    options: { key?: TestKey; header?: Record<string, unknown>; audience?: string } = {},
  ): Promise<string> {
    const key = options.key ?? this.key;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: this.url,
      sub: 'user-1',
      aud: options.audience ?? 'client-1',
      iat: now,
      exp: now + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...options.header })
      .sign(key.privateKey);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const handler of this.handlers) if (await handler(req, res)) return;
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path === '/.well-known/openid-configuration') return json(res, 200, this.discovery());
    if (path === '/.well-known/jwks.json') {
      this.jwksFetches++;
      if (this.failJwks) return json(res, 500, { error: 'down' });
      return json(res, 200, { keys: this.publishedJwks ? this.publishedJwks() : this.keys.map((k) => k.publicJwk) });
    }
    json(res, 404, { error: 'not_found' });
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
