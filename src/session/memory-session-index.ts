import { SessionIndex } from './session-index';

const MAX_USERS = 10_000;

/** The in-process index for development without Redis; bounded like the memory session store. */
export class MemorySessionIndex extends SessionIndex {
  private readonly byUser = new Map<string, Set<string>>();

  add(userId: string, sessionId: string): Promise<void> {
    const sessions = this.byUser.get(userId) ?? new Set<string>();
    this.byUser.delete(userId);
    this.byUser.set(userId, sessions.add(sessionId));
    if (this.byUser.size > MAX_USERS) this.byUser.delete(this.byUser.keys().next().value!);
    return Promise.resolve();
  }

  remove(userId: string, ...sessionIds: string[]): Promise<void> {
    const sessions = this.byUser.get(userId);
    sessionIds.forEach((id) => sessions?.delete(id));
    if (sessions?.size === 0) this.byUser.delete(userId);
    return Promise.resolve();
  }

  members(userId: string): Promise<string[]> {
    return Promise.resolve([...(this.byUser.get(userId) ?? [])]);
  }
}
