import { RedisStore } from 'connect-redis';
import session, { SessionData, Store } from 'express-session';
import createMemoryStore from 'memorystore';
import { createClient } from 'redis';
import { FakeClock } from '../../test/support/fake-clock';
import { EndedSessionGuardStore } from './ended-session-guard.store';
import { MemorySessionTokenStore } from './memory-session-token.store';

const MemoryStore = createMemoryStore(session);
const data = (user: string) =>
  ({ cookie: { originalMaxAge: null }, user: { id: user, roles: [] } }) as unknown as SessionData;
const get = (store: Store, sid: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) =>
    store.get(sid, (err, s) => (err ? reject(new Error(String(err))) : resolve(s))),
  );
const set = (store: Store, sid: string, sess: SessionData) =>
  new Promise<void>((resolve, reject) =>
    store.set(sid, sess, (err) => (err ? reject(new Error(String(err))) : resolve())),
  );

describe('the session store after a session ended', () => {
  let inner: Store & { stopInterval(): void };
  let marks: MemorySessionTokenStore;
  let store: EndedSessionGuardStore;

  beforeEach(() => {
    inner = new MemoryStore({ checkPeriod: 60_000 });
    marks = new MemorySessionTokenStore(new FakeClock());
    store = new EndedSessionGuardStore(inner, marks);
  });
  afterEach(() => store.stopInterval());

  it('writes a live session', async () => {
    await set(store, 's1', data('u1'));
    expect(await get(store, 's1')).toMatchObject({ user: { id: 'u1' } });
  });

  it('never writes back a session that has ended (a request that still held it, saving at its end)', async () => {
    await set(store, 's1', data('u1'));
    await marks.end(60, 's1');
    await new Promise<void>((resolve) => store.destroy('s1', () => resolve()));
    await set(store, 's1', data('u1'));
    expect(await get(store, 's1')).toBeFalsy();
  });

  it('takes back a write that an end overtook (marked and removed while the write was on its way)', async () => {
    let finishWrite!: () => void;
    const slow = Object.create(inner) as Store;
    slow.set = (sid, sess, done) => {
      finishWrite = () => inner.set(sid, sess, done);
    };
    const racing = new EndedSessionGuardStore(slow, marks);
    const writing = set(racing, 's1', data('u1'));
    await new Promise((resolve) => setImmediate(resolve));
    // The end: the mark first, then the session goes; only then does the write land.
    await marks.end(60, 's1');
    await new Promise<void>((resolve) => inner.destroy('s1', () => resolve()));
    finishWrite();
    await writing;
    expect(await get(inner, 's1')).toBeFalsy();
  });

  it('touches without asking the marks (one round trip per unchanged page), and a touch never brings an ended session back', async () => {
    await set(store, 's1', data('u1'));
    marks.ended = () => Promise.reject(new Error('a touch must not cost a look at the marks'));
    await new Promise<void>((resolve, reject) =>
      store.touch!('s1', data('u1'), (err?: unknown) => (err ? reject(new Error('touch failed')) : resolve())),
    );
    expect(await get(store, 's1')).toMatchObject({ user: { id: 'u1' } });
    await new Promise<void>((resolve) => store.destroy('s1', () => resolve()));
    await new Promise<void>((resolve) => store.touch!('s1', data('u1'), () => resolve()));
    expect(await get(store, 's1')).toBeFalsy();
  });

  it('offers express-session no touch when the store it guards would do nothing with one (connect-redis with disableTouch)', () => {
    // Never connected: the store is only asked what it offers.
    const redis = new RedisStore({ client: createClient(), disableTouch: true });
    const guarded = new EndedSessionGuardStore(redis, marks);
    // express-session hashes the session once more on every unchanged page only to call a touch it is offered.
    expect(guarded.touch).toBeUndefined();
    expect(new EndedSessionGuardStore(new RedisStore({ client: createClient() }), marks).touch).toBeInstanceOf(
      Function,
    );
    expect(store.touch).toBeInstanceOf(Function);
  });
});
