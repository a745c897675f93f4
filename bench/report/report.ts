import { BenchOptions } from '../options';
import { DenylistStats } from '../phases/denylist';
import { RevocationStats } from '../phases/revocation';
import { loadGeneratorBound, Rounds, summarize, TargetSummary } from '../phases/rounds';
import { NamedTarget, TargetName } from '../phases/targets';
import { goalFigures } from './goals';
import { Machine } from './machine';
import { cpuRatios, flatRatios, ratios } from './ratios';

/** What the phases produced; a phase that could not run left its part undefined. */
export interface RunResults {
  readonly targets?: readonly NamedTarget[];
  readonly rounds?: Rounds;
  readonly webhooksExhausted?: boolean;
  readonly revocation?: RevocationStats;
  readonly denylist?: DenylistStats;
  readonly coldTokens?: { readonly count: number; readonly verifyCacheSize: number };
}

export interface RunLog {
  readonly machine: Machine;
  readonly phases: Record<string, number>;
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

export function summaries(results: RunResults): Partial<Record<TargetName, TargetSummary>> {
  const out: Partial<Record<TargetName, TargetSummary>> = {};
  for (const target of results.targets ?? []) {
    const slices = results.rounds?.[target.name];
    if (slices && slices.length > 0) out[target.name] = summarize(target, slices);
  }
  return out;
}

/** The figures of one route under its old key names: requests/s (median of the rounds) and p99. */
function routeFigures(targets: Partial<Record<TargetName, TargetSummary>>): Record<string, number | null> {
  const flat: Record<string, number | null> = {};
  for (const name of ['unguarded', 'guarded', 'guarded_cold', 'session_page'] as const) {
    flat[`${name}_rps`] = targets[name]?.rate.median ?? null;
    flat[`${name}_p99_ms`] = targets[name]?.p99_ms ?? null;
  }
  return flat;
}

/**
 * The one JSON object of a run: the contract's keys first (bench/README.md explains each), then
 * what they came from.
 */
export function buildReport(options: BenchOptions, results: RunResults, run: RunLog): Record<string, unknown> {
  const targets = summaries(results);
  const ratioFigures = ratios(results.rounds ?? {});
  const webhooks = targets.webhooks;
  const headline = {
    ...flatRatios(ratioFigures),
    revocation_p99_ms: results.revocation?.p99_ms ?? null,
    revocation_p50_ms: results.revocation?.p50_ms ?? null,
    webhook_events_per_s: webhooks?.rate.median ?? null,
    webhook_events_per_s_min: webhooks?.rate.min ?? null,
    webhook_events_per_s_max: webhooks?.rate.max ?? null,
    denylist_bytes_per_entry: results.denylist?.bytes_per_entry ?? null,
    denylist_expired: results.denylist?.expired ?? null,
    ...routeFigures(targets),
    revocation_timeouts: results.revocation?.timeouts ?? null,
  };
  return {
    ...headline,
    cold_tokens: results.coldTokens?.count ?? null,
    verify_cache_size: results.coldTokens?.verifyCacheSize ?? null,
    clean: run.errors.length === 0 && run.warnings.length === 0,
    mode: options.smoke ? 'smoke' : 'full',
    duration_s: options.durationS,
    rounds: options.rounds,
    connections: options.connections,
    machine: run.machine,
    phase_durations_ms: run.phases,
    goals: goalFigures(headline),
    ratios: ratioFigures,
    cpu_ratios: cpuRatios(results.rounds ?? {}),
    load_generator_bound: Object.entries(targets)
      .filter(([, summary]) => loadGeneratorBound(summary))
      .map(([name]) => name),
    targets,
    webhooks: webhooks ? { ...webhooks, ended_by: results.webhooksExhausted ? 'pool exhausted' : 'time' } : null,
    revocation: results.revocation ?? null,
    denylist: results.denylist ?? null,
    warnings: run.warnings,
    errors: run.errors,
  };
}
