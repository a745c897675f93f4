import { RedisStore } from 'connect-redis';
import session, { Store } from 'express-session';
import createMemoryStore from 'memorystore';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { RedisService } from '../redis/redis.service';
import { SessionTimeouts, storeTtlMs } from './session-expiry';

export const SESSION_STORE = Symbol('SESSION_STORE');

const MEMORY_MAX_SESSIONS = 10_000;

export function sessionTimeouts(config: AppConfig): SessionTimeouts {
  return { idleMs: config.session.idleTimeoutS * 1000, absoluteMs: config.session.absoluteTimeoutS * 1000 };
}

export type SessionStoreKind = 'redis' | 'memory';

export function sessionStoreKind(config: AppConfig, redis: RedisService): SessionStoreKind {
  return config.session.store ?? (redis.enabled ? 'redis' : 'memory');
}

/**
 * The session store: connect-redis in Redis (one key per session, expiring with the session), or a
 * bounded in-process LRU with TTLs in development. Either way the cookie holds only the signed id.
 */
export function createSessionStore(config: AppConfig, redis: RedisService, clock: Clock): Store {
  const timeouts = sessionTimeouts(config);
  if (sessionStoreKind(config, redis) === 'redis') {
    return new RedisStore({
      client: redis.client,
      prefix: redis.key('sess', ''),
      ttl: (sess) => Math.ceil(storeTtlMs(sess, clock.now(), timeouts) / 1000),
      // Expiry moves only when the session is written (login, lastSeenAt refresh): one round trip per page.
      disableTouch: true,
    });
  }
  const MemoryStore = createMemoryStore(session);
  return new MemoryStore({
    checkPeriod: 60_000,
    max: MEMORY_MAX_SESSIONS,
    ttl: (_options: unknown, sess: session.SessionData) => storeTtlMs(sess, clock.now(), timeouts),
  });
}
