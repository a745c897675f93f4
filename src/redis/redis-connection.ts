import { createClient, createCluster, createSentinel } from 'redis';
import { RedisTarget } from '../config/redis-target';

export type RedisClient = ReturnType<typeof createClient>;
export type RedisCluster = ReturnType<typeof createCluster>;
export type RedisSentinel = ReturnType<typeof createSentinel>;
export type Connection =
  | { readonly mode: 'standalone'; readonly client: RedisClient }
  | { readonly mode: 'cluster'; readonly cluster: RedisCluster }
  | { readonly mode: 'sentinel'; readonly sentinel: RedisSentinel };

export const PROBE_TIMEOUT_MS = 1000;
const MAX_BACKOFF_MS = 3000;

/** Exponential backoff with jitter, capped, so many instances do not reconnect in lockstep. */
export function reconnectDelay(retries: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(retries, 10));
  return Math.round(base / 2 + (random() * base) / 2);
}

export function connect(
  target: RedisTarget,
  reconnectStrategy: (retries: number, cause: Error) => number | Error,
): Connection {
  const socket = {
    connectTimeout: PROBE_TIMEOUT_MS * 2,
    reconnectStrategy,
    ...(target.tls ? { tls: true as const } : {}),
  };
  const auth = { username: target.username, password: target.password };
  if (target.mode === 'standalone') {
    return { mode: 'standalone', client: createClient({ url: target.url, disableOfflineQueue: true, socket }) };
  }
  if (target.mode === 'cluster') {
    return {
      mode: 'cluster',
      cluster: createCluster({
        rootNodes: target.nodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
        defaults: { ...auth, disableOfflineQueue: true, socket },
      }),
    };
  }
  return {
    mode: 'sentinel',
    sentinel: createSentinel({
      name: target.masterName!,
      sentinelRootNodes: target.nodes.map((node) => ({ host: node.host, port: node.port })),
      nodeClientOptions: { ...auth, database: target.database, disableOfflineQueue: true, socket },
      sentinelClientOptions: { ...auth, socket },
      // A second master connection: a revocation's WAIT holds one, sessions keep the other.
      masterPoolSize: 2,
    }),
  };
}

export async function closeQuietly(
  client: { isOpen: boolean; close(): Promise<void>; destroy(): unknown } | undefined,
): Promise<void> {
  if (!client?.isOpen) return;
  try {
    await Promise.race([client.close(), delay(PROBE_TIMEOUT_MS)]);
  } catch {
    // Closing a broken connection may fail; it is going away either way.
  }
  try {
    if (client.isOpen) await client.destroy();
  } catch {
    // Already closed by node-redis itself.
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
