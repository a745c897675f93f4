import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FusionAuthClient from '@fusionauth/typescript-client';
import { createClient } from 'redis';
import { DevIdp } from '../../src/dev-idp/dev-idp';
import { KICKSTART_DEFAULTS as K, startDevIdp } from '../../test/support/dev-idp';
import { freePorts, RedisServerProcess } from '../../test/support/redis-server';
import { assertBuilt, MAIN, NodeProcess, startNodeProcess } from '../../test/support/service-process';
import { BenchOptions } from '../options';
import { log } from '../support/log';
import { Teardown } from '../support/teardown';
import { PEER_COUNT, PeerName, peerPorts, Peers, startPeers } from './peers';

export type RedisClient = ReturnType<typeof createClient>;

export interface BenchStack {
  readonly redisUrl: string;
  readonly redis: RedisClient;
  readonly idp: DevIdp;
  /** FusionAuth's own client, pointed at the dev IdP. */
  readonly fusionAuth: FusionAuthClient;
  readonly a: NodeProcess;
  readonly b: NodeProcess;
  readonly peers: Peers;
  readonly keyPrefix: string;
  /** `node --version` of the binary running the service and the peers. */
  readonly serviceNodeVersion: string;
  /** Every process's output, one file each. */
  readonly logDir: string;
}

/** BENCH_SERVICE_NODE_ARGS (say `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to both instances' node. */
const serviceNodeArgs = (): string[] => (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);

async function startRedis(teardown: Teardown): Promise<{ url: string; client: RedisClient }> {
  const server = await RedisServerProcess.start();
  teardown.add(() => server.stop());
  const client = createClient({ url: server.url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  teardown.add(() => {
    if (client.isOpen) client.destroy();
    return Promise.resolve();
  });
  return { url: server.url, client };
}

/**
 * The dev IdP in this process (issuer = the URL it listens on, its webhooks going to A), with the
 * application allowing the browser logins of A and of the OpenID Connect peer.
 */
/**
 * The dev IdP, listening before any other port is picked (a port picked free and released first
 * could be the one it then gets, and the service would not start), then pointed at A.
 */
async function startIdp(teardown: Teardown): Promise<DevIdp> {
  const idp = await startDevIdp();
  teardown.add(() => idp.close());
  return idp;
}

async function pointIdpAt(idp: DevIdp, urlA: string, peerUrl: string): Promise<void> {
  idp.setWebhookUrl(`${urlA}/webhooks/fusionauth`);
  await new FusionAuthClient(K.apiKey, idp.url, K.tenantId).patchApplication(K.applicationId, {
    application: {
      oauthConfiguration: { authorizedRedirectURLs: [`${urlA}/auth/callback`, `${peerUrl}/callback`] },
    },
  });
}

function versionOf(node: string): string {
  const run = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${node} --version failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** A compiled service instance on `port`, with its own log file. */
function startService(
  name: string,
  port: number,
  env: Record<string, string>,
  context: { options: BenchOptions; teardown: Teardown; logDir: string },
): Promise<NodeProcess> {
  return startNodeProcess({
    args: [MAIN],
    // Only what is named here: nothing inherited (a REDIS_URL of the caller, say) changes the run.
    env: { ...env, APP_URL: `http://127.0.0.1:${port}` },
    port,
    node: context.options.serviceNode,
    nodeArgs: serviceNodeArgs(),
    logFile: join(context.logDir, `service-${name}.log`),
    onSpawn: (child) => context.teardown.spawned(child),
  });
}

/**
 * One run's processes, all on 127.0.0.1: its own redis-server, the dev IdP, two compiled service
 * instances A and B sharing that Redis and one key prefix, and the peers, each a process of its own.
 */
export async function startBenchStack(options: BenchOptions, teardown: Teardown): Promise<BenchStack> {
  assertBuilt();
  const logDir = mkdtempSync(join(tmpdir(), 'fag-bench-'));
  const redis = await startRedis(teardown);
  const idp = await startIdp(teardown);
  const [portA = 0, portB = 0, ...others] = await freePorts(2 + PEER_COUNT);
  const ports = peerPorts(others);
  await pointIdpAt(idp, `http://127.0.0.1:${portA}`, `http://127.0.0.1:${ports.express_openid_connect}`);
  const keyPrefix = `bench${randomBytes(2).toString('hex')}:`;
  const env = serviceEnv(redis.url, keyPrefix, idp);
  const context = { options, teardown, logDir };
  const [a, b, peers] = await Promise.all([
    startService('A', portA, env, context),
    startService('B', portB, env, context),
    startPeers(ports, {
      issuer: idp.issuer,
      clientId: K.applicationId,
      clientSecret: K.clientSecret,
      redisUrl: redis.url,
      node: options.serviceNode,
      logFile: (name: PeerName) => join(logDir, `peer-${name}.log`),
      onSpawn: (child) => teardown.spawned(child),
    }),
  ]);
  log(`  redis-server ${redis.url}, dev IdP ${idp.url}, service A ${a.url}, B ${b.url} (key prefix ${keyPrefix})`);
  log(
    `  peers: ${Object.entries(peers)
      .map(([name, peer]) => `${name} ${peer.url}`)
      .join(', ')}`,
  );
  log(`  every process's output: ${logDir}`);
  const fusionAuth = new FusionAuthClient(K.apiKey, idp.url, K.tenantId);
  return {
    redisUrl: redis.url,
    redis: redis.client,
    idp,
    fusionAuth,
    a,
    b,
    peers,
    keyPrefix,
    logDir,
    serviceNodeVersion: versionOf(options.serviceNode),
  };
}

function serviceEnv(redisUrl: string, keyPrefix: string, idp: DevIdp): Record<string, string> {
  return {
    NODE_ENV: 'development',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    SESSION_STORE: 'redis',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef-not-for-production',
    OIDC_ISSUER: idp.issuer,
    FUSIONAUTH_URL: idp.url,
    // The bench posts thousands of webhooks and signs in many times from one address: the limits
    // are measured elsewhere (the security suite), not here.
    RATE_LIMIT_WEBHOOK: '100000000/10',
    RATE_LIMIT_LOGIN: '1000000/60',
  };
}
