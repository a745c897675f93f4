import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/paths';
import { assertBuilt } from './support/service-process';

/** The compiled benchmark (`npm run build:bench`; `npm test` builds it first). */
const BENCH_MAIN = join(ROOT, 'dist', 'bench', 'bench', 'main.js');
const RUN_BOUND_MS = 100_000;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The benchmark's `--smoke` run to its end; SIGTERM (it then stops what it started) past the bound. */
function runSmoke(): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH_MAIN, '--smoke'], {
      cwd: ROOT,
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const term = setTimeout(() => child.kill('SIGTERM'), RUN_BOUND_MS);
    const kill = setTimeout(() => child.kill('SIGKILL'), RUN_BOUND_MS + 10_000);
    child.on('exit', (code, signal) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Every ratio, measured side by side in interleaved rounds: its median, with the rounds' min and max beside it. */
const RATIOS = [
  'guarded_over_unguarded',
  'session_page_over_unguarded',
  'unguarded_over_nest_hello',
  'guarded_over_express_jwt_bearer',
  'guarded_cold_over_express_jwt_bearer',
  'guarded_cold_over_nest_passport_jwt',
  'session_page_over_express_openid_connect',
  'webhooks_over_unguarded',
] as const;

const NUMBERS = [
  ...RATIOS.flatMap((ratio) => [ratio, `${ratio}_min`, `${ratio}_max`]),
  'revocation_p99_ms',
  'revocation_p50_ms',
  'webhook_events_per_s',
  'denylist_bytes_per_entry',
  'unguarded_rps',
  'unguarded_p99_ms',
  'guarded_rps',
  'guarded_p99_ms',
  'session_page_rps',
  'session_page_p99_ms',
  'guarded_cold_rps',
  'guarded_cold_p99_ms',
  'cold_tokens',
  'verify_cache_size',
];

/**
 * The benchmark cannot rot: a short run of it ends cleanly with its one JSON line. Its numbers are
 * reported (bench/README.md has the targets), never asserted here.
 */
describe('npm run bench (smoke run)', () => {
  it('runs every phase and prints one JSON object with every number as its last line', async () => {
    assertBuilt();
    if (!existsSync(BENCH_MAIN)) throw new Error(`${BENCH_MAIN} is missing: run \`npm run build:bench\``);
    const run = await runSmoke();
    const lines = run.stdout.trimEnd().split('\n');
    const last = lines[lines.length - 1] ?? '';
    const context = `exit ${run.code ?? run.signal}\n--- stdout (end) ---\n${lines.slice(-40).join('\n')}\n--- stderr (end) ---\n${run.stderr.slice(-4000)}`;
    if (run.code !== 0) throw new Error(`the benchmark's --smoke run failed: ${context}`);

    let report: Record<string, unknown>;
    try {
      report = JSON.parse(last) as Record<string, unknown>;
    } catch {
      throw new Error(`the last line is not JSON: ${context}`);
    }
    for (const key of NUMBERS) {
      expect({ key, type: typeof report[key], finite: Number.isFinite(report[key]) }).toEqual({
        key,
        type: 'number',
        finite: true,
      });
    }
    expect(typeof report.denylist_expired).toBe('boolean');
    expect(report.machine).toEqual(
      expect.objectContaining({
        cores: expect.any(Number),
        node: process.version,
        // The service and the peers ran on the node running the benchmark (no --node given).
        service_node: process.version,
        platform: process.platform,
      }),
    );
    const ratios = report.ratios as Record<string, { rounds?: unknown }>;
    for (const ratio of RATIOS)
      expect({ ratio, rounds: ratios[ratio]?.rounds }).toEqual({ ratio, rounds: expect.any(Array) });
    const phases = report.phase_durations_ms as Record<string, unknown>;
    for (const phase of ['setup_ms', 'prepare_ms', 'revocation_ms', 'webhook_prepare_ms', 'rounds_ms', 'denylist_ms']) {
      expect({ phase, type: typeof phases[phase] }).toEqual({ phase, type: 'number' });
    }
  }, 120_000);
});
