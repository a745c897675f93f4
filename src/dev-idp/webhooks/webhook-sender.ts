import { createHash, createSecretKey } from 'node:crypto';
import type { Tenant, Webhook } from '@fusionauth/typescript-client';
import { SignJWT } from 'jose';
import { SigningKey } from '../state/signing-keys';
import { EventBody } from './events';

export interface Delivery {
  readonly webhookId: string;
  readonly url: string;
  readonly event: EventBody;
  readonly body: string;
  status?: number;
  error?: string;
  attempts: number;
}

const RETRIES = 3;
const RETRY_DELAY_MS = 250;

/**
 * Sends events the way FusionAuth does: a POST of `{"event": …}` to every webhook that has the type
 * enabled (and whose tenant has it enabled), signed with `X-FusionAuth-Signature-JWT` when the webhook
 * names a signing key, HTTP Basic when it has credentials, and up to three retries when it fails.
 */
export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly webhooks: () => Iterable<Webhook>,
    private readonly tenant: (id: string) => Tenant | undefined,
    private readonly key: (id: string) => SigningKey | undefined,
  ) {}

  send(event: EventBody): void {
    const tenantEvents = this.tenant(event.tenantId)?.eventConfiguration?.events as
      Record<string, { enabled?: boolean }> | undefined;
    if (!tenantEvents?.[event.type]?.enabled) return;
    for (const webhook of this.webhooks()) {
      const enabled = (webhook.eventsEnabled as Record<string, boolean> | undefined)?.[event.type];
      const coversTenant = webhook.global || webhook.tenantIds?.includes(event.tenantId);
      if (!enabled || !coversTenant || !webhook.url) continue;
      const delivery: Delivery = {
        webhookId: webhook.id!,
        url: webhook.url,
        event,
        body: JSON.stringify({ event }),
        attempts: 0,
      };
      this.deliveries.push(delivery);
      const sending = this.deliver(webhook, delivery).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  /** No more retries (the dev IdP is shutting down); deliveries in flight finish their current attempt. */
  stop(): void {
    this.stopping = true;
  }

  /** Resolves once every delivery started so far has succeeded or given up. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async deliver(webhook: Webhook, delivery: Delivery): Promise<void> {
    const headers = await this.headers(webhook, delivery.body);
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      delivery.attempts = attempt + 1;
      try {
        const res = await fetch(delivery.url, {
          method: 'POST',
          headers,
          body: delivery.body,
          signal: AbortSignal.timeout((webhook.connectTimeout ?? 1000) + (webhook.readTimeout ?? 2000)),
        });
        delivery.status = res.status;
        await res.arrayBuffer();
        if (res.ok) return;
      } catch (error) {
        delivery.error = (error as Error).message;
      }
      if (this.stopping) return;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt + 1)));
    }
  }

  private async headers(webhook: Webhook, body: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(webhook.headers ?? {}) };
    if (webhook.httpAuthenticationUsername) {
      const credentials = `${webhook.httpAuthenticationUsername}:${webhook.httpAuthenticationPassword ?? ''}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const signing = webhook.signatureConfiguration;
    const key = signing?.enabled && signing.signingKeyId ? this.key(signing.signingKeyId) : undefined;
    if (key) headers['x-fusionauth-signature-jwt'] = await signatureJwt(key, body);
    return headers;
  }
}

/** FusionAuth's signature: a JWT whose only claim is the standard-base64 SHA-256 of the raw body. */
export async function signatureJwt(key: SigningKey, body: string): Promise<string> {
  const request_body_sha256 = createHash('sha256').update(body).digest('base64');
  const secretOrKey = key.secret ? createSecretKey(Buffer.from(key.secret, 'utf8')) : key.privateKey!;
  return new SignJWT({ request_body_sha256 })
    .setProtectedHeader({ alg: key.algorithm, typ: 'JWT', kid: key.kid })
    .sign(secretOrKey);
}
