import { SessionData, Store } from 'express-session';
import { SessionTokenStore } from './session-tokens';

type Done = (err?: unknown) => void;

/**
 * The session store, refusing to write back a session that has ended. express-session saves a
 * request's copy of its session when the response ends; a request still running when the session
 * was ended elsewhere (logout, front-channel logout, "end session", a revocation, a token refresh
 * that took long) would otherwise bring it back, signed in, after it was gone.
 */
export class EndedSessionGuardStore extends Store {
  constructor(
    private readonly inner: Store,
    private readonly marks: SessionTokenStore,
  ) {
    super();
  }

  get(sid: string, done: (err: unknown, session?: SessionData | null) => void): void {
    this.inner.get(sid, done);
  }

  set(sid: string, session: SessionData, done?: Done): void {
    this.write(sid, session).then(
      () => done?.(),
      (err: unknown) => done?.(err),
    );
  }

  /**
   * A touch only moves the expiry of what is stored (connect-redis: EXPIRE, here disabled; the
   * in-process store: only a session it still holds), so it can never bring an ended session back:
   * it needs no look at the marks, and a page whose session did not change costs one round trip (the read).
   */
  override touch(sid: string, session: SessionData, done?: Done): void {
    if (!this.inner.touch) return done?.();
    this.inner.touch(sid, session, (err?: unknown) => done?.(err));
  }

  destroy(sid: string, done?: Done): void {
    this.inner.destroy(sid, (err?: unknown) => done?.(err));
  }

  /** The in-process store sweeps expired sessions on a timer; stopped with the app. */
  stopInterval(): void {
    (this.inner as Partial<{ stopInterval: () => void }>).stopInterval?.();
  }

  private async write(sid: string, session: SessionData): Promise<void> {
    if (await this.marks.ended(sid)) return;
    await callback((cb) => this.inner.set(sid, session, cb));
    // Ending a session marks it first and removes it after: a write that slipped in between the
    // two sees the mark now, and takes itself back.
    if (await this.marks.ended(sid)) await callback((cb) => this.inner.destroy(sid, cb));
  }
}

function callback(run: (done: Done) => void): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    run((err) => (err ? reject(err instanceof Error ? err : new Error('session store error')) : resolve())),
  );
}
