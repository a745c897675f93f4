import { clusterSlot } from './cluster-slot';

describe('clusterSlot', () => {
  it('gives the slots Redis gives (CLUSTER KEYSLOT)', () => {
    expect(clusterSlot('foo')).toBe(12182);
    expect(clusterSlot('123456789')).toBe(0x31c3 % 16384);
  });

  it('hashes only a non-empty hash tag', () => {
    expect(clusterSlot('fag:{dl}:version')).toBe(clusterSlot('other:{dl}:e:1'));
    expect(clusterSlot('a{}b')).toBe(clusterSlot('a{}b'));
    expect(clusterSlot('a{}b')).not.toBe(clusterSlot('b'));
  });
});
