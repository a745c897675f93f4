import { randomBytes } from 'node:crypto';
import type { Tenant } from '@fusionauth/typescript-client';

/** A Two Factor Login not yet completed: after a 242, or a step-up begun at /api/two-factor/start. */
export interface PendingTwoFactor {
  readonly userId: string;
  readonly applicationId?: string;
  /** `step-up`: started by /api/two-factor/start; completing it yields a trust token, not a session. */
  readonly kind: 'login' | 'step-up';
  readonly trustChallenge?: string;
  /** The code /api/two-factor/start generated (FusionAuth's code for message-based delivery). */
  readonly code?: string;
  readonly expiresAt: number;
}

interface Expiring {
  readonly userId: string;
  readonly expiresAt: number;
}

export interface TrustToken extends Expiring {
  readonly trustChallenge?: string;
}

export interface Verification extends Expiring {
  readonly kind: 'email' | 'registration';
  readonly applicationId?: string;
}

/** FusionAuth's defaults (Tenant → Advanced → External identifier durations), in seconds. */
const DEFAULT_TTL_S = {
  twoFactorId: 300,
  changePasswordId: 600,
  trustToken: 180,
  oneTimePassword: 60,
  verification: 86_400,
  twoFactorTrust: 2_592_000,
};

type Kind = keyof typeof DEFAULT_TTL_S;

const TTL_FIELDS: Record<Kind, keyof NonNullable<Tenant['externalIdentifierConfiguration']>> = {
  twoFactorId: 'twoFactorIdTimeToLiveInSeconds',
  changePasswordId: 'changePasswordIdTimeToLiveInSeconds',
  trustToken: 'trustTokenTimeToLiveInSeconds',
  oneTimePassword: 'oneTimePasswordTimeToLiveInSeconds',
  verification: 'emailVerificationIdTimeToLiveInSeconds',
  twoFactorTrust: 'twoFactorTrustIdTimeToLiveInSeconds',
};

/**
 * The short-lived identifiers of FusionAuth's login flows: each is random, expires, and (but for a
 * two-factor trust) works once. Taking one that expired or was used finds nothing.
 */
export class LoginFlows {
  readonly twoFactor = new Map<string, PendingTwoFactor>();
  readonly changePassword = new Map<string, Expiring>();
  readonly trustTokens = new Map<string, TrustToken>();
  readonly oneTimePasswords = new Map<string, Expiring>();
  readonly verifications = new Map<string, Verification>();
  readonly twoFactorTrusts = new Map<string, Expiring>();

  constructor(private readonly now: () => number) {}

  expiry(tenant: Tenant | undefined, kind: Kind): number {
    const configured = tenant?.externalIdentifierConfiguration?.[TTL_FIELDS[kind]];
    return this.now() + (typeof configured === 'number' ? configured : DEFAULT_TTL_S[kind]) * 1000;
  }

  issue<T extends { expiresAt: number }>(map: Map<string, T>, value: T): string {
    const id = randomBytes(32).toString('base64url');
    map.set(id, value);
    return id;
  }

  /** The value, if it exists and has not expired; it stays (two-factor ids survive a wrong code). */
  peek<T extends { expiresAt: number }>(map: Map<string, T>, id: unknown): T | undefined {
    if (typeof id !== 'string') return undefined;
    const value = map.get(id);
    if (!value) return undefined;
    if (value.expiresAt <= this.now()) {
      map.delete(id);
      return undefined;
    }
    return value;
  }

  /** The value, removed: each identifier works once. */
  take<T extends { expiresAt: number }>(map: Map<string, T>, id: unknown): T | undefined {
    const value = this.peek(map, id);
    if (value) map.delete(id as string);
    return value;
  }

  /** FusionAuth: a successful password change expires every outstanding changePasswordId of the user. */
  forgetChangePasswordIdsOf(userId: string): void {
    for (const [id, value] of this.changePassword) if (value.userId === userId) this.changePassword.delete(id);
  }
}
