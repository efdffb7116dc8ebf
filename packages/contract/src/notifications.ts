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

/** The notification types a user can choose how to receive (the order events). Others are always in-app. */
export const notificationPreferenceType = z.enum(['order_filled', 'order_triggered', 'order_canceled', 'order_expired', 'order_rejected']);
export type NotificationPreferenceType = z.infer<typeof notificationPreferenceType>;

/** Words for each type, shared by the settings screen and the API's answer. */
export const NOTIFICATION_TYPE_LABELS: Record<NotificationPreferenceType, string> = {
  order_filled: 'Order filled',
  order_triggered: 'Stop or take-profit triggered',
  order_canceled: 'Order canceled',
  order_expired: 'Order expired',
  order_rejected: 'Order rejected',
};

export const notificationPreference = z.object({
  type: notificationPreferenceType,
  /** Stored in Notifications (and pushed to open tabs). */
  inApp: z.boolean(),
  /** Also sent by email (with your anti-phishing code). */
  email: z.boolean(),
});
export type NotificationPreference = z.infer<typeof notificationPreference>;

export const notificationPreferences = z.object({
  items: z.array(notificationPreference.extend({ label: z.string() })),
});
export const updateNotificationPreferences = z.object({
  items: z.array(notificationPreference).min(1, 'choose at least one type').max(20),
});
