import { timingSafeEqual } from 'node:crypto';

export type PasswordStepKind = 'two-factor' | 'change-password' | 'verify';

/**
 * A password login that FusionAuth has not finished: the second factor (242), a required password
 * change (203, or a reset link), or an unverified address (212/213). It lives in this browser's
 * session only: FusionAuth's `twoFactorId` and `changePasswordId` never reach a page, a URL or a log.
 */
export interface PasswordStep {
  readonly kind: PasswordStepKind;
  /** Random; the step's form carries it, so a form from an older step (another tab) changes nothing. */
  readonly handle: string;
  /** The configured provider the login went to. */
  readonly provider: string;
  /** Where the login started: the login form, or a reset link FusionAuth mailed. */
  readonly origin: 'login' | 'reset';
  /** The email typed at the login form (unknown for a reset link). */
  readonly loginId?: string;
  readonly returnTo?: string;
  readonly twoFactorId?: string;
  readonly changePasswordId?: string;
  /** From a Two Factor Login that ended in 203: lets FusionAuth accept the change by id. */
  readonly trustToken?: string;
  /** FusionAuth's `changePasswordReason`. */
  readonly reason?: string;
  readonly verify?: 'email' | 'registration';
  /** When the step began (ms). */
  readonly createdAt: number;
  /** Wrong codes or refused passwords so far. */
  readonly attempts: number;
}

export type NewPasswordStep = Omit<PasswordStep, 'handle' | 'createdAt' | 'attempts'>;

declare module 'express-session' {
  interface SessionData {
    /** At most one unfinished password login per browser; a new login replaces it. */
    passwordStep?: PasswordStep;
  }
}

/** FusionAuth keeps a twoFactorId 5 minutes and a changePasswordId 10 (their defaults); no longer here. */
export const STEP_LIFETIME_MS: Readonly<Record<PasswordStepKind, number>> = {
  'two-factor': 5 * 60_000,
  'change-password': 10 * 60_000,
  verify: 10 * 60_000,
};

/** Wrong codes (or refused passwords) allowed per step before the login must start again. */
export const MAX_STEP_ATTEMPTS = 5;

export function newStep(step: NewPasswordStep, now: number, handle: string): PasswordStep {
  return { ...step, handle, createdAt: now, attempts: 0 };
}

/**
 * The step a submitted form may act on: this session's, of the form's kind, named by the form's
 * handle, not expired and not used up. Anything else is no step at all.
 */
export function currentStep(
  stored: PasswordStep | undefined,
  kind: PasswordStepKind,
  handle: unknown,
  now: number,
): PasswordStep | undefined {
  const step = liveStep(stored, kind, now);
  if (!step || typeof handle !== 'string' || !sameHandle(handle, step.handle)) return undefined;
  return step;
}

/** This session's step of a kind, for showing its page (no handle yet: the page hands it out). */
export function liveStep(
  stored: PasswordStep | undefined,
  kind: PasswordStepKind,
  now: number,
): PasswordStep | undefined {
  if (!stored || stored.kind !== kind) return undefined;
  if (now - stored.createdAt >= STEP_LIFETIME_MS[kind] || now < stored.createdAt) return undefined;
  if (stored.attempts >= MAX_STEP_ATTEMPTS) return undefined;
  return stored;
}

/** After a wrong code: the same step with one attempt more, or none when the attempts are used up. */
export function afterFailedAttempt(step: PasswordStep): PasswordStep | undefined {
  const next = { ...step, attempts: step.attempts + 1 };
  return next.attempts >= MAX_STEP_ATTEMPTS ? undefined : next;
}

function sameHandle(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
