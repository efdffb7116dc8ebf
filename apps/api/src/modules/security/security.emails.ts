import { escapeHtml, htmlLayout } from '../../platform/mailer/layout.ts';
import type { MailMessage } from '../../platform/mailer/mailer.ts';

/**
 * Emails of the account-security features. Every one of them passes the mail personalizer (anti-phishing code at
 * the top); those marked securityNotice also get the one-time "this wasn't me" freeze link.
 */

const p = (html: string) => `<p style="margin:0 0 12px;line-height:1.5">${html}</p>`;
const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const button = (href: string, label: string) =>
  `<p style="margin:16px 0"><a href="${escapeHtml(href)}" style="background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(label)}</a></p>`;

export interface Origin {
  device: string;
  ip: string;
  at: Date;
}
const originText = (o: Origin) => `Device: ${o.device}\nIP address: ${o.ip}\nTime: ${when(o.at)}`;
const originHtml = (o: Origin) => p(`Device: ${escapeHtml(o.device)}<br>IP address: ${escapeHtml(o.ip)}<br>Time: ${when(o.at)}`);

export interface AddressFacts {
  asset: string;
  network: string;
  address: string;
  label: string;
}
const addressLine = (a: AddressFacts) => `${a.label}: ${a.asset} on ${a.network}, ${a.address}`;

export function addressAddedEmail(to: string, a: AddressFacts, confirmLink: string, usableAt: Date, linkHours: number, o: Origin): MailMessage {
  const subject = 'A withdrawal address was added to your CryptoVault address book';
  const text = `This address was added to your withdrawal address book:\n\n${addressLine(a)}\n\n${originText(o)}\n\nIt can receive withdrawals only after you confirm it with this link (valid ${linkHours} hours, once): ${confirmLink}\nand not before ${when(usableAt)}.\n\nIf this was not you, do not open the confirmation link: freeze your account with the link below.\n`;
  const html = htmlLayout(
    'Withdrawal address added',
    p('This address was added to your withdrawal address book:') +
      p(`<strong>${escapeHtml(a.label)}</strong>: ${escapeHtml(a.asset)} on ${escapeHtml(a.network)}<br><code>${escapeHtml(a.address)}</code>`) +
      originHtml(o) +
      p(`It can receive withdrawals only after you confirm it (the link works once, for ${linkHours} hours) and not before ${when(usableAt)}.`) +
      button(confirmLink, 'Confirm this address') +
      p('If this was not you, do not confirm it: freeze your account with the link below.'),
  );
  return { to, subject, text, html, securityNotice: true };
}

export function addressConfirmedEmail(to: string, a: AddressFacts, usableAt: Date): MailMessage {
  const subject = 'A withdrawal address was confirmed';
  const text = `You confirmed this withdrawal address:\n\n${addressLine(a)}\n\nIt can receive withdrawals from ${when(usableAt)}.\n`;
  const html = htmlLayout(
    'Withdrawal address confirmed',
    p('You confirmed this withdrawal address:') +
      p(`<strong>${escapeHtml(a.label)}</strong>: ${escapeHtml(a.asset)} on ${escapeHtml(a.network)}<br><code>${escapeHtml(a.address)}</code>`) +
      p(`It can receive withdrawals from ${when(usableAt)}.`),
  );
  return { to, subject, text, html, securityNotice: true };
}

export function addressRemovedEmail(to: string, a: AddressFacts, o: Origin): MailMessage {
  const subject = 'A withdrawal address was removed from your CryptoVault address book';
  const text = `This address was removed from your withdrawal address book:\n\n${addressLine(a)}\n\n${originText(o)}\n`;
  const html = htmlLayout(
    'Withdrawal address removed',
    p('This address was removed from your withdrawal address book:') +
      p(`<strong>${escapeHtml(a.label)}</strong>: ${escapeHtml(a.asset)} on ${escapeHtml(a.network)}<br><code>${escapeHtml(a.address)}</code>`) +
      originHtml(o),
  );
  return { to, subject, text, html, securityNotice: true };
}

/** `offAt` null: the mode was turned on; a date: switching it off was requested and takes effect then. */
export function addressBookOnlyEmail(to: string, offAt: Date | null, o: Origin): MailMessage {
  const subject = offAt ? '"Address book only" will be switched off on your CryptoVault account' : '"Address book only" is on for your CryptoVault account';
  const what = offAt
    ? `Someone asked to switch off "address book only" withdrawals on your account. Until ${when(offAt)} withdrawals still go only to confirmed addresses of your address book; after that, to any address.`
    : 'Withdrawals from your account now go only to confirmed addresses of your address book that have passed their waiting period.';
  const text = `${what}\n\n${originText(o)}\n\nIf this was not you, freeze your account with the link below.\n`;
  const html = htmlLayout(
    offAt ? 'Address book only: switch-off requested' : 'Address book only is on',
    p(escapeHtml(what)) + originHtml(o) + p('If this was not you, freeze your account with the link below.'),
  );
  return { to, subject, text, html, securityNotice: true };
}

export function antiPhishingChangedEmail(to: string, set: boolean, o: Origin): MailMessage {
  const subject = set ? 'Your CryptoVault anti-phishing code was set' : 'Your CryptoVault anti-phishing code was removed';
  const what = set
    ? 'Your anti-phishing code was set or changed: from now on it is at the top of every email we send you. An email without it is not from us.'
    : 'Your anti-phishing code was removed: our emails no longer carry one.';
  const text = `${what}\n\n${originText(o)}\n\nIf this was not you, freeze your account with the link below.\n`;
  const html = htmlLayout('Anti-phishing code', p(escapeHtml(what)) + originHtml(o) + p('If this was not you, freeze your account with the link below.'));
  return { to, subject, text, html, securityNotice: true };
}

export function accountFrozenEmail(to: string, appUrl: string): MailMessage {
  const link = `${appUrl}/settings`;
  const subject = 'Your CryptoVault account is frozen';
  const text = `Your account was frozen with a "this wasn't me" link: every session was signed out, pending withdrawals were canceled, and withdrawals, transfers and security changes are blocked.\n\nTo lift the freeze, sign in and ask for an unfreeze link (${link}); you will need this mailbox, your password and your second factor. Or contact support. Change your password now if it may be known to someone else.\n`;
  const html = htmlLayout(
    'Account frozen',
    p(
      'Your account was frozen with a "this wasn\'t me" link: every session was signed out, pending withdrawals were canceled, and withdrawals, transfers and security changes are blocked.',
    ) +
      p(
        `To lift the freeze, <a href="${escapeHtml(link)}">sign in and ask for an unfreeze link</a>; you will need this mailbox, your password and your second factor. Or contact support. Change your password now if it may be known to someone else.`,
      ),
  );
  return { to, subject, text, html };
}

export function unfreezeLinkEmail(to: string, link: string, ttlMinutes: number): MailMessage {
  const subject = 'Unfreeze your CryptoVault account';
  const text = `Someone signed in to your frozen account and asked to unfreeze it.\n\nTo lift the freeze, open this link (once, within ${ttlMinutes} minutes) and confirm with your password and second factor: ${link}\n\nIf this was not you, ignore this email: the account stays frozen.\n`;
  const html = htmlLayout(
    'Unfreeze your account',
    p('Someone signed in to your frozen account and asked to unfreeze it.') +
      button(link, 'Unfreeze my account') +
      p(
        `The link works once and for ${ttlMinutes} minutes, with your password and second factor. If this was not you, ignore this email: the account stays frozen.`,
      ),
  );
  return { to, subject, text, html };
}

export function accountUnfrozenEmail(to: string, by: 'owner' | 'operator', reason: string | null): MailMessage {
  const subject = 'Your CryptoVault account was unfrozen';
  const who = by === 'owner' ? 'with your unfreeze link, password and second factor' : `by our support team (reason: ${reason ?? '-'})`;
  const text = `Your account was unfrozen ${who}. Withdrawals and transfers work again.\n\nIf this was not you, freeze it again with the link below.\n`;
  const html = htmlLayout(
    'Account unfrozen',
    p(`Your account was unfrozen ${escapeHtml(who)}. Withdrawals and transfers work again.`) + p('If this was not you, freeze it again with the link below.'),
  );
  return { to, subject, text, html, securityNotice: true };
}
