import { randomUUID } from 'node:crypto';
import {
  AuditLogCreateEvent,
  AuthenticationThreats,
  BaseEntityEvent,
  BaseEvent,
  BaseGroupEvent,
  BaseUserEvent,
  EventInfo,
  EventLogCreateEvent,
  EventLogType,
  EventType,
  GroupMemberAddEvent,
  JWTPublicKeyUpdateEvent,
  JWTRefreshEvent,
  JWTRefreshTokenRevokeEvent,
  KickstartSuccessEvent,
  TestEvent,
  User,
  UserActionEvent,
  UserActionPhase,
  UserBulkCreateEvent,
  UserEmailUpdateEvent,
  UserIdentityProviderLinkEvent,
  UserIdentityUpdateEvent,
  UserIdentityVerifiedEvent,
  UserLoginFailedEvent,
  UserLoginIdDuplicateOnCreateEvent,
  UserLoginSuccessEvent,
  UserLoginSuspiciousEvent,
  UserReactivateEvent,
  UserRegistration,
  UserRegistrationCreateEvent,
  UserRegistrationUpdateEvent,
  UserTwoFactorFailedAttemptEvent,
  UserTwoFactorMethodAddEvent,
  UserUpdateEvent,
} from '@fusionauth/typescript-client';

/** Who and what an event is about: a real user and application of the dev IdP the test runs. */
export interface EventSubject {
  readonly userId: string;
  readonly email: string;
  readonly applicationId: string;
  readonly tenantId: string;
  /** For `jwt.refresh`: the access token handed in (omitted when undefined) and the new one. */
  readonly original?: string;
  readonly token?: string;
}

type Build = (s: EventSubject) => BaseEvent;

const info = (): EventInfo => ({
  ipAddress: '42.42.42.42',
  location: { city: 'Denver', country: 'US', displayString: 'Denver, CO, US', latitude: 39.7, longitude: -104.9 },
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)',
});

const registration = (s: EventSubject, roles: string[]): UserRegistration => ({
  applicationId: s.applicationId,
  id: '00000000-0000-0002-0000-000000000000',
  insertInstant: 1446064706250,
  roles,
  usernameStatus: 'ACTIVE' as UserRegistration['usernameStatus'],
});

/** The user as FusionAuth puts it in an event: the API view with its registrations. */
const user = (s: EventSubject): User => ({
  active: true,
  email: s.email,
  id: s.userId,
  passwordChangeRequired: false,
  registrations: [registration(s, ['user'])],
  tenantId: s.tenantId,
  usernameStatus: 'ACTIVE' as User['usernameStatus'],
  verified: true,
});

const userEvent = (s: EventSubject): BaseUserEvent => ({ info: info(), tenantId: s.tenantId, user: user(s) });
const registrationEvent = (s: EventSubject): UserRegistrationCreateEvent => ({
  ...userEvent(s),
  applicationId: s.applicationId,
  registration: registration(s, ['user']),
});
const loginSuccess = (s: EventSubject): UserLoginSuccessEvent => ({
  ...userEvent(s),
  applicationId: s.applicationId,
  authenticationType: 'PASSWORD',
  connectorId: 'e3306678-a53a-4964-9040-1c96f36dda72',
  ipAddress: '42.42.42.42',
});
const group = (s: EventSubject): BaseGroupEvent => ({
  info: info(),
  tenantId: s.tenantId,
  group: { data: {}, id: '89450cd0-24a9-401d-a6ad-4116de45b8e2', name: 'Employees', roles: {}, tenantId: s.tenantId },
});
const members = (s: EventSubject): GroupMemberAddEvent => ({
  ...group(s),
  members: [{ data: { foo: 'bar' }, id: 'dd31009e-cf02-44d7-b025-1ca90bc14fdf', userId: s.userId }],
});
const entity = (s: EventSubject): BaseEntityEvent => ({
  info: info(),
  tenantId: s.tenantId,
  entity: {
    clientId: '092dbded-30af-4149-9c61-b578f2c72f59',
    data: {},
    id: '8174f72f-5ecd-4eae-8de8-7fef597b3473',
    name: "Erlich's Thermostat",
    tenantId: s.tenantId,
    type: { id: '4838d96a-4e7b-42c6-a4a1-ebc64952e1c8', name: 'Thermostat', permissions: [] },
  },
});
const twoFactor = (s: EventSubject): UserTwoFactorFailedAttemptEvent => ({
  ...userEvent(s),
  applicationId: s.applicationId,
  clientRisk: 'Low',
  messageType: 'SMS',
  method: 'sms',
});
const twoFactorMethod = (s: EventSubject): UserTwoFactorMethodAddEvent => ({
  ...userEvent(s),
  method: { id: '35VW', method: 'authenticator', name: 'Work phone', lastUsed: false },
});
const userUpdate = (s: EventSubject): UserUpdateEvent => ({
  ...userEvent(s),
  original: { ...user(s), firstName: 'Before' },
});
const identityLink = (s: EventSubject): UserIdentityProviderLinkEvent => ({
  ...userEvent(s),
  identityProviderLink: {
    displayName: s.email,
    identityProviderId: '82339786-3dff-42a6-aac6-1f1ceecb6c46',
    identityProviderName: 'Google',
    identityProviderUserId: '109876543210',
    tenantId: s.tenantId,
    userId: s.userId,
  },
});
const duplicate = (s: EventSubject): UserLoginIdDuplicateOnCreateEvent => ({
  ...userEvent(s),
  duplicateEmail: s.email,
  existing: user(s),
});

/**
 * Every event type in @fusionauth/typescript-client's EventType, each in the shape FusionAuth's
 * documentation gives (extend/events-and-webhooks/events/*) and typed with its event interface: a
 * type added to the client without a fixture here, or a fixture that drifts from the interface,
 * fails `tsc`. `id`, `type` and `createInstant` are added by `documentedEvent`.
 */
export const DOCUMENTED_EVENTS: Record<EventType, Build> = {
  [EventType.JWTPublicKeyUpdate]: (s): JWTPublicKeyUpdateEvent => ({
    tenantId: s.tenantId,
    applicationIds: [s.applicationId],
  }),
  [EventType.JWTRefreshTokenRevoke]: (s): JWTRefreshTokenRevokeEvent => ({
    ...userEvent(s),
    applicationId: s.applicationId,
    applicationTimeToLiveInSeconds: { [s.applicationId]: 3600 },
    userId: s.userId,
  }),
  [EventType.JWTRefresh]: (s): JWTRefreshEvent => ({
    tenantId: s.tenantId,
    applicationId: s.applicationId,
    ...(s.original === undefined ? {} : { original: s.original }),
    token: s.token ?? 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2ln',
    refreshToken: 'xRxGGEpVawiUak6He367W3oeOfh+3irw+1G1h1jc',
    userId: s.userId,
  }),
  [EventType.AuditLogCreate]: (s): AuditLogCreateEvent => ({
    info: info(),
    tenantId: s.tenantId,
    auditLog: {
      id: 1773,
      insertInstant: 1629141543059,
      insertUser: 'admin@example.com',
      message: `Updated the user with Id [${s.userId}]`,
      newValue: { ...user(s), lastName: 'Green' },
      oldValue: { ...user(s), lastName: 'Gray' },
      reason: 'FusionAuth User Interface',
      tenantId: s.tenantId,
    },
  }),
  [EventType.EventLogCreate]: (s): EventLogCreateEvent => ({
    tenantId: s.tenantId,
    eventLog: { id: 2, insertInstant: 1630617840000, message: 'An SMTP error occurred', type: EventLogType.Error },
  }),
  [EventType.KickstartSuccess]: (): KickstartSuccessEvent => ({ instanceId: '2ff3c8c3-e5b9-4c4c-a1e5-3bd6a4f6b4a2' }),
  [EventType.GroupCreate]: group,
  [EventType.GroupCreateComplete]: group,
  [EventType.GroupDelete]: group,
  [EventType.GroupDeleteComplete]: group,
  [EventType.GroupMemberAdd]: members,
  [EventType.GroupMemberAddComplete]: members,
  [EventType.GroupMemberRemove]: members,
  [EventType.GroupMemberRemoveComplete]: members,
  [EventType.GroupMemberUpdate]: members,
  [EventType.GroupMemberUpdateComplete]: members,
  [EventType.GroupUpdate]: group,
  [EventType.GroupUpdateComplete]: group,
  [EventType.UserAction]: (s): UserActionEvent => ({
    action: 'Mute',
    actionId: '8c10cd8d-251b-4ebc-9171-6a7a2e8ed390',
    actioneeUserId: s.userId,
    actionerUserId: '1219c8e2-c0c2-4efc-9323-6ee9062e9c1f',
    applicationIds: [s.applicationId],
    comment: 'a comment',
    emailedUser: false,
    expiry: 1408554564119,
    localizedAction: 'Mute',
    localizedDuration: '2 days',
    notifyUser: true,
    option: 'soft',
    phase: UserActionPhase.start,
    reason: 'Misconduct',
    reasonCode: '123',
    tenantId: s.tenantId,
  }),
  [EventType.UserBulkCreate]: (s): UserBulkCreateEvent => ({ tenantId: s.tenantId, users: [user(s)] }),
  [EventType.UserCreate]: userEvent,
  [EventType.UserCreateComplete]: userEvent,
  [EventType.UserDeactivate]: userEvent,
  [EventType.UserDelete]: userEvent,
  [EventType.UserDeleteComplete]: userEvent,
  [EventType.UserEmailUpdate]: (s): UserEmailUpdateEvent => ({ ...userEvent(s), previousEmail: `old-${s.email}` }),
  [EventType.UserEmailVerified]: userEvent,
  [EventType.UserIdentityProviderLink]: identityLink,
  [EventType.UserIdentityProviderUnlink]: identityLink,
  [EventType.UserLoginIdDuplicateOnCreate]: duplicate,
  [EventType.UserLoginIdDuplicateOnUpdate]: duplicate,
  [EventType.UserLoginFailed]: (s): UserLoginFailedEvent => ({
    ...userEvent(s),
    applicationId: s.applicationId,
    authenticationType: 'PASSWORD',
    ipAddress: '42.42.42.42',
    reason: { code: 'credentials' },
  }),
  [EventType.UserLoginNewDevice]: loginSuccess,
  [EventType.UserLoginSuccess]: loginSuccess,
  [EventType.UserLoginSuspicious]: (s): UserLoginSuspiciousEvent => ({
    ...loginSuccess(s),
    threatsDetected: [AuthenticationThreats.ImpossibleTravel],
  }),
  [EventType.UserTwoFactorChallenge]: twoFactor,
  [EventType.UserPasswordBreach]: userEvent,
  [EventType.UserPasswordResetSend]: userEvent,
  [EventType.UserPasswordResetStart]: userEvent,
  [EventType.UserPasswordResetSuccess]: userEvent,
  [EventType.UserPasswordUpdate]: userEvent,
  [EventType.UserReactivate]: (s): UserReactivateEvent => ({ tenantId: s.tenantId, user: user(s) }),
  [EventType.UserRegistrationCreate]: registrationEvent,
  [EventType.UserRegistrationCreateComplete]: registrationEvent,
  [EventType.UserRegistrationDelete]: registrationEvent,
  [EventType.UserRegistrationDeleteComplete]: registrationEvent,
  // The documented example takes the role `user` away and gives `admin`.
  [EventType.UserRegistrationUpdate]: (s): UserRegistrationUpdateEvent => ({
    ...registrationEvent(s),
    original: registration(s, ['user']),
    registration: registration(s, ['admin']),
  }),
  [EventType.UserRegistrationUpdateComplete]: (s): UserRegistrationUpdateEvent => ({
    ...registrationEvent(s),
    original: registration(s, ['user']),
    registration: registration(s, ['admin']),
  }),
  [EventType.UserRegistrationVerified]: registrationEvent,
  [EventType.UserTwoFactorMethodAdd]: twoFactorMethod,
  [EventType.UserTwoFactorMethodRemove]: twoFactorMethod,
  [EventType.UserUpdate]: userUpdate,
  [EventType.UserUpdateComplete]: userUpdate,
  [EventType.Test]: (s): TestEvent => ({
    tenantId: s.tenantId,
    message: 'You are receiving this event because your webhook is configured',
  }),
  [EventType.UserIdentityVerified]: (s): UserIdentityVerifiedEvent => ({
    ...userEvent(s),
    loginId: s.email,
    loginIdType: 'email',
  }),
  [EventType.UserIdentityUpdate]: (s): UserIdentityUpdateEvent => ({
    ...userEvent(s),
    loginIdType: 'email',
    newLoginId: s.email,
    previousLoginId: `old-${s.email}`,
  }),
  [EventType.UserTwoFactorFailedAttempt]: twoFactor,
  [EventType.UserTwoFactorSuccess]: twoFactor,
  [EventType.EntityCreate]: entity,
  [EventType.EntityCreateComplete]: entity,
  [EventType.EntityDelete]: entity,
  [EventType.EntityDeleteComplete]: entity,
  [EventType.EntityUpdate]: entity,
  [EventType.EntityUpdateComplete]: entity,
};

/** `{"event": …}` of one type, as FusionAuth sends it now: a fresh id, this moment's instant. */
export function documentedEvent(type: EventType, subject: EventSubject): { event: BaseEvent } {
  return { event: { ...DOCUMENTED_EVENTS[type](subject), id: randomUUID(), type, createInstant: Date.now() } };
}
