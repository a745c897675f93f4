import type {
  Application,
  LoginPreventedResponse,
  TwoFactorMethod,
  User,
  UserActionLog,
  UserRegistration,
} from '@fusionauth/typescript-client';
import { DevIdpState, StoredUser } from './dev-idp-state';
import { verifyPassword } from './passwords';
import { verifyTotp } from './totp';

/** What FusionAuth decides for a login, status by status (apis/login, response codes). */
export type Decision =
  | { readonly status: 404 | 410 | 423 }
  | { readonly status: 409; readonly actions: LoginPreventedResponse[] }
  | { readonly status: 242; readonly twoFactorId: string; readonly methods: TwoFactorMethod[] }
  | { readonly status: 203; readonly changePasswordId: string; readonly reason: string; readonly trustToken?: string }
  | { readonly status: 212 | 213; readonly user: User }
  | { readonly status: 200 | 202; readonly stored: StoredUser; readonly registration?: UserRegistration };

/**
 * A password login. As FusionAuth does, an inactive (deactivated) user is refused with 423 before
 * the password is checked (fusionauth-issues#2524: any password gets 423), an unknown user or a
 * wrong password with the same empty 404.
 */
export async function authenticate(
  state: DevIdpState,
  stored: StoredUser | undefined,
  password: string,
  application: Application,
  twoFactorTrustId?: string,
): Promise<Decision> {
  if (!stored) return { status: 404 };
  if (stored.user.active === false) return { status: 423 };
  if (!(await verifyPassword(password, stored.passwordHash))) return { status: 404 };
  return afterPassword(state, stored, application, { trusted: isTrusted(state, stored, twoFactorTrustId) });
}

/** After the password (or a one-time password): actions, expiry, then the second factor. */
export function afterPassword(
  state: DevIdpState,
  stored: StoredUser,
  application: Application,
  options: { trusted: boolean },
): Decision {
  const { user } = stored;
  const actions = state.preventingActions(user.id!, application.id);
  if (actions.length > 0) return { status: 409, actions: actions.map((a) => prevented(state, user, a)) };
  if (user.expiry !== undefined && user.expiry <= state.now()) return { status: 410 };
  const methods = user.twoFactor?.methods ?? [];
  if (methods.length > 0 && !options.trusted) {
    const tenant = state.tenants.get(user.tenantId!);
    const expiresAt = state.flows.expiry(tenant, 'twoFactorId');
    const pending = { userId: user.id!, applicationId: application.id, kind: 'login' as const, expiresAt };
    const twoFactorId = state.flows.issue(state.flows.twoFactor, pending);
    return { status: 242, twoFactorId, methods: methods.map(({ secret: _secret, ...method }) => method) };
  }
  return afterSecondFactor(state, stored, application, { secondFactor: false });
}

/**
 * After both factors: a required password change (203, with a trust token when the second factor
 * was just proven, as a change by id needs one for a two-factor user), then verification gates.
 */
export function afterSecondFactor(
  state: DevIdpState,
  stored: StoredUser,
  application: Application,
  options: { secondFactor: boolean },
): Decision {
  const { user } = stored;
  const tenant = state.tenants.get(user.tenantId!);
  if (user.passwordChangeRequired) {
    const changePasswordId = state.flows.issue(state.flows.changePassword, {
      userId: user.id!,
      expiresAt: state.flows.expiry(tenant, 'changePasswordId'),
    });
    const trustToken = options.secondFactor ? issueTrustToken(state, user) : undefined;
    return { status: 203, changePasswordId, reason: user.passwordChangeReason ?? 'Administrative', trustToken };
  }
  const email = tenant?.emailConfiguration;
  if (email?.verifyEmail && gated(email.unverified?.behavior) && user.verified !== true) return { status: 212, user };
  const registration = state.registration(user, application.id!);
  const gatesRegistration = application.verifyRegistration && gated(application.unverified?.behavior);
  if (registration && gatesRegistration && registration.verified !== true) return { status: 213, user };
  return registration ? { status: 200, stored, registration } : { status: 202, stored };
}

/** A second-factor code: the user's authenticator (TOTP), the code /api/two-factor/start made, or a recovery code. */
export function acceptsCode(state: DevIdpState, stored: StoredUser, code: string, generated?: string): boolean {
  const methods = stored.user.twoFactor?.methods ?? [];
  const now = state.now();
  const totpOk = methods.some(
    (m) => m.method === 'authenticator' && m.secret && verifyTotp(Buffer.from(m.secret, 'base64'), code, now),
  );
  if (totpOk || (generated !== undefined && generated === code)) return true;
  const recovery = stored.user.twoFactor?.recoveryCodes ?? [];
  const index = recovery.findIndex((r) => r.toLowerCase() === code.toLowerCase());
  // A recovery code works once.
  if (index >= 0) stored.user.twoFactor!.recoveryCodes = recovery.filter((_, i) => i !== index);
  return index >= 0;
}

export function issueTrustToken(state: DevIdpState, user: User, trustChallenge?: string): string {
  const tenant = state.tenants.get(user.tenantId!);
  const expiresAt = state.flows.expiry(tenant, 'trustToken');
  return state.flows.issue(state.flows.trustTokens, { userId: user.id!, trustChallenge, expiresAt });
}

/** `Gated`: the user gets no token until verified (a paid FusionAuth feature; lifecycle/.../verification). */
const gated = (behavior: string | undefined): boolean => behavior === 'Gated';

function isTrusted(state: DevIdpState, stored: StoredUser, twoFactorTrustId: string | undefined): boolean {
  const trust = state.flows.peek(state.flows.twoFactorTrusts, twoFactorTrustId);
  return trust?.userId === stored.user.id;
}

/** apis/login 409: each preventing action, with its localized name and reason. */
function prevented(state: DevIdpState, user: User, log: UserActionLog): LoginPreventedResponse {
  const action = state.userActions.get(log.userActionId ?? '');
  const language = user.preferredLanguages?.[0] ?? 'en';
  return {
    actionId: log.id,
    actionerUserId: log.actionerUserId,
    expiry: log.expiry,
    name: action?.name,
    localizedName: action?.localizedNames?.[language] ?? action?.name,
    reason: log.reason,
    reasonCode: log.reasonCode,
    localizedReason: log.localizedReason ?? log.reason,
    option: log.option,
    localizedOption: log.localizedOption ?? log.option,
  };
}
