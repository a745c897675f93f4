import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { MetricsService } from '../common/metrics.service';
import { DenylistService } from '../denylist/denylist.service';
import { SessionService } from '../session/session.service';
import { TokenRejectedError } from '../tokens/token.errors';
import { TokenVerifier } from '../tokens/token-verifier.service';
import { effectsOf } from './webhook-effects';
import { WebhookEnvelopeDto } from './webhook-event.dto';
import { basicMatches, bodyMatches } from './webhook-signature';

export type WebhookStatus = 'applied' | 'duplicate' | 'ignored';

/** How long an event id is remembered: FusionAuth's retries come within minutes. */
const EVENT_ID_TTL_MS = 24 * 3600 * 1000;

/**
 * FusionAuth's events, in order: verified (signature JWT over the raw body, or HMAC, and optionally
 * Basic), validated, applied once per event id. The answer is 200 only once the effect is stored.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');
  private readonly provider?: ProviderConfig;

  constructor(
    private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
    private readonly denylist: DenylistService,
    private readonly sessions: SessionService,
    private readonly metrics: MetricsService,
  ) {
    this.provider = config.providers.find((p) => p.kind === 'fusionauth');
  }

  async handle(body: Buffer, headers: { authorization?: string; signature?: string }): Promise<WebhookStatus> {
    const seen: { type?: string } = {};
    try {
      const status = await this.process(body, headers, seen);
      this.metrics.webhookEvent(seen.type, status);
      return status;
    } catch (error) {
      const failed = !(error instanceof AppError) || error.code === 'SERVICE_UNAVAILABLE' || error.code === 'INTERNAL';
      this.metrics.webhookEvent(seen.type, failed ? 'failed' : 'rejected');
      throw error;
    }
  }

  private async process(
    body: Buffer,
    headers: { authorization?: string; signature?: string },
    seen: { type?: string },
  ): Promise<WebhookStatus> {
    const provider = this.provider;
    if (!provider) throw new AppError('NOT_FOUND', 'no FusionAuth provider is configured');
    await this.verify(provider, body, headers);
    const event = parseEnvelope(body).event;
    seen.type = event.type;
    const effects = effectsOf(event, {
      issuerKey: provider.issuerKey,
      applicationId: provider.clientId,
      defaultTtlS: this.config.accessTokenTtlS,
    });
    if (effects.kind === 'malformed') throw new AppError('BAD_REQUEST', effects.reason);
    if (effects.kind === 'ignored') return 'ignored';
    // Sessions are ended alongside (idempotent: a retried event ends nothing new). They are also
    // refused by the denylist itself, so a failure there loses nothing.
    const [applied] = await Promise.all([
      this.denylist.revoke(effects.revocations, { id: event.id, ttlMs: EVENT_ID_TTL_MS }),
      effects.endSessionsOf &&
        this.sessions
          .endAllForUser(effects.endSessionsOf, { issuedBefore: event.createInstant, provider: provider.name })
          .catch((e: Error) => this.logger.warn(`ending sessions: ${e.message}`)),
    ]);
    if (!applied) return 'duplicate';
    this.logger.log(`${event.type} ${event.id} applied (${effects.revocations.length} revocation(s))`);
    if (effects.refreshKeys)
      await this.verifier.refreshKeys(provider).catch((e: Error) => this.logger.warn(`key refresh: ${e.message}`));
    return 'applied';
  }

  private async verify(
    provider: ProviderConfig,
    body: Buffer,
    headers: { authorization?: string; signature?: string },
  ): Promise<void> {
    const { webhook } = this.config;
    if (webhook.basic && !basicMatches(headers.authorization, webhook.basicUser!, webhook.basicPassword!)) {
      throw new AppError('SIGNATURE_INVALID', 'basic credentials do not match');
    }
    if (!webhook.jwt && !webhook.hmac) return;
    if (!headers.signature) throw new AppError('SIGNATURE_INVALID', 'no X-FusionAuth-Signature-JWT header');
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifier.verifySignatureJwt(
        provider,
        headers.signature,
        webhook.hmac ? webhook.hmacSecret : undefined,
      );
    } catch (error) {
      if (error instanceof TokenRejectedError)
        throw new AppError('SIGNATURE_INVALID', `signature JWT: ${error.reason}`);
      throw error;
    }
    if (!bodyMatches(claims.request_body_sha256, body))
      throw new AppError('SIGNATURE_INVALID', 'request_body_sha256 does not match the body');
  }
}

function parseEnvelope(body: Buffer): WebhookEnvelopeDto {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('BAD_REQUEST', 'the body is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new AppError('BAD_REQUEST', 'the body is not an object');
  const envelope = plainToInstance(WebhookEnvelopeDto, json, { excludeExtraneousValues: true });
  const errors = validateSync(envelope, { forbidUnknownValues: false });
  if (errors.length > 0)
    throw new AppError('BAD_REQUEST', `not a FusionAuth event: ${errors.map((e) => e.property).join(', ')}`);
  return envelope;
}
