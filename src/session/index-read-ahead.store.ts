import type { Request } from 'express';
import { SessionData, Store } from 'express-session';
import { LRUCache } from 'lru-cache';
import { SessionIndex } from './session-index';

type Done = (err?: unknown) => void;

const OWNERS_CACHE_SIZE = 10_000;

/** The user's session index, read together with the session of this request. */
export interface IndexReadAhead {
  readonly userId: string;
  readonly sessionIds: Promise<string[]>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set only when the session read found a session of that user. */
      sessionIndexRead?: IndexReadAhead;
      /** The matched route shows the user's sessions (`@ListsSessions()`): its session read brings the index. */
      listsSessions?: boolean;
    }
  }
}

/**
 * The store express-session reads a browser request's session through. Once it has seen whose
 * session an id is, the next read of that session by a page that lists the user's sessions
 * (`@ListsSessions()`) also asks for the user's session index, in the same tick, so the client sends both in one write: the account page, which lists the user's
 * sessions, costs one Redis round trip instead of two. Who a session belongs to is always what the
 * session read says: a read-ahead for another user is dropped, and a session unknown here reads
 * nothing more.
 */
export class IndexReadAheadStore extends Store {
  override touch?: (sid: string, session: SessionData, done?: Done) => void;
  /** Session id → user id, as the session itself said when last read or written here. */
  private readonly owners = new LRUCache<string, string>({ max: OWNERS_CACHE_SIZE });
  /** The request whose session express-session is about to read (it does so synchronously). */
  private reading?: Request;

  constructor(
    private readonly inner: Store,
    private readonly index: SessionIndex,
  ) {
    super();
    // Offered only where the inner store offers one (see EndedSessionGuardStore).
    if (inner.touch) this.touch = (sid, session, done) => inner.touch!(sid, session, done);
  }

  /**
   * Runs express-session for `req`: for a route that lists sessions, the session read it starts is
   * paired with the index; any other only teaches whose session it is.
   */
  readFor(req: Request, run: () => void): void {
    this.reading = req.listsSessions ? req : undefined;
    try {
      run();
    } finally {
      this.reading = undefined;
    }
  }

  get(sid: string, done: (err: unknown, session?: SessionData | null) => void): void {
    const req = this.reading;
    this.reading = undefined;
    const owner = req ? this.owners.get(sid) : undefined;
    const ahead = owner === undefined ? undefined : this.readAhead(owner);
    this.inner.get(sid, (err, session) => {
      const userId = session?.user?.id;
      if (userId === undefined) this.owners.delete(sid);
      else this.owners.set(sid, userId);
      if (req && ahead && userId === ahead.userId) req.sessionIndexRead = ahead;
      done(err, session);
    });
  }

  set(sid: string, session: SessionData, done?: Done): void {
    if (session.user) this.owners.set(sid, session.user.id);
    this.inner.set(sid, session, done);
  }

  destroy(sid: string, done?: Done): void {
    this.owners.delete(sid);
    this.inner.destroy(sid, done);
  }

  private readAhead(userId: string): IndexReadAhead {
    const sessionIds = this.index.members(userId);
    // A page that does not list the sessions never awaits it; its failure is the reader's to see.
    sessionIds.catch(() => undefined);
    return { userId, sessionIds };
  }
}
