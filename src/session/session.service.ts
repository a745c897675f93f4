import { createHash, createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Request, Response } from 'express';
import type { SessionData, Store } from 'express-session';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { IndexReadAhead } from './index-read-ahead.store';
import { IDP_SESSION_INDEX, SessionIndex } from './session-index';
import { SESSION_STORE } from './session-store';
import { SessionTokens, SessionTokenStore } from './session-tokens';
import { SessionAuth, SessionUser } from './session-user';

const HANDLE_CACHE_SIZE = 10_000;

/** What a logout ended: the sign-in details and tokens the provider's side of the logout needs. */
export interface EndedSession {
  readonly auth?: SessionAuth;
  readonly tokens?: SessionTokens;
}

/** Starts, ends and finds sessions; the only code that writes who a session belongs to. */
@Injectable()
export class SessionService {
  /** Handles already computed (the account page shows them on every visit). */
  private readonly handles = new LRUCache<string, string>({ max: HANDLE_CACHE_SIZE });

  constructor(
    @Inject(SESSION_STORE) private readonly store: Store,
    private readonly index: SessionIndex,
    @Inject(IDP_SESSION_INDEX) private readonly idpIndex: SessionIndex,
    private readonly tokens: SessionTokenStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Signs a user in on this request. The session id is always replaced, so an id planted before
   * login (session fixation) never becomes an authenticated one.
   */
  async establish(
    req: Request,
    user: SessionUser,
    extra: Partial<SessionData> = {},
    tokens?: SessionTokens,
  ): Promise<void> {
    const previous = { id: req.sessionID, userId: req.session?.user?.id };
    // The replaced session ends for good: its tokens and index entry go with it, and a request
    // still holding it cannot write it back.
    await this.markEnded(previous.id);
    await callback((done) => req.session.regenerate(done));
    if (previous.userId) await this.index.remove(previous.userId, previous.id);
    const now = this.clock.now();
    const client = { userAgent: (req.get('user-agent') ?? '').slice(0, 200), ip: req.ip ?? '' };
    Object.assign(req.session, extra, { user, client, createdAt: now, lastSeenAt: now });
    // Indexed before it is saved: a session that exists can always be found and ended.
    await this.index.add(user.id, req.sessionID, this.config.session.absoluteTimeoutS);
    await this.indexIdpSession(req.sessionID, extra.auth);
    if (tokens) await this.tokens.set(req.sessionID, tokens, this.config.session.absoluteTimeoutS);
    await callback((done) => req.session.save(done));
  }

  /**
   * Stores the session now. express-session saves when the response ends, but sends a redirect's
   * headers first: the browser's next request can arrive before the save and miss what this one
   * stored (a login step). A handler that stores state and then redirects saves first.
   */
  async persist(req: Request): Promise<void> {
    await callback((done) => req.session.save(done));
  }

  /** The session's tokens, or undefined when it has none (or was ended meanwhile). */
  tokensOf(sessionId: string): Promise<SessionTokens | undefined> {
    return this.tokens.get(sessionId);
  }

  /**
   * After a refresh: every request of this session sees the new tokens, whatever copy of the session
   * it holds. False, and nothing written, when the session ended meanwhile (a refresh takes a round
   * trip to the provider; a logout may land in it).
   */
  async replaceTokens(sessionId: string, tokens: SessionTokens): Promise<boolean> {
    if (await this.tokens.ended(sessionId)) return false;
    await this.tokens.set(sessionId, tokens, this.config.session.absoluteTimeoutS);
    // An end marks first and deletes after: a write that slipped in between sees the mark here.
    if (!(await this.tokens.ended(sessionId))) return true;
    await this.tokens.delete(sessionId);
    return false;
  }

  /** Logout: the session is deleted from the store and the cookie cleared; returns what it held. */
  async destroy(req: Request, res: Response): Promise<EndedSession> {
    const { sessionID } = req;
    const userId = req.session?.user?.id;
    const auth = req.session?.auth;
    const tokens = auth ? await this.tokens.get(sessionID) : undefined;
    if (sessionID) await this.markEnded(sessionID);
    if (req.session) await callback((done) => req.session.destroy(done));
    if (userId) await this.index.remove(userId, sessionID);
    res.clearCookie(this.config.session.cookieName, {
      path: '/',
      httpOnly: true,
      secure: this.config.session.cookieSecure,
      sameSite: 'lax',
    });
    return { auth, tokens };
  }

  /** A timed-out session: deleted, and this request carries on with a fresh, empty one. */
  async expire(req: Request): Promise<void> {
    const { sessionID } = req;
    const userId = req.session.user?.id;
    await this.markEnded(sessionID);
    await callback((done) => req.session.regenerate(done));
    if (userId) await this.index.remove(userId, sessionID);
  }

  /**
   * Ends a user's sessions (on every instance: they live in the shared store). With `issuedBefore`
   * (ms), only sessions whose tokens were issued at or before it: a login after a revocation survives.
   * With `provider`, only sessions signed in through it: subjects are unique per issuer only.
   */
  async endAllForUser(
    userId: string,
    options: { except?: string; issuedBefore?: number; provider?: string } = {},
  ): Promise<number> {
    const { issuedBefore } = options;
    const sessions = (await this.sessionsOf(userId, undefined, options.provider)).filter(({ id, data }) => {
      if (id === options.except) return false;
      const iat = data.auth?.accessTokenIat;
      return issuedBefore === undefined || iat === undefined || iat * 1000 <= issuedBefore;
    });
    const ids = sessions.map((s) => s.id);
    await this.markEnded(...ids);
    await Promise.all(ids.map((id) => callback((done) => this.store.destroy(id, done))));
    await this.index.remove(userId, ...ids);
    return ids.length;
  }

  /** Ends one of a user's sessions; false when it is not theirs (or already gone). */
  async endSession(userId: string, sessionId: string): Promise<boolean> {
    if (!(await this.index.members(userId)).includes(sessionId)) return false;
    await this.markEnded(sessionId);
    await callback((done) => this.store.destroy(sessionId, done));
    await this.index.remove(userId, sessionId);
    return true;
  }

  /**
   * Front-channel logout: ends the sessions one SSO session (provider and ID-token `sid`) started.
   * Each candidate is read back and must itself name that provider and sid: the index only finds.
   */
  async endIdpSession(providerName: string, sid: string): Promise<string[]> {
    const key = this.idpKey(providerName, sid);
    if (!key) return [];
    const ids = await this.idpIndex.members(key);
    const found = await Promise.all(ids.map((id) => this.read(id)));
    const ending = ids.flatMap((id, i) => {
      const data = found[i];
      const matches = data?.auth?.provider === providerName && data.auth.idpSessionId === sid;
      return matches ? [{ id, userId: data.user?.id }] : [];
    });
    await this.markEnded(...ending.map(({ id }) => id));
    await Promise.all(ending.map(({ id }) => callback((done) => this.store.destroy(id, done))));
    await Promise.all(ending.map(({ id, userId }) => (userId ? this.index.remove(userId, id) : Promise.resolve())));
    await this.idpIndex.remove(key, ...ids);
    return ending.map(({ id }) => id);
  }

  /**
   * A user's live sessions; ids whose session has expired are dropped from the index. `current`, the
   * session of this request, is taken as it is rather than read again, and so is the index when it
   * was read with it. With `provider`, only the sessions signed in through it (the same `sub` at
   * another issuer is another person).
   */
  async sessionsOf(
    userId: string,
    current?: { id: string; data: SessionData; indexRead?: IndexReadAhead },
    provider?: string,
  ): Promise<{ id: string; data: SessionData }[]> {
    const read = current?.indexRead;
    const ids = await (read?.userId === userId ? read.sessionIds : this.index.members(userId));
    const found = await Promise.all(
      ids.map((id) => (id === current?.id ? Promise.resolve(current.data) : this.read(id))),
    );
    const gone = ids.filter((_, i) => !found[i]);
    await this.index.remove(userId, ...gone);
    return ids.flatMap((id, i) => {
      const data = found[i];
      return data && (provider === undefined || data.auth?.provider === provider) ? [{ id, data }] : [];
    });
  }

  async sessionIdsOf(userId: string): Promise<string[]> {
    return (await this.sessionsOf(userId)).map((s) => s.id);
  }

  /**
   * Every way a session ends goes through here, before the session itself is deleted: the mark
   * (kept as long as a session can live) stops any request still holding it from writing it back.
   */
  private markEnded(...sessionIds: string[]): Promise<void> {
    return this.tokens.end(this.config.session.absoluteTimeoutS, ...sessionIds);
  }

  private read(sessionId: string): Promise<SessionData | null | undefined> {
    return callback<SessionData | null | undefined>((done) => this.store.get(sessionId, done));
  }

  private async indexIdpSession(sessionId: string, auth: SessionAuth | undefined): Promise<void> {
    const key = auth?.idpSessionId ? this.idpKey(auth.provider, auth.idpSessionId) : undefined;
    if (key) await this.idpIndex.add(key, sessionId, this.config.session.absoluteTimeoutS);
  }

  /** `{issuerKey}:{hash of sid}`: the sid is the provider's string, of any length and alphabet. */
  private idpKey(providerName: string, sid: string): string | undefined {
    const provider = this.config.provider(providerName);
    if (!provider) return undefined;
    return `${provider.issuerKey}:${createHash('sha256').update(sid).digest('base64url').slice(0, 22)}`;
  }

  /**
   * A name for a session that can be shown in a page and posted back: a keyed hash, so the id itself
   * (half of a cookie) never leaves the server.
   */
  handleOf(sessionId: string): string {
    let handle = this.handles.get(sessionId);
    if (handle === undefined) {
      handle = createHmac('sha256', this.config.session.secret)
        .update(`session-handle:${sessionId}`)
        .digest('base64url')
        .slice(0, 22);
      this.handles.set(sessionId, handle);
    }
    return handle;
  }
}

function callback<T = void>(run: (done: (err?: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    run((err, value) =>
      err ? reject(err instanceof Error ? err : new Error('session store error')) : resolve(value as T),
    ),
  );
}
