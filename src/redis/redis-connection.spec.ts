import { reconnectDelay } from './redis-connection';

describe('reconnectDelay', () => {
  it('backs off exponentially from 25-50 ms and caps at 3 s', () => {
    expect(reconnectDelay(0, () => 0)).toBe(25);
    expect(reconnectDelay(0, () => 1)).toBe(50);
    expect(reconnectDelay(3, () => 1)).toBe(400);
    expect(reconnectDelay(100, () => 1)).toBe(3000);
    expect(reconnectDelay(100, () => 0)).toBe(1500);
  });
});
