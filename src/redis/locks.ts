/** Short-lived mutual exclusion across every instance that shares the Redis (or within one process). */
export abstract class Locks {
  /** A token when acquired, `undefined` when someone else holds the lock. */
  abstract acquire(name: string, ttlMs: number): Promise<string | undefined>;
  /** Releases only if the lock is still ours (it may have expired and been taken since). */
  abstract release(name: string, token: string): Promise<void>;
  abstract isHeld(name: string): Promise<boolean>;

  /** Waits (polling) until nobody holds the lock, at most `timeoutMs`; true when it was released. */
  async waitForRelease(name: string, timeoutMs: number, pollMs = 25): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!(await this.isHeld(name))) return true;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return false;
  }
}
