import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** Opts a route out of the global guard. Every public route is listed in the route-inventory test. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
