import type { AdminSupportThread, AdminSupportTicket, Page } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { contactOf } from '../auth/index.ts';
import { operatorReplyEmail } from './support.emails.ts';
import * as repo from './support.repo.ts';
import type { SupportTicketRow } from './support.schema.ts';
import { type SupportDeps, sendMail, sortKeyCursor, ticketLink } from './support.service.ts';
import { adminThread, adminTickets } from './support.views.ts';

/** The operator acting, for the audit log. */
export interface OperatorCtx {
  operatorId: string;
  requestId: string;
}

export async function queue(
  d: SupportDeps,
  ctx: OperatorCtx,
  q: { status: repo.QueueFilter; mine: boolean; limit: number; cursor?: string | undefined },
): Promise<Page<AdminSupportTicket>> {
  const db = d.database.db;
  const rows = await repo.listQueue(db, {
    filter: q.status,
    assignedTo: q.mine ? ctx.operatorId : null,
    limit: q.limit,
    cursor: sortKeyCursor.decode(q.cursor),
  });
  const more = rows.length > q.limit;
  const slice = more ? rows.slice(0, q.limit) : rows;
  const last = slice.at(-1);
  return { items: await adminTickets(db, slice), nextCursor: more && last ? sortKeyCursor.encode(repo.queueKey(q.status, last)) : null };
}

export async function ticket(d: SupportDeps, id: string): Promise<AdminSupportThread> {
  const t = await repo.findTicket(d.database.db, id);
  if (!t) throw notFound('Support request');
  return adminThread(d.database.db, t);
}

/** Locks the ticket, runs `act` and writes its audit record, all in one transaction. */
async function act(
  d: SupportDeps,
  ctx: OperatorCtx,
  id: string,
  action: string,
  run: (tx: Executor, t: SupportTicketRow) => Promise<{ ticket: SupportTicketRow; details?: Record<string, unknown> }>,
): Promise<SupportTicketRow> {
  return d.database.db.transaction(async (tx) => {
    const t = await repo.findTicket(tx, id, { forUpdate: true });
    if (!t) throw notFound('Support request');
    const done = await run(tx, t);
    await recordAudit(tx, {
      actorId: ctx.operatorId,
      action,
      targetType: 'support_ticket',
      targetId: t.id,
      requestId: ctx.requestId,
      details: { number: t.number, ...done.details },
    });
    return done.ticket;
  });
}

const closedError = () => new AppError('INVALID_STATE', 'This request is closed; nothing more can be added to it.');

/**
 * An operator's reply: emailed to the user (the ticket's owner, or the contact form's sender), nothing waits on
 * operators any more, and the ticket becomes `answered` or `waiting_on_user`. Taking an unassigned ticket is implied.
 */
export async function reply(d: SupportDeps, ctx: OperatorCtx, id: string, body: { message: string; status: 'answered' | 'waiting_on_user' }) {
  const t = await act(d, ctx, id, 'support.reply', async (tx, t) => {
    if (t.status === 'closed') throw closedError();
    await repo.insertMessage(tx, { ticketId: t.id, author: 'operator', authorId: ctx.operatorId, body: body.message });
    const ticket = await repo.updateTicket(tx, t.id, { status: body.status, waitingSince: null, assignedTo: t.assignedTo ?? ctx.operatorId });
    return { ticket, details: { status: body.status } };
  });
  const to = t.userId ? ((await contactOf(d.database.db, t.userId))?.email ?? null) : t.contactEmail;
  if (to) {
    const mail = operatorReplyEmail(to, t.number, body.message, {
      link: t.userId ? ticketLink(d, t.id) : null,
      waitingOnUser: body.status === 'waiting_on_user',
    });
    sendMail(d, mail, 'support-reply');
  }
  return adminThread(d.database.db, t);
}

/** A note for operators only: never shown or emailed to the user; the ticket's state does not change. */
export async function note(d: SupportDeps, ctx: OperatorCtx, id: string, text: string) {
  const t = await act(d, ctx, id, 'support.note', async (tx, t) => {
    await repo.insertMessage(tx, { ticketId: t.id, author: 'operator', authorId: ctx.operatorId, internal: true, body: text });
    return { ticket: await repo.updateTicket(tx, t.id, {}) };
  });
  return adminThread(d.database.db, t);
}

/** The operator takes the ticket: user messages on it are then announced to them rather than to SUPPORT_EMAIL. */
export async function assignToSelf(d: SupportDeps, ctx: OperatorCtx, id: string) {
  const t = await act(d, ctx, id, 'support.assign', async (tx, t) => {
    if (t.status === 'closed') throw closedError();
    return { ticket: await repo.updateTicket(tx, t.id, { assignedTo: ctx.operatorId }), details: { previous: t.assignedTo } };
  });
  return adminThread(d.database.db, t);
}

export async function close(d: SupportDeps, ctx: OperatorCtx, id: string) {
  const t = await act(d, ctx, id, 'support.close', async (tx, t) => {
    if (t.status === 'closed') return { ticket: t, details: { alreadyClosed: true } };
    return { ticket: await repo.updateTicket(tx, t.id, { status: 'closed', waitingSince: null, closedAt: new Date(), closedBy: ctx.operatorId }) };
  });
  return adminThread(d.database.db, t);
}
