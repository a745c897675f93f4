import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { effectsOf } from './webhook-effects';
import { WebhookEventDto } from './webhook-event.dto';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'fusionauth');
const fixture = (name: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { event: Record<string, unknown> }).event;
const event = (fields: Record<string, unknown>) =>
  plainToInstance(WebhookEventDto, { id: 'e1', createInstant: 1000, ...fields });

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
    expect(effectsOf(event(update), ctx)).toEqual({ kind: 'ignored' });
    expect(effectsOf(event({ ...deactivated, applicationId: 'another-app' }), ctx)).toEqual({ kind: 'ignored' });
  });

  it('ignores a role change that does not deactivate, as the contract says', () => {
    const demoted = {
      ...fixture('user.registration.update.json'),
      applicationId: APP,
      original: { roles: ['admin', 'user'] },
      registration: { applicationId: APP, roles: ['user'] },
    };
    expect(effectsOf(event(demoted), ctx)).toEqual({ kind: 'ignored' });
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

  it.each(['user.login.success.json', 'user.reactivate.json'])('ignores %s', (name) => {
    expect(effectsOf(event(fixture(name)), ctx)).toEqual({ kind: 'ignored' });
  });

  it('calls a revoke that names nothing malformed', () => {
    expect(effectsOf(event({ type: 'jwt.refresh-token.revoke' }), ctx).kind).toBe('malformed');
    expect(effectsOf(event({ type: 'user.deactivate' }), ctx).kind).toBe('malformed');
  });
});
