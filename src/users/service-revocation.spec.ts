import { CLOCK_TOLERANCE_S } from '../common/clock';
import { revocationInstant, revocationTtlMs } from './service-revocation';

describe('revocations the service makes itself', () => {
  const now = Date.UTC(2026, 0, 1, 12);

  it("takes the provider's instant of the change, ahead of our clock or behind it", () => {
    expect(revocationInstant(now + 20_000, now)).toBe(now + 20_000);
    expect(revocationInstant(now - 20_000, now)).toBe(now - 20_000);
  });

  it('without one, reaches as far past our clock as the verifier accepts an iat', () => {
    const instant = revocationInstant(undefined, now);
    expect(instant).toBe(now + CLOCK_TOLERANCE_S * 1000);
    // The newest iat the verifier accepts at `now` is covered.
    expect(Math.floor((now + CLOCK_TOLERANCE_S * 1000) / 1000) * 1000).toBeLessThanOrEqual(instant);
  });

  it('lives until the last token it covers has expired, and the verifier tolerance after', () => {
    expect(revocationTtlMs(now, now, 3600)).toBe(3660_000);
    expect(revocationTtlMs(now + 20_000, now, 3600)).toBe(3680_000);
    expect(revocationTtlMs(now - 20_000, now, 3600)).toBe(3660_000);
  });
});
