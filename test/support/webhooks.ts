import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { DevIdp } from '../../src/dev-idp/dev-idp';
import { signatureJwt } from '../../src/dev-idp/webhooks/webhook-sender';
import { ROOT } from './paths';

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'fusionauth');

/** A fixture body with fresh ids and instants, and the ids that matter pointed at real users and apps. */
export function fixtureEvent(
  name: string,
  overrides: Record<string, unknown> = {},
): { event: Record<string, unknown> } {
  const { event } = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { event: Record<string, unknown> };
  return { event: { ...event, id: randomUUID(), createInstant: Date.now(), ...overrides } };
}

/** The dev IdP's webhook signing key (what its kickstart configured). */
export function webhookKey(idp: DevIdp) {
  const webhook = [...idp.state.webhooks.values()][0]!;
  return idp.state.keys.get(webhook.signatureConfiguration!.signingKeyId!)!;
}

/** POSTs a body to the service's webhook, signed as FusionAuth signs (unless told otherwise). */
export async function postWebhook(
  appUrl: string,
  body: string | object,
  options: { signature?: string | null; headers?: Record<string, string>; idp?: DevIdp } = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature =
    options.signature === undefined && options.idp
      ? await signatureJwt(webhookKey(options.idp), raw)
      : options.signature;
  return fetch(`${appUrl}/webhooks/fusionauth`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-fusionauth-signature-jwt': signature } : {}),
      ...options.headers,
    },
    body: raw,
  });
}

/** The signature JWT made with an HMAC secret (WEBHOOK_VERIFY=hmac). */
export function hmacSignature(raw: string, secret: string, alg = 'HS256'): Promise<string> {
  return signatureJwt(
    { id: 'hmac', kid: 'hmac-key', algorithm: alg as 'HS256', name: 'hmac', type: 'HMAC', insertInstant: 0, secret },
    raw,
  );
}

export const unsignedJwt = (claims: object) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

export { SignJWT };
