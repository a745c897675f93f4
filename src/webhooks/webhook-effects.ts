import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { Revocation } from '../denylist/revocation';
import { WebhookEventDto } from './webhook-event.dto';

/** What an event changes. */
export type EventEffects =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'malformed'; readonly reason: string }
  | {
      readonly kind: 'effects';
      readonly revocations: Revocation[];
      readonly endSessionsOf?: string;
      readonly refreshKeys?: boolean;
    };

export interface EffectContext {
  readonly issuerKey: string;
  /** This service's application (= OAuth client) at the provider. */
  readonly applicationId: string;
  /** ACCESS_TOKEN_TTL_S: how long a revocation is kept when the event does not say. */
  readonly defaultTtlS: number;
}

/** Tokens may be used up to the verifier's clock tolerance after `exp`; entries outlive that. */
const TTL_MARGIN_S = 60;

/**
 * The contract's revocation rules, one event at a time: which subjects are revoked from the
 * event's `createInstant`, for how long, and whose sessions end.
 */
export function effectsOf(event: WebhookEventDto, ctx: EffectContext): EventEffects {
  const instant = event.createInstant;
  const userId = event.userId ?? event.user?.id;
  const revoke = (subject: Revocation['subject'], applicationId?: string): Revocation => ({
    subject,
    instant,
    ttlMs: (ttlFor(event, ctx, applicationId) + TTL_MARGIN_S) * 1000,
  });
  const { issuerKey } = ctx;
  switch (event.type) {
    case 'jwt.refresh-token.revoke': {
      const token = event.refreshToken;
      if (token) {
        return {
          kind: 'effects',
          revocations: [revoke({ kind: 'sid', issuerKey, sid: token.id }, token.applicationId ?? event.applicationId)],
        };
      }
      if (userId && event.applicationId) {
        const ours = event.applicationId === ctx.applicationId;
        const subject = { kind: 'user-app', issuerKey, userId, applicationId: event.applicationId } as const;
        return {
          kind: 'effects',
          revocations: [revoke(subject, event.applicationId)],
          endSessionsOf: ours ? userId : undefined,
        };
      }
      if (userId)
        return { kind: 'effects', revocations: [revoke({ kind: 'user', issuerKey, userId })], endSessionsOf: userId };
      if (event.applicationId) {
        return {
          kind: 'effects',
          revocations: [revoke({ kind: 'app', issuerKey, applicationId: event.applicationId }, event.applicationId)],
        };
      }
      return { kind: 'malformed', reason: 'a refresh-token revoke names no user, application or token' };
    }
    case 'user.deactivate':
    case 'user.delete':
      if (!userId) return { kind: 'malformed', reason: `${event.type} without a user id` };
      return { kind: 'effects', revocations: [revoke({ kind: 'user', issuerKey, userId })], endSessionsOf: userId };
    case 'user.registration.delete':
    case 'user.registration.update':
      return registrationEffects(event, ctx, userId, revoke);
    case 'jwt.public-key.update':
      return { kind: 'effects', revocations: [], refreshKeys: true };
    default:
      return { kind: 'ignored' };
  }
}

/** A registration of this application deleted, or given the `deactivated` role. */
function registrationEffects(
  event: WebhookEventDto,
  ctx: EffectContext,
  userId: string | undefined,
  revoke: (subject: Revocation['subject'], applicationId?: string) => Revocation,
): EventEffects {
  const applicationId = event.applicationId ?? event.registration?.applicationId;
  if (!userId || !applicationId) return { kind: 'malformed', reason: `${event.type} without a user or application` };
  if (applicationId !== ctx.applicationId) return { kind: 'ignored' };
  if (event.type === 'user.registration.update' && !(event.registration?.roles ?? []).includes(DEACTIVATED_ROLE)) {
    return { kind: 'ignored' };
  }
  const subject = { kind: 'user-app', issuerKey: ctx.issuerKey, userId, applicationId } as const;
  return { kind: 'effects', revocations: [revoke(subject, applicationId)], endSessionsOf: userId };
}

/** The lifetime of the longest token the event can affect. */
function ttlFor(event: WebhookEventDto, ctx: EffectContext, applicationId?: string): number {
  const ttls = Object.entries(event.applicationTimeToLiveInSeconds ?? {}).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0,
  );
  const forApplication = applicationId ? ttls.find(([id]) => id === applicationId)?.[1] : undefined;
  return forApplication ?? (ttls.length > 0 ? Math.max(...ttls.map(([, ttl]) => ttl)) : ctx.defaultTtlS);
}
