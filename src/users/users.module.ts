import { DynamicModule, Module, Type } from '@nestjs/common';
import { DenylistModule } from '../denylist/denylist.module';
import { FusionAuthModule } from '../fusionauth/fusionauth.module';
import { SessionModule } from '../session/session.module';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';
import { AdminPagesController } from './admin-pages.controller';
import { AdminApiController } from './admin-api.controller';
import { HomeController } from './home.controller';
import { MeController } from './me.controller';
import { RegisterController } from './register.controller';
import { RegistrationService } from './registration.service';
import { UserAdminService } from './user-admin.service';
import { ViewHelpers } from './view-helpers';

export interface UsersFeatures {
  /** The home, account, registration and admin pages. */
  readonly pages: boolean;
  /** `/api/me` and the admin API under `/api/admin`. */
  readonly api: boolean;
}

const PAGES: Type<unknown>[] = [HomeController, AccountController, RegisterController, AdminPagesController];
const API: Type<unknown>[] = [MeController, AdminApiController];

@Module({
  imports: [SessionModule, FusionAuthModule, DenylistModule],
  providers: [UserAdminService, AccountService, RegistrationService, ViewHelpers],
})
export class UsersModule {
  /** The service mounts both; an app of its own chooses (its routes would clash or be unwanted). */
  static with(features: UsersFeatures): DynamicModule {
    return { module: UsersModule, controllers: [...(features.api ? API : []), ...(features.pages ? PAGES : [])] };
  }
}
