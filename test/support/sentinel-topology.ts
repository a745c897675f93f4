import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort, RedisServerProcess } from './redis-server';

/**
 * One primary, one replica and one Sentinel (quorum 1), all redis-servers of the test's own on free
 * ports: the servers can be killed, restarted and stopped (SIGSTOP) to cause a failover.
 */
export class SentinelTopology {
  private constructor(
    readonly nodes: RedisServerProcess[],
    readonly sentinel: RedisServerProcess,
  ) {}

  static async start(dir: string, options: { downAfterMs?: number } = {}): Promise<SentinelTopology> {
    const masterName = 'primary';
    // --dir, one per node: a replica stores the copy it syncs as dump.rdb, never in the working
    // directory, and a restarted node never loads another's.
    const nodeDir = () => mkdtempSync(join(dir, 'node-'));
    const primary = await RedisServerProcess.start(await freePort(), {
      args: ['--dir', nodeDir(), '--repl-diskless-sync-delay', '0'],
    });
    const replica = await RedisServerProcess.start(await freePort(), {
      args: ['--dir', nodeDir(), '--repl-diskless-sync-delay', '0', '--replicaof', '127.0.0.1', String(primary.port)],
    });
    await until(async () => (await info(replica.port)).includes('master_link_status:up'), 10_000);
    const configFile = join(dir, `sentinel-${primary.port}.conf`);
    writeFileSync(
      configFile,
      [
        `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 1`,
        `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${masterName} 3000`,
        '',
      ].join('\n'),
    );
    const sentinel = await RedisServerProcess.start(await freePort(), { configFile, args: ['--sentinel'] });
    const topology = new SentinelTopology([primary, replica], sentinel);
    // The Sentinel must know the replica before it can promote it.
    await until(async () => (await topology.sentinelSays(['SENTINEL', 'REPLICAS', masterName])).length > 0, 10_000);
    return topology;
  }

  /** `redis-sentinel://…/primary` for REDIS_URL. */
  url(masterName = 'primary'): string {
    return `redis-sentinel://127.0.0.1:${this.sentinel.port}/${masterName}`;
  }

  /** The node the Sentinel names as primary now. */
  async primary(masterName = 'primary'): Promise<RedisServerProcess> {
    const [, port] = await this.sentinelSays<[string, string]>(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName]);
    const node = this.nodes.find((n) => String(n.port) === port);
    if (!node) throw new Error(`the Sentinel names an unknown primary on port ${port}`);
    return node;
  }

  replicaOf(primary: RedisServerProcess): RedisServerProcess {
    return this.nodes.find((n) => n !== primary)!;
  }

  /** Kills the primary and waits until the Sentinel has promoted the other node. */
  async failover(): Promise<{ dead: RedisServerProcess; promoted: RedisServerProcess }> {
    const dead = await this.primary();
    await dead.stop();
    await until(async () => (await this.primary().catch(() => dead)) !== dead, 20_000);
    const promoted = await this.primary();
    await until(async () => (await info(promoted.port)).includes('role:master'), 10_000);
    return { dead, promoted };
  }

  /** Restarts a killed node: the Sentinel makes it a replica of the current primary. */
  async restart(node: RedisServerProcess): Promise<void> {
    await node.start();
    await until(async () => (await info(node.port)).includes('master_link_status:up'), 20_000);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes, this.sentinel].map((n) => n.stop()));
  }

  private async sentinelSays<T = unknown[]>(command: string[]): Promise<T> {
    return withClient(this.sentinel.port, (c) => c.sendCommand<T>(command));
  }
}

export async function info(port: number): Promise<string> {
  return withClient(port, (c) => c.info('replication')).catch(() => '');
}

async function withClient<T>(port: number, use: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
