import { CLOCK_TOLERANCE_S } from '../common/clock';

/** Tokens may be used up to the verifier's tolerance past `exp`: revocations outlive that. */
const TTL_MARGIN_S = 60;

/**
 * The instant of a revocation the service makes itself (a password change, an admin's
 * deactivation). Tokens carry the provider's clock in `iat`, and the verifier accepts one up to
 * CLOCK_TOLERANCE_S ahead of ours, so a revocation at our `now` would miss tokens minted just before
 * it by a provider whose clock runs ahead. The provider's own instant of the change covers exactly
 * the tokens issued before it, whichever clock is ahead; without one, our clock plus the tolerance
 * covers every token the verifier could accept (at the price of refusing tokens issued in the next
 * CLOCK_TOLERANCE_S).
 */
export function revocationInstant(providerInstant: number | undefined, now: number): number {
  return providerInstant ?? now + CLOCK_TOLERANCE_S * 1000;
}

/** How long the entry must live (ms from now): until every token issued up to its instant has expired. */
export function revocationTtlMs(instant: number, now: number, accessTokenTtlS: number): number {
  return Math.max(0, instant - now) + (accessTokenTtlS + TTL_MARGIN_S) * 1000;
}
