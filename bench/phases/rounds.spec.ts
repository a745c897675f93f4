import { Slice } from '../support/load';
import { loadGeneratorBound, summarize } from './rounds';
import { NamedTarget } from './targets';

const target: NamedTarget = {
  name: 'guarded',
  what: 'service GET /api/me, one token',
  load: { url: 'http://127.0.0.1:1/api/me' },
  warm: true,
};

const slice = (serverCores?: number, loadGeneratorCores?: number): Slice => ({
  ok: 100,
  seconds: 1,
  rate: 100,
  p50Ms: 1,
  p99Ms: 2,
  meanMs: 1,
  answers: { '200': 100 },
  errors: 0,
  timeouts: 0,
  cpuUsPerAnswer: serverCores === undefined ? undefined : serverCores * 10_000,
  serverCores,
  serverSystemShare: serverCores === undefined ? undefined : 0.25,
  loadGeneratorCores,
});

describe('summarize', () => {
  it("gives the median, min and max over the rounds of the server's and the load generator's busy cores", () => {
    const summary = summarize(target, [slice(0.4, 0.98), slice(0.6, 1), slice(0.5, 0.95)]);
    expect(summary.server_cores).toEqual({ median: 0.5, min: 0.4, max: 0.6 });
    expect(summary.load_generator_cores).toEqual({ median: 0.98, min: 0.95, max: 1 });
    expect(summary.cpu_us_per_answer).toEqual({ median: 5000, min: 4000, max: 6000 });
    expect(summary.server_system_share).toEqual({ median: 0.25, min: 0.25, max: 0.25 });
  });

  it('says null where the serving process could not be read (no /proc)', () => {
    const summary = summarize(target, [slice(undefined, 0.9)]);
    expect(summary.server_cores).toBeNull();
    expect(summary.server_system_share).toBeNull();
    expect(summary.cpu_us_per_answer).toBeNull();
    expect(summary.load_generator_cores).toEqual({ median: 0.9, min: 0.9, max: 0.9 });
  });
});

describe('loadGeneratorBound', () => {
  it('is true when the generator kept a core busy and the server had time to spare', () => {
    expect(loadGeneratorBound(summarize(target, [slice(0.45, 0.99)]))).toBe(true);
  });

  it('is false when the server was the busier side, or the generator had time to spare', () => {
    expect(loadGeneratorBound(summarize(target, [slice(1, 0.95)]))).toBe(false);
    // Both sides near a core: neither is known to have bounded the other.
    expect(loadGeneratorBound(summarize(target, [slice(0.92, 0.97)]))).toBe(false);
    expect(loadGeneratorBound(summarize(target, [slice(0.3, 0.6)]))).toBe(false);
  });

  it('is false when the server could not be read', () => {
    expect(loadGeneratorBound(summarize(target, [slice(undefined, 1)]))).toBe(false);
  });
});
