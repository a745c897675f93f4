import { SetMetadata } from '@nestjs/common';

export const RECENT_LOGIN = 'auth:recent-login';

/**
 * A sensitive action: the user must have signed in within REAUTH_MAX_AGE_S, or is sent to sign in
 * again (prompt=login, max_age) and brought back to `returnTo` (for a GET, the page itself).
 */
export const RecentLogin = (returnTo?: string) => SetMetadata(RECENT_LOGIN, { returnTo });
