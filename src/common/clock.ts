/** Injected wherever time decides something (expiry, replay windows), so tests control it. */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

/**
 * How far apart our clock and a provider's may be (s): a token's `exp`, `nbf` and `iat` are checked
 * with this much slack, and revocations the service makes itself reach this far past their instant.
 */
export const CLOCK_TOLERANCE_S = 30;
