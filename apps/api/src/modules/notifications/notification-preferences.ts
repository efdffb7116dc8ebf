import { NOTIFICATION_TYPE_LABELS, type NotificationPreference, type NotificationPreferenceType, notificationPreferenceType } from '@cryptovault/contract';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { notificationPreferences } from './notifications.schema.ts';

type Choice = Pick<NotificationPreference, 'inApp' | 'email'>;

/** What a user gets before choosing: every order event in Notifications, no email. */
export const DEFAULT_CHOICE: Choice = { inApp: true, email: false };

/** The choices of several users at once: a lookup (user, type) → choice, defaults filled in. */
export async function preferencesOf(ex: Executor, userIds: string[]): Promise<(userId: string, type: NotificationPreferenceType) => Choice> {
  const found = userIds.length ? await ex.select().from(notificationPreferences).where(inArray(notificationPreferences.userId, userIds)) : [];
  const byKey = new Map(found.map((r) => [`${r.userId}:${r.type}`, { inApp: r.inApp, email: r.email }]));
  return (userId, type) => byKey.get(`${userId}:${type}`) ?? DEFAULT_CHOICE;
}

/** Every type with the user's choice (or the default) and its label. */
export async function listPreferences(ex: Executor, userId: string) {
  const rows = await ex.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  const mine = new Map(rows.map((r) => [r.type, r]));
  return {
    items: notificationPreferenceType.options.map((type) => {
      const r = mine.get(type);
      return { type, label: NOTIFICATION_TYPE_LABELS[type], inApp: r?.inApp ?? DEFAULT_CHOICE.inApp, email: r?.email ?? DEFAULT_CHOICE.email };
    }),
  };
}

/** Stores the given types' choices (others keep theirs) and answers the full list. */
export async function setPreferences(ex: Executor, userId: string, items: NotificationPreference[]) {
  const last = new Map(items.map((i) => [i.type, i]));
  await ex
    .insert(notificationPreferences)
    .values([...last.values()].map((i) => ({ userId, type: i.type, inApp: i.inApp, email: i.email })))
    .onConflictDoUpdate({
      target: [notificationPreferences.userId, notificationPreferences.type],
      set: { inApp: sql`excluded.in_app`, email: sql`excluded.email`, updatedAt: sql`now()` },
    });
  return listPreferences(ex, userId);
}
