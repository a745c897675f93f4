import { FakeClock } from '../../test/support/fake-clock';
import { MirrorSync, STALE_AFTER_MS } from './mirror-sync';

describe('MirrorSync', () => {
  let clock: FakeClock;
  let sync: MirrorSync;
  beforeEach(() => {
    clock = new FakeClock();
    sync = new MirrorSync(() => clock.now());
  });

  /** The first load, from a Redis at `base`, confirmed by a heartbeat sent now. */
  function loadedAt(base: number): void {
    sync.reloadStarting();
    sync.reloadBase(base);
    sync.reloaded(base);
    expect(sync.onHeartbeat(base, clock.now())).toEqual({ kind: 'confirmed' });
  }

  it('is not trusted before the first load, whatever heartbeats say', () => {
    expect(sync.needsReload).toBe(true);
    expect(sync.onHeartbeat(0, clock.now())).toEqual({ kind: 'ignored' });
    expect(sync.isFresh()).toBe(false);
  });

  it('applies versions that arrive in order', () => {
    loadedAt(3);
    expect(sync.onAnnouncement(4)).toEqual({ kind: 'applied' });
    expect(sync.onAnnouncement(5)).toEqual({ kind: 'applied' });
    expect(sync.currentVersion).toBe(5);
    expect(sync.onHeartbeat(5, clock.now())).toEqual({ kind: 'confirmed' });
    expect(sync.isFresh()).toBe(true);
  });

  it('keeps a version that arrives early and catches up when the missing one comes', () => {
    loadedAt(0);
    expect(sync.onAnnouncement(2)).toEqual({ kind: 'ahead' });
    expect(sync.onAnnouncement(3)).toEqual({ kind: 'ahead' });
    expect(sync.currentVersion).toBe(0);
    expect(sync.onAnnouncement(1)).toEqual({ kind: 'applied' });
    expect(sync.currentVersion).toBe(3);
    expect(sync.needsReload).toBe(false);
  });

  it('sees a missing version as a gap when the heartbeat names a later one, and reloads', () => {
    loadedAt(0);
    sync.onAnnouncement(1);
    sync.onAnnouncement(3);
    const gap = sync.onHeartbeat(3, clock.now());
    expect(gap).toEqual({ kind: 'gap', reason: 'heartbeat says version 3, the mirror has 1', news: true });
    expect(sync.needsReload).toBe(true);
    expect(sync.isFresh()).toBe(false);

    sync.reloadStarting();
    expect(sync.reloadBase(3)).toBe(false);
    sync.reloaded(3);
    expect(sync.currentVersion).toBe(3);
    expect(sync.onHeartbeat(3, clock.now())).toEqual({ kind: 'confirmed' });
    expect(sync.isFresh()).toBe(true);
  });

  it('reports a gap as news only once while the reload it asks for is pending', () => {
    loadedAt(2);
    expect(sync.onHeartbeat(4, clock.now())).toMatchObject({ kind: 'gap', news: true });
    expect(sync.onAnnouncement(1)).toEqual({ kind: 'gap', reason: 'announcement 1 after 2', news: false });
  });

  it('treats an announcement at or below the version outside a reload as a reset Redis: a gap', () => {
    loadedAt(5);
    expect(sync.onAnnouncement(5)).toMatchObject({ kind: 'gap', news: true });
    expect(sync.isFresh()).toBe(false);
  });

  it('stays fresh after a matching heartbeat until STALE_AFTER_MS have passed since it was sent', () => {
    loadedAt(1);
    clock.advance(STALE_AFTER_MS - 1);
    expect(sync.isFresh()).toBe(true);
    expect(sync.stalenessMs).toBe(STALE_AFTER_MS - 1);
    clock.advance(1);
    expect(sync.isFresh()).toBe(false);
    expect(sync.onHeartbeat(1, clock.now() - 10)).toEqual({ kind: 'confirmed' });
    expect(sync.isFresh()).toBe(true);
    expect(sync.stalenessMs).toBe(10);
  });

  it('dates the confirmation by the latest heartbeat sent, not by one that came back late', () => {
    loadedAt(1);
    const sent = clock.now();
    clock.advance(STALE_AFTER_MS / 2);
    sync.onHeartbeat(1, clock.now());
    sync.onHeartbeat(1, sent);
    clock.advance(STALE_AFTER_MS / 2);
    expect(sync.isFresh()).toBe(true);
  });

  it('sees a heartbeat naming another version as a gap and stops trusting the mirror', () => {
    loadedAt(4);
    expect(sync.onHeartbeat(3, clock.now())).toEqual({
      kind: 'gap',
      reason: 'heartbeat says version 3, the mirror has 4',
      news: true,
    });
    expect(sync.isFresh()).toBe(false);
    expect(sync.onHeartbeat(4, clock.now())).toEqual({ kind: 'ignored' });
    expect(sync.isFresh()).toBe(false);
  });

  it('counts from the base of a reload that finds Redis reset below its version, and says it was reset', () => {
    loadedAt(7);
    sync.onAnnouncement(9);
    expect(sync.onHeartbeat(0, clock.now())).toMatchObject({ kind: 'gap' });
    sync.reloadStarting();
    expect(sync.reloadBase(0)).toBe(true);
    sync.reloaded(0);
    expect(sync.currentVersion).toBe(0);
    expect(sync.onAnnouncement(1)).toEqual({ kind: 'applied' });
    expect(sync.onHeartbeat(1, clock.now())).toEqual({ kind: 'confirmed' });
    expect(sync.isFresh()).toBe(true);
  });

  it('applies announcements that arrive during a reload and ignores its heartbeats until it ends', () => {
    loadedAt(2);
    sync.onHeartbeat(5, clock.now());
    sync.reloadStarting();
    expect(sync.onAnnouncement(2)).toEqual({ kind: 'ignored' });
    expect(sync.onHeartbeat(5, clock.now())).toEqual({ kind: 'ignored' });
    sync.reloadBase(5);
    expect(sync.onAnnouncement(7)).toEqual({ kind: 'ahead' });
    expect(sync.onAnnouncement(6)).toEqual({ kind: 'ahead' });
    sync.reloaded(5);
    expect(sync.currentVersion).toBe(7);
    expect(sync.onHeartbeat(7, clock.now())).toEqual({ kind: 'confirmed' });
  });

  it('counts announcements that follow a reset base during the reload from that base', () => {
    loadedAt(10);
    sync.onAnnouncement(10);
    sync.reloadStarting();
    expect(sync.reloadBase(0)).toBe(true);
    expect(sync.onAnnouncement(1)).toEqual({ kind: 'applied' });
    expect(sync.onAnnouncement(2)).toEqual({ kind: 'applied' });
    sync.reloaded(0);
    expect(sync.currentVersion).toBe(2);
  });

  it('leaves a reload pending when it fails, so the mirror stays untrusted', () => {
    loadedAt(1);
    sync.onHeartbeat(2, clock.now());
    sync.reloadStarting();
    sync.reloadFailed();
    expect(sync.needsReload).toBe(true);
    expect(sync.onAnnouncement(1)).toMatchObject({ kind: 'gap', news: false });
    expect(sync.isFresh()).toBe(false);
  });
});
