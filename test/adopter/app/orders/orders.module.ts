import { Module } from '@nestjs/common';
import { ForgottenController } from './forgotten.controller';
import { OrdersPageController } from './orders-page.controller';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

/** The worked example of docs/extending.md: an API, a page, a role and a check of the app's own. */
@Module({
  controllers: [OrdersController, OrdersPageController, ForgottenController],
  providers: [OrdersService],
})
export class OrdersModule {}
