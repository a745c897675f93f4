import { IncomingMessage, ServerResponse } from 'node:http';
import type { Errors, LoginResponse } from '@fusionauth/typescript-client';
import { json, newKey, TestIssuer } from './test-issuer';

/** One answer of the scripted FusionAuth: a status and a body typed as FusionAuth's client declares it. */
export interface ScriptedAnswer {
  readonly status: number;
  /** `undefined`: an empty body, as FusionAuth answers 404, 410, 421 and 423. */
  readonly body?: LoginResponse | Errors | object;
}

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization?: string;
  readonly tenantId?: string;
  readonly body: Record<string, unknown>;
}

export const SCRIPTED = {
  clientId: 'e6d3bb01-2c3e-4b7a-9a1e-0d9c7f3c1a11',
  clientSecret: 'scripted-client-secret-for-tests-only',
  apiKey: 'scripted-api-key-for-tests-only',
  tenantId: '4c6a5e83-6f2e-4e0b-8d7a-3f0b9c2d1e55',
  userId: 'b3f2a1c4-0000-4000-8000-000000000001',
  email: 'scripted@example.com',
} as const;

/**
 * FusionAuth where none can run: an OpenID issuer (discovery, keys) that also serves the FusionAuth
 * API paths a test scripts, one answer per call, each a fixture typed with
 * @fusionauth/typescript-client's interfaces. It records every call; a call nobody scripted is
 * answered 500 and remembered in `unexpected`, so a test fails loudly on it.
 */
export class ScriptedFusionAuth extends TestIssuer {
  readonly calls: RecordedCall[] = [];
  readonly unexpected: string[] = [];
  private readonly script = new Map<string, ScriptedAnswer[]>();

  static override async start(): Promise<ScriptedFusionAuth> {
    const fake = new ScriptedFusionAuth();
    fake.keys.push(await newKey('scripted-key'));
    fake.handlers.push((req, res) => fake.answer(req, res));
    await fake.listen();
    return fake;
  }

  /** Queues answers for `METHOD /path` (the path without a query), served in order. */
  on(route: string, ...answers: ScriptedAnswer[]): this {
    this.script.set(route, [...(this.script.get(route) ?? []), ...answers]);
    return this;
  }

  callsTo(route: string): RecordedCall[] {
    return this.calls.filter((c) => `${c.method} ${c.path}` === route);
  }

  /** An access token as FusionAuth issues it for this client, signed with the published key. */
  accessToken(claims: Record<string, unknown> = {}): Promise<string> {
    return this.sign(
      {
        sub: SCRIPTED.userId,
        email: SCRIPTED.email,
        applicationId: SCRIPTED.clientId,
        roles: ['user'],
        sid: 'scripted-refresh-token-id',
        tid: SCRIPTED.tenantId,
        authenticationType: 'PASSWORD',
        auth_time: Math.floor(Date.now() / 1000),
        ...claims,
      },
      { audience: SCRIPTED.clientId },
    );
  }

  /** The service's environment pointing at this FusionAuth. */
  env(): Record<string, string> {
    return {
      OIDC_ISSUER: this.url,
      FUSIONAUTH_URL: this.url,
      OIDC_CLIENT_ID: SCRIPTED.clientId,
      OIDC_CLIENT_SECRET: SCRIPTED.clientSecret,
      FUSIONAUTH_API_KEY: SCRIPTED.apiKey,
      FUSIONAUTH_TENANT_ID: SCRIPTED.tenantId,
      AUTH_MODES: 'password',
    };
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (!path.startsWith('/api/')) return false;
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => resolve(data));
    });
    const route = `${req.method} ${path}`;
    this.calls.push({
      method: req.method ?? '',
      path,
      query: url.searchParams,
      authorization: req.headers.authorization,
      tenantId: req.headers['x-fusionauth-tenantid'] as string | undefined,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
    });
    const next = this.script.get(route)?.shift();
    if (!next) {
      this.unexpected.push(route);
      json(res, 500, { generalErrors: [{ code: '[unexpected]', message: `nobody scripted ${route}` }] });
      return true;
    }
    if (next.body === undefined) res.writeHead(next.status).end();
    else json(res, next.status, next.body);
    return true;
  }
}
