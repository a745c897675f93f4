import { Module } from '@nestjs/common';
import { DenylistService } from './denylist.service';

@Module({
  providers: [DenylistService],
  exports: [DenylistService],
})
export class DenylistModule {}
