import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface Order {
  readonly id: string;
  readonly userId: string;
  readonly item: string;
  readonly quantity: number;
}

/** The app's own domain: orders by user, kept in memory for the example. */
@Injectable()
export class OrdersService {
  private readonly orders: Order[] = [];

  of(userId: string): Order[] {
    return this.orders.filter((order) => order.userId === userId);
  }

  all(): readonly Order[] {
    return this.orders;
  }

  place(userId: string, item: string, quantity: number): Order {
    const order = { id: randomUUID(), userId, item, quantity };
    this.orders.push(order);
    return order;
  }
}
