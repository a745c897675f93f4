import { rmSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { BenchOptions, parseOptions, USAGE } from './options';
import { goalFigures } from './report/goals';
import { Outcome, runBenchmark } from './run-benchmark';
import { log, loud } from './support/log';
import { Teardown } from './support/teardown';

// `npm run bench`: the benchmark the contract names (bench/README.md). Human-readable progress first;
// the last line printed is exactly one JSON object.

function headline(report: Record<string, unknown>): string {
  const goals = goalFigures(report);
  return Object.entries(goals)
    .map(([key, g]) => `${key} ${g.value ?? '-'} (${g.goal}${g.met === false ? ', not met' : ''})`)
    .join('\n  ');
}

/** The same ratios from CPU per answer (`cpu_ratios`), steadier than the rates on a busy machine. */
function cpuHeadline(report: Record<string, unknown>): string {
  const figures = (report.cpu_ratios ?? {}) as Record<string, { median: number }>;
  return Object.entries(figures)
    .map(([key, f]) => `${key} ${f.median}`)
    .join('\n  ');
}

function finish(outcome: Outcome): void {
  const { report } = outcome;
  const errors = report.errors as string[];
  const warnings = report.warnings as string[];
  log('');
  if (errors.length > 0) loud(`THE RUN FAILED: ${errors.length} phase(s) could not run: ${errors.join(' | ')}`);
  if (warnings.length > 0) loud(`THE RUN HAD PROBLEMS (${warnings.length}): ${warnings.join(' | ')}`);
  log(
    `figures (targets from bench/README.md; ratios are medians of the rounds, see "ratios" for min and max):\n  ${headline(report)}`,
  );
  const cpu = cpuHeadline(report);
  if (cpu) log(`the same ratios from CPU µs per answer (see "cpu_ratios"; not what the goals judge):\n  ${cpu}`);
  const bound = (report.load_generator_bound ?? []) as string[];
  if (bound.length > 0)
    log(
      `the load generator, not the server, was the busier side for ${bound.join(', ')}: their requests/s ` +
        `measure it as much as the server (rate ratios pulled towards 1); their CPU per answer still measures the server`,
    );
  // A clean run's logs are of no interest; a run with problems keeps them for a look.
  if (outcome.stack && errors.length === 0 && warnings.length === 0)
    rmSync(outcome.stack.logDir, { recursive: true, force: true });
  else if (outcome.stack) log(`every process's output is kept in ${outcome.stack.logDir}`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    loud(error instanceof Error ? error.message : String(error));
    log(USAGE);
    return 2;
  }
  if (options.help) {
    log(USAGE);
    return 0;
  }
  const teardown = new Teardown();
  teardown.onSignals(130);
  // The whole run is bounded too: a watchdog stops everything if the phases' own bounds were not enough.
  const overallMs = 20 * 60_000 + 30 * options.durationS * 1000 + options.revocations * 300;
  setTimeout(() => {
    loud(`the benchmark exceeded its overall time bound (${Math.round(overallMs / 60_000)} min): stopping everything`);
    void teardown.run().finally(() => process.exit(1));
  }, overallMs).unref();
  log(
    `fusionauth-guard benchmark (${options.smoke ? 'smoke' : 'full'}): ${options.durationS} s per target in ` +
      `${options.rounds} rounds, ${options.connections} connections, ${options.revocations} revocations`,
  );
  log(
    `machine: ${cpus().length} cores, Node ${process.version} (service and peers: ${options.serviceNode}), ${process.platform} ${release()}`,
  );
  const outcome = await runBenchmark(options, teardown);
  finish(outcome);
  return outcome.code;
}

void main()
  .catch((error: unknown) => {
    loud(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
    // Anything left open (keep-alive sockets in a library) must not keep the process alive.
    setTimeout(() => process.exit(code), 500).unref();
  });
