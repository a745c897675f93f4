import { Controller, Get, Param, Post, Query, Redirect, Render } from '@nestjs/common';
import { AppError } from '../common/app.errors';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { CurrentUser } from '../common/current-user.decorator';
import type { ManagedUser } from '../fusionauth/fusionauth.service';
import { RecentLogin } from '../common/recent-login.decorator';
import { Roles } from '../common/roles.decorator';
import { BrowserRoute } from '../common/http/route-kind.decorator';
import { AdminUsersQuery } from './admin-users.dto';
import { ListedUser, UserAdminService, UserList } from './user-admin.service';

const USER_ID = /^[A-Za-z0-9-]{1,64}$/;

interface RedirectTo {
  readonly url: string;
  readonly statusCode: number;
}

/** The admin page's view model (the CSRF token comes from res.locals). */
interface AdminUsersPage {
  readonly title: string;
  readonly form: { readonly email: string; readonly search: string };
  readonly searched: boolean;
  readonly user?: ListedUser | ManagedUser;
  readonly self: boolean;
  readonly deactivated?: boolean;
  readonly done?: string;
  readonly list: UserList & { readonly previous?: string; readonly next?: string };
}

/** The user's own card, found by their email. */
const emailLink = (email: string | undefined): string => `/admin/users?email=${encodeURIComponent(email ?? '')}`;

/** Another page of the list, the search kept. */
function pageLink(search: string | undefined, page: number): string {
  const params = new URLSearchParams({ ...(search ? { search } : {}), page: String(page) });
  return `/admin/users?${params.toString()}`;
}

/** The admin's pages: the application's users (paged, searchable), one found by email, deactivate or reactivate. */
@Roles('admin')
@BrowserRoute()
@Controller('admin/users')
export class AdminPagesController {
  constructor(private readonly admin: UserAdminService) {}

  @Get()
  @Render('admin-users')
  async search(@CurrentUser() actor: AuthenticatedUser, @Query() query: AdminUsersQuery): Promise<AdminUsersPage> {
    const email = query.email ?? '';
    const [user, list] = await Promise.all([
      email ? this.admin.findByEmail(email, actor) : undefined,
      this.admin.list(actor, { term: query.search, page: query.page }),
    ]);
    return {
      title: 'Users',
      form: { email, search: query.search ?? '' },
      searched: email !== '',
      user,
      self: user?.id === actor.id,
      deactivated: user?.registration.roles.includes('deactivated'),
      done: query.done,
      list: {
        ...list,
        users: list.users.map((u) => ({ ...u, self: u.id === actor.id, href: emailLink(u.email) })),
        previous: list.page > 1 ? pageLink(query.search, list.page - 1) : undefined,
        next: list.page < list.pages ? pageLink(query.search, list.page + 1) : undefined,
      },
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
