import { escapeHtml, htmlLayout } from '../../platform/mailer/layout.ts';
import type { MailMessage } from '../../platform/mailer/mailer.ts';

const p = (html: string) => `<p style="margin:0 0 12px;line-height:1.5">${html}</p>`;
const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function verificationEmail(to: string, name: string, code: string, ttlMinutes: number): MailMessage {
  const subject = `Your CryptoVault verification code: ${code}`;
  const text = `Hello ${name},\n\nYour CryptoVault verification code is ${code}. It expires in ${ttlMinutes} minutes.\n\nIf you did not sign up, ignore this email.\n`;
  const html = htmlLayout(
    'Verify your email',
    p(`Hello ${escapeHtml(name)},`) +
      p('Your verification code is:') +
      `<p style="font-size:28px;letter-spacing:6px;font-weight:bold;margin:8px 0 16px">${escapeHtml(code)}</p>` +
      p(`It expires in ${ttlMinutes} minutes. If you did not sign up, ignore this email.`),
  );
  return { to, subject, text, html };
}

/** Sent instead of a code when someone signs up with an address that already has an account. */
export function accountExistsEmail(to: string, appUrl: string): MailMessage {
  const link = `${appUrl}/forgot-password`;
  const subject = 'Someone tried to sign up with your email';
  const text = `Someone tried to create a CryptoVault account with this email address, which already has one.\n\nIf it was you, sign in instead, or reset your password: ${link}\nIf it was not, you can ignore this email.\n`;
  const html = htmlLayout(
    'You already have an account',
    p('Someone tried to create a CryptoVault account with this email address, which already has one.') +
      p(`If it was you, sign in instead, or <a href="${escapeHtml(link)}">reset your password</a>. If it was not, you can ignore this email.`),
  );
  return { to, subject, text, html };
}

export function passwordResetEmail(to: string, link: string, ttlMinutes: number): MailMessage {
  const subject = 'Reset your CryptoVault password';
  const text = `Someone asked to reset the password of your CryptoVault account.\n\nReset it here (valid for ${ttlMinutes} minutes, once): ${link}\n\nIf it was not you, ignore this email: your password stays as it is.\n`;
  const html = htmlLayout(
    'Reset your password',
    p('Someone asked to reset the password of your CryptoVault account.') +
      `<p style="margin:16px 0"><a href="${escapeHtml(link)}" style="background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">Reset password</a></p>` +
      p(`The link works once and for ${ttlMinutes} minutes. If it was not you, ignore this email: your password stays as it is.`),
  );
  return { to, subject, text, html };
}

/** Sent when failed sign-ins trip a throttle: the account is not locked, but someone may be guessing. */
export function throttleEmail(to: string, ip: string, at: Date, appUrl: string): MailMessage {
  const link = `${appUrl}/forgot-password`;
  const subject = 'Failed sign-in attempts on your CryptoVault account';
  const text = `There were several failed attempts to sign in to your account (the last from ${ip}, ${when(at)}). Further attempts from other browsers are slowed down; you can still sign in from a browser you used before.\n\nIf this was not you, someone may be guessing your password: choose a new one here: ${link} and turn on two-factor authentication.\n`;
  const html = htmlLayout(
    'Failed sign-in attempts',
    p(
      `There were several failed attempts to sign in to your account (the last from ${escapeHtml(ip)}, ${when(at)}). Further attempts from other browsers are slowed down; you can still sign in from a browser you used before.`,
    ) +
      p(
        `If this was not you, someone may be guessing your password: <a href="${escapeHtml(link)}">choose a new one</a> and turn on two-factor authentication.`,
      ),
  );
  return { to, subject, text, html, securityNotice: true };
}

export function newDeviceEmail(to: string, device: string, ip: string, at: Date, appUrl: string): MailMessage {
  const link = `${appUrl}/settings/security`;
  const subject = 'New sign-in to your CryptoVault account';
  const text = `Your account was just signed in from a new device.\n\nDevice: ${device}\nIP address: ${ip}\nTime: ${when(at)}\n\nIf this was not you, change your password and end the session: ${link}\n`;
  const html = htmlLayout(
    'New sign-in',
    p('Your account was just signed in from a new device.') +
      `<table style="margin:0 0 12px;font-size:14px"><tr><td>Device</td><td>${escapeHtml(device)}</td></tr><tr><td>IP address</td><td>${escapeHtml(ip)}</td></tr><tr><td>Time</td><td>${when(at)}</td></tr></table>` +
      p(`If this was not you, <a href="${escapeHtml(link)}">change your password and end the session</a>.`),
  );
  return { to, subject, text, html, securityNotice: true };
}

/** Sent whenever two-factor authentication is turned on or off: the owner learns of a change made in a stolen session. */
export function twoFactorChangedEmail(to: string, enabled: boolean, device: string, ip: string, at: Date, appUrl: string): MailMessage {
  const link = `${appUrl}/forgot-password`;
  const what = enabled ? 'turned on' : 'turned off';
  const subject = `Two-factor authentication was ${what} on your CryptoVault account`;
  const text = `Two-factor authentication was ${what} on your account, and every other session was signed out.\n\nDevice: ${device}\nIP address: ${ip}\nTime: ${when(at)}\n\nIf this was not you, reset your password now: ${link} and contact support.\n`;
  const html = htmlLayout(
    `Two-factor authentication ${what}`,
    p(`Two-factor authentication was ${what} on your account, and every other session was signed out.`) +
      p(`Device: ${escapeHtml(device)}<br>IP address: ${escapeHtml(ip)}<br>Time: ${when(at)}`) +
      p(`If this was not you, <a href="${escapeHtml(link)}">reset your password now</a> and contact support.`),
  );
  return { to, subject, text, html, securityNotice: true };
}

/** Sent when the password was changed (signed in) or reset (by link): every other session was signed out. */
export function passwordChangedEmail(to: string, how: 'changed' | 'reset', device: string, ip: string, at: Date, appUrl: string): MailMessage {
  const link = `${appUrl}/forgot-password`;
  const subject = `Your CryptoVault password was ${how}`;
  const text = `The password of your account was ${how} and every other session was signed out.\n\nDevice: ${device}\nIP address: ${ip}\nTime: ${when(at)}\n\nIf this was not you, freeze your account with the link below, then reset your password: ${link}\n`;
  const html = htmlLayout(
    `Password ${how}`,
    p(`The password of your account was ${how} and every other session was signed out.`) +
      p(`Device: ${escapeHtml(device)}<br>IP address: ${escapeHtml(ip)}<br>Time: ${when(at)}`) +
      p(`If this was not you, freeze your account with the link below, then <a href="${escapeHtml(link)}">reset your password</a>.`),
  );
  return { to, subject, text, html, securityNotice: true };
}

function securityChangeEmail(to: string, subject: string, title: string, sentence: string, device: string, ip: string, at: Date, appUrl: string): MailMessage {
  const link = `${appUrl}/forgot-password`;
  const text = `${sentence}\n\nDevice: ${device}\nIP address: ${ip}\nTime: ${when(at)}\n\nIf this was not you, reset your password now: ${link} and contact support.\n`;
  const html = htmlLayout(
    title,
    p(escapeHtml(sentence)) +
      p(`Device: ${escapeHtml(device)}<br>IP address: ${escapeHtml(ip)}<br>Time: ${when(at)}`) +
      p(`If this was not you, <a href="${escapeHtml(link)}">reset your password now</a> and contact support.`),
  );
  return { to, subject, text, html, securityNotice: true };
}

/** Sent whenever a passkey is added or removed (every other session was signed out). */
export function passkeyChangedEmail(to: string, what: 'added' | 'removed', name: string, device: string, ip: string, at: Date, appUrl: string): MailMessage {
  const sentence = `A passkey ("${name}") was ${what} ${what === 'added' ? 'to' : 'from'} your account, and every other session was signed out.`;
  return securityChangeEmail(to, `A passkey was ${what} on your CryptoVault account`, `Passkey ${what}`, sentence, device, ip, at, appUrl);
}

/** Sent when new backup codes replace the old ones. */
export function backupCodesRegeneratedEmail(to: string, device: string, ip: string, at: Date, appUrl: string): MailMessage {
  const sentence = 'New backup codes were created for your account; the previous ones no longer work.';
  return securityChangeEmail(to, 'New backup codes for your CryptoVault account', 'New backup codes', sentence, device, ip, at, appUrl);
}
