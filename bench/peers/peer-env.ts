/**
 * What the benchmark tells each peer through its environment (bench/stack/peers.ts sets it): a peer
 * is a separate process, like the service, configured the way its own documentation says.
 */
export interface PeerEnv {
  readonly port: number;
  /** The dev IdP's issuer (= its URL): discovery, JWKS and login all come from there. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The peer's own public URL (its OIDC callback is under it). */
  readonly baseUrl: string;
  readonly redisUrl: string;
}

export function peerEnv(): PeerEnv {
  const read = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`peer: ${name} is not set (the benchmark starts the peers)`);
    return value;
  };
  const port = Number(read('PORT'));
  return {
    port,
    issuer: read('PEER_ISSUER'),
    clientId: read('PEER_CLIENT_ID'),
    clientSecret: process.env.PEER_CLIENT_SECRET ?? '',
    baseUrl: process.env.PEER_BASE_URL ?? `http://127.0.0.1:${port}`,
    redisUrl: process.env.PEER_REDIS_URL ?? '',
  };
}

/**
 * A peer that cannot start says why and exits non-zero (the benchmark shows its output). Stopped
 * (SIGTERM), it exits normally, so that a `--cpu-prof` of BENCH_PEER_NODE_ARGS is written.
 */
export function runPeer(main: () => Promise<void>): void {
  process.once('SIGTERM', () => process.exit(0));
  main().catch((error: unknown) => {
    process.stderr.write(
      `peer failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
