import { Module } from '@nestjs/common';
import { FusionAuthGuardModule } from 'fusionauth-guard';
import { OrdersModule } from './orders/orders.module';

/**
 * An app of its own using the package: the environment configures the provider, Redis and secrets
 * (as for the service), the code decides what the app offers.
 */
@Module({
  imports: [
    FusionAuthGuardModule.forRoot({ config: { authModes: ['oidc'], registrationEnabled: false } }),
    OrdersModule,
  ],
})
export class AdopterModule {}
