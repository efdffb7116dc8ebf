import type { Notification } from '@cryptovault/contract';
import type { Platform } from '../../platform/index.ts';
import { escapeHtml, htmlLayout } from '../../platform/mailer/layout.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import { contactOf } from '../auth/index.ts';
import * as repo from './notifications.repo.ts';
import type { NotificationRow } from './notifications.schema.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';

export function notificationView(r: NotificationRow): Notification {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    body: r.body,
    data: r.data,
    readAt: r.readAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

export interface NotifyInput {
  userId: string;
  type: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
  /** Also send an email with the same title and body. */
  email?: boolean;
}

/**
 * Stores an in-app notification, pushes it to the user's sockets and optionally emails it. Called after the
 * business transaction committed; a failure here is logged and never undoes the money movement.
 */
export async function notify(platform: Platform, input: NotifyInput): Promise<Notification | null> {
  try {
    const row = await repo.insertNotification(platform.database.db, {
      userId: input.userId,
      type: input.type,
      title: input.title,
      body: input.body,
      data: input.data ?? {},
    });
    const view = notificationView(row);
    platform.realtime.toUser(input.userId, 'notification', view);
    if (input.email) await emailUser(platform, input.userId, input.title, input.body);
    return view;
  } catch (err) {
    platform.log.error({ err, userId: input.userId, type: input.type }, 'notification not stored');
    return null;
  }
}

export async function emailUser(platform: Platform, userId: string, subject: string, text: string): Promise<void> {
  const u = await contactOf(platform.database.db, userId);
  if (!u) return;
  const html = htmlLayout(subject, `<p>Hello ${escapeHtml(u.name)},</p><p>${escapeHtml(text)}</p>`);
  sendInBackground(platform.mailer, platform.log, { to: u.email, subject: `CryptoVault: ${subject}`, text: `Hello ${u.name},\n\n${text}\n`, html }, subject);
}

export async function listNotifications(platform: Platform, userId: string, q: { limit: number; cursor?: string; unread?: 'true' | 'false' }) {
  const rows = await repo.listNotifications(platform.database.db, userId, { limit: q.limit, cursor: decodeCursor(q.cursor), unreadOnly: q.unread === 'true' });
  return page(rows, q.limit, notificationView);
}
