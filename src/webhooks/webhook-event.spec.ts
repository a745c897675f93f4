import { AppError } from '../common/app.errors';
import { parseEnvelope, readHandled } from './webhook-event';

const envelope = { id: 'e1', type: 'user.update', createInstant: 1000 };
const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const read = (event: Record<string, unknown>) => {
  const { envelope: checked, fields } = parseEnvelope(body({ event: { ...envelope, ...event } }));
  return readHandled(checked, fields);
};
const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'BAD_REQUEST') return error.detail ?? '';
    throw error;
  }
  throw new Error('expected a 400');
};

describe('the webhook envelope', () => {
  it('reads id, type and createInstant, nothing else', () => {
    expect(parseEnvelope(body({ event: { ...envelope, user: { id: 'u1' } } })).envelope).toEqual(envelope);
  });

  it.each<[string, unknown]>([
    ['a body that is not JSON', '{"event": {'],
    ['JSON that is not an object', '[1, 2]'],
    ['no event', { notAnEvent: true }],
    ['an event that is not an object', { event: 'user.delete' }],
    ['no id', { event: { type: 'user.delete', createInstant: 1 } }],
    ['an empty id', { event: { ...envelope, id: '' } }],
    ['an id over 128 characters', { event: { ...envelope, id: 'x'.repeat(129) } }],
    ['a numeric type', { event: { ...envelope, type: 7 } }],
    ['createInstant as a string', { event: { ...envelope, createInstant: 'yesterday' } }],
    ['a fractional createInstant', { event: { ...envelope, createInstant: 1.5 } }],
    ['a negative createInstant', { event: { ...envelope, createInstant: -1 } }],
  ])('refuses %s with 400', (_name, value) => {
    expect(refusal(() => parseEnvelope(body(value)))).toMatch(/^(the body is not JSON|not a FusionAuth event)/);
  });
});

describe('the fields of each handled type', () => {
  it('reads nothing of a type it does not act on, whatever its fields hold', () => {
    expect(read({ type: 'user.update', user: 'not an object', original: 42, refreshToken: [] })).toBeUndefined();
    expect(read({ type: 'group.member.add', members: { 'g-1': [{ userId: 'u1' }] } })).toBeUndefined();
  });

  it("reads jwt.refresh's original and refreshToken as the strings FusionAuth sends", () => {
    expect(
      read({ type: 'jwt.refresh', userId: 'u1', applicationId: 'a1', original: 'a.b.c', refreshToken: 'xRx+3/w=' }),
    ).toEqual({ ...envelope, type: 'jwt.refresh', userId: 'u1', applicationId: 'a1', original: 'a.b.c' });
    expect(read({ type: 'jwt.refresh', userId: 'u1', token: 'new' })).toMatchObject({ original: undefined });
  });

  it('reads a null field as an absent one', () => {
    expect(read({ type: 'user.delete', user: { id: 'u1' }, applicationId: null })).toEqual({
      ...envelope,
      type: 'user.delete',
      user: { id: 'u1' },
    });
  });

  it('keeps only positive lifetimes from applicationTimeToLiveInSeconds', () => {
    expect(
      read({
        type: 'jwt.refresh-token.revoke',
        userId: 'u1',
        applicationTimeToLiveInSeconds: { a: 600, b: -1, c: 'x' },
      }),
    ).toMatchObject({ applicationTimeToLiveInSeconds: { a: 600 } });
  });

  it.each<[string, Record<string, unknown>]>([
    ['user.id', { type: 'user.delete', user: { id: 42 } }],
    ['user', { type: 'user.deactivate', user: 'u1' }],
    ['userId', { type: 'jwt.refresh-token.revoke', userId: ['u1'] }],
    ['refreshToken', { type: 'jwt.refresh-token.revoke', refreshToken: 'rt' }],
    ['refreshToken.id', { type: 'jwt.refresh-token.revoke', refreshToken: { applicationId: 'a1' } }],
    ['applicationTimeToLiveInSeconds', { type: 'jwt.refresh-token.revoke', applicationTimeToLiveInSeconds: 600 }],
    ['original', { type: 'jwt.refresh', original: { token: 'a.b.c' } }],
    ['registration.roles', { type: 'user.registration.update', registration: { roles: 'admin' } }],
    ['original.roles', { type: 'user.registration.update', original: { roles: [1] } }],
    ['registration.applicationId', { type: 'user.registration.delete', registration: { applicationId: 9 } }],
  ])('refuses %s of the wrong shape in a type that reads it, with 400', (field, event) => {
    expect(refusal(() => read(event))).toBe(`not a FusionAuth event: ${field}`);
  });
});
