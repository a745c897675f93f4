import { Controller, Get, Param, Post, Query, Redirect, Render } from '@nestjs/common';
import { AppError } from '../common/app.errors';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { CurrentUser } from '../common/current-user.decorator';
import { RecentLogin } from '../common/recent-login.decorator';
import { Roles } from '../common/roles.decorator';
import { BrowserRoute } from '../common/route-kind.decorator';
import { AdminUsersQuery } from './admin-users.dto';
import { UserAdminService } from './user-admin.service';

const USER_ID = /^[A-Za-z0-9-]{1,64}$/;

interface RedirectTo {
  readonly url: string;
  readonly statusCode: number;
}

/** The admin's pages: find a user by email, see their roles here, deactivate or reactivate them. */
@Roles('admin')
@BrowserRoute()
@Controller('admin/users')
export class AdminPagesController {
  constructor(private readonly admin: UserAdminService) {}

  @Get()
  @Render('admin-users')
  async search(@CurrentUser() actor: AuthenticatedUser, @Query() query: AdminUsersQuery): Promise<object> {
    const email = query.email ?? '';
    const user = email ? await this.admin.findByEmail(email, actor) : undefined;
    return {
      title: 'Users',
      form: { email },
      searched: email !== '',
      user,
      self: user?.id === actor.id,
      deactivated: user?.registration.roles.includes('deactivated'),
      done: query.done,
    };
  }

  @RecentLogin('/admin/users')
  @Post(':userId/deactivate')
  @Redirect()
  async deactivate(@CurrentUser() actor: AuthenticatedUser, @Param('userId') userId: string): Promise<RedirectTo> {
    const user = await this.admin.deactivate(this.id(userId), actor);
    return { url: `/admin/users?email=${encodeURIComponent(user.email ?? '')}&done=deactivated`, statusCode: 303 };
  }

  @RecentLogin('/admin/users')
  @Post(':userId/reactivate')
  @Redirect()
  async reactivate(@CurrentUser() actor: AuthenticatedUser, @Param('userId') userId: string): Promise<RedirectTo> {
    const user = await this.admin.reactivate(this.id(userId), actor);
    return { url: `/admin/users?email=${encodeURIComponent(user.email ?? '')}&done=reactivated`, statusCode: 303 };
  }

  private id(userId: string): string {
    if (!USER_ID.test(userId)) throw new AppError('NOT_FOUND', 'not a user id');
    return userId;
  }
}
