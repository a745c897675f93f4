import { BenchOptions } from '../options';
import { BenchStack } from '../stack/bench-stack';
import { runLoad } from '../support/load';
import { log } from '../support/log';
import { round } from '../support/stats';
import { Teardown } from '../support/teardown';
import { signEvents, webhookTarget, WebhookTarget } from './webhook-events';

/**
 * Warms up A's webhook path with a batch of events sent over and over for twice a route's warm-up.
 * From the rate of answers, the target signs enough distinct events before each slice of the rounds
 * (outside the measurement), so each event measured is applied once.
 */
export async function webhookPreparePhase(
  stack: BenchStack,
  options: BenchOptions,
  teardown: Teardown,
): Promise<WebhookTarget> {
  const warmupEvents = await signEvents(stack.idp, options.smoke ? 300 : 1000);
  const warmup = await runLoad(
    webhookTarget(stack.a.url, warmupEvents, { cycle: true }),
    options.warmupS * 2,
    options.connections,
    teardown,
  );
  const answered = Object.values(warmup.answers).reduce((sum, n) => sum + n, 0);
  const rate = answered / warmup.seconds;
  log(
    `  warm-up: ${answered} answers in ${round(warmup.seconds, 1)} s (${JSON.stringify(warmup.answers)}), about ${round(rate, 0)} events/s`,
  );
  if (warmup.ok === 0) throw new Error(`not one warm-up webhook event was applied (${JSON.stringify(warmup.answers)})`);
  const first = await signEvents(stack.idp, Math.ceil((rate * 2 * options.durationS) / options.rounds) + 200);
  return webhookTarget(stack.a.url, first, { refill: { rate, sign: (count) => signEvents(stack.idp, count) } });
}
