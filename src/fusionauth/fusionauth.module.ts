import { Module } from '@nestjs/common';
import { FusionAuthClients } from './fusionauth-clients';
import { FusionAuthLoginService } from './fusionauth-login.service';
import { FusionAuthService } from './fusionauth.service';

@Module({
  providers: [FusionAuthClients, FusionAuthService, FusionAuthLoginService],
  exports: [FusionAuthService, FusionAuthLoginService],
})
export class FusionAuthModule {}
