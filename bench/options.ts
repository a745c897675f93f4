import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/support/paths';

/** The Node.js 24 of the `node` devDependency (npm's package carries the binary). */
export const NODE_24 = join(ROOT, 'node_modules', 'node', 'bin', 'node');

export interface BenchOptions {
  readonly smoke: boolean;
  readonly help: boolean;
  readonly connections: number;
  /** Seconds each target is measured for, summed over the rounds. */
  readonly durationS: number;
  readonly rounds: number;
  /** Each target is warmed up (JIT, key fetch, connection pools) before the rounds. */
  readonly warmupS: number;
  readonly revocations: number;
  readonly revocationPollTimeoutMs: number;
  readonly denylistEntries: number;
  readonly denylistTtlMs: number;
  /** Distinct bearer tokens for the cold targets; undefined: 1.1 × the service's verify cache. */
  readonly coldTokens?: number;
  /** The node binary for the service and the peers (the benchmark itself runs on the node that started it). */
  readonly serviceNode: string;
  /** Only these targets (for profiling one route); undefined: all. */
  readonly only?: readonly string[];
}

export const USAGE = `usage: npm run bench -- [--smoke] [--duration=S] [--rounds=N] [--connections=N] [--node=24|npm|PATH]
  --smoke            a short run that only proves the benchmark works (about 1 s per target)
  --duration=S       seconds each target is measured, over all rounds (default 10, smoke 1)
  --rounds=N         interleaved rounds (default 5, smoke 3); every ratio is computed per round
  --connections=N    concurrent connections per target (default 10)
  --revocations=N    revocations timed from A's 200 to B's 401 (default 200, smoke 20)
  --cold-tokens=N    distinct tokens of the cold targets (default 1.1 x the service's verify cache, smoke 1000)
  --node=24          the service and the peers on the Node.js 24 of the \`node\` devDependency
  --node=npm         ... or on the node npm itself runs on (the machine's: \`npm run\` puts Node 24 first)
  --node=PATH        ... or on this node binary (default: the node running the benchmark)
  --only=T1,T2       measure only these targets (see bench/README.md), e.g. to profile one route
The last line printed is one JSON object.`;

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number (got ${value})`);
  return n;
}

function nodeBinary(value: string | undefined): string {
  if (value === undefined || value === '') throw new Error('--node needs 24, npm or a path');
  const binary =
    value === '24' ? NODE_24 : value === 'npm' ? (process.env.npm_node_execpath ?? process.execPath) : value;
  if (!existsSync(binary)) {
    throw new Error(`${binary} does not exist${value === '24' ? ' (npm ci installs the node devDependency)' : ''}`);
  }
  return binary;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const given = new Map<string, string | undefined>();
  for (const arg of argv) {
    const [name = '', value] = arg.split('=', 2);
    if (!/^--(smoke|help|duration|rounds|connections|revocations|cold-tokens|node|only)$/.test(name) && name !== '-h') {
      throw new Error(`unknown argument ${arg} (try --help)`);
    }
    given.set(name, value);
  }
  const smoke = given.has('--smoke');
  const num = (name: string, fallback: number) => (given.has(name) ? positive(name, given.get(name)) : fallback);
  const durationS = num('--duration', smoke ? 1 : 10);
  return {
    smoke,
    help: given.has('--help') || given.has('-h'),
    connections: Math.floor(num('--connections', 10)),
    durationS,
    rounds: Math.floor(num('--rounds', smoke ? 3 : 5)),
    warmupS: Math.min(2, Math.max(0.3, durationS / 5)),
    revocations: Math.floor(num('--revocations', smoke ? 20 : 200)),
    revocationPollTimeoutMs: 5000,
    denylistEntries: smoke ? 10_000 : 100_000,
    // Long enough for every entry to be written before memory is read, even on a busy machine.
    denylistTtlMs: smoke ? 3000 : 10_000,
    coldTokens: given.has('--cold-tokens') ? Math.floor(num('--cold-tokens', 0)) : smoke ? 1000 : undefined,
    serviceNode: given.has('--node') ? nodeBinary(given.get('--node')) : process.execPath,
    only: given.get('--only')?.split(',').filter(Boolean),
  };
}
