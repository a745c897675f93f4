import { Module } from '@nestjs/common';
import { DenylistModule } from '../denylist/denylist.module';
import { FusionAuthModule } from '../fusionauth/fusionauth.module';
import { SessionModule } from '../session/session.module';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';
import { AdminPagesController } from './admin-pages.controller';
import { AdminUsersController } from './admin-users.controller';
import { HomeController } from './home.controller';
import { MeController } from './me.controller';
import { RegisterController } from './register.controller';
import { RegistrationService } from './registration.service';
import { UserAdminService } from './user-admin.service';
import { ViewHelpers } from './view-helpers';

@Module({
  imports: [SessionModule, FusionAuthModule, DenylistModule],
  controllers: [
    HomeController,
    AccountController,
    RegisterController,
    AdminPagesController,
    MeController,
    AdminUsersController,
  ],
  providers: [UserAdminService, AccountService, RegistrationService, ViewHelpers],
})
export class UsersModule {}
