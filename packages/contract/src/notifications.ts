import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery } from './common.ts';

export const notification = z.object({
  id: z.string(),
  /** e.g. `deposit`, `withdrawal`, `transfer`, `alert`, `announcement`, `security`. */
  type: z.string(),
  title: z.string(),
  body: z.string(),
  data: z.record(z.string(), z.unknown()),
  readAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
});
export type Notification = z.infer<typeof notification>;

export const notificationList = pageOf(notification);
export const notificationListQuery = paginationQuery.extend({ unread: z.enum(['true', 'false']).optional() });
export const unreadCount = z.object({ count: z.number().int() });
export const markedCount = z.object({ updated: z.number().int() });
