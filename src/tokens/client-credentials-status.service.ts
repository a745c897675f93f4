import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';

/** Readiness reports a refused client this long after the last refusal, unless a token request succeeds first. */
export const CLIENT_REFUSAL_HOLD_MS = 60_000;

/**
 * Whether a provider's token endpoint currently refuses this service's client credentials
 * (`invalid_client`: a wrong or rotated client secret, a deleted application). No user caused it and
 * no user's grant is at fault, so it is an outage: answered 503, reported by readiness, and never a
 * reason to end a session.
 */
@Injectable()
export class ClientCredentialsStatus {
  private readonly refusedAt = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  refused(provider: string): void {
    this.refusedAt.set(provider, this.clock.now());
  }

  accepted(provider: string): void {
    this.refusedAt.delete(provider);
  }

  /** When the provider last refused the client, while that still counts (ms); else undefined. */
  refusal(provider: string): number | undefined {
    const at = this.refusedAt.get(provider);
    if (at === undefined || this.clock.now() - at >= CLIENT_REFUSAL_HOLD_MS) return undefined;
    return at;
  }
}
