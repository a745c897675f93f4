import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { MAIN } from './paths';

export { MAIN };

export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does it first)`);
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled service until it exits on its own (or is killed after timeoutMs). */
export function runToExit(env: Record<string, string>, timeoutMs = 10_000): Promise<Exited> {
  assertBuilt();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface NodeProcessOptions {
  /** The script and its arguments, after `nodeArgs`. */
  readonly args: readonly string[];
  /** The whole environment of the child (PATH is added): nothing else is inherited. */
  readonly env: Record<string, string>;
  readonly port: number;
  /** Answers `readyStatus` (default 200) once the process is ready. */
  readonly readyPath?: string;
  readonly readyStatus?: number;
  /** The node binary (default: the one running this process). */
  readonly node?: string;
  readonly nodeArgs?: readonly string[];
  /** stdout and stderr go to this file instead of a pipe (long runs: nothing is held in memory). */
  readonly logFile?: string;
  readonly startTimeoutMs?: number;
  /** Called as soon as the child exists (so a caller can stop it even if it never gets ready). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** What the process wrote so far (from its log file, when it has one). */
  output(): string;
  /** SIGTERM (and SIGKILL after `graceMs`, when given); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** SIGTERM (and SIGKILL after `graceMs`, when given); resolves once the child has exited. */
function stopper(child: ChildProcess): (graceMs?: number) => Promise<void> {
  return (graceMs) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = graceMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** True once `url` answers `status`; false if the child exits or the deadline passes first. */
async function answers(child: ChildProcess, url: string, status: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === status) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Starts a Node.js process listening on 127.0.0.1:`port` and waits until `readyPath` answers. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), ...options.args], {
    env: { PATH: process.env.PATH ?? '', PORT: String(options.port), ...options.env },
    stdio: log === undefined ? 'pipe' : ['ignore', log, log],
  });
  if (log !== undefined) closeSync(log);
  options.onSpawn?.(child);
  let piped = '';
  child.stdout?.on('data', (d: Buffer) => (piped += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (piped += d.toString()));
  const output = () => (options.logFile === undefined ? piped : readFileSync(options.logFile, 'utf8'));
  const stop = stopper(child);
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  if (await answers(child, `${url}${options.readyPath ?? '/health/live'}`, options.readyStatus ?? 200, deadline)) {
    return { child, url, output, stop };
  }
  const exited = child.exitCode ?? child.signalCode;
  await stop(5000);
  const what = exited === null ? `did not answer on port ${options.port}` : `exited (${exited})`;
  throw new Error(`${options.args.join(' ')} ${what}:\n${output()}`);
}

/** Starts the compiled service and waits until /health/live answers. */
export async function startService(
  env: Record<string, string>,
  port: number,
  options: Omit<NodeProcessOptions, 'args' | 'env' | 'port'> = {},
): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  assertBuilt();
  const service = await startNodeProcess({ startTimeoutMs: 15_000, ...options, args: [MAIN], env, port });
  return { child: service.child, output: service.output, stop: () => service.stop() };
}
