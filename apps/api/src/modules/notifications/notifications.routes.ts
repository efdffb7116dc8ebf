import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import * as repo from './notifications.repo.ts';
import { listPreferences, setPreferences } from './notification-preferences.ts';
import { listNotifications, notificationView } from './notifications.service.ts';
import { startOrderNotifications } from './order-notifications.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['notifications'];

export async function registerNotifications(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const db = platform.database.db;
  app.route({
    ...endpoint(apiRoutes.notifications.list, { tags, summary: 'In-app notifications, newest first' }),
    handler: async (request) => listNotifications(platform, requireUser(request).userId, request.query),
  });
  app.route({
    ...endpoint(apiRoutes.notifications.unreadCount, { tags, summary: 'Number of unread notifications' }),
    handler: async (request) => ({
      count: await repo.countUnread(db, requireUser(request).userId),
    }),
  });
  app.route({
    ...endpoint(apiRoutes.notifications.markRead, { tags, summary: 'Mark one notification read' }),
    handler: async (request) => {
      const row = await repo.markRead(db, requireUser(request).userId, request.params.id);
      if (!row) throw notFound('Notification');
      return notificationView(row);
    },
  });
  app.route({
    ...endpoint(apiRoutes.notifications.markAllRead, { tags, summary: 'Mark every notification read' }),
    handler: async (request) => ({
      updated: await repo.markAllRead(db, requireUser(request).userId),
    }),
  });
  app.route({
    ...endpoint(apiRoutes.notifications.preferences, { tags, summary: 'How you receive each type of notification (in-app, email)' }),
    handler: async (request) => listPreferences(db, requireUser(request).userId),
  });
  app.route({
    ...endpoint(apiRoutes.notifications.setPreferences, { tags, summary: 'Choose how you receive each type of notification' }),
    handler: async (request) => setPreferences(db, requireUser(request).userId, request.body.items),
  });
  // Order events (fills, triggers, cancellations, expiries) become notifications; see order-notifications.ts.
  const stop = startOrderNotifications(platform);
  platform.onClose(stop);
}
