import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from 'fusionauth-guard';

/**
 * A check of the app's own, after the package's global guard has proved the user (global guards
 * run first, so `req.user` is there): orders are placed only by users with a company email.
 */
@Injectable()
export class CompanyEmailGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
    if (!user?.email?.endsWith('@example.com')) throw new ForbiddenException('orders need a company email');
    return true;
  }
}
