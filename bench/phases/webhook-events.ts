import { randomUUID } from 'node:crypto';
import { DevIdp } from '../../src/dev-idp/dev-idp';
import { signatureJwt } from '../../src/dev-idp/webhooks/webhook-sender';
import { KICKSTART_DEFAULTS as K } from '../../test/support/dev-idp';
import { webhookKey } from '../../test/support/webhooks';
import { LoadTarget, Slice } from '../support/load';
import { inPool } from '../support/time';

export interface SignedEvent {
  readonly body: string;
  /** `X-FusionAuth-Signature-JWT`, made with the dev IdP's webhook key as FusionAuth makes it. */
  readonly signature: string;
}

/** A `jwt.refresh-token.revoke` for every token of `userId` issued at or before now. */
export function revokeAllOfUser(idp: DevIdp, userId: string, email: string): string {
  return JSON.stringify({
    event: {
      applicationTimeToLiveInSeconds: { [K.applicationId]: 3600 },
      createInstant: Date.now(),
      id: randomUUID(),
      tenantId: idp.state.defaultTenantId,
      type: 'jwt.refresh-token.revoke',
      userId,
      user: { active: true, email, id: userId, verified: true },
    },
  });
}

export async function signEvent(idp: DevIdp, body: string): Promise<SignedEvent> {
  return { body, signature: await signatureJwt(webhookKey(idp), body) };
}

/**
 * `count` distinct revoke events (random user ids), signed outside any measurement: signing is the
 * benchmark's work, not the service's.
 */
export function signEvents(idp: DevIdp, count: number): Promise<SignedEvent[]> {
  return inPool(
    Array.from({ length: count }, () => revokeAllOfUser(idp, randomUUID(), 'x@example.com')),
    8,
    (body) => signEvent(idp, body),
  );
}

/** `applied` is what counts; duplicates, ignored events and errors are named by status. */
function webhookLabel(status: number, body: string): string {
  if (status !== 200) return String(status);
  try {
    const answer = JSON.parse(body) as { status?: unknown };
    return answer.status === 'applied' ? 'ok' : `200 ${String(answer.status)}`;
  } catch {
    return '200 unreadable';
  }
}

export interface WebhookTarget extends LoadTarget {
  /** True once every event was sent (the last one is then repeated: a duplicate, not counted). */
  exhausted(): boolean;
}

/**
 * POSTs each event once, in order, over however many slices of load; with `cycle`, starts over once
 * out (a warm-up: repeats are answered `duplicate` after the same signature check). With `refill`,
 * tops the pool up before each slice to three times what the fastest slice so far would use (a busy machine speeds up when others finish).
 */
export function webhookTarget(
  serviceUrl: string,
  initial: readonly SignedEvent[],
  options: { cycle?: boolean; refill?: { rate: number; sign: (count: number) => Promise<SignedEvent[]> } } = {},
): WebhookTarget {
  if (initial.length === 0) throw new Error('no webhook events to send');
  const events = [...initial];
  let next = 0;
  let fastest = options.refill?.rate ?? 0;
  return {
    url: `${serviceUrl}/webhooks/fusionauth`,
    method: 'POST',
    next: () => {
      const i = next++;
      const event = events[options.cycle ? i % events.length : Math.min(i, events.length - 1)]!;
      return {
        headers: { 'content-type': 'application/json', 'x-fusionauth-signature-jwt': event.signature },
        body: event.body,
      };
    },
    label: webhookLabel,
    prepare: async (seconds, previous) => {
      if (!options.refill) return;
      if (previous && previous.seconds > 0) fastest = Math.max(fastest, sent(previous) / previous.seconds);
      const missing = Math.ceil(fastest * 3 * seconds) + 200 - (events.length - next);
      // One push at a time: spreading a pool of a long slice's size (hundreds of thousands of events)
      // into push() overflows the call stack.
      if (missing > 0) for (const event of await options.refill.sign(missing)) events.push(event);
    },
    exhausted: () => !options.cycle && next > events.length,
  };
}

/** Every answer of a slice, applied or not: what the connections got through. */
const sent = (slice: Slice): number => Object.values(slice.answers).reduce((sum, n) => sum + n, 0);
