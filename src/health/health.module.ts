import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DenylistModule } from '../denylist/denylist.module';
import { TokensModule } from '../tokens/tokens.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule, DenylistModule, TokensModule],
  controllers: [HealthController],
})
export class HealthModule {}
