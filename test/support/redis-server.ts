import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';

/** Whether a Redis answers PING at this URL within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** The process id of the redis-server answering at this URL, if one answers. */
async function answeringPid(url: string): Promise<number | undefined> {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1]);
  } catch {
    return undefined;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

export function redisServerOnPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/**
 * `count` distinct free ports on 127.0.0.1: each is held until all are known, so two never come
 * out the same (as one `freePort` after another can, once the first is closed).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.unref();
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A redis-server of the test's own, on its own port: for fault tests (stop it, start it again) and
 * for machines whose Redis does not answer. Never the machine's shared Redis.
 */
export class RedisServerProcess {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly binary: string,
    /** A config file first (Sentinel needs one it can write), then options such as `--sentinel`. */
    private readonly options: { configFile?: string; args?: readonly string[] },
  ) {}

  static async start(
    port?: number,
    options: { configFile?: string; args?: readonly string[] } = {},
  ): Promise<RedisServerProcess> {
    const binary = redisServerOnPath();
    if (!binary) throw new Error('redis-server is not on the PATH');
    const server = new RedisServerProcess(port ?? (await freePort()), binary, options);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = [
      ...(this.options.configFile ? [this.options.configFile] : []),
      ...(this.options.args ?? []),
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const child = spawn(this.binary, args, { stdio: 'ignore' });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      const pid = await answeringPid(this.url);
      // Another process's redis-server took the port first: never send it a command.
      if (pid !== undefined && pid !== child.pid) {
        await this.stop();
        throw new Error(`port ${this.port} is taken by another redis-server (pid ${pid})`);
      }
      if (pid !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** SIGSTOP freezes the server (its peers see a node that does not answer), SIGCONT thaws it. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(signal);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
