import { createHash, createSecretKey } from 'node:crypto';
import type { Tenant, Webhook, WebhookEventLog } from '@fusionauth/typescript-client';
import { SignJWT } from 'jose';
import { SigningKey } from '../state/signing-keys';
import { EventBody } from './events';
import { WebhookEventLogs } from './webhook-event-log';

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
 * names a signing key, HTTP Basic when it has credentials, and up to three retries when it fails
 * (writing-a-webhook, "Retries"). Each event and every attempt goes into the Webhook Event Log.
 */
export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  readonly log = new WebhookEventLogs();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly webhooks: () => Iterable<Webhook>,
    private readonly tenant: (id: string) => Tenant | undefined,
    private readonly key: (id: string) => SigningKey | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  send(event: EventBody): void {
    const tenantEvents = this.tenant(event.tenantId)?.eventConfiguration?.events as
      Record<string, { enabled?: boolean }> | undefined;
    if (!tenantEvents?.[event.type]?.enabled) return;
    const targets = [...this.webhooks()].filter((webhook) => {
      const enabled = (webhook.eventsEnabled as Record<string, boolean> | undefined)?.[event.type];
      const coversTenant = webhook.global || webhook.tenantIds?.includes(event.tenantId);
      return enabled && coversTenant && webhook.url;
    });
    if (targets.length === 0) return;
    const log = this.log.open(event, this.now());
    let firstAttemptsLeft = targets.length;
    const firstAttemptDone = () => {
      if (--firstAttemptsLeft === 0) this.log.sent(log, this.now());
    };
    for (const webhook of targets) {
      const delivery: Delivery = {
        webhookId: webhook.id!,
        url: webhook.url!,
        event,
        body: JSON.stringify({ event }),
        attempts: 0,
      };
      this.deliveries.push(delivery);
      const sending = this.deliver(webhook, delivery, log, firstAttemptDone).finally(() =>
        this.inFlight.delete(sending),
      );
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

  private async deliver(
    webhook: Webhook,
    delivery: Delivery,
    log: WebhookEventLog,
    firstAttemptDone: () => void,
  ): Promise<void> {
    const headers = await this.headers(webhook, delivery.body);
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      delivery.attempts = attempt + 1;
      const startInstant = this.now();
      let statusCode: number | undefined;
      let exception: string | undefined;
      try {
        const res = await fetch(delivery.url, {
          method: 'POST',
          headers,
          body: delivery.body,
          signal: AbortSignal.timeout((webhook.connectTimeout ?? 1000) + (webhook.readTimeout ?? 2000)),
        });
        statusCode = delivery.status = res.status;
        await res.arrayBuffer();
      } catch (error) {
        exception = delivery.error = (error as Error).message;
      }
      this.log.attempt(log, {
        webhookId: delivery.webhookId,
        url: delivery.url,
        startInstant,
        endInstant: this.now(),
        statusCode,
        exception,
      });
      if (attempt === 0) firstAttemptDone();
      if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) return;
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
