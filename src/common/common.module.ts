import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { AppExceptionFilter } from './http/app-exception.filter';
import { Clock, SystemClock } from './clock';
import { MetricsService } from './observability/metrics.service';
import { RouteKinds } from './http/route-kinds.service';
import { PageHeaders } from './http/security-headers';
import { ShutdownState } from './shutdown-state';
import { AppValidationPipe } from './http/validation.pipe';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: APP_FILTER, useClass: AppExceptionFilter },
    // Every DTO of every module that comes with these modules is validated, an adopter's too.
    { provide: APP_PIPE, useClass: AppValidationPipe },
    MetricsService,
    PageHeaders,
    RouteKinds,
    ShutdownState,
  ],
  exports: [Clock, MetricsService, PageHeaders, RouteKinds, ShutdownState],
})
export class CommonModule {}
