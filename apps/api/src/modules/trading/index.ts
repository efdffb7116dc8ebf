/** The trading module's public surface: the orders service and the read API for a user's orders. */
export { openOrders } from './orders.repo.ts';
export { OrdersService } from './orders.service.ts';
