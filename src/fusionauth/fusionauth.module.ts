import { Module } from '@nestjs/common';
import { FusionAuthService } from './fusionauth.service';

@Module({
  providers: [FusionAuthService],
  exports: [FusionAuthService],
})
export class FusionAuthModule {}
