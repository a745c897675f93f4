import { redisAnswers, RedisServerProcess } from './redis-server';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Finds Redis for the suite: REDIS_URL (default 127.0.0.1:6379); else a redis-server of our own on
 * a free port; else stop at once and say how to get one. Workers inherit REDIS_URL.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (await redisAnswers(url)) {
    process.env.REDIS_URL = url;
    return;
  }
  let server: RedisServerProcess;
  try {
    server = await RedisServerProcess.start();
  } catch (error) {
    throw new Error(
      `The tests need Redis. None answers at ${url.replace(/\/\/[^@/]*@/, '//***@')}, and a redis-server of ` +
        `their own could not be started (${(error as Error).message}). Start one (for example ` +
        '`apt-get install -y redis-server && redis-server --daemonize yes`, or `docker run -p 6379:6379 redis`) ' +
        'or point REDIS_URL at one.',
      { cause: error },
    );
  }
  process.env.REDIS_URL = server.url;
  (globalThis as { __testRedisServer?: RedisServerProcess }).__testRedisServer = server;
}
