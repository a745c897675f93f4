import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { NodeProcess, startNodeProcess } from '../../test/support/service-process';

/** What users would otherwise pick, each a few lines in bench/peers/, each its own process. */
export const PEERS = {
  /** A bare Nest app with one JSON route (same @nestjs packages and platform as the service). */
  nest_hello: { script: 'nest-hello', readyPath: '/health/live', readyStatus: 200 },
  /** Express + express-oauth2-jwt-bearer (Auth0's bearer middleware): no revocation. */
  express_jwt_bearer: { script: 'express-jwt-bearer', readyPath: '/api/me', readyStatus: 401 },
  /** Nest + @nestjs/passport + passport-jwt + jwks-rsa (the tutorial way). */
  nest_passport_jwt: { script: 'nest-passport-jwt', readyPath: '/api/me', readyStatus: 401 },
  /** Express + express-openid-connect with a connect-redis session store. */
  express_openid_connect: { script: 'express-openid-connect', readyPath: '/account', readyStatus: 302 },
} as const;

export type PeerName = keyof typeof PEERS;
export type Peers = Record<PeerName, NodeProcess>;

export interface PeerSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redisUrl: string;
  readonly node: string;
  readonly logFile: (name: PeerName) => string;
  readonly onSpawn: (child: ChildProcess) => void;
}

/** BENCH_PEER_NODE_ARGS (say `--cpu-prof --cpu-prof-dir=/tmp/prof-peers`) goes to every peer's node. */
const peerNodeArgs = (): string[] => (process.env.BENCH_PEER_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * The peers, each on one of these ports (as many as there are peers). Ports first: the OpenID
 * Connect peer's callback URL must be allowed by the IdP before it starts.
 */
export function peerPorts(ports: readonly number[]): Record<PeerName, number> {
  const names = Object.keys(PEERS) as PeerName[];
  if (ports.length !== names.length) throw new Error(`${names.length} peers need as many ports`);
  return Object.fromEntries(names.map((name, i) => [name, ports[i]!])) as Record<PeerName, number>;
}

/** How many peers there are (each needs a port). */
export const PEER_COUNT = Object.keys(PEERS).length;

export async function startPeers(ports: Record<PeerName, number>, settings: PeerSettings): Promise<Peers> {
  const names = Object.keys(PEERS) as PeerName[];
  const started = await Promise.all(
    names.map(async (name) => {
      const peer = PEERS[name];
      const process = await startNodeProcess({
        // The compiled peer beside this file's compiled copy (dist/bench/bench/peers/).
        args: [join(__dirname, '..', 'peers', `${peer.script}.js`)],
        nodeArgs: peerNodeArgs(),
        env: {
          NODE_ENV: 'development',
          PEER_ISSUER: settings.issuer,
          PEER_CLIENT_ID: settings.clientId,
          PEER_CLIENT_SECRET: settings.clientSecret,
          PEER_REDIS_URL: settings.redisUrl,
        },
        port: ports[name],
        readyPath: peer.readyPath,
        readyStatus: peer.readyStatus,
        node: settings.node,
        logFile: settings.logFile(name),
        onSpawn: settings.onSpawn,
      });
      return [name, process] as const;
    }),
  );
  return Object.fromEntries(started) as Peers;
}
