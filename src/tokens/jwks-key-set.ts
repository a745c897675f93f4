import type { KeyObject } from 'node:crypto';
import { errors } from 'jose';
import { Clock } from '../common/clock';
import { fetchJson } from './fetch-json';
import { JwsHeader, LocalKeySet } from './node-jws';
import { TokenRejectedError } from './token.errors';

export interface KeySetOptions {
  /** At most one fetch per this long, whatever bearer tokens with unknown `kid`s arrive. */
  readonly cooldownMs: number;
  /** At most one fetch per this long for a token the provider handed us itself (its token endpoint). */
  readonly backChannelIntervalMs: number;
  /** Keys older than this are refreshed in the background; the old ones keep working meanwhile. */
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_KEY_SET_OPTIONS: KeySetOptions = {
  cooldownMs: 30_000,
  backChannelIntervalMs: 1000,
  maxAgeMs: 600_000,
  timeoutMs: 3000,
};

const NO_KEYS_RETRY_MS = 2000;

/**
 * One provider's signing keys. Unlike a plain remote key set, an outage of the provider never makes
 * cached keys unusable, and no stream of unknown `kid`s can make it fetch more than once per cooldown.
 */
export class JwksKeySet {
  private local?: LocalKeySet;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;

  constructor(
    private readonly jwksUri: () => Promise<string>,
    private readonly clock: Clock,
    private readonly options: KeySetOptions = DEFAULT_KEY_SET_OPTIONS,
  ) {}

  /** The key for a bearer token's protected header (anyone may present one), imported once per key. */
  readonly getKey = (header: JwsHeader): Promise<KeyObject> => this.keyFor(header, this.options.cooldownMs);

  /**
   * The key for a token fetched from the provider's token endpoint. Only the provider can make us
   * see one, so an unknown `kid` there is a key it has just rotated to: the set is fetched again even
   * inside the bearer cooldown (at most once per `backChannelIntervalMs`), and logins keep working.
   */
  readonly getKeyForBackChannel = (header: JwsHeader): Promise<KeyObject> =>
    this.keyFor(header, this.options.backChannelIntervalMs);

  /** Fetches the key set now (once at a time); `force` ignores the cooldown (a key-update event). */
  refresh(force = false): Promise<void> {
    return this.fetchUnlessWithin(force ? 0 : this.options.cooldownMs);
  }

  private async keyFor(header: JwsHeader, intervalMs: number): Promise<KeyObject> {
    if (!this.local) await this.refresh();
    if (!this.local) throw new TokenRejectedError('keys_unavailable', 'the key set could not be fetched');
    if (this.clock.now() - this.fetchedAt > this.options.maxAgeMs) void this.refresh().catch(() => undefined);
    try {
      return this.local.key(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || this.coolingDown(intervalMs)) throw error;
      // An unknown kid may be a rotated key: look once, then answer from what we have.
      await this.fetchUnlessWithin(intervalMs).catch(() => undefined);
      return this.local.key(header);
    }
  }

  private fetchUnlessWithin(intervalMs: number): Promise<void> {
    if (this.pending) return this.pending;
    if (this.coolingDown(intervalMs)) return Promise.resolve();
    this.attemptedAt = this.clock.now();
    this.pending = this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private coolingDown(intervalMs: number): boolean {
    // Without any keys yet, retry sooner: nothing can be verified until the first fetch succeeds.
    const cooldown = this.local ? intervalMs : Math.min(intervalMs, NO_KEYS_RETRY_MS);
    return this.clock.now() - this.attemptedAt < cooldown;
  }

  private async load(): Promise<void> {
    const document = await fetchJson(await this.jwksUri(), this.options.timeoutMs);
    this.local = new LocalKeySet(document);
    this.fetchedAt = this.clock.now();
  }
}
