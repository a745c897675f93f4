import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { FusionAuthGuardModule } from './index';

/**
 * The service: the package's own module with everything mounted, pages and API included. It is the
 * first user of the public entry (src/index.ts) and needs nothing an adopter's app could not have.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: AppModule, imports: [FusionAuthGuardModule.withConfig(config, { pages: true, api: true })] };
  }
}
