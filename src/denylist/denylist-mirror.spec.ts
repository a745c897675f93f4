import { DenylistMirror, RevocationLookup } from './denylist-mirror';
import { accessTokenId, candidateKeys, subjectKey, TokenFacts } from './revocation';

const t0 = Date.UTC(2026, 0, 1);
const issuerKey = 'iss-key-1234';
const facts = (overrides: Partial<TokenFacts> = {}): TokenFacts => ({
  issuerKey,
  sub: 'user-1',
  iat: t0 / 1000,
  applicationId: 'app-1',
  sid: 'rt-1',
  ...overrides,
});

describe('DenylistMirror', () => {
  let now = t0;
  const mirror = () => new DenylistMirror(() => now);
  beforeEach(() => (now = t0));

  it('rejects a token issued at or before a user revocation, and accepts one issued after', () => {
    const m = mirror();
    m.put(subjectKey({ kind: 'user', issuerKey, userId: 'user-1' }), t0 + 5000, t0 + 60_000);
    expect(m.isRevoked(facts({ iat: (t0 + 5000) / 1000 }))).toBe(true);
    expect(m.isRevoked(facts({ iat: (t0 + 4000) / 1000 }))).toBe(true);
    expect(m.isRevoked(facts({ iat: (t0 + 6000) / 1000 }))).toBe(false);
  });

  it('leaves other users, other issuers and other applications alone', () => {
    const m = mirror();
    m.put(
      subjectKey({ kind: 'user-app', issuerKey, userId: 'user-1', applicationId: 'app-1' }),
      t0 + 5000,
      t0 + 60_000,
    );
    expect(m.isRevoked(facts())).toBe(true);
    expect(m.isRevoked(facts({ sub: 'user-2' }))).toBe(false);
    expect(m.isRevoked(facts({ issuerKey: 'other-issuer' }))).toBe(false);
    expect(m.isRevoked(facts({ applicationId: 'app-2' }))).toBe(false);
  });

  it('revokes a whole application', () => {
    const m = mirror();
    m.put(subjectKey({ kind: 'app', issuerKey, applicationId: 'app-1' }), t0 + 5000, t0 + 60_000);
    expect(m.isRevoked(facts({ sub: 'anyone' }))).toBe(true);
    expect(m.isRevoked(facts({ applicationId: 'app-2' }))).toBe(false);
  });

  it('revokes one access token by its id, whenever it was issued, and no other token of the user', () => {
    const m = mirror();
    m.put(subjectKey({ kind: 'token', issuerKey, tokenId: accessTokenId('jti-1', 'a.b.c') }), t0, t0 + 60_000);
    expect(m.isRevoked(facts({ tokenId: accessTokenId('jti-1', 'a.b.c'), iat: (t0 + 9000) / 1000 }))).toBe(true);
    expect(m.isRevoked(facts({ tokenId: accessTokenId('jti-2', 'd.e.f') }))).toBe(false);
    expect(m.isRevoked(facts())).toBe(false);
    expect(m.isRevoked(facts({ tokenId: accessTokenId('jti-1', 'a.b.c'), issuerKey: 'other-issuer' }))).toBe(false);
    // Without a jti the token itself is the id; a jti that spells a token never matches it.
    m.put(subjectKey({ kind: 'token', issuerKey, tokenId: accessTokenId(undefined, 'g.h.i') }), t0, t0 + 60_000);
    expect(m.isRevoked(facts({ tokenId: accessTokenId(undefined, 'g.h.i') }))).toBe(true);
    expect(m.isRevoked(facts({ tokenId: accessTokenId('g.h.i', 'x.y.z') }))).toBe(false);
  });

  it('revokes one refresh-token family by sid, whenever its tokens were issued', () => {
    const m = mirror();
    m.put(subjectKey({ kind: 'sid', issuerKey, sid: 'rt-1' }), t0, t0 + 60_000);
    expect(m.isRevoked(facts({ iat: (t0 + 30_000) / 1000 }))).toBe(true);
    expect(m.isRevoked(facts({ sid: 'rt-2' }))).toBe(false);
    expect(m.isRevoked(facts({ sid: undefined }))).toBe(false);
  });

  it('checks a lookup kept across requests against revocations made after its first check', () => {
    const m = mirror();
    const tokenId = accessTokenId('jti-1', 'a.b.c');
    const lookup = new RevocationLookup(facts({ tokenId }));
    expect(m.isRevoked(lookup)).toBe(false);
    m.put(subjectKey({ kind: 'user', issuerKey, userId: 'user-2' }), t0 + 5000, t0 + 60_000);
    expect(m.isRevoked(lookup)).toBe(false);
    m.put(subjectKey({ kind: 'token', issuerKey, tokenId }), t0, t0 + 60_000);
    expect(m.isRevoked(lookup)).toBe(true);
    const other = new RevocationLookup(facts({ iat: (t0 + 1000) / 1000 }));
    expect(m.isRevoked(other)).toBe(false);
    m.put(subjectKey({ kind: 'user', issuerKey, userId: 'user-1' }), t0 + 1000, t0 + 60_000);
    expect(m.isRevoked(other)).toBe(true);
  });

  it('keeps the latest instant and the longest lifetime', () => {
    const m = mirror();
    const key = subjectKey({ kind: 'user', issuerKey, userId: 'user-1' });
    m.put(key, t0 + 5000, t0 + 60_000);
    m.put(key, t0 + 1000, t0 + 120_000);
    expect(m.isRevoked(facts({ iat: (t0 + 5000) / 1000 }))).toBe(true);
    now = t0 + 90_000;
    expect(m.isRevoked(facts({ iat: (t0 + 5000) / 1000 }))).toBe(true);
  });

  it('forgets an entry once it expires, so the state stays bounded', () => {
    const m = mirror();
    m.put(subjectKey({ kind: 'user', issuerKey, userId: 'user-1' }), t0 + 5000, t0 + 60_000);
    m.put(subjectKey({ kind: 'user', issuerKey, userId: 'user-2' }), t0 + 5000, t0 + 60_000);
    now = t0 + 60_000;
    expect(m.isRevoked(facts())).toBe(false);
    m.sweep();
    expect(m.size).toBe(0);
  });

  it('keeps subjects apart: another issuer, kind or split of the same characters is another key', () => {
    const keys = [
      subjectKey({ kind: 'user', issuerKey, userId: 'user-1' }),
      subjectKey({ kind: 'user', issuerKey: 'other-issuer', userId: 'user-1' }),
      subjectKey({ kind: 'app', issuerKey, applicationId: 'user-1' }),
      subjectKey({ kind: 'sid', issuerKey, sid: 'user-1' }),
      subjectKey({ kind: 'user-app', issuerKey, userId: 'a:b', applicationId: 'c' }),
      subjectKey({ kind: 'user-app', issuerKey, userId: 'a', applicationId: 'b:c' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key.length).toBeLessThanOrEqual(25);
    const m = mirror();
    m.put(subjectKey({ kind: 'user', issuerKey: 'other-issuer', userId: 'user-1' }), t0 + 5000, t0 + 60_000);
    expect(m.isRevoked(facts())).toBe(false);
  });

  it('keys every subject as Redis, the other instances and earlier releases do (kind + 96 bits of SHA-256)', () => {
    // Entries written before a change of how keys are computed must still be found: the values are pinned.
    expect(subjectKey({ kind: 'user', issuerKey: 'iss-1', userId: 'user-1' })).toBe('u:6X27O7CoeImuY44m');
    expect(subjectKey({ kind: 'user-app', issuerKey: 'iss-1', userId: 'user-1', applicationId: 'app-1' })).toBe(
      'ua:vi2rDlwBAS6ym2DV',
    );
    expect(subjectKey({ kind: 'sid', issuerKey: 'iss-1', sid: 'sid-1' })).toBe('s:3SsPOYHbfh0UTw9J');
    expect(
      candidateKeys({
        issuerKey: 'iss-1',
        sub: 'user-1',
        iat: 0,
        applicationId: 'app-1',
        tokenId: accessTokenId('jti-1', 'a.b.c'),
      }),
    ).toEqual(expect.arrayContaining(['u:6X27O7CoeImuY44m', 'ua:vi2rDlwBAS6ym2DV', 't:2DWBgddtJJMfhb_0']));
  });

  it('keeps each session its own keys: another sid or application of the same user is another set', () => {
    const m = mirror();
    m.put(subjectKey({ kind: 'sid', issuerKey, sid: 'rt-2' }), t0, t0 + 60_000);
    m.put(
      subjectKey({ kind: 'user-app', issuerKey, userId: 'user-1', applicationId: 'app-2' }),
      t0 + 5000,
      t0 + 60_000,
    );
    // Asked first for the session whose keys are then kept, then for its neighbours.
    expect(m.isRevoked(facts())).toBe(false);
    expect(m.isRevoked(facts({ sid: 'rt-2' }))).toBe(true);
    expect(m.isRevoked(facts({ applicationId: 'app-2' }))).toBe(true);
    expect(m.isRevoked(facts({ issuerKey: 'other-issuer', applicationId: 'app-2' }))).toBe(false);
    expect(m.isRevoked(facts())).toBe(false);
  });
});
