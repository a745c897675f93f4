import { performance } from 'node:perf_hooks';
import { describeError } from './errors';
import { log, loud } from './log';
import { TimeoutError, within } from './time';

/**
 * Runs the phases of a run, each bounded in time, and keeps what they report: how long each took,
 * warnings (the figures are suspect) and errors (a phase could not run).
 */
export class PhaseRunner {
  readonly durations: Record<string, number> = {};
  readonly warnings: string[] = [];
  readonly errors: string[] = [];

  /** Undefined when the phase failed; a phase past its bound may still be running, so nothing after it is trusted. */
  async run<T>(name: string, boundMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    log(`\n[${name}]`);
    const started = performance.now();
    try {
      return await within(fn(), boundMs, `phase ${name}`);
    } catch (error) {
      const message = describeError(error);
      this.errors.push(`${name}: ${message}`);
      loud(`phase ${name} failed: ${message}`);
      if (error instanceof TimeoutError) throw error;
      return undefined;
    } finally {
      this.durations[`${name}_ms`] = Math.round(performance.now() - started);
    }
  }

  warn(problem: string | undefined): void {
    if (problem === undefined) return;
    this.warnings.push(problem);
  }
}
