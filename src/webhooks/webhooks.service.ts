import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig, ProviderWebhookConfig, WEBHOOK_DEDUP_WINDOW_S } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { MetricsService } from '../common/observability/metrics.service';
import { DenylistService } from '../denylist/denylist.service';
import { SessionService } from '../session/session.service';
import { TokenRejectedError } from '../tokens/token.errors';
import { TokenVerifier, VerifiedAccessToken } from '../tokens/token-verifier.service';
import { EffectContext, effectsOf, EventEffects, refreshEffects, remainingEffects } from './webhook-effects';
import { EventEnvelope, HandledEvent, parseEnvelope, ParsedEvent, readHandled } from './webhook-event';
import { basicMatches, bodyMatches } from './webhook-signature';

export type WebhookStatus = 'applied' | 'duplicate' | 'ignored';
/** How an event came: a signed webhook, or read back from FusionAuth's Webhook Event Log after an outage. */
export type Delivery = 'webhook' | 'replay';

export interface WebhookHeaders {
  readonly authorization?: string;
  readonly signature?: string;
}

/** FusionAuth's clock may run this far ahead of ours; an event from further ahead is not trusted to be new. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * An event is applied only while `createInstant` is within the replay window (at most the
 * de-duplication window old, at most MAX_CLOCK_SKEW_MS ahead): its id is remembered for all of it,
 * so a captured request replays as `duplicate` or `ignored`, never as `applied`.
 */
const EVENT_ID_TTL_MS = WEBHOOK_DEDUP_WINDOW_S * 1000 + MAX_CLOCK_SKEW_MS;
const IGNORED: EventEffects = { kind: 'ignored' };

/** A FusionAuth provider: the only kind that has webhook keys. */
export type WebhookProvider = ProviderConfig & { readonly webhook: ProviderWebhookConfig };

/**
 * FusionAuth's events, in order: verified with the keys of the FusionAuth the path names (signature
 * JWT over the raw body, or HMAC, and optionally Basic), the envelope checked, old events ignored,
 * then by type: each handled type reads only its own fields, every other type is `ignored`.
 * Applied once per event id; the answer is 200 only once the effect is stored.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
    private readonly denylist: DenylistService,
    private readonly sessions: SessionService,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {}

  /** `providerName` undefined: the default FusionAuth provider (`POST /webhooks/fusionauth`). */
  async handle(providerName: string | undefined, body: Buffer, headers: WebhookHeaders): Promise<WebhookStatus> {
    let type: string | undefined;
    try {
      const provider = this.providerFor(providerName);
      await this.verify(provider, body, headers);
      const event = parseEnvelope(body);
      type = event.envelope.type;
      const status = await this.apply(provider, event, 'webhook');
      this.metrics.webhookEvent(type, status);
      return status;
    } catch (error) {
      this.metrics.webhookEvent(type, failedOrRejected(error));
      throw error;
    }
  }

  /** The FusionAuth providers whose events this service takes (the replay reads each one's event log). */
  get webhookProviders(): WebhookProvider[] {
    return this.config.providers.filter((p): p is WebhookProvider => p.webhook !== undefined);
  }

  /**
   * An event whose origin is established (a verified webhook, or FusionAuth's Webhook Event Log read
   * with the API key): the replay window, then by type, de-duplicated by `event.id`, its effects stored.
   */
  async apply(provider: WebhookProvider, parsed: ParsedEvent, via: Delivery): Promise<WebhookStatus> {
    const { envelope, fields } = parsed;
    if (!this.withinReplayWindow(envelope, via)) return 'ignored';
    const event = readHandled(envelope, fields);
    if (!event) return 'ignored';
    let effects = await this.effectsOf(provider, event);
    if (effects.kind === 'malformed') throw new AppError('BAD_REQUEST', effects.reason);
    if (effects.kind === 'ignored') return 'ignored';
    let eventTtlMs = EVENT_ID_TTL_MS;
    if (via === 'replay' && event.type !== 'jwt.refresh') {
      const left = remainingEffects(effects, event.createInstant, this.clock.now());
      if (!left) return 'ignored';
      effects = left;
      // Its id is remembered at least as long as it could be replayed again with an effect.
      eventTtlMs = Math.max(EVENT_ID_TTL_MS, ...left.revocations.map((r) => r.ttlMs));
    }
    // Sessions are ended alongside (idempotent: a retried event ends nothing new). They are also
    // refused by the denylist itself, so a failure there loses nothing.
    const [applied] = await Promise.all([
      this.denylist.revoke(effects.revocations, { id: event.id, ttlMs: eventTtlMs }),
      effects.endSessionsOf &&
        this.sessions
          .endAllForUser(effects.endSessionsOf, { issuedBefore: event.createInstant, provider: provider.name })
          .catch((e: Error) => this.logger.warn(`ending sessions: ${e.message}`)),
    ]);
    if (!applied) return 'duplicate';
    this.logger.log(`${event.type} ${event.id} applied (${effects.revocations.length} revocation(s)) by ${via}`);
    if (effects.refreshKeys)
      await this.verifier.refreshKeys(provider).catch((e: Error) => this.logger.warn(`key refresh: ${e.message}`));
    return 'applied';
  }

  private providerFor(name: string | undefined): WebhookProvider {
    const provider =
      name === undefined ? this.config.providers.find((p) => p.kind === 'fusionauth') : this.config.provider(name);
    if (!provider?.webhook) throw new AppError('NOT_FOUND', `no FusionAuth provider ${name ?? '(default)'}`);
    return provider as WebhookProvider;
  }

  /**
   * A webhook older than WEBHOOK_MAX_AGE_S is ignored: its id may have left the de-duplication window,
   * so a captured request must not apply again. A replayed event comes from FusionAuth's API, not from
   * the network, and is old by nature: it is judged by the tokens it still covers (remainingEffects).
   */
  private withinReplayWindow(event: EventEnvelope, via: Delivery): boolean {
    const ageMs = this.clock.now() - event.createInstant;
    if (via === 'webhook' && ageMs > this.config.webhook.maxAgeS * 1000) {
      this.logger.warn(`${event.type} ${event.id} is ${Math.round(ageMs / 1000)} s old (WEBHOOK_MAX_AGE_S): ignored`);
      return false;
    }
    if (-ageMs > MAX_CLOCK_SKEW_MS) {
      this.logger.warn(`${event.type} ${event.id} is dated ${Math.round(-ageMs / 1000)} s ahead: check the clocks`);
      return false;
    }
    return true;
  }

  private effectsOf(provider: ProviderConfig, event: HandledEvent): Promise<EventEffects> | EventEffects {
    const ctx: EffectContext = {
      issuerKey: provider.issuerKey,
      applicationId: provider.clientId,
      defaultTtlS: this.config.accessTokenTtlS,
    };
    return event.type === 'jwt.refresh' ? this.refreshed(provider, event, ctx) : effectsOf(event, ctx);
  }

  /**
   * `original` is whatever access token the client handed in to /api/jwt/refresh, relayed by FusionAuth
   * as given: only a token this service would accept, of this provider and of the refreshing user, is
   * revoked, and only a key derived from it is stored.
   */
  private async refreshed(
    provider: ProviderConfig,
    event: Extract<HandledEvent, { type: 'jwt.refresh' }>,
    ctx: EffectContext,
  ): Promise<EventEffects> {
    if (!event.original) return IGNORED;
    let verified: VerifiedAccessToken;
    try {
      verified = await this.verifier.verifyAccessToken(event.original);
    } catch (error) {
      // Refused anyway (expired, forged, another audience): nothing to revoke.
      if (error instanceof TokenRejectedError) return IGNORED;
      throw error;
    }
    if (verified.provider.name !== provider.name || verified.claims.sub !== event.userId) return IGNORED;
    const { jti, exp } = verified.claims;
    return refreshEffects(event, { token: event.original, jti, exp }, ctx, this.clock.now());
  }

  private async verify(provider: WebhookProvider, body: Buffer, headers: WebhookHeaders): Promise<void> {
    const { webhook } = this.config;
    if (webhook.basic && !basicMatches(headers.authorization, webhook.basicUser!, webhook.basicPassword!)) {
      throw new AppError('SIGNATURE_INVALID', 'basic credentials do not match');
    }
    if (!webhook.jwt && !webhook.hmac) return;
    if (!headers.signature) throw new AppError('SIGNATURE_INVALID', 'no X-FusionAuth-Signature-JWT header');
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifier.verifySignatureJwt(provider, headers.signature, {
        jwks: webhook.jwt,
        keyId: provider.webhook.signingKeyId,
        hmacSecrets: webhook.hmac ? provider.webhook.hmacSecrets : [],
      });
    } catch (error) {
      if (error instanceof TokenRejectedError)
        throw new AppError('SIGNATURE_INVALID', `signature JWT: ${error.detail ?? error.reason}`);
      throw error;
    }
    if (!bodyMatches(claims.request_body_sha256, body))
      throw new AppError('SIGNATURE_INVALID', 'request_body_sha256 does not match the body');
  }
}

/** An outage of ours (FusionAuth retries) or a refusal of the request. */
function failedOrRejected(error: unknown): 'failed' | 'rejected' {
  const failed =
    !(error instanceof AppError) || ['SERVICE_UNAVAILABLE', 'PROVIDER_UNAVAILABLE', 'INTERNAL'].includes(error.code);
  return failed ? 'failed' : 'rejected';
}
