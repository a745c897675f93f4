import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { TimeoutError } from './time';

export interface Answer {
  readonly status: number;
  readonly body: string;
  /** performance.now() when the response headers arrived. */
  readonly at: number;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** A keep-alive agent: back-to-back requests reuse one connection, as a client would. */
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

/** One HTTP request, timed to the arrival of its response headers (fetch cannot say when that was). */
export function request(url: string, options: RequestOptions = {}): Promise<Answer> {
  const { method = 'GET', headers = {}, body, agent, timeoutMs = 5000 } = options;
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method, headers, agent }, (res) => {
      const at = performance.now();
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), at }));
      res.on('error', reject);
    });
    sent.setTimeout(timeoutMs, () => sent.destroy(new TimeoutError(`${method} ${url} timed out`)));
    sent.on('error', reject);
    sent.end(body);
  });
}
