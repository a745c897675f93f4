import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { AppExceptionFilter } from './app-exception.filter';
import { Clock, SystemClock } from './clock';
import { MetricsService } from './metrics.service';
import { RouteKinds } from './route-kinds.service';
import { ShutdownState } from './shutdown-state';
import { AppValidationPipe } from './validation.pipe';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: APP_FILTER, useClass: AppExceptionFilter },
    // Every DTO of every module that comes with these modules is validated, an adopter's too.
    { provide: APP_PIPE, useClass: AppValidationPipe },
    MetricsService,
    RouteKinds,
    ShutdownState,
  ],
  exports: [Clock, MetricsService, RouteKinds, ShutdownState],
})
export class CommonModule {}
