import { Rounds } from '../phases/rounds';
import { TargetName } from '../phases/targets';
import { Slice } from '../support/load';
import { round, spread, Spread } from '../support/stats';

/** Each ratio: the rate of one target ÷ the rate of another, both measured in the same round. */
export const RATIOS = {
  guarded_over_unguarded: ['guarded', 'unguarded'],
  session_page_over_unguarded: ['session_page', 'unguarded'],
  unguarded_over_nest_hello: ['unguarded', 'nest_hello'],
  guarded_over_express_jwt_bearer: ['guarded', 'express_jwt_bearer'],
  guarded_cold_over_express_jwt_bearer: ['guarded_cold', 'express_jwt_bearer_cold'],
  guarded_cold_over_nest_passport_jwt: ['guarded_cold', 'nest_passport_jwt_cold'],
  session_page_over_express_openid_connect: ['session_page', 'express_openid_connect'],
  webhooks_over_unguarded: ['webhooks', 'unguarded'],
} as const satisfies Record<string, readonly [TargetName, TargetName]>;

export type RatioName = keyof typeof RATIOS;

export interface RatioFigures extends Spread {
  /** The ratio in each round, in order. */
  readonly rounds: number[];
}

/** One ratio in one round, from the two slices of that round; undefined when it cannot be had. */
type RoundRatio = (over: Slice, under: Slice) => number | undefined;

/** Every ratio, one value per round by `ofRound`, then its median, min and max over the rounds. */
function byRound(rounds: Rounds, ofRound: RoundRatio): Partial<Record<RatioName, RatioFigures>> {
  const out: Partial<Record<RatioName, RatioFigures>> = {};
  for (const [name, [top, bottom]] of Object.entries(RATIOS) as [RatioName, readonly [TargetName, TargetName]][]) {
    const over = rounds[top];
    const under = rounds[bottom];
    if (!over || !under) continue;
    const perRound = over.flatMap((slice, r) => {
      const value = under[r] === undefined ? undefined : ofRound(slice, under[r]);
      return value === undefined ? [] : [round(value, 3)];
    });
    const figures = spread(perRound);
    if (figures) out[name] = { ...figures, rounds: perRound };
  }
  return out;
}

/**
 * Every ratio computed round by round (numerator and denominator measured minutes apart would
 * compare two different machines), then summarized: median, min and max over the rounds.
 */
export function ratios(rounds: Rounds): Partial<Record<RatioName, RatioFigures>> {
  return byRound(rounds, (over, under) => (under.rate > 0 ? over.rate / under.rate : undefined));
}

/**
 * The same ratios from CPU time instead of answers per second: the denominator's CPU µs per answer ÷
 * the numerator's, round by round, so what each side would answer per second of one core it had to
 * itself. On a busy machine (other processes, the load generator on the same cores) this moves far
 * less than the rates do; the rates stay the figures the goals are judged by.
 */
export function cpuRatios(rounds: Rounds): Partial<Record<RatioName, RatioFigures>> {
  return byRound(rounds, (over, under) =>
    over.cpuUsPerAnswer !== undefined && under.cpuUsPerAnswer !== undefined && over.cpuUsPerAnswer > 0
      ? under.cpuUsPerAnswer / over.cpuUsPerAnswer
      : undefined,
  );
}

/** `name`, `name_min` and `name_max` for every ratio (null when it could not be measured). */
export function flatRatios(figures: Partial<Record<RatioName, RatioFigures>>): Record<string, number | null> {
  const flat: Record<string, number | null> = {};
  for (const name of Object.keys(RATIOS) as RatioName[]) {
    flat[name] = figures[name]?.median ?? null;
    flat[`${name}_min`] = figures[name]?.min ?? null;
    flat[`${name}_max`] = figures[name]?.max ?? null;
  }
  return flat;
}
