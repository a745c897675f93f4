import { BenchOptions } from '../options';
import { request } from '../support/http';
import { runLoad, Slice } from '../support/load';
import { processCpu } from '../support/process-cpu';
import { log, loud } from '../support/log';
import { round, spread, Spread } from '../support/stats';
import { Teardown } from '../support/teardown';
import { NamedTarget, TargetName } from './targets';

/** One target over all rounds. */
export interface TargetSummary {
  readonly what: string;
  readonly url: string;
  /** The rounds' rates (answers counted per second). */
  readonly rate: Spread;
  readonly rounds_rate: number[];
  /** The worst round's percentiles: latency is not averaged away. */
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly ok: number;
  readonly seconds: number;
  readonly answers: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  /** CPU µs of the serving process per counted answer, over the rounds (null where /proc is missing). */
  readonly cpu_us_per_answer: Spread | null;
  /** Cores the serving process kept busy, over the rounds (null where /proc is missing). */
  readonly server_cores: Spread | null;
  /** The share of the serving process's CPU time spent in the kernel on its behalf (system calls, loopback TCP). */
  readonly server_system_share: Spread | null;
  /** Cores the load generator (the benchmark's process) kept busy, over the rounds. */
  readonly load_generator_cores: Spread | null;
}

/** About a whole core: what a single-threaded side that is the bottleneck keeps busy. */
const BUSY_CORE = 0.9;

/**
 * A target whose load generator was the busier side: the generator kept about a core busy (it is one
 * thread) while the serving process had time to spare, so its requests per second say more about
 * the generator than about the server, and its rate ratios are pulled towards 1. Its CPU per answer
 * (and `cpu_ratios`) still measures the server.
 */
export function loadGeneratorBound(summary: TargetSummary): boolean {
  const generator = summary.load_generator_cores?.median;
  const server = summary.server_cores?.median;
  return generator !== undefined && server !== undefined && generator >= BUSY_CORE && server < BUSY_CORE;
}

export type Rounds = Partial<Record<TargetName, Slice[]>>;

/** Every GET target answers 200 once before any load (a wrong cookie or token would otherwise be measured). */
async function checkTargets(targets: readonly NamedTarget[]): Promise<void> {
  for (const { name, load } of targets) {
    if (load.method === 'POST') continue;
    const headers = load.headers ?? load.next?.().headers;
    const answer = await request(load.url, { headers });
    if (answer.status !== 200) throw new Error(`${name}: GET ${load.url} answered ${answer.status} before the run`);
  }
}

/**
 * Every target warmed up, then `rounds` rounds in which each target has `durationS / rounds` seconds,
 * in TARGET_NAMES order in even rounds and backwards in odd ones, so a drift of the machine's speed
 * during the run touches both sides of every ratio alike.
 */
export async function runRounds(
  targets: readonly NamedTarget[],
  options: BenchOptions,
  teardown: Teardown,
): Promise<Rounds> {
  await checkTargets(targets);
  for (const target of targets.filter((t) => t.warm)) {
    await runLoad(target.load, options.warmupS, options.connections, teardown);
  }
  const rounds: Rounds = {};
  const slice = options.durationS / options.rounds;
  for (let r = 0; r < options.rounds; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      await target.load.prepare?.(slice, rounds[target.name]?.at(-1));
      const cpuBefore = processCpu(target.pid);
      const ownBefore = process.cpuUsage();
      const wallBefore = performance.now();
      const result = await runLoad(target.load, slice, options.connections, teardown);
      const cpuAfter = processCpu(target.pid);
      const own = process.cpuUsage(ownBefore);
      const wallUs = (performance.now() - wallBefore) * 1000;
      const server =
        cpuBefore && cpuAfter
          ? { userUs: cpuAfter.userUs - cpuBefore.userUs, systemUs: cpuAfter.systemUs - cpuBefore.systemUs }
          : undefined;
      const serverUs = server && server.userUs + server.systemUs;
      (rounds[target.name] ??= []).push({
        ...result,
        cpuUsPerAnswer: serverUs !== undefined && result.ok > 0 ? round(serverUs / result.ok, 1) : undefined,
        serverCores: serverUs !== undefined ? round(serverUs / wallUs, 2) : undefined,
        serverSystemShare: server && serverUs ? round(server.systemUs / serverUs, 2) : undefined,
        loadGeneratorCores: round((own.user + own.system) / wallUs, 2),
      });
    }
    log(
      `  round ${r + 1}/${options.rounds}: ${order.map((t) => `${t.name} ${rounds[t.name]!.at(-1)!.rate}`).join(', ')}`,
    );
  }
  return rounds;
}

export function summarize(target: NamedTarget, slices: readonly Slice[]): TargetSummary {
  const sum = (pick: (s: Slice) => number) => slices.reduce((total, s) => total + pick(s), 0);
  const answers: Record<string, number> = {};
  for (const s of slices)
    for (const [label, n] of Object.entries(s.answers)) answers[label] = (answers[label] ?? 0) + n;
  const rates = slices.map((s) => s.rate);
  return {
    what: target.what,
    url: target.load.url,
    rate: spread(rates, 1) ?? { median: 0, min: 0, max: 0 },
    rounds_rate: rates,
    p50_ms: Math.max(...slices.map((s) => s.p50Ms)),
    p99_ms: Math.max(...slices.map((s) => s.p99Ms)),
    ok: sum((s) => s.ok),
    seconds: round(
      sum((s) => s.seconds),
      3,
    ),
    answers,
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    cpu_us_per_answer: spreadOf(slices, (s) => s.cpuUsPerAnswer, 1),
    server_cores: spreadOf(slices, (s) => s.serverCores, 2),
    server_system_share: spreadOf(slices, (s) => s.serverSystemShare, 2),
    load_generator_cores: spreadOf(slices, (s) => s.loadGeneratorCores, 2),
  };
}

function spreadOf(slices: readonly Slice[], pick: (s: Slice) => number | undefined, digits: number): Spread | null {
  return (
    spread(
      slices.flatMap((s) => {
        const value = pick(s);
        return value === undefined ? [] : [value];
      }),
      digits,
    ) ?? null
  );
}

/** Anything but the counted answer under load is a warning: the figures of that target are suspect. */
export function problemsOf(name: TargetName, summary: TargetSummary): string | undefined {
  const counted = name === 'webhooks' ? 'ok' : '200';
  const others = Object.entries(summary.answers).filter(([label]) => label !== counted);
  if (summary.ok > 0 && others.length === 0 && summary.errors === 0 && summary.timeouts === 0) return undefined;
  const problem =
    `${name}: ${summary.ok} counted answers, others ${JSON.stringify(Object.fromEntries(others))}, ` +
    `${summary.errors} errors, ${summary.timeouts} timeouts under load`;
  loud(problem);
  return problem;
}
