import { RedisService } from '../redis/redis.service';
import { SessionTokens, SessionTokenStore } from './session-tokens';

/**
 * `session-tokens:{sessionId}`: the tokens as JSON, expiring no later than the session can;
 * `session-ended:{sessionId}`: the mark of a session that ended.
 */
export class RedisSessionTokenStore extends SessionTokenStore {
  constructor(private readonly redis: RedisService) {
    super();
  }

  async get(sessionId: string): Promise<SessionTokens | undefined> {
    const raw = await this.redis.client.get(this.redis.key('session-tokens', sessionId));
    return raw ? (JSON.parse(raw) as SessionTokens) : undefined;
  }

  async set(sessionId: string, tokens: SessionTokens, ttlS: number): Promise<void> {
    await this.redis.client.set(this.redis.key('session-tokens', sessionId), JSON.stringify(tokens), {
      expiration: { type: 'EX', value: ttlS },
    });
  }

  async delete(...sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    // One DEL per key: on a Redis Cluster the keys live in different slots.
    await Promise.all(sessionIds.map((id) => this.redis.client.del(this.redis.key('session-tokens', id))));
  }

  async end(markTtlS: number, ...sessionIds: string[]): Promise<void> {
    await Promise.all(
      sessionIds.map((id) =>
        this.redis.client.set(this.redis.key('session-ended', id), '1', {
          expiration: { type: 'EX', value: markTtlS },
        }),
      ),
    );
    await this.delete(...sessionIds);
  }

  async ended(sessionId: string): Promise<boolean> {
    return (await this.redis.client.exists(this.redis.key('session-ended', sessionId))) === 1;
  }
}
