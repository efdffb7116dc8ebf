import { markedCount, notification, notificationList, notificationListQuery, unreadCount } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import * as repo from './notifications.repo.ts';
import { listNotifications, notificationView } from './notifications.service.ts';

const tags = ['notifications'];

export async function registerNotifications(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const db = platform.database.db;
  app.get('/api/notifications', { schema: { tags, summary: 'In-app notifications, newest first', querystring: notificationListQuery, response: { 200: notificationList } } }, async (request) =>
    listNotifications(platform, requireUser(request).userId, request.query),
  );
  app.get('/api/notifications/unread-count', { schema: { tags, summary: 'Number of unread notifications', response: { 200: unreadCount } } }, async (request) => ({
    count: await repo.countUnread(db, requireUser(request).userId),
  }));
  app.post(
    '/api/notifications/:id/read',
    { schema: { tags, summary: 'Mark one notification read', params: z.object({ id: z.uuid() }), response: { 200: notification } } },
    async (request) => {
      const row = await repo.markRead(db, requireUser(request).userId, request.params.id);
      if (!row) throw notFound('Notification');
      return notificationView(row);
    },
  );
  app.post('/api/notifications/read-all', { schema: { tags, summary: 'Mark every notification read', response: { 200: markedCount } } }, async (request) => ({
    updated: await repo.markAllRead(db, requireUser(request).userId),
  }));
}
