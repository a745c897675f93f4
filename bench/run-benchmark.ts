import { BenchOptions } from './options';
import { denylistPhase } from './phases/denylist';
import { preparePhase } from './phases/prepare';
import { revocationPhase } from './phases/revocation';
import { problemsOf, runRounds } from './phases/rounds';
import { buildTargets, TARGET_NAMES, TargetName } from './phases/targets';
import { webhookPreparePhase } from './phases/webhook-prepare';
import { loadAverage, machine } from './report/machine';
import { buildReport, RunResults, summaries } from './report/report';
import { BenchStack, startBenchStack } from './stack/bench-stack';
import { describeError } from './support/errors';
import { log, loud } from './support/log';
import { PhaseRunner } from './support/phase-runner';
import { Teardown } from './support/teardown';

export interface Outcome {
  readonly report: Record<string, unknown>;
  /** 0 when every phase ran; the figures themselves never decide it. */
  readonly code: number;
  readonly stack?: BenchStack;
}

function selectedTargets(options: BenchOptions): readonly TargetName[] {
  if (!options.only) return TARGET_NAMES;
  const unknown = options.only.filter((name) => !(TARGET_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`--only: unknown target(s) ${unknown.join(', ')} (${TARGET_NAMES.join(', ')})`);
  return TARGET_NAMES.filter((name) => options.only!.includes(name));
}

/** The measured part: credentials, revocations, webhook events, then the interleaved rounds. */
async function measure(
  stack: BenchStack,
  options: BenchOptions,
  phases: PhaseRunner,
  teardown: Teardown,
): Promise<RunResults> {
  const names = selectedTargets(options);
  const cold = names.some((name) => name.endsWith('_cold'));
  const prepared = await phases.run('prepare', 180_000, () => preparePhase(stack, options, { cold }, phases.warnings));
  if (!prepared) throw new Error('preparation failed');
  const revocation = await phases.run('revocation', Math.max(90_000, options.revocations * 300 + 30_000), () =>
    revocationPhase(stack, prepared.users, options, phases.warnings),
  );
  const webhooks = names.includes('webhooks')
    ? await phases.run('webhook_prepare', 200_000, () => webhookPreparePhase(stack, options, teardown))
    : undefined;
  const targets = buildTargets(stack, { ...prepared, webhooks }).filter((t) => names.includes(t.name));
  const boundMs = (targets.length * (options.warmupS + options.durationS) + 5) * 1000 * 2 + 60_000;
  const rounds = await phases.run('rounds', boundMs, () => runRounds(targets, options, teardown));
  const denylist = await phases.run('denylist', 120_000, () => denylistPhase(stack, options, phases.warnings));
  const results = {
    targets,
    rounds,
    webhooksExhausted: webhooks?.exhausted(),
    revocation,
    denylist,
    coldTokens: { count: prepared.coldTokens.length, verifyCacheSize: prepared.verifyCacheSize },
  };
  for (const [name, summary] of Object.entries(summaries(results)))
    phases.warn(problemsOf(name as TargetName, summary));
  return results;
}

export async function runBenchmark(options: BenchOptions, teardown: Teardown): Promise<Outcome> {
  const load = loadAverage();
  const phases = new PhaseRunner();
  let stack: BenchStack | undefined;
  let results: RunResults = {};
  let redisVersion = 'unknown';
  const started = Date.now();
  try {
    stack = await phases.run('setup', 90_000, () => startBenchStack(options, teardown));
    if (!stack) throw new Error('the stack did not start');
    redisVersion = /redis_version:(\S+)/.exec(await stack.redis.info('server'))?.[1] ?? 'unknown';
    results = await measure(stack, options, phases, teardown);
  } catch (error) {
    const message = describeError(error);
    if (!phases.errors.some((e) => e.endsWith(message))) phases.errors.push(message);
    loud(message);
  } finally {
    log('\n[teardown]');
    const t = Date.now();
    await teardown.run();
    phases.durations.teardown_ms = Date.now() - t;
  }
  phases.durations.total_ms = Date.now() - started;
  const report = buildReport(options, results, {
    machine: machine(load, stack?.serviceNodeVersion ?? null, redisVersion),
    phases: phases.durations,
    warnings: phases.warnings,
    errors: phases.errors,
  });
  return { report, code: phases.errors.length === 0 ? 0 : 1, stack };
}
