import { escapeHtml, htmlLayout } from '../../platform/mailer/layout.ts';
import type { MailMessage } from '../../platform/mailer/mailer.ts';

const p = (html: string) => `<p style="margin:0 0 12px;line-height:1.5">${html}</p>`;
const when = (d: Date) => `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC`;

export interface KeyFacts {
  label: string;
  scopes: string[];
  ipAllowlist: string[];
  expiresAt: Date | null;
  ip: string;
  at: Date;
}

/**
 * Sent when a key is created: a security notice (the mail personalizer adds the anti-phishing code and the one-time
 * "this wasn't me" freeze link, which stops every key of the account). Never the secret.
 */
export function apiKeyCreatedEmail(to: string, k: KeyFacts): MailMessage {
  const subject = 'A new API key was created for your CryptoVault account';
  const lines = [
    `Label: ${k.label}`,
    `Scopes: ${k.scopes.join(', ')} (no API key can withdraw or transfer funds)`,
    `IP allow-list: ${k.ipAllowlist.length ? k.ipAllowlist.join(', ') : 'any address'}`,
    `Expires: ${k.expiresAt ? when(k.expiresAt) : 'never (until revoked)'}`,
    `Created from: ${k.ip} at ${when(k.at)}`,
  ];
  const text = `An API key was created for your account:\n\n${lines.join('\n')}\n\nYou can revoke it on the Security page. If this was not you, freeze your account with the link below.\n`;
  const html = htmlLayout(
    'New API key',
    p('An API key was created for your account:') +
      p(lines.map(escapeHtml).join('<br>')) +
      p('You can revoke it on the Security page. If this was not you, freeze your account with the link below.'),
  );
  return { to, subject, text, html, securityNotice: true };
}
