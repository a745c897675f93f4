import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from './app.errors';
import { AuthenticatedUser } from './authenticated-user';

/** The user the global guard authenticated; a route using it without a guard fails closed. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const user = ctx.switchToHttp().getRequest<Request>().user;
  if (!user) throw new AppError('LOGIN_REQUIRED', 'CurrentUser used on a request without a user');
  return user;
});
