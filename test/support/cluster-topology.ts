import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { clusterSlot } from '../../src/redis/cluster-slot';
import { freePort, RedisServerProcess } from './redis-server';
import { info, until } from './sentinel-topology';

const SLOTS = 16384;

/**
 * A Redis Cluster of three masters, the slots split between them, and one replica, of the master
 * that owns the slot of `replicatedKey` only: a WAIT that reaches another shard counts no replica.
 */
export class ClusterTopology {
  private constructor(
    readonly masters: RedisServerProcess[],
    readonly replica: RedisServerProcess,
  ) {}

  static async start(dir: string, replicatedKey: string): Promise<ClusterTopology> {
    const nodes: RedisServerProcess[] = [];
    try {
      // One after the other: free ports asked for at once may come back the same.
      for (let i = 0; i < 4; i++) nodes.push(await startNode(dir));
      await form(nodes, replicatedKey);
    } catch (error) {
      await Promise.all(nodes.map((n) => n.stop()));
      throw error;
    }
    return new ClusterTopology(nodes.slice(0, 3), nodes[3]!);
  }

  get url(): string {
    return `redis-cluster://${this.masters.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.masters, this.replica].map((n) => n.stop()));
  }
}

/** A cluster node on a free port (another port when a server of another process took it first). */
async function startNode(dir: string, attempts = 3): Promise<RedisServerProcess> {
  const port = await freePort();
  // A directory per node: a node never loads another's dump.rdb (a replica writes the copy it syncs).
  const args = [
    '--dir',
    mkdtempSync(join(dir, 'node-')),
    '--repl-diskless-sync-delay',
    '0',
    '--cluster-enabled',
    'yes',
  ];
  try {
    return await RedisServerProcess.start(port, {
      args: [...args, '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
    });
  } catch (error) {
    if (attempts <= 1) throw error;
    return startNode(dir, attempts - 1);
  }
}

async function form(nodes: RedisServerProcess[], replicatedKey: string): Promise<void> {
  const masters = nodes.slice(0, 3);
  const replica = nodes[3]!;
  const third = Math.floor(SLOTS / 3);
  await Promise.all(
    masters.map((node, i) =>
      command(node.port, [
        'CLUSTER',
        'ADDSLOTSRANGE',
        String(i * third),
        String(i === 2 ? SLOTS - 1 : (i + 1) * third - 1),
      ]),
    ),
  );
  for (const node of nodes.slice(1)) await command(nodes[0]!.port, ['CLUSTER', 'MEET', '127.0.0.1', String(node.port)]);
  for (const node of nodes) {
    await until(
      async () => (await command<string>(node.port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'),
      15_000,
    );
  }
  const owner = masters[Math.min(2, Math.floor(clusterSlot(replicatedKey) / third))]!;
  const ownerId = await command<string>(owner.port, ['CLUSTER', 'MYID']);
  // The replica learns the owner's id by gossip: REPLICATE is refused until it has.
  await until(
    () =>
      command(replica.port, ['CLUSTER', 'REPLICATE', ownerId]).then(
        () => true,
        () => false,
      ),
    15_000,
    'the replica attached',
  );
  await until(async () => (await info(replica.port)).includes('master_link_status:up'), 15_000, 'the replica in sync');
}

async function command<T = unknown>(port: number, args: string[]): Promise<T> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.sendCommand<T>(args);
  } finally {
    client.destroy();
  }
}
