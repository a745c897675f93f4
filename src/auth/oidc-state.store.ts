import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { Clock } from '../common/clock';
import { PendingLogin } from './pending-login';

const MAX_PENDING = 5;
/** A login must come back within this long. */
export const PENDING_LOGIN_TTL_MS = 10 * 60 * 1000;

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (
  err: Error | null,
  ctx?: false | { nonce?: string; maxAge?: number; issued?: string },
  state?: unknown,
) => void;

/**
 * passport-openidconnect's state store, made strict: the state is 256 random bits bound to this
 * browser's session, used once, and only for a bounded time; it carries the PKCE verifier and the
 * provider the login went to. A replayed, foreign or forged state finds nothing.
 */
export class OidcStateStore {
  private readonly verified = new WeakMap<Request, PendingLogin>();

  constructor(
    private readonly clock: Clock,
    private readonly random: (size: number) => Buffer = randomBytes,
  ) {}

  store(req: Request, ctx: { nonce?: string }, appState: unknown, _meta: unknown, cb: StoreCallback): void {
    if (!req.session) return cb(new Error('OIDC login needs a session'));
    const app = appState as Omit<PendingLogin, 'nonce' | 'createdAt'>;
    const handle = this.random(32).toString('base64url');
    const logins = this.live(req);
    logins[handle] = { ...app, nonce: ctx.nonce, createdAt: this.clock.now() };
    const handles = Object.keys(logins);
    for (const old of handles.slice(0, Math.max(0, handles.length - MAX_PENDING))) delete logins[old];
    req.session.oidcLogins = logins;
    cb(null, handle);
  }

  verify(req: Request, handle: unknown, cb: VerifyCallback): void {
    const login = typeof handle === 'string' ? this.take(req, handle) : undefined;
    if (!login) return cb(null, false, { message: 'state mismatch' });
    this.verified.set(req, login);
    cb(null, { nonce: login.nonce }, login);
  }

  /** The pending login a callback's state names, without using it up. */
  peek(req: Request, handle: unknown): PendingLogin | undefined {
    return typeof handle === 'string' ? this.live(req)[handle] : undefined;
  }

  /** The login whose state this request's callback carried (after verify). */
  verifiedLogin(req: Request): PendingLogin | undefined {
    return this.verified.get(req);
  }

  private take(req: Request, handle: string): PendingLogin | undefined {
    const logins = this.live(req);
    const login = Object.hasOwn(logins, handle) ? logins[handle] : undefined;
    // Single use: whatever happens next, this state cannot be presented again.
    delete logins[handle];
    // A browser with no pending login keeps no session: a forged callback must not make one.
    if (req.session?.oidcLogins) req.session.oidcLogins = logins;
    return login;
  }

  private live(req: Request): Record<string, PendingLogin> {
    const now = this.clock.now();
    const logins = { ...(req.session?.oidcLogins ?? {}) };
    for (const [handle, login] of Object.entries(logins)) {
      if (now - login.createdAt > PENDING_LOGIN_TTL_MS) delete logins[handle];
    }
    return logins;
  }
}
