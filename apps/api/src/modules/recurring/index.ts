/** The recurring-buys module's public surface: the service and the scheduler (built by compose.ts). */
export { RecurringBuysService } from './recurring.service.ts';
export { RecurringBuyScheduler, type SweepReport } from './scheduler.ts';
