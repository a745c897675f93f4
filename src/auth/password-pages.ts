import type { Response } from 'express';
import { MESSAGES } from './password-login-outcome';
import { PasswordStep, PasswordStepKind } from './password-step';

/** Where each step's page is; its form posts back to the same path. */
export const STEP_PATHS: Readonly<Record<PasswordStepKind, string>> = {
  'two-factor': '/auth/password-login/two-factor',
  'change-password': '/auth/password-login/change-password',
  verify: '/auth/password-login/verify',
};

const VIEWS: Readonly<Record<PasswordStepKind, string>> = {
  'two-factor': 'password-two-factor',
  'change-password': 'password-choose',
  verify: 'password-verify',
};

/** FusionAuth's `changePasswordReason` (apis/login, 203), in words. */
const REASONS: Readonly<Record<string, string>> = {
  Administrative: 'An administrator asks you to choose a new password before you continue.',
  Breached: 'Your password has appeared in a data breach. Choose a new one before you continue.',
  Expired: 'Your password has expired. Choose a new one before you continue.',
  Validation: 'Your password no longer meets the password rules. Choose a new one before you continue.',
};

/** A page's own model; the CSRF token, the user and the flash come from res.locals. */
export interface StepPage {
  readonly errors?: Readonly<Record<string, string>>;
  readonly needsCode?: boolean;
  readonly notice?: string;
}

/** A step's page: its form carries the step's handle, never FusionAuth's identifiers. */
export function renderStep(res: Response, status: number, step: PasswordStep, page: StepPage): void {
  res.status(status).render(VIEWS[step.kind], {
    title:
      step.kind === 'two-factor'
        ? 'Two-factor authentication'
        : step.kind === 'verify'
          ? 'Verify your email'
          : 'Choose a new password',
    action: STEP_PATHS[step.kind],
    handle: step.handle,
    reason:
      step.origin === 'reset'
        ? 'Choose a new password for your account.'
        : (REASONS[step.reason ?? ''] ?? REASONS.Administrative),
    registration: step.verify === 'registration',
    askEmail: page.needsCode && !step.loginId,
    ...page,
  });
}

export interface LoginPage {
  readonly title: string;
  /** Shown back in the form: never the password. */
  readonly form: { readonly email?: string; readonly returnTo?: string };
  readonly error?: string;
  readonly notice?: string;
}

export function loginPage(page: Omit<LoginPage, 'title' | 'form'> & LoginPage['form'] = {}): LoginPage {
  const { email, returnTo, ...rest } = page;
  return { title: 'Log in', form: { email, returnTo }, ...rest };
}

export function renderLogin(res: Response, status: number, page: Parameters<typeof loginPage>[0]): void {
  res.status(status).render('password-login', loginPage(page));
}

export function renderNotice(res: Response, status: number, message: string): void {
  const title = message === MESSAGES.passwordChanged ? 'Password changed' : 'Check your email';
  res.status(status).render('password-notice', { title, message });
}
