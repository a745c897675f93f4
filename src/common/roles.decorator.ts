import { SetMetadata } from '@nestjs/common';

export const ROLES = 'auth:roles';

/** A signed-in user holding at least one of these roles for this application. */
export const Roles = (...roles: [string, ...string[]]) => SetMetadata(ROLES, roles);
