import { SetMetadata } from '@nestjs/common';

export const IS_AUTHENTICATED = 'auth:authenticated';

/** Any signed-in user (session or bearer token). */
export const Authenticated = () => SetMetadata(IS_AUTHENTICATED, true);
