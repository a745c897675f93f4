import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AppError } from '../common/app.errors';
import { CurrentUser } from '../common/current-user.decorator';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { Roles } from '../common/roles.decorator';
import { MachineRoute } from '../common/http/route-kind.decorator';
import { ManagedUser } from '../fusionauth/fusionauth.service';
import { UserListQuery } from './admin-users.dto';
import { UserAdminService, UserList } from './user-admin.service';

const USER_ID = /^[A-Za-z0-9-]{1,64}$/;

function userIdOf(value: string): string {
  if (!USER_ID.test(value)) throw new AppError('NOT_FOUND', 'not a user id');
  return value;
}

/** The admin's JSON API (bearer tokens of admins): the same users as the admin pages, for machines. */
@Roles('admin')
@MachineRoute()
@Controller('api/admin/users')
export class AdminApiController {
  constructor(private readonly admin: UserAdminService) {}

  /** One page of the application's users with their status: `?search=<start of a name or email>&page=<n>`. */
  @Get()
  list(@Query() query: UserListQuery, @CurrentUser() admin: AuthenticatedUser): Promise<UserList> {
    return this.admin.list(admin, { term: query.search, page: query.page });
  }

  @Get(':userId')
  user(@Param('userId') userId: string, @CurrentUser() admin: AuthenticatedUser): Promise<ManagedUser> {
    return this.admin.find(userIdOf(userId), admin);
  }

  @Post(':userId/deactivate')
  @HttpCode(200)
  deactivate(@Param('userId') userId: string, @CurrentUser() admin: AuthenticatedUser): Promise<ManagedUser> {
    return this.admin.deactivate(userIdOf(userId), admin);
  }

  @Post(':userId/reactivate')
  @HttpCode(200)
  reactivate(@Param('userId') userId: string, @CurrentUser() admin: AuthenticatedUser): Promise<ManagedUser> {
    return this.admin.reactivate(userIdOf(userId), admin);
  }
}
