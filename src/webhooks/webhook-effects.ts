import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { accessTokenId, Revocation } from '../denylist/revocation';
import { HandledEvent } from './webhook-event';

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
export function effectsOf(event: Exclude<HandledEvent, { type: 'jwt.refresh' }>, ctx: EffectContext): EventEffects {
  const revoke = (subject: Revocation['subject'], applicationId?: string): Revocation => ({
    subject,
    instant: event.createInstant,
    ttlMs: (ttlFor(event, ctx, applicationId) + TTL_MARGIN_S) * 1000,
  });
  const { issuerKey } = ctx;
  switch (event.type) {
    case 'jwt.refresh-token.revoke': {
      const userId = event.userId ?? event.user?.id;
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
    case 'user.delete': {
      const userId = event.user?.id;
      if (!userId) return { kind: 'malformed', reason: `${event.type} without a user id` };
      return { kind: 'effects', revocations: [revoke({ kind: 'user', issuerKey, userId })], endSessionsOf: userId };
    }
    case 'user.registration.delete':
    case 'user.registration.update':
      return registrationEffects(event, ctx, revoke);
    case 'jwt.public-key.update':
      return { kind: 'effects', revocations: [], refreshKeys: true };
  }
}

/**
 * A registration of this application deleted, given the `deactivated` role, or losing a role: an
 * admin demoted at FusionAuth must lose that role here now, not when the tokens carrying it expire.
 */
function registrationEffects(
  event: Extract<HandledEvent, { type: 'user.registration.delete' | 'user.registration.update' }>,
  ctx: EffectContext,
  revoke: (subject: Revocation['subject'], applicationId?: string) => Revocation,
): EventEffects {
  const userId = event.user?.id;
  const applicationId = event.applicationId ?? event.registration?.applicationId;
  if (!userId || !applicationId) return { kind: 'malformed', reason: `${event.type} without a user or application` };
  if (applicationId !== ctx.applicationId) return { kind: 'ignored' };
  if (event.type === 'user.registration.update' && !losesAccess(event.original?.roles, event.registration?.roles)) {
    return { kind: 'ignored' };
  }
  const subject = { kind: 'user-app', issuerKey: ctx.issuerKey, userId, applicationId } as const;
  return { kind: 'effects', revocations: [revoke(subject, applicationId)], endSessionsOf: userId };
}

/** Given `deactivated`, or any role taken away (but `deactivated` itself: its removal grants, never takes). */
export function losesAccess(before: readonly string[] = [], after: readonly string[] = []): boolean {
  if (after.includes(DEACTIVATED_ROLE)) return true;
  return before.some((role) => role !== DEACTIVATED_ROLE && !after.includes(role));
}

/** The access token a client handed in for a refresh, already verified: rejected alone until it expires. */
export interface RefreshedToken {
  readonly token: string;
  readonly jti?: unknown;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/**
 * `jwt.refresh` with `original`: that one token is revoked, for what is left of its life but never
 * longer than ACCESS_TOKEN_TTL_S (the entry is bounded like every other); the new token is untouched.
 */
export function refreshEffects(
  event: Extract<HandledEvent, { type: 'jwt.refresh' }>,
  original: RefreshedToken,
  ctx: EffectContext,
  now: number,
): EventEffects {
  const leftMs = Math.min(original.exp * 1000 - now, ctx.defaultTtlS * 1000);
  if (leftMs + TTL_MARGIN_S * 1000 <= 0) return { kind: 'ignored' };
  const tokenId = accessTokenId(original.jti, original.token);
  return {
    kind: 'effects',
    revocations: [
      {
        subject: { kind: 'token', issuerKey: ctx.issuerKey, tokenId },
        instant: event.createInstant,
        ttlMs: Math.max(0, leftMs) + TTL_MARGIN_S * 1000,
      },
    ],
  };
}

/** The lifetime of the longest token the event can affect. */
function ttlFor(event: HandledEvent, ctx: EffectContext, applicationId?: string): number {
  const given = 'applicationTimeToLiveInSeconds' in event ? event.applicationTimeToLiveInSeconds : undefined;
  const ttls = Object.entries(given ?? {});
  const forApplication = applicationId ? ttls.find(([id]) => id === applicationId)?.[1] : undefined;
  return forApplication ?? (ttls.length > 0 ? Math.max(...ttls.map(([, ttl]) => ttl)) : ctx.defaultTtlS);
}

type Effects = Extract<EventEffects, { kind: 'effects' }>;

/**
 * A replayed event (read back from FusionAuth's Webhook Event Log after an outage) is old by nature,
 * so WEBHOOK_MAX_AGE_S does not judge it: its revocations apply for what is left of the lifetime of the
 * tokens they cover, counted from its `createInstant`, and those whose tokens have all expired are
 * left out. The sessions it ends are ended whatever its age (a session outlives its access token).
 * Undefined when nothing is left to do.
 */
export function remainingEffects(effects: Effects, createInstant: number, now: number): Effects | undefined {
  const elapsedMs = Math.max(0, now - createInstant);
  const revocations = effects.revocations.map((r) => ({ ...r, ttlMs: r.ttlMs - elapsedMs })).filter((r) => r.ttlMs > 0);
  if (revocations.length === 0 && !effects.endSessionsOf && !effects.refreshKeys) return undefined;
  return { ...effects, revocations };
}
