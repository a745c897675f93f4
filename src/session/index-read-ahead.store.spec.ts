import type { Request } from 'express';
import session, { SessionData, Store } from 'express-session';
import createMemoryStore from 'memorystore';
import { IndexReadAheadStore } from './index-read-ahead.store';
import { MemorySessionIndex } from './memory-session-index';
import { SessionIndex } from './session-index';

const MemoryStore = createMemoryStore(session);
const data = (user: string) =>
  ({ cookie: { originalMaxAge: null }, user: { id: user, roles: [] } }) as unknown as SessionData;
const set = (store: Store, sid: string, sess: SessionData) =>
  new Promise<void>((resolve, reject) =>
    store.set(sid, sess, (err) => (err ? reject(new Error(String(err))) : resolve())),
  );

/** A request of a page that lists the user's sessions. */
const page = () => ({ listsSessions: true }) as Request;

describe('the session store of browser requests', () => {
  let inner: Store & { stopInterval(): void };
  let index: SessionIndex;
  let store: IndexReadAheadStore;
  /** What was asked for, in order, and whether each was asked in the tick the session read began. */
  let asked: string[];

  beforeEach(() => {
    inner = new MemoryStore({ checkPeriod: 60_000 });
    index = new MemorySessionIndex();
    store = new IndexReadAheadStore(inner, index);
    asked = [];
    const members = index.members.bind(index);
    index.members = (userId) => (asked.push(`index ${userId}`), members(userId));
    const get = inner.get.bind(inner);
    inner.get = (sid, done) => (asked.push(`session ${sid}`), get(sid, done));
  });
  afterEach(() => inner.stopInterval());

  /** A request's read, as express-session makes it: synchronously inside `readFor`. */
  function read(req: Request, sid: string): Promise<SessionData | null | undefined> {
    return new Promise((resolve, reject) =>
      store.readFor(req, () =>
        store.get(sid, (err, s) => (err ? reject(new Error('session read failed', { cause: err })) : resolve(s))),
      ),
    );
  }

  it("reads the user's session index in the same tick as a session it has seen before", async () => {
    await index.add('u1', 's1', 60);
    await set(store, 's1', data('u1'));
    const req = page();
    store.readFor(req, () => store.get('s1', () => undefined));
    // Both asked before anything was awaited: the Redis client sends them in one write.
    expect(asked).toEqual(['index u1', 'session s1']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(req.sessionIndexRead?.userId).toBe('u1');
    expect(await req.sessionIndexRead?.sessionIds).toEqual(['s1']);
  });

  it('learns whose session it is from the read itself, and reads ahead from the next request on', async () => {
    await set(inner, 's1', data('u1'));
    const first = page();
    await read(first, 's1');
    expect(first.sessionIndexRead).toBeUndefined();
    const second = page();
    await read(second, 's1');
    expect(second.sessionIndexRead?.userId).toBe('u1');
  });

  it('drops the read-ahead when the session read names another user than the one it expected', async () => {
    await set(store, 's1', data('u1'));
    await set(inner, 's1', data('u2'));
    const req = page();
    await read(req, 's1');
    expect(req.sessionIndexRead).toBeUndefined();
  });

  it('reads nothing more for a session that is gone, or outside a browser request', async () => {
    await set(store, 's1', data('u1'));
    await new Promise<void>((resolve) => inner.destroy('s1', () => resolve()));
    const req = page();
    expect(await read(req, 's1')).toBeFalsy();
    expect(req.sessionIndexRead).toBeUndefined();
    await set(store, 's2', data('u1'));
    asked = [];
    await new Promise((resolve) => store.get('s2', resolve));
    expect(asked).toEqual(['session s2']);
  });

  it('forgets whose session an ended one was', async () => {
    await set(store, 's1', data('u1'));
    await new Promise<void>((resolve) => store.destroy('s1', () => resolve()));
    await set(inner, 's1', data('u1'));
    asked = [];
    await read(page(), 's1');
    expect(asked).toEqual(['session s1']);
  });

  it("reads no index for a page that does not list the user's sessions, though it learns whose session it is", async () => {
    await set(inner, 's1', data('u1'));
    await read({} as Request, 's1');
    asked = [];
    const other = {} as Request;
    await read(other, 's1');
    expect(asked).toEqual(['session s1']);
    expect(other.sessionIndexRead).toBeUndefined();
    // Learned all the same: the account page's first read brings the index.
    const account = page();
    await read(account, 's1');
    expect(account.sessionIndexRead?.userId).toBe('u1');
  });
});
