import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '../common/app.errors';
import { RecentLogin } from '../common/recent-login.decorator';
import { Roles } from '../common/roles.decorator';
import { BrowserRoute } from '../common/route-kind.decorator';
import { CsrfService } from '../session/csrf.service';
import { text } from './forms';
import { UserAdminService } from './user-admin.service';

const USER_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The admin's pages: find a user by email, see their roles here, deactivate or reactivate them. */
@Roles('admin')
@BrowserRoute()
@Controller('admin/users')
export class AdminPagesController {
  constructor(
    private readonly admin: UserAdminService,
    private readonly csrf: CsrfService,
  ) {}

  @Get()
  async search(
    @Req() req: Request,
    @Res() res: Response,
    @Query('email') query: unknown,
    @Query('done') done: unknown,
  ): Promise<void> {
    const email = text(query).toLowerCase();
    const user = email ? await this.admin.findByEmail(email, req.user!) : undefined;
    res.render('admin-users', {
      title: 'Users',
      email,
      searched: email !== '',
      user,
      self: user?.id === req.user!.id,
      deactivated: user?.registration.roles.includes('deactivated'),
      done: done === 'deactivated' || done === 'reactivated' ? done : undefined,
      csrfToken: this.csrf.tokenFor(req, res),
    });
  }

  @RecentLogin('/admin/users')
  @Post(':userId/deactivate')
  async deactivate(@Req() req: Request, @Res() res: Response, @Param('userId') userId: string): Promise<void> {
    const user = await this.admin.deactivate(this.id(userId), req.user!);
    res.redirect(303, `/admin/users?email=${encodeURIComponent(user.email ?? '')}&done=deactivated`);
  }

  @RecentLogin('/admin/users')
  @Post(':userId/reactivate')
  async reactivate(@Req() req: Request, @Res() res: Response, @Param('userId') userId: string): Promise<void> {
    const user = await this.admin.reactivate(this.id(userId), req.user!);
    res.redirect(303, `/admin/users?email=${encodeURIComponent(user.email ?? '')}&done=reactivated`);
  }

  private id(userId: string): string {
    if (!USER_ID.test(userId)) throw new AppError('NOT_FOUND', 'not a user id');
    return userId;
  }
}
