import {
  DynamicModule,
  Global,
  InjectionToken,
  Module,
  ModuleMetadata,
  OptionalFactoryDependency,
} from '@nestjs/common';
import { AppConfig } from './app-config';

export interface AsyncConfig {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  readonly useFactory: (...args: never[]) => AppConfig | Promise<AppConfig>;
}

/** Provides the AppConfig validated at start; every module reads configuration through it. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }

  /** The configuration made once other providers are known (an adopter's own config service, secrets). */
  static forRootAsync(options: AsyncConfig): DynamicModule {
    return {
      module: ConfigModule,
      imports: options.imports ?? [],
      providers: [{ provide: AppConfig, inject: options.inject ?? [], useFactory: options.useFactory }],
      exports: [AppConfig],
    };
  }
}
