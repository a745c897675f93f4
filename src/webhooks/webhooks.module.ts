import { Module } from '@nestjs/common';
import { DenylistModule } from '../denylist/denylist.module';
import { SessionModule } from '../session/session.module';
import { TokensModule } from '../tokens/tokens.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [TokensModule, DenylistModule, SessionModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksModule {}
