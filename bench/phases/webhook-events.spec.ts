import { Slice } from '../support/load';
import { SignedEvent, webhookTarget } from './webhook-events';

const event = (n: number): SignedEvent => ({ body: `{"n":${n}}`, signature: `sig-${n}` });

const sliceOf = (answers: number, seconds: number): Slice => ({
  ok: answers,
  seconds,
  rate: answers / seconds,
  p50Ms: 1,
  p99Ms: 2,
  meanMs: 1,
  answers: { ok: answers },
  errors: 0,
  timeouts: 0,
});

describe('webhookTarget', () => {
  it('sends each event once, in order, then repeats the last one and says it is exhausted', () => {
    const target = webhookTarget('http://127.0.0.1:1', [event(1), event(2)]);
    const bodies = [1, 2, 3].map(() => target.next!().body);
    expect(bodies).toEqual(['{"n":1}', '{"n":2}', '{"n":2}']);
    expect(target.exhausted()).toBe(true);
  });

  it("tops the pool up to three times what the fastest slice would send, however large (a long slice's pool)", async () => {
    const asked: number[] = [];
    let signed = 0;
    const sign = (count: number) => {
      asked.push(count);
      return Promise.resolve(Array.from({ length: count }, () => event(signed++)));
    };
    // 5 000 events/s over a 40 s slice: 600 200 events, more than push(...pool) can take as arguments.
    const target = webhookTarget('http://127.0.0.1:1', [event(-1)], { refill: { rate: 5000, sign } });
    await target.prepare!(40, undefined);
    expect(asked).toEqual([5000 * 3 * 40 + 200 - 1]);
    const first = target.next!();
    expect(first.body).toBe('{"n":-1}');
    expect(target.next!().body).toBe('{"n":0}');

    // A faster slice raises the bar; the events not sent yet count towards it.
    await target.prepare!(40, sliceOf(400_000, 40));
    expect(asked[1]).toBe(10_000 * 3 * 40 + 200 - (600_200 - 2));
    // A slower one does not lower it: a pool big enough already is left alone.
    await target.prepare!(40, sliceOf(1000, 40));
    expect(asked).toHaveLength(2);
  });
});
