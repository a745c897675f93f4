import { RedisService } from '../redis/redis.service';
import { SessionIndex } from './session-index';

/**
 * `user-sessions:{userId}` (or another namespace, e.g. `idp-sessions:{issuerKey}:{sid}`): a Redis
 * set of session ids, kept as long as the longest session.
 */
export class RedisSessionIndex extends SessionIndex {
  constructor(
    private readonly redis: RedisService,
    private readonly namespace = 'user-sessions',
  ) {
    super();
  }

  async add(userId: string, sessionId: string, ttlS: number): Promise<void> {
    const key = this.redis.key(this.namespace, userId);
    await this.redis.client.multi().sAdd(key, sessionId).expire(key, ttlS).exec();
  }

  async remove(userId: string, ...sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.redis.client.sRem(this.redis.key(this.namespace, userId), sessionIds);
  }

  async members(userId: string): Promise<string[]> {
    return this.redis.client.sMembers(this.redis.key(this.namespace, userId));
  }
}
