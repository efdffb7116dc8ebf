import type { Platform } from '../../platform/index.ts';
import { escapeHtml, MAIL_BOTTOM, MAIL_TOP } from '../../platform/mailer/layout.ts';
import type { MailMessage, MailPersonalizer } from '../../platform/mailer/mailer.ts';
import * as repo from './security.repo.ts';

/** A freeze link works once, for this long. */
export const FREEZE_LINK_TTL_SECONDS = 7 * 86_400;

function insertAt(html: string, marker: string, fragment: string, fallback: 'start' | 'end'): string {
  if (html.includes(marker)) return html.replace(marker, fragment);
  return fallback === 'start' ? fragment + html : html + fragment;
}

/**
 * The one place every email passes (registered on platform.mailer): for a recipient with an account it puts the
 * anti-phishing code at the top of the text and HTML bodies and, for a security notice, a one-time freeze link
 * ("this wasn't me") at the bottom. Mail to an address without an account passes unchanged.
 */
export function securityPersonalizer(platform: Pick<Platform, 'config' | 'database'>): MailPersonalizer {
  const { db } = platform.database;
  return async (message: MailMessage): Promise<MailMessage> => {
    const who = await repo.recipientByEmail(db, message.to);
    if (!who) return message;
    let { text, html } = message;
    if (message.securityNotice) {
      const token = await repo.issueToken(db, { userId: who.userId, purpose: 'freeze', ttlSeconds: FREEZE_LINK_TTL_SECONDS });
      const link = `${platform.config.appUrl}/freeze?token=${encodeURIComponent(token)}`;
      const days = FREEZE_LINK_TTL_SECONDS / 86_400;
      text += `\nThis wasn't you? Freeze your account: ${link}\nIt signs out every session and blocks withdrawals, transfers and security changes until you (with your password and second factor) or support lift it. The link works once, for ${days} days.\n`;
      html = insertAt(
        html,
        MAIL_BOTTOM,
        `<div style="margin:20px 0 0;padding:12px;border:1px solid #fecaca;background:#fef2f2;border-radius:6px"><p style="margin:0 0 8px;font-weight:bold">This wasn't you?</p><p style="margin:0 0 8px"><a href="${escapeHtml(link)}" style="color:#b91c1c">Freeze your account</a>: it signs out every session and blocks withdrawals, transfers and security changes until you (with your password and second factor) or support lift it. The link works once, for ${days} days.</p></div>`,
        'end',
      );
    }
    if (who.antiPhishingCode) {
      const code = who.antiPhishingCode;
      text = `Your anti-phishing code: ${code}\n\n${text}`;
      html = insertAt(
        html,
        MAIL_TOP,
        `<p data-anti-phishing style="margin:0 0 16px;padding:8px 12px;background:#eef2ff;border-radius:6px;font-size:14px">Your anti-phishing code: <strong>${escapeHtml(code)}</strong></p>`,
        'start',
      );
    }
    return { ...message, text, html };
  };
}
