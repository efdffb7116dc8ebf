import type { AdminSupportThread, AdminSupportTicket, SupportAttachment, SupportMessage, SupportThread, SupportTicket } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { type Contact, contactsOf } from '../auth/index.ts';
import { tiersOf } from '../kyc/index.ts';
import { attachmentsByMessage } from './support.attachments.ts';
import * as repo from './support.repo.ts';
import type { SupportMessageRow, SupportTicketRow } from './support.schema.ts';

/** Turns rows into the contract's shapes; names come from the users directory (auth). */

const firstName = (name: string | undefined) => name?.trim().split(/\s+/)[0] || 'Support';

function ticketView(t: SupportTicketRow, stats: repo.MessageStats | undefined): SupportTicket {
  return {
    id: t.id,
    number: t.number,
    category: t.category,
    subject: t.subject,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    closedAt: t.closedAt?.toISOString() ?? null,
    lastMessageAt: (stats?.last ?? t.createdAt).toISOString(),
    messageCount: stats?.count ?? 0,
  };
}

function requesterOf(t: SupportTicketRow, contacts: Map<string, Contact>): { name: string; email: string } {
  if (t.userId) {
    const c = contacts.get(t.userId);
    return { name: c?.name ?? 'Deleted account', email: c?.email ?? '' };
  }
  return { name: t.contactName ?? '', email: t.contactEmail ?? '' };
}

function messageView(m: SupportMessageRow, t: SupportTicketRow, contacts: Map<string, Contact>, files: Map<string, SupportAttachment[]>): SupportMessage {
  const authorName = m.author === 'operator' ? firstName(m.authorId ? contacts.get(m.authorId)?.name : undefined) : requesterOf(t, contacts).name || 'You';
  return {
    id: m.id,
    author: m.author,
    authorName,
    internal: m.internal,
    body: m.body,
    attachments: files.get(m.id) ?? [],
    createdAt: m.createdAt.toISOString(),
  };
}

async function contactsFor(ex: Executor, tickets: SupportTicketRow[], messages: SupportMessageRow[] = []): Promise<Map<string, Contact>> {
  const ids = [...tickets.flatMap((t) => [t.userId, t.assignedTo]), ...messages.map((m) => m.authorId)].filter((x): x is string => x !== null);
  return contactsOf(ex, ids);
}

export async function userTickets(ex: Executor, rows: SupportTicketRow[]): Promise<SupportTicket[]> {
  const stats = await repo.messageStats(
    ex,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ticketView(r, stats.get(r.id)));
}

/** The owner's thread: internal notes are not even read. */
export async function userThread(ex: Executor, t: SupportTicketRow): Promise<SupportThread> {
  const messages = await repo.messagesOf(ex, t.id, { includeInternal: false });
  const contacts = await contactsFor(ex, [t], messages);
  const files = await attachmentsByMessage(ex, t.id);
  const stats = { count: messages.length, last: messages.at(-1)?.createdAt ?? t.createdAt };
  return { ...ticketView(t, stats), messages: messages.map((m) => messageView(m, t, contacts, files)) };
}

function adminTicketView(
  t: SupportTicketRow,
  stats: repo.MessageStats | undefined,
  contacts: Map<string, Contact>,
  tiers: Map<string, number>,
): AdminSupportTicket {
  const requester = requesterOf(t, contacts);
  const assignee = t.assignedTo ? contacts.get(t.assignedTo) : undefined;
  return {
    ...ticketView(t, stats),
    source: t.source,
    userId: t.userId,
    requesterName: requester.name,
    requesterEmail: requester.email,
    // A signed-in requester's KYC tier (no profile row is tier 0); a contact-form sender has none.
    tier: t.userId ? (tiers.get(t.userId) ?? 0) : null,
    assignedTo: t.assignedTo ? { id: t.assignedTo, name: assignee?.name ?? 'Unknown operator' } : null,
    waitingSince: t.waitingSince?.toISOString() ?? null,
  };
}

export async function adminTickets(ex: Executor, rows: SupportTicketRow[]): Promise<AdminSupportTicket[]> {
  const [stats, contacts, tiers] = await Promise.all([
    repo.messageStats(
      ex,
      rows.map((r) => r.id),
    ),
    contactsFor(ex, rows),
    tiersOf(ex, [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))]),
  ]);
  return rows.map((r) => adminTicketView(r, stats.get(r.id), contacts, tiers));
}

/** The operator's thread, internal notes included. */
export async function adminThread(ex: Executor, t: SupportTicketRow): Promise<AdminSupportThread> {
  const messages = await repo.messagesOf(ex, t.id, { includeInternal: true });
  const contacts = await contactsFor(ex, [t], messages);
  const files = await attachmentsByMessage(ex, t.id);
  const tiers = await tiersOf(ex, t.userId ? [t.userId] : []);
  const visible = messages.filter((m) => !m.internal);
  const stats = { count: visible.length, last: visible.at(-1)?.createdAt ?? t.createdAt };
  return { ...adminTicketView(t, stats, contacts, tiers), messages: messages.map((m) => messageView(m, t, contacts, files)) };
}
