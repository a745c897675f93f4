import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppExceptionFilter } from './app-exception.filter';
import { Clock, SystemClock } from './clock';
import { MetricsService } from './metrics.service';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: APP_FILTER, useClass: AppExceptionFilter },
    MetricsService,
    ShutdownState,
  ],
  exports: [Clock, MetricsService, ShutdownState],
})
export class CommonModule {}
