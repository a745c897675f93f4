import { Module } from '@nestjs/common';
import { FusionAuthClients } from './fusionauth-clients';
import { FusionAuthLoginService } from './fusionauth-login.service';
import { FusionAuthService } from './fusionauth.service';
import { FusionAuthUserSearch } from './fusionauth-user-search.service';

@Module({
  providers: [FusionAuthClients, FusionAuthService, FusionAuthLoginService, FusionAuthUserSearch],
  exports: [FusionAuthService, FusionAuthLoginService, FusionAuthUserSearch],
})
export class FusionAuthModule {}
