import { Module } from '@nestjs/common';
import { FusionAuthClients } from './fusionauth-clients';
import { FusionAuthEventLogService } from './fusionauth-event-log.service';
import { FusionAuthLoginService } from './fusionauth-login.service';
import { FusionAuthService } from './fusionauth.service';

@Module({
  providers: [FusionAuthClients, FusionAuthService, FusionAuthLoginService, FusionAuthEventLogService],
  exports: [FusionAuthService, FusionAuthLoginService, FusionAuthEventLogService],
})
export class FusionAuthModule {}
