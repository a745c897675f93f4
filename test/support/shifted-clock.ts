import { Clock } from '../../src/common/clock';

/**
 * Real time, moved by hand: the IdPs keep real time, so the service's clock can run ahead of theirs
 * (expiry, refresh) or behind it (a provider whose clock is ahead of ours).
 */
export class ShiftedClock extends Clock {
  private offset = 0;

  constructor(offsetMs = 0) {
    super();
    this.offset = offsetMs;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  reset(offsetMs = 0): void {
    this.offset = offsetMs;
  }
}
