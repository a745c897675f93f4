import { LoginOutcome } from './login-outcome';
import { NewPasswordStep } from './password-step';

/** What a password-login request leads to; the controller renders it. */
export type PasswordLoginOutcome =
  | { readonly kind: 'signed-in'; readonly session: LoginOutcome }
  /** FusionAuth wants another step: it is kept in the session and its page shown. */
  | { readonly kind: 'step'; readonly step: NewPasswordStep }
  /** The login ends here: the login form again, with this message. */
  | { readonly kind: 'refused'; readonly status: number; readonly message: string }
  /** The same step's form again (a wrong code, a refused password), with field errors. */
  | {
      readonly kind: 'retry';
      readonly status: number;
      readonly errors: Readonly<Record<string, string>>;
      /** FusionAuth asked for a trust token: the form now asks for a code (and the email, if unknown). */
      readonly needsCode?: boolean;
    }
  /** A step that only informs (verification email sent, reset email started). */
  | { readonly kind: 'notice'; readonly message: string };

/** The words of each refusal; none says which of the email or the password was wrong. */
export const MESSAGES = {
  invalid: 'That email and password do not match an account. Check both and try again.',
  deactivated: 'This account is deactivated for this application. Contact an administrator.',
  expired: 'This account has expired. Contact an administrator to renew it.',
  locked: 'This account is locked. Contact an administrator.',
  prevented: 'Signing in to this account is blocked for now.',
  restart: 'That sign-in took too long or was already finished. Please log in again.',
  resetExpired: 'This password reset link has expired or was already used. Ask for a new one below.',
  wrongCode: 'That code is not correct. Check your authenticator app and try again.',
  needCode: 'Your account uses two-factor authentication: enter the code from your authenticator app to confirm.',
  needEmail: 'Enter the email address of your account.',
  resent: 'We sent the verification email again. Open the link in it, then log in.',
  resetStarted:
    'If an account exists for that address, we have sent it an email with a link to choose a new password. The link works for a few minutes.',
  resetDisabled: 'Password reset is not available here. Contact an administrator.',
  passwordChanged: 'Your password was changed. Log in with your new password.',
} as const;
