import type { ChildProcess } from 'node:child_process';
import { loud } from './log';
import { within } from './time';

/**
 * Everything a run started, and how to stop all of it, once, on a normal end, a failed phase, Ctrl-C,
 * SIGTERM or the watchdog: the load generator first, then every child process at once, then the
 * closers, last added first (the dev IdP, Redis clients, redis-server). Whatever way the process
 * ends, no child process outlives it.
 */
export class Teardown {
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly children = new Set<ChildProcess>();
  private cleaning?: Promise<void>;
  /** The load generator running now, stopped before anything else. */
  activeLoad?: { stop(): void };

  constructor() {
    process.on('exit', () => this.killChildren());
  }

  add(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** A child process of the run (the services, the peers): all stopped at once, before the closers. */
  spawned(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  run(): Promise<void> {
    this.cleaning ??= (async () => {
      this.activeLoad?.stop();
      await Promise.all([...this.children].map((child) => stopChild(child, 5000)));
      for (const close of this.closers.reverse()) {
        try {
          await within(close(), 8000, 'a shutdown step');
        } catch (error) {
          loud(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      this.killChildren();
    })();
    return this.cleaning;
  }

  /** Ctrl-C or SIGTERM: stop everything, then exit with `code`. */
  onSignals(code: number): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        loud(`${signal}: stopping everything this benchmark started`);
        void this.run().finally(() => process.exit(code));
      });
    }
  }

  private killChildren(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

/** SIGTERM (the services shut down gracefully, and write a CPU profile when asked), SIGKILL after `graceMs`. */
function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
