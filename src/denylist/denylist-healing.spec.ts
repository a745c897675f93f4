import { FakeClock } from '../../test/support/fake-clock';
import { entriesToWriteBack, EXPIRY_TOLERANCE_MS, HeldEntry } from './denylist-healing';
import { DenylistMirror } from './denylist-mirror';

type Stored = Map<string, { instant: number; expiresAt: number }>;

/** What the store's script does with a written-back entry: the later instant and the longer lifetime win. */
function writeInto(stored: Stored, entries: readonly HeldEntry[]): void {
  for (const [key, instant, expiresAt] of entries) {
    const held = stored.get(key);
    stored.set(key, {
      instant: Math.max(held?.instant ?? -1, instant),
      expiresAt: Math.max(held?.expiresAt ?? 0, expiresAt),
    });
  }
}

describe('entriesToWriteBack', () => {
  let clock: FakeClock;
  let mirror: DenylistMirror;
  beforeEach(() => {
    clock = new FakeClock();
    mirror = new DenylistMirror(() => clock.now());
  });

  it('writes back every live entry a flushed Redis lost, with its own instant and expiry', () => {
    const t = clock.now();
    mirror.put('u:a', t - 10, t + 60_000);
    mirror.put('s:b', t - 20, t + 30_000);
    expect(entriesToWriteBack(mirror.live(), new Map(), t)).toEqual([
      ['u:a', t - 10, t + 60_000],
      ['s:b', t - 20, t + 30_000],
    ]);
  });

  it('leaves out entries that have expired: their tokens can no longer be valid', () => {
    const t = clock.now();
    mirror.put('u:a', t, t + 1000);
    mirror.put('u:b', t, t + 5000);
    clock.advance(1000);
    expect(entriesToWriteBack(mirror.live(), new Map(), clock.now()).map(([key]) => key)).toEqual(['u:b']);
  });

  it('writes back what Redis holds weaker (an earlier instant, a shorter life) and nothing it holds as well', () => {
    const t = clock.now();
    mirror.put('u:same', t, t + 60_000);
    mirror.put('u:older', t, t + 60_000);
    mirror.put('u:shorter', t, t + 60_000);
    mirror.put('u:later-there', t, t + 60_000);
    const stored: Stored = new Map([
      ['u:same', { instant: t, expiresAt: t + 60_000 - EXPIRY_TOLERANCE_MS }],
      ['u:older', { instant: t - 1, expiresAt: t + 60_000 }],
      ['u:shorter', { instant: t, expiresAt: t + 60_000 - EXPIRY_TOLERANCE_MS - 1 }],
      ['u:later-there', { instant: t + 5, expiresAt: t + 90_000 }],
    ]);
    expect(entriesToWriteBack(mirror.live(), stored, t).map(([key]) => key)).toEqual(['u:older', 'u:shorter']);
  });

  it('lets instances that hold different entries write back at once, in any order, and end on one state', () => {
    const t = clock.now();
    const other = new DenylistMirror(() => clock.now());
    mirror.put('u:a', t - 10, t + 60_000);
    mirror.put('u:b', t - 30, t + 20_000);
    other.put('u:a', t - 5, t + 40_000);
    other.put('u:c', t - 1, t + 10_000);
    const finals = [
      [mirror, other],
      [other, mirror],
    ].map((order) => {
      const stored: Stored = new Map();
      for (const m of order) writeInto(stored, entriesToWriteBack(m.live(), stored, t));
      // A second round finds nothing left to write: the instances agree with Redis.
      for (const m of order) expect(entriesToWriteBack(m.live(), stored, t)).toEqual([]);
      return Object.fromEntries(stored);
    });
    expect(finals[0]).toEqual(finals[1]);
    expect(finals[0]).toEqual({
      'u:a': { instant: t - 5, expiresAt: t + 60_000 },
      'u:b': { instant: t - 30, expiresAt: t + 20_000 },
      'u:c': { instant: t - 1, expiresAt: t + 10_000 },
    });
  });
});
