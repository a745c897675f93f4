import { createHash, randomUUID } from 'node:crypto';
import { CryptoKey as JoseCryptoKey, exportSPKI, importJWK, SignJWT } from 'jose';
import { signatureJwt } from '../src/dev-idp/webhooks/webhook-sender';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { freePort } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { Stack, startStack } from './support/stack';
import { newKey } from './support/test-issuer';
import { fixtureEvent, hmacSignature, postWebhook, unsignedJwt, webhookKey } from './support/webhooks';

const sha256 = (raw: string) => createHash('sha256').update(raw).digest('base64');
const body = () => JSON.stringify(fixtureEvent('user.login.success.json'));

/** One test per reason to reject a webhook, and the answers FusionAuth's retries depend on. */
describe('POST /webhooks/fusionauth', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  const expectRejected = async (res: Response, status: number, error?: string) => {
    expect(res.status).toBe(status);
    if (error) expect(await res.json()).toMatchObject({ error });
  };

  it("accepts an event signed by the issuer's webhook key", async () => {
    const res = await postWebhook(stack.app.url, body(), { idp: stack.idp });
    expect([res.status, await res.json()]).toEqual([200, { status: 'ignored' }]);
  });

  describe('refuses with 401', () => {
    it('a missing signature header', async () => {
      await expectRejected(await postWebhook(stack.app.url, body(), { signature: null }), 401, 'invalid_signature');
    });

    it('a signature from a key the issuer does not publish', async () => {
      const stranger = await newKey('not-published');
      const raw = body();
      const signature = await new SignJWT({ request_body_sha256: sha256(raw) })
        .setProtectedHeader({ alg: 'RS256', kid: stranger.kid })
        .sign(stranger.privateKey);
      await expectRejected(await postWebhook(stack.app.url, raw, { signature }), 401, 'invalid_signature');
    });

    it('a body changed after signing', async () => {
      const raw = body();
      const signed = await postWebhook(stack.app.url, raw, { idp: stack.idp });
      expect(signed.status).toBe(200);
      const key = webhookKey(stack.idp);
      const signature = await new SignJWT({ request_body_sha256: sha256(raw) })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.privateKey!);
      const changed = raw.replace('"user.login.success"', '"user.delete"');
      await expectRejected(await postWebhook(stack.app.url, changed, { signature }), 401, 'invalid_signature');
    });

    it('a signature whose hash claim is wrong or missing', async () => {
      const key = webhookKey(stack.idp);
      const sign = (claims: object) =>
        new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey!);
      await expectRejected(
        await postWebhook(stack.app.url, body(), { signature: await sign({ request_body_sha256: sha256('other') }) }),
        401,
      );
      await expectRejected(await postWebhook(stack.app.url, body(), { signature: await sign({}) }), 401);
    });

    it('a signature JWT with alg none', async () => {
      const raw = body();
      await expectRejected(
        await postWebhook(stack.app.url, raw, { signature: unsignedJwt({ request_body_sha256: sha256(raw) }) }),
        401,
      );
    });

    it("an HS256 signature made with the issuer's public key as the secret", async () => {
      const raw = body();
      const key = webhookKey(stack.idp);
      const pem = await exportSPKI((await importJWK(key.publicJwk!, 'RS256')) as JoseCryptoKey);
      const signature = await new SignJWT({ request_body_sha256: sha256(raw) })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid })
        .sign(new TextEncoder().encode(pem));
      await expectRejected(await postWebhook(stack.app.url, raw, { signature }), 401);
    });
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const raw = JSON.stringify({
      event: { id: randomUUID(), type: 'x', createInstant: 1, padding: 'x'.repeat(1024 * 1024) },
    });
    await expectRejected(await postWebhook(stack.app.url, raw, { idp: stack.idp }), 413, 'payload_too_large');
  });

  it('refuses a body that is not JSON with 415', async () => {
    await expectRejected(
      await postWebhook(stack.app.url, body(), { idp: stack.idp, headers: { 'content-type': 'text/plain' } }),
      415,
    );
  });

  it('refuses malformed JSON and a malformed envelope with 400, even when signed', async () => {
    await expectRejected(await postWebhook(stack.app.url, '{"event": {', { idp: stack.idp }), 400, 'invalid_request');
    await expectRejected(await postWebhook(stack.app.url, { notAnEvent: true }, { idp: stack.idp }), 400);
    await expectRejected(
      await postWebhook(stack.app.url, { event: { type: 'user.delete', createInstant: 1 } }, { idp: stack.idp }),
      400,
    );
    await expectRejected(
      await postWebhook(
        stack.app.url,
        { event: { id: randomUUID(), type: 'user.delete', createInstant: 'yesterday' } },
        { idp: stack.idp },
      ),
      400,
    );
    // A type the service acts on, without the field it reads.
    await expectRejected(
      await postWebhook(
        stack.app.url,
        { event: { id: randomUUID(), type: 'user.delete', createInstant: Date.now() } },
        { idp: stack.idp },
      ),
      400,
    );
  });

  it('answers the default FusionAuth provider by name too, and an unknown provider with 404', async () => {
    const raw = body();
    const res = await fetch(`${stack.app.url}/webhooks/fusionauth/default`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-fusionauth-signature-jwt': await signatureJwt(webhookKey(stack.idp), raw),
      },
      body: raw,
    });
    expect([res.status, await res.json()]).toEqual([200, { status: 'ignored' }]);
    const unknown = await fetch(`${stack.app.url}/webhooks/fusionauth/nobody`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    expect(unknown.status).toBe(404);
  });

  it('answers another method with 405', async () => {
    expect((await fetch(`${stack.app.url}/webhooks/fusionauth`)).status).toBe(405);
    expect((await fetch(`${stack.app.url}/webhooks/fusionauth`, { method: 'PUT', body: '{}' })).status).toBe(405);
  });

  it('applies a re-sent event only once', async () => {
    const event = fixtureEvent('jwt.refresh-token.revoke.all-user.json', {
      userId: K.admin.id,
      user: { id: K.admin.id },
      createInstant: Date.now() - 3_600_000,
    });
    expect(await (await postWebhook(stack.app.url, event, { idp: stack.idp })).json()).toEqual({ status: 'applied' });
    for (let i = 0; i < 3; i++)
      expect(await (await postWebhook(stack.app.url, event, { idp: stack.idp })).json()).toEqual({
        status: 'duplicate',
      });
  });
});

describe('webhook verification modes', () => {
  let app: TestApp;
  const secret = 'an-hmac-secret-shared-with-fusionauth-0123456789';
  afterEach(async () => app?.close());

  async function start(env: Record<string, string>): Promise<void> {
    const port = await freePort();
    app = await startTestApp({ port, env: { APP_URL: `http://127.0.0.1:${port}`, ...env } });
  }

  it('hmac: accepts the signature JWT made with the shared secret, refuses any other', async () => {
    await start({ WEBHOOK_VERIFY: 'hmac', WEBHOOK_HMAC_SECRET: secret });
    const raw = body();
    expect((await postWebhook(app.url, raw, { signature: await hmacSignature(raw, secret) })).status).toBe(200);
    // Pinning a kid is for the issuer's key set: an HMAC key is pinned by its secret.
    expect(app.config.defaultProvider.webhook?.signingKeyId).toBeUndefined();
    expect(
      (
        await postWebhook(app.url, raw, {
          signature: await hmacSignature(raw, 'some-other-secret-of-the-same-size-0123'),
        })
      ).status,
    ).toBe(401);
    expect((await postWebhook(app.url, raw, { signature: await hmacSignature(raw, secret, 'HS512') })).status).toBe(
      200,
    );
    expect((await postWebhook(app.url, raw, { signature: null })).status).toBe(401);
  });

  it('hmac: accepts every secret of the list while FusionAuth rotates its key, and only those', async () => {
    const next = 'the-next-hmac-secret-after-rotation-9876';
    await start({ WEBHOOK_VERIFY: 'hmac', WEBHOOK_HMAC_SECRET: `${secret},${next}` });
    const raw = body();
    for (const key of [secret, next])
      expect((await postWebhook(app.url, raw, { signature: await hmacSignature(raw, key) })).status).toBe(200);
    const other = await hmacSignature(raw, 'a-secret-not-in-the-list-0123456789');
    expect((await postWebhook(app.url, raw, { signature: other })).status).toBe(401);
  });

  it("jwt,hmac: a migration accepts FusionAuth's key-set signature and the HMAC one, each by its own key", async () => {
    const idp = await startDevIdp();
    try {
      await start({
        WEBHOOK_VERIFY: 'jwt,hmac',
        WEBHOOK_HMAC_SECRET: secret,
        OIDC_ISSUER: idp.issuer,
        FUSIONAUTH_URL: idp.url,
      });
      const raw = body();
      expect((await postWebhook(app.url, raw, { idp })).status).toBe(200);
      expect((await postWebhook(app.url, raw, { signature: await hmacSignature(raw, secret) })).status).toBe(200);
      const wrong = await hmacSignature(raw, 'some-other-secret-of-the-same-size-0123');
      expect((await postWebhook(app.url, raw, { signature: wrong })).status).toBe(401);
    } finally {
      await idp.close();
    }
  });

  it('basic: needs both the credentials and a valid signature', async () => {
    await start({
      WEBHOOK_VERIFY: 'hmac,basic',
      WEBHOOK_HMAC_SECRET: secret,
      WEBHOOK_BASIC_USER: 'fusionauth',
      WEBHOOK_BASIC_PASSWORD: 'webhook-password',
    });
    const raw = body();
    const signature = await hmacSignature(raw, secret);
    const basic = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });
    expect((await postWebhook(app.url, raw, { signature, headers: basic('fusionauth:webhook-password') })).status).toBe(
      200,
    );
    expect((await postWebhook(app.url, raw, { signature, headers: basic('fusionauth:wrong') })).status).toBe(401);
    expect((await postWebhook(app.url, raw, { signature })).status).toBe(401);
    expect(
      (await postWebhook(app.url, raw, { signature: null, headers: basic('fusionauth:webhook-password') })).status,
    ).toBe(401);
  });
});
