import autocannon from 'autocannon';
import { round } from './stats';
import { Teardown } from './teardown';

/** One request's varying parts, for targets that send something new every time. */
export interface NextRequest {
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface LoadTarget {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  /** The same headers on every request (the fast path of the load generator). */
  readonly headers?: Record<string, string>;
  /** Or a request of its own each time: a distinct token, a distinct event. */
  readonly next?: () => NextRequest;
  /**
   * Names an answer from its status and body; those named `ok` are counted. Without it, every 200
   * is (and bodies are not read).
   */
  readonly label?: (status: number, body: string) => string;
  /** Runs before each stretch of load, outside the measurement (say, to sign more events). */
  readonly prepare?: (seconds: number, previous?: Slice) => Promise<void>;
}

/** What one stretch of load against one target gave. */
export interface Slice {
  /** Answers counted (200s, or `ok` labels). */
  readonly ok: number;
  readonly seconds: number;
  /** ok / seconds. */
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** Answers by status code, or by label. */
  readonly answers: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  /** CPU time of the process serving the target, per counted answer (µs), when it could be read. */
  readonly cpuUsPerAnswer?: number;
  /** Cores the serving process kept busy meanwhile (its CPU time ÷ the slice's wall time), when it could be read. */
  readonly serverCores?: number;
  /** The share of that CPU time spent in the kernel on the serving process's behalf. */
  readonly serverSystemShare?: number;
  /** Cores the benchmark's own process (the load generator) kept busy meanwhile. */
  readonly loadGeneratorCores?: number;
}

/** `connections` concurrent keep-alive connections against `target` for `seconds`. */
export async function runLoad(
  target: LoadTarget,
  seconds: number,
  connections: number,
  teardown: Teardown,
): Promise<Slice> {
  const labels: Record<string, number> = {};
  const varying = target.next !== undefined || target.label !== undefined;
  const requests: autocannon.Request[] | undefined = varying
    ? [
        {
          method: target.method ?? 'GET',
          setupRequest: (req) => (target.next ? { ...req, ...target.next() } : req),
          onResponse: (status, body) => {
            const label = target.label ? target.label(status, body) : String(status);
            labels[label] = (labels[label] ?? 0) + 1;
          },
        },
      ]
    : undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method ?? 'GET',
        headers: target.headers,
        connections,
        duration: seconds,
        // Checked every 100 ms (autocannon's default, 1 s, would stretch a short slice to a whole second).
        sampleInt: 100,
        requests,
      },
      (error: unknown, done: autocannon.Result) => {
        teardown.activeLoad = undefined;
        if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve(done);
      },
    );
    teardown.activeLoad = instance;
  });
  const answers = target.label ? labels : statusCounts(result);
  const ok = target.label ? (labels.ok ?? 0) : (answers['200'] ?? 0);
  return {
    ok,
    seconds: result.duration,
    rate: round(ok / result.duration, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: round(result.latency.mean),
    answers,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

function statusCounts(result: autocannon.Result): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) counts[code] = stats.count ?? 0;
  return counts;
}
