import { randomInt } from 'node:crypto';
import type { ContactRequest, Page, SupportThread, SupportTicket } from '@cryptovault/contract';
import { cursorCodec } from '../../platform/db/paging.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { type MailMessage, sendInBackground } from '../../platform/mailer/mailer.ts';
import type { RateRule } from '../../platform/ratelimit.ts';
import { contactOf, normalizeEmail, sha256 } from '../auth/index.ts';
import { linkAttachments } from './support.attachments.ts';
import { contactAcknowledgement, operatorNoticeEmail, ref, ticketOpenedEmail } from './support.emails.ts';
import * as repo from './support.repo.ts';
import type { SupportTicketRow } from './support.schema.ts';
import { userThread, userTickets } from './support.views.ts';

export type SupportDeps = Pick<Platform, 'config' | 'log' | 'database' | 'rateLimiter' | 'mailer' | 'documents'>;

const MIN = 60_000;

/**
 * Contact form: per client address (request.ip, which believes only the configured proxies) and per typed email
 * (its hash), so neither a forged header nor many addresses mail-bomb one inbox. Signed-in users: per account.
 * Operator notices: at most one per ticket per window (the queue shows the rest).
 */
export const SUPPORT_LIMITS = {
  contactIp: { name: 'support:contact:ip', limit: 5, windowMs: 60 * MIN },
  contactEmail: { name: 'support:contact:email', limit: 3, windowMs: 60 * MIN },
  ticketUser: { name: 'support:ticket:user', limit: 10, windowMs: 60 * MIN },
  replyUser: { name: 'support:reply:user', limit: 30, windowMs: 60 * MIN },
  operatorNotice: { name: 'support:notice:ticket', limit: 1, windowMs: 10 * MIN },
} satisfies Record<string, RateRule>;

export interface RequestInfo {
  ip: string;
  requestId: string;
}

export const ticketLink = (d: SupportDeps, id: string) => `${d.config.appUrl}/support/${id}`;
export const consoleLink = (d: SupportDeps, id: string) => `${d.config.appUrl}/admin/support?ticket=${id}`;

export function sendMail(d: SupportDeps, message: MailMessage, purpose: string): void {
  sendInBackground(d.mailer, d.log, message, purpose);
}

/**
 * Tells operators a ticket waits: the operator who took it, else SUPPORT_EMAIL (nobody when unset: the queue in
 * the console is the source of truth). At most one notice per ticket per SUPPORT_LIMITS.operatorNotice window.
 */
export async function noticeOperators(d: SupportDeps, t: SupportTicketRow, what: 'new' | 'reply'): Promise<void> {
  const to = t.assignedTo ? ((await contactOf(d.database.db, t.assignedTo))?.email ?? null) : d.config.email.supportAddress;
  if (!to) return;
  const r = await d.rateLimiter.check(SUPPORT_LIMITS.operatorNotice, `${t.id}:${sha256(to)}`);
  if (!r.allowed) return;
  sendMail(d, operatorNoticeEmail(to, t.number, what, consoleLink(d, t.id)), `support-notice-${what}`);
}

/** The public contact form: a ticket in the operator queue and an acknowledgement to the typed address. */
export async function submitContact(
  d: SupportDeps,
  input: ContactRequest,
  req: RequestInfo,
): Promise<{ status: 'accepted'; reference: string; message: string }> {
  const email = normalizeEmail(input.email);
  await d.rateLimiter.consume(SUPPORT_LIMITS.contactIp, req.ip);
  await d.rateLimiter.consume(SUPPORT_LIMITS.contactEmail, sha256(email));
  const message = 'Thank you: your message arrived. We answer by email, usually within one business day.';
  if (input.website) {
    // Only a bot fills the hidden field: it gets the same answer, and nothing is stored or sent.
    d.log.info({ requestId: req.requestId }, 'contact form: hidden field filled, message dropped');
    return { status: 'accepted', reference: ref(randomInt(1000, 99_999)), message };
  }
  const ticket = await d.database.db.transaction(async (tx) => {
    const t = await repo.insertTicket(tx, {
      source: 'contact',
      contactName: input.name,
      contactEmail: email,
      category: 'other',
      subject: input.subject,
      waitingSince: new Date(),
    });
    await repo.insertMessage(tx, { ticketId: t.id, author: 'user', authorId: null, body: input.message });
    return t;
  });
  sendMail(d, contactAcknowledgement(email, ticket.number), 'support-contact-ack');
  await noticeOperators(d, ticket, 'new');
  return { status: 'accepted', reference: ref(ticket.number), message };
}

const updatedCursor = cursorCodec<repo.SortKey>(
  (k) => [k.at.toISOString(), k.id],
  ([iso, id, ...rest]) => {
    const at = new Date(iso ?? '');
    return rest.length === 0 && id && /^[0-9a-f-]{36}$/i.test(id) && !Number.isNaN(at.getTime()) ? { at, id } : null;
  },
);
export { updatedCursor as sortKeyCursor };

export async function listTickets(d: SupportDeps, userId: string, q: { limit: number; cursor?: string | undefined }): Promise<Page<SupportTicket>> {
  const db = d.database.db;
  const rows = await repo.listUserTickets(db, userId, q.limit, updatedCursor.decode(q.cursor));
  const more = rows.length > q.limit;
  const slice = more ? rows.slice(0, q.limit) : rows;
  const last = slice.at(-1);
  return { items: await userTickets(db, slice), nextCursor: more && last ? updatedCursor.encode({ at: last.updatedAt, id: last.id }) : null };
}

/** The owner's ticket, or 404 (another user's ticket is indistinguishable from none). */
export async function getTicket(d: SupportDeps, userId: string, id: string): Promise<SupportThread> {
  const t = await repo.findTicket(d.database.db, id, { userId });
  if (!t) throw notFound('Support request');
  return userThread(d.database.db, t);
}

export async function createTicket(
  d: SupportDeps,
  userId: string,
  input: { category: SupportTicketRow['category']; subject: string; message: string; attachmentIds: string[] },
): Promise<SupportThread> {
  await d.rateLimiter.consume(SUPPORT_LIMITS.ticketUser, userId);
  const ticket = await d.database.db.transaction(async (tx) => {
    const t = await repo.insertTicket(tx, {
      source: 'account',
      userId,
      category: input.category,
      subject: input.subject,
      waitingSince: new Date(),
    });
    const m = await repo.insertMessage(tx, { ticketId: t.id, author: 'user', authorId: userId, body: input.message });
    await linkAttachments(tx, userId, t.id, m.id, input.attachmentIds);
    return t;
  });
  const owner = await contactOf(d.database.db, userId);
  if (owner) sendMail(d, ticketOpenedEmail(owner.email, ticket.number, ticket.subject, ticketLink(d, ticket.id)), 'support-ticket-opened');
  await noticeOperators(d, ticket, 'new');
  return userThread(d.database.db, ticket);
}

const closedError = () => new AppError('INVALID_STATE', 'This request is closed. Open a new one if you need more help.');

/** The owner writes again: the ticket waits on an operator (since the first message they have not answered). */
export async function replyToTicket(d: SupportDeps, userId: string, id: string, input: { message: string; attachmentIds: string[] }): Promise<SupportThread> {
  await d.rateLimiter.consume(SUPPORT_LIMITS.replyUser, userId);
  const ticket = await d.database.db.transaction(async (tx) => {
    const t = await repo.findTicket(tx, id, { userId, forUpdate: true });
    if (!t) throw notFound('Support request');
    if (t.status === 'closed') throw closedError();
    const m = await repo.insertMessage(tx, { ticketId: t.id, author: 'user', authorId: userId, body: input.message });
    await linkAttachments(tx, userId, t.id, m.id, input.attachmentIds);
    return repo.updateTicket(tx, t.id, { status: 'open', waitingSince: t.waitingSince ?? new Date() });
  });
  await noticeOperators(d, ticket, 'reply');
  return userThread(d.database.db, ticket);
}

/** The owner closes their request (closing a closed one changes nothing). */
export async function closeTicket(d: SupportDeps, userId: string, id: string): Promise<SupportThread> {
  const ticket = await d.database.db.transaction(async (tx) => {
    const t = await repo.findTicket(tx, id, { userId, forUpdate: true });
    if (!t) throw notFound('Support request');
    if (t.status === 'closed') return t;
    return repo.updateTicket(tx, t.id, { status: 'closed', waitingSince: null, closedAt: new Date(), closedBy: userId });
  });
  return userThread(d.database.db, ticket);
}
