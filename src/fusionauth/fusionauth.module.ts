import { Module } from '@nestjs/common';
import { FusionAuthClients } from './fusionauth-clients';
import { FusionAuthEventLogService } from './fusionauth-event-log.service';
import { FusionAuthLoginService } from './fusionauth-login.service';
import { FusionAuthService } from './fusionauth.service';
import { FusionAuthUserSearch } from './fusionauth-user-search.service';

@Module({
  providers: [
    FusionAuthClients,
    FusionAuthService,
    FusionAuthLoginService,
    FusionAuthUserSearch,
    FusionAuthEventLogService,
  ],
  exports: [FusionAuthService, FusionAuthLoginService, FusionAuthUserSearch, FusionAuthEventLogService],
})
export class FusionAuthModule {}
