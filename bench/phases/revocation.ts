import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import FusionAuthClient from '@fusionauth/typescript-client';
import { KICKSTART_DEFAULTS as K } from '../../test/support/dev-idp';
import { BenchOptions } from '../options';
import { BenchStack } from '../stack/bench-stack';
import { Answer, request } from '../support/http';
import { log, loud } from '../support/log';
import { percentile, round } from '../support/stats';
import { inPool } from '../support/time';
import { revokeAllOfUser, signEvent } from './webhook-events';

export interface FreshUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
}

/** Freshly registered users, each with the access token its registration returned. */
export async function freshUsers(fusionAuth: FusionAuthClient, count: number): Promise<FreshUser[]> {
  const batch = randomBytes(3).toString('hex');
  return inPool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      // No user id: FusionAuth creates the user and the registration at once (its client types the id as required).
      const { response } = await fusionAuth.register(undefined as unknown as string, {
        user: { email: `bench-${batch}-${i}@example.com`, password: 'password', firstName: 'Bench', lastName: `${i}` },
        registration: { applicationId: K.applicationId },
      });
      if (!response.token || !response.user?.id) throw new Error('a registration returned no user or no access token');
      return { id: response.user.id, email: response.user.email ?? '', token: response.token };
    },
  );
}

export interface RevocationStats {
  readonly measured: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly mean_ms: number;
  readonly timeouts: number;
  readonly refused_before: number;
  readonly webhook_failures: number;
  readonly unexpected_statuses: number;
  readonly poll_timeout_ms: number;
}

type Counts = Pick<RevocationStats, 'timeouts' | 'refused_before' | 'webhook_failures' | 'unexpected_statuses'>;

/**
 * One revocation: B accepts the user's token; a signed revoke event is POSTed to A; from A's 200, B is
 * asked back to back until it answers 401. Returns the milliseconds in between, or what went wrong.
 */
async function timeOne(
  stack: BenchStack,
  user: FreshUser,
  pollTimeoutMs: number,
  agents: { a: Agent; b: Agent },
): Promise<number | keyof Counts> {
  const me = () =>
    request(`${stack.b.url}/api/me`, {
      headers: { authorization: `Bearer ${user.token}` },
      agent: agents.b,
      timeoutMs: 2000,
    });
  if ((await me()).status !== 200) return 'refused_before';
  const event = await signEvent(stack.idp, revokeAllOfUser(stack.idp, user.id, user.email));
  const posted = await request(`${stack.a.url}/webhooks/fusionauth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-fusionauth-signature-jwt': event.signature },
    body: event.body,
    agent: agents.a,
  });
  if (posted.status !== 200 || !posted.body.includes('"applied"')) return 'webhook_failures';
  while (performance.now() - posted.at < pollTimeoutMs) {
    const answer: Answer | undefined = await me().catch(() => undefined);
    if (answer?.status === 401) return answer.at - posted.at;
    if (answer?.status !== 200) return 'unexpected_statuses';
  }
  return 'timeouts';
}

export async function revocationPhase(
  stack: BenchStack,
  users: readonly FreshUser[],
  options: BenchOptions,
  warnings: string[],
): Promise<RevocationStats> {
  const agents = { a: new Agent({ keepAlive: true, maxSockets: 1 }), b: new Agent({ keepAlive: true, maxSockets: 1 }) };
  const latencies: number[] = [];
  const counts: Record<keyof Counts, number> = {
    timeouts: 0,
    refused_before: 0,
    webhook_failures: 0,
    unexpected_statuses: 0,
  };
  const deadline = Date.now() + Math.max(60_000, options.revocations * 300);
  try {
    for (const user of users) {
      // Five revocations in a row that B never showed: something is broken, not slow.
      if (Date.now() > deadline || counts.timeouts >= 5) break;
      const outcome = await timeOne(stack, user, options.revocationPollTimeoutMs, agents);
      if (typeof outcome === 'number') latencies.push(outcome);
      else counts[outcome]++;
    }
  } finally {
    agents.a.destroy();
    agents.b.destroy();
  }
  if (latencies.length === 0) throw new Error(`no revocation was seen by B (${JSON.stringify(counts)})`);
  // A revocation B never showed counts as the poll bound: the percentiles are then lower bounds.
  const all = [...latencies, ...Array<number>(counts.timeouts).fill(options.revocationPollTimeoutMs)].sort(
    (x, y) => x - y,
  );
  const stats: RevocationStats = {
    measured: latencies.length,
    p50_ms: round(percentile(all, 0.5)!, 3),
    p99_ms: round(percentile(all, 0.99)!, 3),
    max_ms: round(all.at(-1)!, 3),
    mean_ms: round(latencies.reduce((s, x) => s + x, 0) / latencies.length, 3),
    ...counts,
    poll_timeout_ms: options.revocationPollTimeoutMs,
  };
  log(
    `  ${stats.measured} revocations: p50 ${stats.p50_ms} ms, p99 ${stats.p99_ms} ms, max ${stats.max_ms} ms (${JSON.stringify(counts)})`,
  );
  if (stats.measured < options.revocations) {
    warnings.push(`revocation phase: ${stats.measured} of ${options.revocations} measured (${JSON.stringify(counts)})`);
    loud(warnings.at(-1)!);
  }
  return stats;
}
