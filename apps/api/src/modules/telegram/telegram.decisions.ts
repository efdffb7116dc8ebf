import { formatMoney } from '@cryptovault/contract';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { type AuthDeps, findUserById, verifySecondFactor } from '../auth/index.ts';
import { resolveDeposit } from '../payments/index.ts';
import { approveWithdrawal, rejectWithdrawal } from '../withdrawals/index.ts';
import { shortId } from './telegram.format.ts';
import { decisionProblem } from './telegram.link.ts';

/** A decision an operator started with a button and finishes with their code. */
export type DecisionKind = 'wd:a' | 'wd:r' | 'dp:c' | 'dp:x';

export interface PendingDecision {
  kind: DecisionKind;
  id: string;
  /** The alert the button was on (edited with the outcome), when known. */
  message?: { chatId: number; messageId: number; text: string };
}

/** How long a started decision waits for the code. */
export const PENDING_TTL_MS = 120_000;
/** Wrong codes per operator before Telegram decisions are locked for the rest of the window. */
export const CODE_FAILURES = { limit: 5, windowMs: 15 * 60_000 };

const pendingKey = (chatId: number) => `telegram:pending:${chatId}`;
const failuresKey = (userId: string) => `telegram:2fa-failures:${userId}`;

export async function setPending(platform: Platform, chatId: number, p: PendingDecision): Promise<void> {
  await platform.cache.set(pendingKey(chatId), JSON.stringify(p), PENDING_TTL_MS);
}

export async function takePending(platform: Platform, chatId: number): Promise<PendingDecision | null> {
  const raw = await platform.cache.get(pendingKey(chatId));
  return raw ? (JSON.parse(raw) as PendingDecision) : null;
}

export async function clearPending(platform: Platform, chatId: number): Promise<void> {
  await platform.cache.del(pendingKey(chatId));
}

/** What the operator is asked to send for each decision (the code always comes first). */
export function promptFor(kind: DecisionKind, id: string): string {
  switch (kind) {
    case 'wd:a':
      return `Approve withdrawal ${shortId(id)}: send your 6-digit authenticator code.`;
    case 'wd:r':
      return `Reject withdrawal ${shortId(id)}: send your 6-digit authenticator code and the reason the customer will read, e.g.\n<code>123456 address on a sanctions list</code>`;
    case 'dp:c':
      return `Credit deposit ${shortId(id)}: send your 6-digit code and the USD amount you established was received, e.g.\n<code>123456 25.00</code>`;
    case 'dp:x':
      return `Close deposit ${shortId(id)} without credit: send your 6-digit authenticator code (and a note if you like).`;
  }
}

/** Reads `CODE rest…`; what else the decision needs is checked before the code is spent. */
function parse(kind: DecisionKind, text: string): { code: string; rest: string } | { problem: string } {
  const m = /^\s*(\d{6})\b\s*([\s\S]*)$/.exec(text);
  if (!m) return { problem: 'Send your 6-digit authenticator code first (a backup code does not work here). /cancel stops.' };
  const code = m[1]!;
  const rest = (m[2] ?? '').trim();
  if (kind === 'wd:r' && rest.length < 3) return { problem: 'Add the reason after the code, e.g. 123456 address on a sanctions list. Your code was not used.' };
  if (kind === 'dp:c' && !/^\d{1,12}(\.\d{1,2})?\b/.test(rest))
    return { problem: 'Add the USD amount after the code, e.g. 123456 25.00. Your code was not used.' };
  return { code, rest };
}

export interface DecisionResult {
  reply: string;
  /** Text to put on the alert the button was on. */
  outcome?: string;
  done: boolean;
}

/**
 * Finishes a started decision with the operator's TOTP code: refused while locked; a wrong or replayed code is
 * counted (five in 15 minutes lock Telegram decisions for the rest of the window) and audited; the right one makes
 * the decision through the console's own service function, as this operator, audited with channel 'telegram'.
 */
export async function decide(
  platform: Platform,
  auth: AuthDeps,
  v: { userId: string; pending: PendingDecision; text: string; requestId: string },
): Promise<DecisionResult> {
  const { userId, pending } = v;
  const db = platform.database.db;
  const user = await findUserById(db, userId);
  const problem = decisionProblem(user);
  if (problem || !user) return { reply: problem ?? 'Not an operator.', done: true };

  const fails = await platform.cache.incr(failuresKey(userId), CODE_FAILURES.windowMs, 0);
  if (fails.count >= CODE_FAILURES.limit) {
    return {
      reply: `Too many wrong codes: decisions from Telegram are locked for ${Math.ceil(fails.ttlMs / 60_000)} more minute(s). The console still works.`,
      done: true,
    };
  }
  const parsed = parse(pending.kind, v.text);
  if ('problem' in parsed) return { reply: parsed.problem, done: false };

  if (!(await verifySecondFactor(auth, user, parsed.code))) {
    const after = await platform.cache.incr(failuresKey(userId), CODE_FAILURES.windowMs);
    const locked = after.count >= CODE_FAILURES.limit;
    await recordAudit(db, {
      actorId: userId,
      action: locked ? 'telegram.second_factor_locked' : 'telegram.second_factor_failed',
      targetType: pending.kind.startsWith('wd') ? 'withdrawal' : 'deposit',
      targetId: pending.id,
      requestId: v.requestId,
      details: { channel: 'telegram', failures: after.count },
    });
    if (locked) return { reply: 'Wrong code again: decisions from Telegram are locked for 15 minutes. Nothing was changed.', done: true };
    return {
      reply: `That code is wrong or was already used. Nothing was changed. ${CODE_FAILURES.limit - after.count} attempt(s) left; send a new code.`,
      done: false,
    };
  }

  const ctx = { adminId: userId, requestId: v.requestId, channel: 'telegram' as const };
  try {
    return await apply(platform, ctx, pending, parsed.rest);
  } catch (err) {
    if (err instanceof AppError) return { reply: `Not done: ${err.message}.`, done: true };
    throw err;
  }
}

async function apply(
  platform: Platform,
  ctx: { adminId: string; requestId: string; channel: 'telegram' },
  p: PendingDecision,
  rest: string,
): Promise<DecisionResult> {
  switch (p.kind) {
    case 'wd:a': {
      // role: finance
      const w = await approveWithdrawal(platform, ctx, p.id);
      const amount = formatMoney(w.amount, w.asset, { maxDecimals: 18 });
      if (w.status === 'approved')
        return { reply: `Approved: withdrawal ${shortId(p.id)} of ${amount} is ready to be sent.`, outcome: '✅ Approved', done: true };
      return {
        reply: `Your approval is recorded (${w.approvals} of ${w.requiredApprovals}): another operator must approve withdrawal ${shortId(p.id)} too.`,
        outcome: `☑️ ${w.approvals} of ${w.requiredApprovals} approvals`,
        done: true,
      };
    }
    case 'wd:r': {
      // role: finance
      await rejectWithdrawal(platform, ctx, p.id, rest.slice(0, 500));
      return { reply: `Rejected withdrawal ${shortId(p.id)}; the funds are released to the customer.`, outcome: '❌ Rejected', done: true };
    }
    case 'dp:c': {
      // role: finance
      const amount = /^(\d{1,12}(?:\.\d{1,2})?)/.exec(rest)![1]!;
      const given = rest.slice(amount.length).trim();
      const note = given.length >= 3 ? given : 'Credited from Telegram';
      await resolveDeposit(platform, ctx, p.id, { note: note.slice(0, 500), creditUsd: amount });
      return {
        reply: `Credited ${formatMoney(amount, 'USD')} for deposit ${shortId(p.id)}; the review is closed.`,
        outcome: `💵 Credited ${formatMoney(amount, 'USD')}`,
        done: true,
      };
    }
    case 'dp:x': {
      // role: finance
      await resolveDeposit(platform, ctx, p.id, { note: (rest.length >= 3 ? rest : 'Closed from Telegram without credit').slice(0, 500) });
      return { reply: `Closed the review of deposit ${shortId(p.id)} without credit.`, outcome: '🗄 Closed without credit', done: true };
    }
  }
}
