/** The notifications module's public surface: notify a user (in-app, optionally by email), announcements. */
export { insertAnnouncement, insertNotification, listAnnouncements } from './notifications.repo.ts';
export { emailUser, type NotifyInput, notify } from './notifications.service.ts';
