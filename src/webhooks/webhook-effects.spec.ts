import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { subjectKey } from '../denylist/revocation';
import { effectsOf, losesAccess, refreshEffects, remainingEffects } from './webhook-effects';
import { HandledEvent, parseEnvelope, readHandled } from './webhook-event';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'fusionauth');
const fixture = (name: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { event: Record<string, unknown> }).event;
/** An event as the service reads it from a body: envelope, then the fields of its type. */
function read(fields: Record<string, unknown>): HandledEvent {
  const body = Buffer.from(JSON.stringify({ event: { id: 'e1', createInstant: 1000, ...fields } }));
  const { envelope, fields: all } = parseEnvelope(body);
  const handled = readHandled(envelope, all);
  if (!handled) throw new Error(`${String(fields.type)} is not a handled type`);
  return handled;
}
const event = (fields: Record<string, unknown>) => {
  const handled = read(fields);
  if (handled.type === 'jwt.refresh') throw new Error('jwt.refresh has its own effects');
  return handled;
};

const APP = '21a8893c-51b3-4964-8a50-6afb66ee8acd';
const ctx = { issuerKey: 'iss', applicationId: APP, defaultTtlS: 3600 };

describe('effectsOf', () => {
  it('covers every documented fixture', () => {
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(8);
  });

  it("revokes a user within one application for a user+application revoke, for the application's TTL", () => {
    const effects = effectsOf(event(fixture('jwt.refresh-token.revoke.json')), ctx);
    expect(effects).toEqual({
      kind: 'effects',
      revocations: [
        {
          subject: {
            kind: 'user-app',
            issuerKey: 'iss',
            userId: 'dfdbae16-4e65-42c2-9773-23dfd6f5671d',
            applicationId: APP,
          },
          instant: 1505762615056,
          ttlMs: (600 + 60) * 1000,
        },
      ],
      endSessionsOf: 'dfdbae16-4e65-42c2-9773-23dfd6f5671d',
    });
  });

  it('revokes a user everywhere for an all-tokens revoke, for the longest application TTL', () => {
    const all = fixture('jwt.refresh-token.revoke.all-user.json');
    const effects = effectsOf(event(all), ctx);
    expect(effects.kind).toBe('effects');
    if (effects.kind !== 'effects') return;
    const ttls = Object.values(all.applicationTimeToLiveInSeconds as Record<string, number>);
    expect(effects.revocations).toEqual([
      {
        subject: { kind: 'user', issuerKey: 'iss', userId: all.userId },
        instant: all.createInstant,
        ttlMs: (Math.max(...ttls) + 60) * 1000,
      },
    ]);
    expect(effects.endSessionsOf).toBe(all.userId);
  });

  it('revokes one refresh-token family when the event names the token, and nothing broader', () => {
    const effects = effectsOf(
      event({ ...fixture('jwt.refresh-token.revoke.json'), refreshToken: { id: 'rt-9', applicationId: APP } }),
      ctx,
    );
    expect(effects).toMatchObject({ kind: 'effects', revocations: [{ subject: { kind: 'sid', sid: 'rt-9' } }] });
    expect((effects as { endSessionsOf?: string }).endSessionsOf).toBeUndefined();
  });

  it('revokes a whole application when no user is named', () => {
    expect(effectsOf(event({ type: 'jwt.refresh-token.revoke', applicationId: APP }), ctx)).toMatchObject({
      revocations: [{ subject: { kind: 'app', applicationId: APP }, ttlMs: (3600 + 60) * 1000 }],
    });
  });

  it.each(['user.deactivate.json', 'user.delete.json'])('revokes every token of the user for %s', (name) => {
    const body = fixture(name);
    expect(effectsOf(event(body), ctx)).toMatchObject({
      kind: 'effects',
      revocations: [
        { subject: { kind: 'user', userId: (body.user as { id: string }).id }, instant: body.createInstant },
      ],
      endSessionsOf: (body.user as { id: string }).id,
    });
  });

  it('revokes a registration of this application given the deactivated role, and ignores others', () => {
    const update = { ...fixture('user.registration.update.json'), applicationId: APP };
    const deactivated = { ...update, registration: { applicationId: APP, roles: ['user', 'deactivated'] } };
    expect(effectsOf(event(deactivated), ctx)).toMatchObject({
      kind: 'effects',
      revocations: [{ subject: { kind: 'user-app' } }],
    });
    const promoted = { ...update, registration: { applicationId: APP, roles: ['user', 'admin'] } };
    expect(effectsOf(event(promoted), ctx)).toEqual({ kind: 'ignored' });
    expect(effectsOf(event({ ...deactivated, applicationId: 'another-app' }), ctx)).toEqual({ kind: 'ignored' });
  });

  it("revokes the user's tokens for this application when the update takes a role away (an admin demoted)", () => {
    const demoted = {
      ...fixture('user.registration.update.json'),
      createInstant: 1000,
      applicationId: APP,
      user: { id: 'u1' },
      original: { applicationId: APP, roles: ['admin', 'user'] },
      registration: { applicationId: APP, roles: ['user'] },
    };
    expect(effectsOf(event(demoted), ctx)).toEqual({
      kind: 'effects',
      revocations: [
        {
          subject: { kind: 'user-app', issuerKey: 'iss', userId: 'u1', applicationId: APP },
          instant: 1000,
          ttlMs: (3600 + 60) * 1000,
        },
      ],
      endSessionsOf: 'u1',
    });
  });

  it('ignores an update that only adds roles, or only lifts deactivated, or says nothing of the roles before', () => {
    const update = (original: unknown, roles: string[]) =>
      effectsOf(
        event({
          type: 'user.registration.update',
          applicationId: APP,
          user: { id: 'u1' },
          ...(original ? { original } : {}),
          registration: { applicationId: APP, roles },
        }),
        ctx,
      );
    expect(update({ roles: ['user'] }, ['user', 'admin'])).toEqual({ kind: 'ignored' });
    expect(update({ roles: ['user', 'deactivated'] }, ['user'])).toEqual({ kind: 'ignored' });
    expect(update(undefined, ['user'])).toEqual({ kind: 'ignored' });
  });

  it('counts a role as lost when it is gone from the new roles, whatever the order', () => {
    expect(losesAccess(['admin', 'user'], ['user', 'admin'])).toBe(false);
    expect(losesAccess(['admin', 'user'], ['user'])).toBe(true);
    expect(losesAccess(['user'], [])).toBe(true);
    expect(losesAccess([], ['deactivated'])).toBe(true);
    expect(losesAccess(undefined, undefined)).toBe(false);
  });

  it('revokes a deleted registration of this application', () => {
    const deleted = {
      type: 'user.registration.delete',
      applicationId: APP,
      user: { id: 'u1' },
      registration: { applicationId: APP },
    };
    expect(effectsOf(event(deleted), ctx)).toMatchObject({
      revocations: [{ subject: { kind: 'user-app', userId: 'u1' } }],
      endSessionsOf: 'u1',
    });
  });

  it('refreshes the keys for a public-key update', () => {
    expect(effectsOf(event(fixture('jwt.public-key.update.json')), ctx)).toEqual({
      kind: 'effects',
      revocations: [],
      refreshKeys: true,
    });
  });

  it.each(['user.login.success.json', 'user.reactivate.json'])('reads nothing of %s: not a type it acts on', (name) => {
    const body = Buffer.from(JSON.stringify({ event: fixture(name) }));
    const { envelope, fields } = parseEnvelope(body);
    expect(readHandled(envelope, fields)).toBeUndefined();
  });

  describe('jwt.refresh', () => {
    const refresh = read({ type: 'jwt.refresh', userId: 'u1', applicationId: APP, original: 'a.b.c' });
    if (refresh.type !== 'jwt.refresh') throw new Error('not read as jwt.refresh');
    const now = 1_700_000_000_000;

    it('revokes the original token alone, by its jti, until it expires (plus the clock margin)', () => {
      const effects = refreshEffects(refresh, { token: 'a.b.c', jti: 'j1', exp: now / 1000 + 300 }, ctx, now);
      expect(effects).toEqual({
        kind: 'effects',
        revocations: [
          { subject: { kind: 'token', issuerKey: 'iss', tokenId: 'jti:j1' }, instant: 1000, ttlMs: (300 + 60) * 1000 },
        ],
      });
    });

    it('keys a token without a jti by the token itself, hashed like any subject', () => {
      const effects = refreshEffects(refresh, { token: 'a.b.c', exp: now / 1000 + 300 }, ctx, now);
      if (effects.kind !== 'effects') throw new Error('expected a revocation');
      const key = subjectKey(effects.revocations[0]!.subject);
      expect(key).toMatch(/^t:[A-Za-z0-9_-]{16}$/);
      expect(key).not.toContain('a.b.c');
    });

    it('never keeps the entry longer than ACCESS_TOKEN_TTL_S, whatever exp the token names', () => {
      const effects = refreshEffects(refresh, { token: 't', jti: 'j', exp: now / 1000 + 10 * 365 * 86400 }, ctx, now);
      expect(effects).toMatchObject({ revocations: [{ ttlMs: (3600 + 60) * 1000 }] });
    });

    it('stores nothing for a token that expired longer ago than the clock margin', () => {
      expect(refreshEffects(refresh, { token: 't', jti: 'j', exp: now / 1000 - 61 }, ctx, now)).toEqual({
        kind: 'ignored',
      });
    });
  });

  it('calls a revoke that names nothing malformed', () => {
    expect(effectsOf(event({ type: 'jwt.refresh-token.revoke' }), ctx).kind).toBe('malformed');
    expect(effectsOf(event({ type: 'user.deactivate' }), ctx).kind).toBe('malformed');
  });
});

describe('remainingEffects (a replayed event)', () => {
  const revokeAll = () => {
    const effects = effectsOf(event({ type: 'jwt.refresh-token.revoke', userId: 'u1' }), ctx);
    if (effects.kind !== 'effects') throw new Error('expected effects');
    return effects;
  };
  const lifeMs = () => revokeAll().revocations[0]!.ttlMs;

  it('keeps a revocation older than WEBHOOK_MAX_AGE_S for what is left of its tokens’ lifetime', () => {
    const left = remainingEffects(revokeAll(), 1000, 1000 + lifeMs() - 5000);
    expect(left?.revocations).toHaveLength(1);
    expect(left?.revocations[0]).toMatchObject({ instant: 1000, ttlMs: 5000 });
  });

  it('leaves out a revocation whose tokens have all expired, but still ends the sessions it names', () => {
    const left = remainingEffects(revokeAll(), 1000, 1000 + lifeMs());
    expect(left).toEqual({ kind: 'effects', revocations: [], endSessionsOf: 'u1' });
  });

  it('has nothing left to do for an expired revocation that ends no session', () => {
    const effects = effectsOf(event({ type: 'jwt.refresh-token.revoke', applicationId: APP }), ctx);
    if (effects.kind !== 'effects') throw new Error('expected effects');
    expect(remainingEffects(effects, 1000, 1000 + lifeMs())).toBeUndefined();
  });
});
