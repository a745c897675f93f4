import type { Request } from 'express';

export type SignInResult = 'ok' | 'refused' | 'deactivated';

/**
 * Signs this browser in with an email and a password (FusionAuth's Login API), with every check of a
 * normal login and a new session. Provided by the auth module; pages that end in a sign-in
 * (registration, a password change) depend on this port rather than on the auth module.
 */
export abstract class PasswordSignIn {
  abstract signIn(req: Request, loginId: string, password: string): Promise<SignInResult>;
}
