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
  /**
   * express-session touches the store on every page whose session did not change, when the store has
   * a `touch`; a touch only moves the expiry of what is stored (the in-process store: only a session
   * it still holds), so it can never bring an ended session back and needs no look at the marks.
   * Offered only when the store's touch does something: connect-redis told not to touch
   * (`disableTouch`: expiry moves with the writes) keeps a `touch` that does nothing, and
   * express-session would hash the session once more per page only to call it.
   */
  override touch?: (sid: string, session: SessionData, done?: Done) => void;

  constructor(
    private readonly inner: Store,
    private readonly marks: SessionTokenStore,
  ) {
    super();
    if (touches(inner)) this.touch = (sid, session, done) => inner.touch!(sid, session, (err?: unknown) => done?.(err));
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

/** Whether a store's `touch` moves anything: connect-redis with `disableTouch` answers without a word to Redis. */
function touches(store: Store): boolean {
  return typeof store.touch === 'function' && (store as { disableTouch?: boolean }).disableTouch !== true;
}

function callback(run: (done: Done) => void): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    run((err) => (err ? reject(err instanceof Error ? err : new Error('session store error')) : resolve())),
  );
}
