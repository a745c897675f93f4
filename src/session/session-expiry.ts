import type { SessionData } from 'express-session';

export interface SessionTimeouts {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

type Stamps = Pick<SessionData, 'createdAt' | 'lastSeenAt'>;

/** When a signed-in session ends: the earlier of its idle and its absolute deadline. */
export function sessionExpiresAt(session: Stamps, timeouts: SessionTimeouts): number | undefined {
  if (session.createdAt === undefined) return undefined;
  const lastSeen = session.lastSeenAt ?? session.createdAt;
  return Math.min(lastSeen + timeouts.idleMs, session.createdAt + timeouts.absoluteMs);
}

export function isSessionExpired(session: Stamps, now: number, timeouts: SessionTimeouts): boolean {
  const expiresAt = sessionExpiresAt(session, timeouts);
  // A signed-in session without stamps was not made by SessionService: treat it as expired.
  return expiresAt === undefined || now >= expiresAt;
}

/** How long the store keeps a session: until it would expire, and never forever. */
export function storeTtlMs(session: Stamps, now: number, timeouts: SessionTimeouts): number {
  const expiresAt = sessionExpiresAt(session, timeouts);
  return expiresAt === undefined ? timeouts.idleMs : Math.max(1000, expiresAt - now);
}

/**
 * How stale `lastSeenAt` may get before a request rewrites it. Writing it on every request would
 * cost a store write per page; this way the idle timeout errs by at most this much, on the early side.
 */
export function touchIntervalMs(timeouts: SessionTimeouts): number {
  return Math.min(60_000, Math.floor(timeouts.idleMs / 10));
}
