import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { DenylistModule } from '../denylist/denylist.module';
import { SessionModule } from '../session/session.module';
import { TokensModule } from '../tokens/tokens.module';
import { WebhookEventLogSource } from './webhook-event-log.source';
import { WebhookReplayService } from './webhook-replay.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({})
export class WebhooksModule {
  /**
   * `eventLog` names the provider of FusionAuth's Webhook Event Log (a WebhookEventLogSource) and the
   * modules that bring it: the composition root chooses it, since `webhooks` does not import `fusionauth`.
   */
  static forRoot(eventLog: {
    imports: NonNullable<ModuleMetadata['imports']>;
    source: Type<WebhookEventLogSource>;
  }): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [TokensModule, DenylistModule, SessionModule, ...eventLog.imports],
      controllers: [WebhooksController],
      providers: [
        WebhooksService,
        WebhookReplayService,
        { provide: WebhookEventLogSource, useExisting: eventLog.source },
      ],
    };
  }
}
