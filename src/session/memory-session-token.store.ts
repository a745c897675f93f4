import { Clock } from '../common/clock';
import { SessionTokens, SessionTokenStore } from './session-tokens';

const MAX_ENTRIES = 10_000;

/** The in-process token store for development without Redis; bounded, with expiry. */
export class MemorySessionTokenStore extends SessionTokenStore {
  private readonly entries = new Map<string, { tokens: SessionTokens; expiresAt: number }>();
  private readonly endedUntil = new Map<string, number>();

  constructor(private readonly clock: Clock) {
    super();
  }

  get(sessionId: string): Promise<SessionTokens | undefined> {
    const entry = this.entries.get(sessionId);
    if (entry && entry.expiresAt <= this.clock.now()) this.entries.delete(sessionId);
    return Promise.resolve(entry && entry.expiresAt > this.clock.now() ? entry.tokens : undefined);
  }

  set(sessionId: string, tokens: SessionTokens, ttlS: number): Promise<void> {
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { tokens, expiresAt: this.clock.now() + ttlS * 1000 });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return Promise.resolve();
  }

  delete(...sessionIds: string[]): Promise<void> {
    sessionIds.forEach((id) => this.entries.delete(id));
    return Promise.resolve();
  }

  end(markTtlS: number, ...sessionIds: string[]): Promise<void> {
    for (const id of sessionIds) {
      this.endedUntil.delete(id);
      this.endedUntil.set(id, this.clock.now() + markTtlS * 1000);
      this.entries.delete(id);
    }
    while (this.endedUntil.size > MAX_ENTRIES) this.endedUntil.delete(this.endedUntil.keys().next().value!);
    return Promise.resolve();
  }

  ended(sessionId: string): Promise<boolean> {
    const until = this.endedUntil.get(sessionId);
    if (until !== undefined && until <= this.clock.now()) this.endedUntil.delete(sessionId);
    return Promise.resolve(until !== undefined && until > this.clock.now());
  }
}
