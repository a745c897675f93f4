import type {
  JWTRefreshEvent,
  JWTRefreshTokenRevokeEvent,
  RefreshToken,
  User,
  UserRegistration,
  UserRegistrationUpdateEvent,
} from '@fusionauth/typescript-client';
import { AppError } from '../common/app.errors';

/** What every FusionAuth event carries, checked before its type is looked at. */
export interface EventEnvelope {
  readonly id: string;
  readonly type: string;
  /** ms since the epoch. */
  readonly createInstant: number;
}

type Registration = Pick<UserRegistration, 'applicationId' | 'roles'>;
type Of<T extends string, Fields> = EventEnvelope & { readonly type: T } & Readonly<Fields>;

/**
 * The types the service acts on, each with only the fields it reads, named and typed as in
 * @fusionauth/typescript-client's event interfaces (a renamed field fails to compile here).
 */
export type HandledEvent =
  | Of<
      'jwt.refresh-token.revoke',
      Pick<JWTRefreshTokenRevokeEvent, 'userId' | 'applicationId' | 'applicationTimeToLiveInSeconds'> & {
        user?: Pick<User, 'id'>;
        refreshToken?: Required<Pick<RefreshToken, 'id'>> & Pick<RefreshToken, 'applicationId'>;
      }
    >
  | Of<'jwt.refresh', Pick<JWTRefreshEvent, 'userId' | 'applicationId' | 'original'>>
  | Of<'user.deactivate' | 'user.delete', { user?: Pick<User, 'id'> }>
  | Of<'user.registration.delete', { applicationId?: string; user?: Pick<User, 'id'>; registration?: Registration }>
  | Of<
      'user.registration.update',
      Pick<UserRegistrationUpdateEvent, 'applicationId'> & {
        user?: Pick<User, 'id'>;
        registration?: Registration;
        original?: Registration;
      }
    >
  | Of<'jwt.public-key.update', object>;

export type HandledType = HandledEvent['type'];

const HANDLED: Record<HandledType, true> = {
  'jwt.refresh-token.revoke': true,
  'jwt.refresh': true,
  'user.deactivate': true,
  'user.delete': true,
  'user.registration.delete': true,
  'user.registration.update': true,
  'jwt.public-key.update': true,
};
/** Every type the service acts on (a type added to HandledEvent must be added here: it does not compile otherwise). */
export const HANDLED_TYPES = Object.keys(HANDLED) as HandledType[];

const MAX_ID_LENGTH = 128;
type Fields = Record<string, unknown>;

/** An event whose envelope has been checked; its other fields are read by type (readHandled). */
export interface ParsedEvent {
  readonly envelope: EventEnvelope;
  readonly fields: Fields;
}

/** The body's envelope `{"event": {id, type, createInstant, …}}`; 400 when it is not one. */
export function parseEnvelope(body: Buffer): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('BAD_REQUEST', 'the body is not JSON');
  }
  return readEnvelope(json);
}

/**
 * The envelope of an event request already parsed from JSON: a webhook's body, or the `event` a
 * Webhook Event Log entry stores (FusionAuth keeps the whole request, `{"event": {…}}`).
 */
export function readEnvelope(json: unknown): ParsedEvent {
  const fields = isObject(json) ? json.event : undefined;
  if (!isObject(fields)) throw new AppError('BAD_REQUEST', 'not a FusionAuth event: no event object');
  const { id, type, createInstant } = fields;
  if (!isId(id)) throw malformed('id');
  if (!isId(type)) throw malformed('type');
  if (typeof createInstant !== 'number' || !Number.isSafeInteger(createInstant) || createInstant < 0)
    throw malformed('createInstant');
  return { envelope: { id, type, createInstant }, fields };
}

/** The fields a handled type reads (400 when one of them has the wrong shape); undefined for any other type. */
export function readHandled(envelope: EventEnvelope, fields: Fields): HandledEvent | undefined {
  const type = envelope.type as HandledType;
  switch (type) {
    case 'jwt.refresh-token.revoke':
      return {
        ...envelope,
        type,
        userId: id(fields, 'userId'),
        applicationId: id(fields, 'applicationId'),
        applicationTimeToLiveInSeconds: ttls(fields.applicationTimeToLiveInSeconds),
        user: withId(fields, 'user'),
        refreshToken: refreshToken(fields.refreshToken),
      };
    case 'jwt.refresh':
      // `original` is the access token the client handed in, relayed as given: a string of any content.
      return {
        ...envelope,
        type,
        userId: id(fields, 'userId'),
        applicationId: id(fields, 'applicationId'),
        original: text(fields, 'original'),
      };
    case 'user.deactivate':
    case 'user.delete':
      return { ...envelope, type, user: withId(fields, 'user') };
    case 'user.registration.delete':
    case 'user.registration.update':
      return {
        ...envelope,
        type,
        applicationId: id(fields, 'applicationId'),
        user: withId(fields, 'user'),
        registration: registration(fields.registration, 'registration'),
        original: registration(fields.original, 'original'),
      };
    case 'jwt.public-key.update':
      return { ...envelope, type };
    default:
      return undefined;
  }
}

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
const malformed = (field: string) => new AppError('BAD_REQUEST', `not a FusionAuth event: ${field}`);
/** FusionAuth leaves out what does not apply; `null` is read the same way. */
const absent = (value: unknown): value is undefined | null => value === undefined || value === null;

function id(fields: Fields, name: string, path = name): string | undefined {
  const value = fields[name];
  if (absent(value)) return undefined;
  if (!isId(value)) throw malformed(path);
  return value;
}

function text(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw malformed(name);
  return value;
}

function withId(fields: Fields, name: string): { id?: string } | undefined {
  const value = fields[name];
  if (absent(value)) return undefined;
  if (!isObject(value)) throw malformed(name);
  return { id: id(value, 'id', `${name}.id`) };
}

function refreshToken(value: unknown): { id: string; applicationId?: string } | undefined {
  if (absent(value)) return undefined;
  if (!isObject(value)) throw malformed('refreshToken');
  const tokenId = id(value, 'id', 'refreshToken.id');
  if (tokenId === undefined) throw malformed('refreshToken.id');
  return { id: tokenId, applicationId: id(value, 'applicationId', 'refreshToken.applicationId') };
}

function registration(value: unknown, name: string): Registration | undefined {
  if (absent(value)) return undefined;
  if (!isObject(value)) throw malformed(name);
  const roles = value.roles;
  if (!absent(roles) && (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')))
    throw malformed(`${name}.roles`);
  return {
    applicationId: id(value, 'applicationId', `${name}.applicationId`),
    roles: absent(roles) ? undefined : (roles as string[]),
  };
}

/** Positive numbers only; anything else in the map is left out (the default lifetime applies). */
function ttls(value: unknown): Record<string, number> | undefined {
  if (absent(value)) return undefined;
  if (!isObject(value)) throw malformed('applicationTimeToLiveInSeconds');
  const out: Record<string, number> = {};
  for (const [applicationId, ttl] of Object.entries(value)) {
    if (typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0) out[applicationId] = ttl;
  }
  return out;
}
