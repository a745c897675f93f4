import { createLocalJWKSet, errors, FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters } from 'jose';
import { Clock } from '../common/clock';
import { fetchJson } from './fetch-json';
import { TokenRejectedError } from './token.errors';

export interface KeySetOptions {
  /** At most one fetch per this long, whatever tokens with unknown `kid`s arrive. */
  readonly cooldownMs: number;
  /** Keys older than this are refreshed in the background; the old ones keep working meanwhile. */
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_KEY_SET_OPTIONS: KeySetOptions = { cooldownMs: 30_000, maxAgeMs: 600_000, timeoutMs: 3000 };

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

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

  /** The key for a token's protected header, for jose's jwtVerify. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (!this.local) await this.refresh();
    if (!this.local) throw new TokenRejectedError('keys_unavailable', 'the key set could not be fetched');
    if (this.clock.now() - this.fetchedAt > this.options.maxAgeMs) void this.refresh().catch(() => undefined);
    try {
      return await this.local(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || this.coolingDown()) throw error;
      // An unknown kid may be a rotated key: look once, then answer from what we have.
      await this.refresh().catch(() => undefined);
      return this.local(header, token);
    }
  };

  /** Fetches the key set now (once at a time); `force` ignores the cooldown (a key-update event). */
  refresh(force = false): Promise<void> {
    if (this.pending) return this.pending;
    if (!force && this.coolingDown()) return Promise.resolve();
    this.attemptedAt = this.clock.now();
    this.pending = this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private coolingDown(): boolean {
    // Without any keys yet, retry sooner: nothing can be verified until the first fetch succeeds.
    const cooldown = this.local ? this.options.cooldownMs : Math.min(this.options.cooldownMs, NO_KEYS_RETRY_MS);
    return this.clock.now() - this.attemptedAt < cooldown;
  }

  private async load(): Promise<void> {
    const document = await fetchJson(await this.jwksUri(), this.options.timeoutMs);
    const local = createLocalJWKSet(document as JSONWebKeySet);
    this.local = local;
    this.fetchedAt = this.clock.now();
  }
}
