import { candidateKeys, isFamilyKey, TokenFacts } from './revocation';

/**
 * The keys that could revoke one token, with its issue time: computed once per token (a verified
 * bearer token is presented many times), and only once something is revoked at all.
 */
export class RevocationLookup {
  readonly issuedAtMs: number;
  private computed?: readonly string[];

  constructor(private readonly facts: TokenFacts) {
    this.issuedAtMs = facts.iat * 1000;
  }

  get keys(): readonly string[] {
    return (this.computed ??= candidateKeys(this.facts));
  }
}

interface Entry {
  instant: number;
  expiresAt: number;
}

/**
 * The revocation state in process memory, so a guard's check costs no network round trip. Entries
 * keep the latest instant and the longest expiry they were given, and vanish when they expire.
 */
export class DenylistMirror {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Latest instant wins; the longest lifetime wins. */
  put(key: string, instant: number, expiresAt: number): void {
    const current = this.entries.get(key);
    if (!current) {
      this.entries.set(key, { instant, expiresAt });
      return;
    }
    current.instant = Math.max(current.instant, instant);
    current.expiresAt = Math.max(current.expiresAt, expiresAt);
  }

  /**
   * A token is revoked when its issue time (s × 1000) is at or before a matching instant; a `sid`
   * entry revokes its family whatever the issue time.
   */
  isRevoked(facts: TokenFacts | RevocationLookup): boolean {
    // Most of the time nothing is revoked: no keys to compute.
    if (this.entries.size === 0) return false;
    const lookup = facts instanceof RevocationLookup ? facts : new RevocationLookup(facts);
    const issuedAt = lookup.issuedAtMs;
    const now = this.now();
    for (const key of lookup.keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        continue;
      }
      if (isFamilyKey(key) || issuedAt <= entry.instant) return true;
    }
    return false;
  }

  /** Every live entry as `[key, instant, expiresAt]`, for writing it back to a Redis that lost it. */
  *live(): Generator<[string, number, number]> {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt > now) yield [key, entry.instant, entry.expiresAt];
  }

  /** Drops expired entries (their tokens can no longer be valid). */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
