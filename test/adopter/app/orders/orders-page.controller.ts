import { Controller, Get, Render } from '@nestjs/common';
import { Authenticated, BrowserRoute, CurrentUser } from 'fusionauth-guard';
import type { AuthenticatedUser } from 'fusionauth-guard';
import { OrdersService } from './orders.service';

/**
 * The app's page. `@BrowserRoute()`: the session cookie (a browser without one is sent to log in
 * and brought back), HTML errors, and a CSRF token on every state-changing request.
 */
@BrowserRoute()
@Controller('orders')
export class OrdersPageController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Authenticated()
  @Render('orders')
  page(@CurrentUser() user: AuthenticatedUser): object {
    return { title: 'Your orders', email: user.email, orders: this.orders.of(user.id) };
  }
}
