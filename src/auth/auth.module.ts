import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PasswordSignIn } from '../common/password-sign-in';
import { DenylistModule } from '../denylist/denylist.module';
import { FusionAuthModule } from '../fusionauth/fusionauth.module';
import { SessionModule } from '../session/session.module';
import { TokensModule } from '../tokens/tokens.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { FrontChannelLogoutController } from './frontchannel-logout.controller';
import { FrontChannelLogoutService } from './frontchannel-logout.service';
import { OidcLoginService } from './oidc-login.service';
import { PasswordLoginController } from './password-login.controller';
import { PasswordLoginService } from './password-login.service';
import { PasswordResetController } from './password-reset.controller';
import { RevocationCheck } from './revocation-check.service';
import { TokenRefreshService } from './token-refresh.service';

/**
 * Global to offer PasswordSignIn (a port in common/) to the pages that end in a sign-in, and
 * RevocationCheck to an adopter's guards of other transports.
 */
@Global()
@Module({
  imports: [TokensModule, FusionAuthModule, SessionModule, DenylistModule],
  controllers: [AuthController, PasswordLoginController, PasswordResetController, FrontChannelLogoutController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    AuthService,
    PasswordLoginService,
    { provide: PasswordSignIn, useExisting: PasswordLoginService },
    OidcLoginService,
    FrontChannelLogoutService,
    TokenRefreshService,
    RevocationCheck,
  ],
  exports: [PasswordSignIn, RevocationCheck],
})
export class AuthModule {}
