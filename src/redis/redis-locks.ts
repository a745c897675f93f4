import { randomBytes } from 'node:crypto';
import { Locks } from './locks';
import { RedisService } from './redis.service';

// Deletes the lock only if it still holds our token.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** `lock:{name}` with SET NX PX: one holder at a time across instances, gone by itself after the TTL. */
export class RedisLocks extends Locks {
  constructor(private readonly redis: RedisService) {
    super();
  }

  async acquire(name: string, ttlMs: number): Promise<string | undefined> {
    const token = randomBytes(16).toString('base64url');
    const ok = await this.redis.client.set(this.redis.key('lock', name), token, {
      condition: 'NX',
      expiration: { type: 'PX', value: ttlMs },
    });
    return ok === 'OK' ? token : undefined;
  }

  async release(name: string, token: string): Promise<void> {
    await this.redis.client.eval(RELEASE, { keys: [this.redis.key('lock', name)], arguments: [token] });
  }

  async isHeld(name: string): Promise<boolean> {
    return (await this.redis.client.exists(this.redis.key('lock', name))) === 1;
  }
}
