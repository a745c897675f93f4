import { ReplayWindows } from './replay-windows';

describe('ReplayWindows', () => {
  it('has nothing to replay without an outage', () => {
    const windows = new ReplayWindows(100);
    expect(windows.restored(5000)).toBe(false);
    expect(windows.take()).toBeUndefined();
  });

  it('covers an outage from when it was noticed to when Redis answered, with the margin on both sides', () => {
    const windows = new ReplayWindows(100);
    windows.lost(1000);
    expect(windows.restored(5000)).toBe(true);
    expect(windows.take()).toEqual({ start: 900, end: 5100 });
    expect(windows.take()).toBeUndefined();
  });

  it('dates an outage from its first notice, however often it is reported', () => {
    const windows = new ReplayWindows(100);
    windows.lost(1000);
    windows.lost(3000);
    windows.restored(5000);
    expect(windows.take()).toEqual({ start: 900, end: 5100 });
  });

  it('keeps a window whose search failed, merged with the next outage', () => {
    const windows = new ReplayWindows(100);
    windows.lost(1000);
    windows.restored(2000);
    const failed = windows.take()!;
    windows.lost(8000);
    windows.restored(9000);
    windows.putBack(failed);
    expect(windows.take()).toEqual({ start: 900, end: 9100 });
  });

  it('starts a new outage after one has ended', () => {
    const windows = new ReplayWindows(0);
    windows.lost(1000);
    windows.restored(2000);
    expect(windows.take()).toEqual({ start: 1000, end: 2000 });
    windows.lost(7000);
    windows.restored(8000);
    expect(windows.take()).toEqual({ start: 7000, end: 8000 });
  });
});
