import { bigint, boolean, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Columns holding a user id reference users(id) in the migration (0028_support.sql); the users table belongs to
// auth, so its Drizzle object is not imported here.

export const supportTickets = pgTable('support_tickets', {
  id: uuid('id').primaryKey().defaultRandom(),
  number: bigint('number', { mode: 'number' }).generatedAlwaysAsIdentity(),
  source: text('source', { enum: ['account', 'contact'] }).notNull(),
  userId: uuid('user_id'),
  contactName: text('contact_name'),
  contactEmail: text('contact_email'),
  category: text('category', { enum: ['account', 'deposits', 'withdrawals', 'trading', 'security', 'other'] }).notNull(),
  subject: text('subject').notNull(),
  status: text('status', { enum: ['open', 'waiting_on_user', 'answered', 'closed'] })
    .notNull()
    .default('open'),
  assignedTo: uuid('assigned_to'),
  waitingSince: timestamp('waiting_since', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
  closedBy: uuid('closed_by'),
});
export type SupportTicketRow = typeof supportTickets.$inferSelect;

export const supportMessages = pgTable('support_messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  ticketId: uuid('ticket_id').notNull(),
  author: text('author', { enum: ['user', 'operator'] }).notNull(),
  authorId: uuid('author_id'),
  internal: boolean('internal').notNull().default(false),
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type SupportMessageRow = typeof supportMessages.$inferSelect;

// document_id references documents(id) (platform/documents); uploaded_by references users(id).
export const supportAttachments = pgTable('support_attachments', {
  documentId: uuid('document_id').primaryKey(),
  uploadedBy: uuid('uploaded_by').notNull(),
  ticketId: uuid('ticket_id'),
  messageId: uuid('message_id'),
  contentType: text('content_type').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type SupportAttachmentRow = typeof supportAttachments.$inferSelect;
