import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { Authenticated, CurrentUser, MachineRoute, Roles } from 'fusionauth-guard';
import type { AuthenticatedUser } from 'fusionauth-guard';
import { CreateOrderDto } from './create-order.dto';
import { OrdersService } from './orders.service';
import type { Order } from './orders.service';
import { CompanyEmailGuard } from './company-email.guard';

/**
 * The app's API under its own prefix. `@MachineRoute()`: a bearer token only (never the session
 * cookie), JSON errors, no CSRF; each token is checked against the revocation list on every request.
 */
@MachineRoute()
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Authenticated()
  mine(@CurrentUser() user: AuthenticatedUser): { user: string; orders: Order[] } {
    return { user: user.id, orders: this.orders.of(user.id) };
  }

  @Post()
  @Authenticated()
  @UseGuards(CompanyEmailGuard)
  place(@CurrentUser() user: AuthenticatedUser, @Body() order: CreateOrderDto): Order {
    return this.orders.place(user.id, order.item, order.quantity);
  }

  /** Every order: users holding the application's `admin` role only (403 for the others). */
  @Get('all')
  @Roles('admin')
  all(): readonly Order[] {
    return this.orders.all();
  }
}
