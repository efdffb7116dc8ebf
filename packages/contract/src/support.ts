import { z } from 'zod';
import { emailField, personName } from './auth.ts';
import { isoDateTime, pageOf, paginationQuery } from './common.ts';

/**
 * Support (issue 21): the public contact form, signed-in tickets with threaded replies, and the operator queue.
 * Text is plain text everywhere: the web renders it as text and emails escape it, so markup is shown, never run.
 */

/** Control characters other than line breaks and tabs have no place in a message (and hide things in emails). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
/** One line: a subject. */
const LINE_BREAK = /[\r\n\u2028\u2029]/;

export const SUPPORT_SUBJECT_MAX = 150;
export const SUPPORT_MESSAGE_MAX = 5000;

export const supportSubject = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(SUPPORT_SUBJECT_MAX, `must be at most ${SUPPORT_SUBJECT_MAX} characters`)
  .refine((v) => !CONTROL.test(v) && !LINE_BREAK.test(v), 'must be one line of plain text');
export const supportMessageText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(SUPPORT_MESSAGE_MAX, `must be at most ${SUPPORT_MESSAGE_MAX} characters`)
  .refine((v) => !CONTROL.test(v), 'must be plain text');

export const supportCategory = z.enum(['account', 'deposits', 'withdrawals', 'trading', 'security', 'other']);
export type SupportCategory = z.infer<typeof supportCategory>;
export const SUPPORT_CATEGORY_LABELS: Record<SupportCategory, string> = {
  account: 'My account',
  deposits: 'Deposits',
  withdrawals: 'Withdrawals',
  trading: 'Trading',
  security: 'Security',
  other: 'Something else',
};

/**
 * open: waiting on an operator; waiting_on_user: an operator asked you something; answered: an operator answered
 * (reply to reopen, or close it); closed: done.
 */
export const supportStatus = z.enum(['open', 'waiting_on_user', 'answered', 'closed']);
export type SupportStatus = z.infer<typeof supportStatus>;
/** How a status reads to the ticket's owner. */
export const SUPPORT_STATUS_LABELS: Record<SupportStatus, string> = {
  open: 'Open',
  waiting_on_user: 'Waiting on you',
  answered: 'Answered',
  closed: 'Closed',
};

/** The public contact form (not signed in). `website` is a trap for bots: people never see or fill it. */
export const contactRequest = z.object({
  name: personName.refine((v) => !CONTROL.test(v) && !LINE_BREAK.test(v), 'must be one line of plain text'),
  email: emailField,
  subject: supportSubject,
  message: supportMessageText,
  website: z.string().max(200).optional(),
});
export type ContactRequest = z.infer<typeof contactRequest>;
export const contactResponse = z.object({
  status: z.literal('accepted'),
  /** The ticket's number, quoted in the acknowledgement email. */
  reference: z.string(),
  message: z.string(),
});

/** At most this many files per message. */
export const SUPPORT_ATTACHMENTS_PER_MESSAGE = 3;
/** Files uploaded with POST /api/support/attachments (by their id), sent with the message. */
const attachmentIds = z.array(z.uuid()).max(SUPPORT_ATTACHMENTS_PER_MESSAGE, `at most ${SUPPORT_ATTACHMENTS_PER_MESSAGE} files per message`).default([]);

export const createTicketRequest = z.object({ category: supportCategory, subject: supportSubject, message: supportMessageText, attachmentIds });
export const replyRequest = z.object({ message: supportMessageText, attachmentIds });
/** An operator's reply: what the ticket becomes (`waiting_on_user` when it asks the user something). */
export const operatorReplyRequest = z.object({ message: supportMessageText, status: z.enum(['waiting_on_user', 'answered']).default('answered') });

/**
 * A file for a support message, base64 in JSON (so it travels like every other call: CSRF, refresh, retries). The
 * server checks its type by its bytes (JPEG, PNG or PDF), its size (DOCUMENT_MAX_BYTES) and encrypts it.
 */
export const uploadAttachmentRequest = z.object({
  data: z
    .string()
    .max(70_000_000, 'the file is too large')
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});
export const supportAttachment = z.object({
  id: z.string(),
  contentType: z.enum(['image/jpeg', 'image/png', 'application/pdf']),
  sizeBytes: z.number().int(),
  /** A name made by the server from the type (never the uploader's file name). */
  fileName: z.string(),
});
export type SupportAttachment = z.infer<typeof supportAttachment>;
export const attachmentParams = z.object({ id: z.uuid(), attachmentId: z.uuid() });
/** A short-lived link to open the file, valid only for the viewer who asked for it. */
export const attachmentAccess = z.object({ url: z.string(), expiresAt: isoDateTime });
export const internalNoteRequest = z.object({ note: supportMessageText });

/** A ticket as its owner sees it. */
export const supportTicket = z.object({
  id: z.string(),
  /** Human reference (`#1042`), quoted in emails. */
  number: z.number().int(),
  category: supportCategory,
  subject: z.string(),
  status: supportStatus,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  closedAt: isoDateTime.nullable(),
  /** When the last message was written. */
  lastMessageAt: isoDateTime,
  messageCount: z.number().int(),
});
export type SupportTicket = z.infer<typeof supportTicket>;
export const supportTicketList = pageOf(supportTicket);
export const supportTicketQuery = paginationQuery;

export const supportMessage = z.object({
  id: z.string(),
  author: z.enum(['user', 'operator']),
  /** The operator's first name for operator messages ("Support" when unknown); the user's name for theirs. */
  authorName: z.string(),
  /** Operators only: an internal note, never shown to the user. */
  internal: z.boolean(),
  body: z.string(),
  attachments: z.array(supportAttachment),
  createdAt: isoDateTime,
});
export type SupportMessage = z.infer<typeof supportMessage>;

export const supportThread = supportTicket.extend({ messages: z.array(supportMessage) });
export type SupportThread = z.infer<typeof supportThread>;

/** A ticket in the operator queue, with who asked. */
export const adminSupportTicket = supportTicket.extend({
  source: z.enum(['account', 'contact']),
  /** The account that opened it (null for the contact form). */
  userId: z.string().nullable(),
  /** The account's name and email, or what the contact form's sender typed. */
  requesterName: z.string(),
  requesterEmail: z.string(),
  /** KYC tier of the account when the platform knows it (null: not known, or a contact-form sender). */
  tier: z.number().int().nullable(),
  assignedTo: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** Since when the oldest unanswered user message waits (null: nothing waits on an operator). */
  waitingSince: isoDateTime.nullable(),
});
export type AdminSupportTicket = z.infer<typeof adminSupportTicket>;
export const adminSupportTicketList = pageOf(adminSupportTicket);
export const adminSupportQuery = paginationQuery.extend({
  /** `waiting`: open tickets, oldest waiting first (the default); otherwise one status, or `all`, newest first. */
  status: z.enum(['waiting', 'open', 'waiting_on_user', 'answered', 'closed', 'all']).default('waiting'),
  mine: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export const adminSupportThread = adminSupportTicket.extend({ messages: z.array(supportMessage) });
export type AdminSupportThread = z.infer<typeof adminSupportThread>;
