import type { RedisServerProcess } from './redis-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __testRedisServer?: RedisServerProcess }).__testRedisServer?.stop();
}
