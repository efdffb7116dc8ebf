import { formatMoney } from '@cryptovault/contract';
import type { Reconciliation } from '@cryptovault/contract';
import type { WithdrawalRequestedEvent } from '../../platform/events.ts';

/**
 * Alert and reply texts, written for a person reading a phone (Telegram's HTML parse mode). They carry what an
 * operator needs to decide and find the case in the console, never secrets: e-mail addresses are masked, addresses
 * shortened, no tokens or codes.
 */

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `alice.smith@example.com` → `al…@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '…';
  return `${email.slice(0, Math.min(2, at))}…${email.slice(at)}`;
}

/** `bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq` → `bc1qar…zwf5mdq`: enough to compare with the console, not to copy. */
export function shortAddress(address: string): string {
  return address.length <= 16 ? address : `${address.slice(0, 6)}…${address.slice(-6)}`;
}

/** The first block of a UUID: what the console shows and an operator can say aloud. */
export const shortId = (id: string) => id.slice(0, 8);

const usd = (v: string) => formatMoney(v, 'USD');

export type InlineKeyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

export function withdrawalButtons(id: string): InlineKeyboard {
  return {
    inline_keyboard: [
      [
        { text: '✅ Approve', callback_data: `wd:a:${id}` },
        { text: '❌ Reject', callback_data: `wd:r:${id}` },
      ],
    ],
  };
}

export function depositButtons(id: string): InlineKeyboard {
  return {
    inline_keyboard: [
      [
        { text: '💵 Credit…', callback_data: `dp:c:${id}` },
        { text: '🗄 Close without credit', callback_data: `dp:x:${id}` },
      ],
    ],
  };
}

export function withdrawalAlert(e: WithdrawalRequestedEvent, who: string): string {
  const approvals = e.requiredApprovals > 1 ? `needs ${e.requiredApprovals} different operators` : 'needs 1 operator';
  return [
    `<b>Large withdrawal waiting for review</b>`,
    `${esc(formatMoney(e.amount, e.asset, { maxDecimals: 18 }))} (about ${esc(usd(e.amountUsd))})`,
    `To ${esc(shortAddress(e.address))} on ${esc(e.network)}`,
    `Account ${esc(who)}`,
    `Withdrawal ${shortId(e.withdrawalId)} · ${approvals}`,
  ].join('\n');
}

export function depositReviewAlert(v: { depositId: string; amountUsd: string; status: string; reason: string | null }, who: string): string {
  return [
    `<b>Deposit needs review</b>`,
    `${esc(usd(v.amountUsd))} deposit, status ${esc(v.status.replace('_', ' '))}`,
    v.reason ? `Why: ${esc(v.reason)}` : null,
    `Account ${esc(who)}`,
    `Deposit ${shortId(v.depositId)}`,
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

export function kycAlert(v: { submissionId: string; tier: number }, who: string): string {
  return [
    `<b>KYC submission waiting for review</b>`,
    `Tier ${v.tier} · account ${esc(who)}`,
    `Submission ${shortId(v.submissionId)}: review it in the console.`,
  ].join('\n');
}

export function driftAlert(r: Reconciliation): string {
  const bad = r.items.filter((i) => !/^-?0(\.0*)?$/.test(i.drift) || i.mismatchedAccounts > 0 || i.unbalancedEntries > 0);
  const lines = bad.slice(0, 8).map((i) => {
    const parts = [`drift ${esc(i.drift)}`];
    if (i.mismatchedAccounts > 0) parts.push(`${i.mismatchedAccounts} account(s) differ from their postings`);
    if (i.unbalancedEntries > 0) parts.push(`${i.unbalancedEntries} unbalanced entr${i.unbalancedEntries === 1 ? 'y' : 'ies'}`);
    return `• ${esc(i.asset)}: ${parts.join(', ')}`;
  });
  if (bad.length > 8) lines.push(`• and ${bad.length - 8} more asset(s)`);
  return [`<b>⚠️ Reconciliation drift</b>`, `The books do not balance:`, ...lines, `Hold payouts and check Admin → Reconciliation.`].join('\n');
}

export const driftResolved = () => `<b>Reconciliation back to zero</b>\nEvery asset balances again.`;

export function staleAlert(ageMs: number | null | undefined, detail: string | undefined): string {
  const age = ageMs == null ? 'no prices received yet' : `last update ${Math.round(ageMs / 1000)} s ago`;
  return [`<b>⚠️ Prices are stale</b>`, `${esc(age)}; market orders are refused until the feed recovers.`, detail ? `Feed: ${esc(detail)}` : null]
    .filter((l): l is string => l !== null)
    .join('\n');
}

export const staleResolved = () => `<b>Prices are fresh again</b>\nThe price feed recovered.`;
