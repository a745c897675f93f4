import { isSessionExpired, sessionExpiresAt, storeTtlMs, touchIntervalMs } from './session-expiry';

const timeouts = { idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000 };
const t0 = Date.UTC(2026, 0, 1);

describe('session expiry', () => {
  it('ends an idle session when the idle timeout has passed since the last request', () => {
    const session = { createdAt: t0, lastSeenAt: t0 + 60_000 };
    expect(isSessionExpired(session, t0 + 60_000 + timeouts.idleMs - 1, timeouts)).toBe(false);
    expect(isSessionExpired(session, t0 + 60_000 + timeouts.idleMs, timeouts)).toBe(true);
  });

  it('ends an active session at the absolute timeout, however recent its last request', () => {
    const session = { createdAt: t0, lastSeenAt: t0 + timeouts.absoluteMs - 1000 };
    expect(sessionExpiresAt(session, timeouts)).toBe(t0 + timeouts.absoluteMs);
    expect(isSessionExpired(session, t0 + timeouts.absoluteMs, timeouts)).toBe(true);
  });

  it('treats a signed-in session without stamps as expired', () => {
    expect(isSessionExpired({}, t0, timeouts)).toBe(true);
  });

  it('keeps a session in the store exactly until it expires, and never without a TTL', () => {
    expect(storeTtlMs({ createdAt: t0, lastSeenAt: t0 }, t0, timeouts)).toBe(timeouts.idleMs);
    expect(
      storeTtlMs(
        { createdAt: t0, lastSeenAt: t0 + timeouts.absoluteMs - 5000 },
        t0 + timeouts.absoluteMs - 5000,
        timeouts,
      ),
    ).toBe(5000);
    expect(storeTtlMs({}, t0, timeouts)).toBe(timeouts.idleMs);
    expect(storeTtlMs({ createdAt: t0 }, t0 + timeouts.absoluteMs + 1, timeouts)).toBeGreaterThan(0);
  });

  it('refreshes lastSeenAt at most once a minute, or a tenth of a short idle timeout', () => {
    expect(touchIntervalMs(timeouts)).toBe(60_000);
    expect(touchIntervalMs({ idleMs: 100_000, absoluteMs: 200_000 })).toBe(10_000);
  });
});
