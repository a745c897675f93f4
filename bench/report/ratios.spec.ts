import { Slice } from '../support/load';
import { cpuRatios, flatRatios, ratios } from './ratios';

const slice = (rate: number, cpuUsPerAnswer?: number): Slice => ({
  cpuUsPerAnswer,
  ok: rate,
  seconds: 1,
  rate,
  p50Ms: 1,
  p99Ms: 2,
  meanMs: 1,
  answers: { '200': rate },
  errors: 0,
  timeouts: 0,
});

describe('ratios', () => {
  it('divides the rates of the same round, then gives the median, min and max over the rounds', () => {
    // Per round: 2, 0.5, 2. The ratio of the medians (200 / 150) or of the totals (600 / 600) would differ.
    const figures = ratios({
      guarded: [slice(100), slice(200), slice(300)],
      unguarded: [slice(50), slice(400), slice(150)],
    });
    expect(figures.guarded_over_unguarded).toEqual({ median: 2, min: 0.5, max: 2, rounds: [2, 0.5, 2] });
  });

  it('takes the mean of the middle two for an even number of rounds', () => {
    const figures = ratios({ webhooks: [slice(1), slice(3)], unguarded: [slice(2), slice(2)] });
    expect(figures.webhooks_over_unguarded).toEqual({ median: 1, min: 0.5, max: 1.5, rounds: [0.5, 1.5] });
  });

  it('leaves out a round whose denominator answered nothing', () => {
    const figures = ratios({ session_page: [slice(10), slice(10)], unguarded: [slice(0), slice(20)] });
    expect(figures.session_page_over_unguarded?.rounds).toEqual([0.5]);
  });

  it('reports every ratio with its min and max, null for a target that was not measured', () => {
    const flat = flatRatios(ratios({ guarded: [slice(3)], unguarded: [slice(4)] }));
    expect(flat).toEqual(
      expect.objectContaining({
        guarded_over_unguarded: 0.75,
        guarded_over_unguarded_min: 0.75,
        guarded_over_unguarded_max: 0.75,
        guarded_cold_over_nest_passport_jwt: null,
        guarded_cold_over_nest_passport_jwt_min: null,
        guarded_cold_over_nest_passport_jwt_max: null,
      }),
    );
    expect(Object.keys(flat)).toHaveLength(8 * 3);
  });

  it("gives the CPU ratios as the other side's CPU per answer over this side's, round by round", () => {
    // 40 µs against 80 µs: this side would answer twice as many per second of CPU, whatever the rates.
    const figures = cpuRatios({
      guarded: [slice(100, 40), slice(100, 50)],
      express_jwt_bearer: [slice(300, 80), slice(300, 50)],
    });
    expect(figures.guarded_over_express_jwt_bearer).toEqual({ median: 1.5, min: 1, max: 2, rounds: [2, 1] });
  });

  it('leaves out a round whose CPU could not be read', () => {
    const figures = cpuRatios({ unguarded: [slice(10, 20), slice(10)], nest_hello: [slice(10, 10), slice(10, 10)] });
    expect(figures.unguarded_over_nest_hello?.rounds).toEqual([0.5]);
    expect(cpuRatios({ unguarded: [slice(10)], nest_hello: [slice(10)] }).unguarded_over_nest_hello).toBeUndefined();
  });
});
