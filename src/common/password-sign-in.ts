import type { Request } from 'express';

/**
 * `ok`: signed in. `refused`: FusionAuth said no. `deactivated`: the right password, but the
 * `deactivated` role. `incomplete`: FusionAuth wants another step first (a second factor, a new
 * password, a verified email), which only the login form offers.
 */
export type SignInResult = 'ok' | 'refused' | 'deactivated' | 'incomplete';

/**
 * Signs this browser in with an email and a password (FusionAuth's Login API), with every check of a
 * normal login and a new session. Provided by the auth module; pages that end in a sign-in
 * (registration, a password change) depend on this port rather than on the auth module.
 * `twoFactorTrustId` (from a step-up just completed) spares a two-factor user a second code.
 */
export abstract class PasswordSignIn {
  abstract signIn(
    req: Request,
    loginId: string,
    password: string,
    options?: { twoFactorTrustId?: string },
  ): Promise<SignInResult>;
}
