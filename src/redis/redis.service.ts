import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisTarget } from '../config/redis-target';
import { clusterSlot } from './cluster-slot';
import {
  closeQuietly,
  connect,
  Connection,
  delay,
  PROBE_TIMEOUT_MS,
  reconnectDelay,
  RedisClient,
} from './redis-connection';

export type { RedisClient };

/**
 * The Redis of the process: one server, a Sentinel-managed master, or a Cluster (REDIS_URL says
 * which). Sessions, the denylist, locks and rate limits all go through it. Commands fail at once
 * while disconnected instead of queueing, so callers can fail closed instead of hanging.
 */
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private subscriberClient?: RedisClient;
  /** One server: the connection acknowledged writes WAIT on, so a WAIT never holds up other commands. */
  private writerClient?: Promise<RedisClient>;
  private down = false;
  private readonly connectionListeners = new Set<(up: boolean) => void>();
  private closed = false;
  private sentinelProxy?: RedisClient;

  private constructor(
    private readonly config: AppConfig,
    /** Replaced only by `connectSentinel` (a Sentinel client that gave up cannot connect again). */
    private connection: Connection | undefined,
    /** While the start-up probe runs, a refused connection is an answer, not an outage to report. */
    private readonly probe: { active: boolean } = { active: false },
  ) {}

  /**
   * In production, with SESSION_STORE=redis, or with a Sentinel or Cluster URL, Redis is required:
   * the client keeps reconnecting and the service starts anyway (readiness says whether Redis
   * answers). In development, one server is used when it answers at start; otherwise the service runs
   * on in-process stores.
   */
  static async start(config: AppConfig): Promise<RedisService> {
    const target = config.redis.target;
    const required = config.production || config.session.store === 'redis' || target.mode !== 'standalone';
    const probe = { active: !required };
    const reconnectStrategy = (retries: number, cause: Error) => (probe.active ? cause : reconnectDelay(retries));
    const connection = connect(target, reconnectStrategy);
    const service = new RedisService(config, connection, probe);
    const emitter =
      connection.mode === 'standalone'
        ? connection.client
        : connection.mode === 'cluster'
          ? connection.cluster
          : connection.sentinel;
    emitter.on('error', (error: unknown) => service.onError(error));
    if (connection.mode === 'standalone') connection.client.on('ready', () => service.onReady());
    const connecting = (async () => {
      if (connection.mode === 'standalone') await connection.client.connect();
      else if (connection.mode === 'cluster') await connection.cluster.connect();
      else await service.connectSentinel(() => connect(target, reconnectStrategy));
    })();
    connecting.catch(() => undefined);
    if (required) {
      await Promise.race([connecting, delay(PROBE_TIMEOUT_MS * 2)]);
      return service;
    }
    try {
      await Promise.race([connecting, delay(PROBE_TIMEOUT_MS).then(() => Promise.reject(new Error('timeout')))]);
      probe.active = false;
      return service;
    } catch {
      await service.close();
      return new RedisService(config, undefined);
    }
  }

  /**
   * node-redis's Sentinel client gives up connecting after its rediscoveries (about 16 s) and can
   * never connect again: an instance started while no Sentinel names a primary that answers (a
   * failover under way, the default 30 s before a dead primary is replaced) would stay down for good.
   * A fresh client is made and connected, with backoff, until one reaches the primary.
   */
  private async connectSentinel(fresh: () => Connection): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const current = this.connection;
      if (current?.mode !== 'sentinel') return;
      try {
        await current.sentinel.connect();
        if (attempt > 0) this.onReady();
        return;
      } catch (error) {
        if (this.closed) return;
        this.onError(error);
        await Promise.resolve()
          .then(() => current.sentinel.destroy())
          .catch(() => undefined);
        await delay(reconnectDelay(attempt));
        if (this.closed) return;
        const next = fresh() as Extract<Connection, { mode: 'sentinel' }>;
        next.sentinel.on('error', (e: unknown) => this.onError(e));
        this.connection = next;
      }
    }
  }

  /** False when the service runs on in-process stores (development without Redis). */
  get enabled(): boolean {
    return this.connection !== undefined;
  }

  get mode(): RedisTarget['mode'] | undefined {
    return this.connection?.mode;
  }

  /**
   * The commands. A Cluster and a Sentinel answer the same commands as one server (node-redis routes
   * each by its key), so they are used through the one-server type. Only what differs by topology,
   * SCAN and SUBSCRIBE, goes through `scanKeys` and `subscribe` below; keys written together carry one
   * hash tag, so every multi-key command and script stays in one Cluster slot.
   */
  get client(): RedisClient {
    const connection = this.connection;
    if (!connection) throw new Error('Redis is not enabled in this process');
    if (connection.mode === 'standalone') return connection.client;
    if (connection.mode === 'cluster') return connection.cluster as unknown as RedisClient;
    // Holders of `client` (the session store) keep working when connectSentinel replaces the client.
    this.sentinelProxy ??= new Proxy({} as RedisClient, {
      get: (_target, property) => {
        const current = (this.connection as Extract<Connection, { mode: 'sentinel' }>).sentinel;
        const value: unknown = Reflect.get(current, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
      },
    });
    return this.sentinelProxy;
  }

  /** A key under the service's prefix: `key('user-sessions', id)` → `fag:user-sessions:<id>`. */
  key(...parts: string[]): string {
    return `${this.config.redis.keyPrefix}${parts.join(':')}`;
  }

  /** The readiness probe: true when Redis answers a PING within the bound. */
  async ping(timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
    if (!this.connection) return false;
    if (this.connection.mode === 'standalone' && !this.connection.client.isReady) return false;
    try {
      const answer = await Promise.race([this.client.ping(), delay(timeoutMs).then(() => 'timeout')]);
      return answer === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * Runs `write` on one connection to the master that owns `key`, then, with replicas to wait for,
   * `WAIT`s on that same connection (WAIT counts the writes of its own connection). `acks` is how many
   * replicas confirmed within the timeout. Cluster: the shard that took the write.
   */
  async acknowledged<T>(
    key: string,
    wait: { replicas: number; timeoutMs: number },
    write: (client: RedisClient) => Promise<T>,
  ): Promise<{ result: T; acks: number }> {
    if (wait.replicas <= 0) return { result: await write(this.client), acks: 0 };
    return this.onMasterOf(key, async (client) => {
      const result = await write(client);
      return { result, acks: await client.wait(wait.replicas, wait.timeoutMs) };
    });
  }

  /** The replicas connected to the master that owns `key` (`INFO replication`), as readiness reports them. */
  async replicaCount(key: string): Promise<number> {
    const info = await this.onMasterOf(key, (client) => client.info('replication'));
    return Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
  }

  private async onMasterOf<T>(key: string, use: (client: RedisClient) => Promise<T>): Promise<T> {
    const connection = this.connection;
    if (!connection) throw new Error('Redis is not enabled in this process');
    if (connection.mode === 'sentinel')
      return connection.sentinel.use((client) => use(client as unknown as RedisClient));
    if (connection.mode === 'cluster') {
      const master = connection.cluster.getSlotMaster(clusterSlot(key));
      return use(await connection.cluster.nodeClient(master));
    }
    return use(await this.writer(connection.client));
  }

  private writer(client: RedisClient): Promise<RedisClient> {
    this.writerClient ??= (async () => {
      const writer = client.duplicate();
      writer.on('error', (error: Error) => this.onError(error));
      await writer.connect();
      return writer;
    })();
    this.writerClient.catch(() => (this.writerClient = undefined));
    return this.writerClient;
  }

  /** Every key matching `match`, in batches (SCAN, so Redis is never blocked), on every Cluster master. */
  async *scanKeys(match: string, count = 1000): AsyncGenerator<string[]> {
    const connection = this.connection;
    if (!connection) return;
    if (connection.mode === 'standalone') {
      yield* connection.client.scanIterator({ MATCH: match, COUNT: count });
    } else if (connection.mode === 'cluster') {
      for (const master of connection.cluster.masters) {
        const node = await connection.cluster.nodeClient(master);
        yield* node.scanIterator({ MATCH: match, COUNT: count });
      }
    } else {
      // SCAN's cursor belongs to one server: the whole iteration runs on one leased master connection.
      const lease = await connection.sentinel.acquire();
      try {
        let cursor = '0';
        do {
          const reply = await lease.scan(cursor, { MATCH: match, COUNT: count });
          cursor = String(reply.cursor);
          if (reply.keys.length > 0) yield reply.keys.map(String);
        } while (cursor !== '0');
      } finally {
        void lease.release();
      }
    }
  }

  /**
   * Listens on a channel. One server: a second connection of its own (a subscribed connection can
   * issue no other commands), pinged so a dead one is noticed; a Cluster or Sentinel keeps its own
   * subscriber connection and moves it along with the topology.
   */
  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    const connection = this.connection;
    if (!connection) throw new Error('Redis is not enabled in this process');
    if (connection.mode === 'cluster') return connection.cluster.subscribe(channel, listener);
    if (connection.mode === 'sentinel') {
      await connection.sentinel.subscribe(channel, listener);
      return;
    }
    if (!this.subscriberClient) {
      const sub = connection.client.duplicate({ pingInterval: 1000 });
      sub.on('error', (error: Error) => this.onError(error));
      this.subscriberClient = sub;
      await sub.connect();
    }
    await this.subscriberClient.subscribe(channel, listener);
  }

  /** True from a lost connection until Redis answers again. */
  get isDown(): boolean {
    return this.down;
  }

  /** Told once when an outage begins (false) and once when Redis answers again (true). */
  onConnectionChange(listener: (up: boolean) => void): void {
    this.connectionListeners.add(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.connectionListeners.clear();
    await this.close();
  }

  private async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    const writer = await this.writerClient?.catch(() => undefined);
    await Promise.all([
      closeQuietly(this.subscriberClient),
      closeQuietly(writer),
      connection?.mode === 'standalone' ? closeQuietly(connection.client) : undefined,
      connection?.mode === 'cluster' ? closeQuietly(connection.cluster) : undefined,
      connection?.mode === 'sentinel' ? closeQuietly(connection.sentinel) : undefined,
    ]);
  }

  private onError(error: unknown): void {
    // node-redis reports every failed reconnect; one line per outage is enough.
    if (this.down || this.probe.active) return;
    this.down = true;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`connection to Redis lost (${message}); retrying in the background`);
    for (const listener of this.connectionListeners) listener(false);
    // A Cluster or Sentinel reconnects by itself and says nothing when it is back: a PING does.
    if (this.connection?.mode !== 'standalone') void this.watchForRecovery();
  }

  private onReady(): void {
    if (!this.down) return;
    this.logger.log('connection to Redis restored');
    this.down = false;
    for (const listener of this.connectionListeners) listener(true);
  }

  private async watchForRecovery(): Promise<void> {
    while (this.down && this.connection) {
      await delay(1000);
      if (await this.ping()) this.onReady();
    }
  }
}
