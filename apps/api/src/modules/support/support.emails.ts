import { escapeHtml, htmlLayout } from '../../platform/mailer/layout.ts';
import type { MailMessage } from '../../platform/mailer/mailer.ts';

/**
 * Support emails. What a stranger types (the contact form's name, subject and message) is never put into an email
 * to the address they typed: anyone can type anyone's address, and the recipient's anti-phishing code at the top of
 * our emails would lend that text our voice. Acknowledgements say only that a message arrived, with its reference.
 * Operators' notices name the ticket and link to the console; they do not carry the user's text either (read it
 * in the console, where it is shown as text). Operator replies are sent as written, escaped.
 */

const p = (html: string) => `<p style="margin:0 0 12px;line-height:1.5">${html}</p>`;
const button = (href: string, label: string) =>
  `<p style="margin:16px 0"><a href="${escapeHtml(href)}" style="background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(label)}</a></p>`;
/** Plain text as HTML: escaped, line breaks kept. */
const paragraphs = (text: string) =>
  `<div style="margin:0 0 12px;padding:12px;background:#f5f6f8;border-radius:6px;line-height:1.5">${escapeHtml(text).replace(/\r?\n/g, '<br>')}</div>`;

export const ref = (n: number) => `#${n}`;

/** To the address typed into the contact form: nothing of what was typed, only the reference. */
export function contactAcknowledgement(to: string, number: number): MailMessage {
  const subject = `We received your message (${ref(number)})`;
  const text = `Thank you for contacting CryptoVault support. Your message arrived and has the reference ${ref(number)}; we answer by email to this address, usually within one business day.\n\nIf you did not write to us, you can ignore this email.\n`;
  const html = htmlLayout(
    'We received your message',
    p(`Thank you for contacting CryptoVault support. Your message arrived and has the reference <strong>${ref(number)}</strong>.`) +
      p('We answer by email to this address, usually within one business day.') +
      p('If you did not write to us, you can ignore this email.'),
  );
  return { to, subject, text, html };
}

/** To the owner of a new ticket (their own verified address; the subject is theirs). */
export function ticketOpenedEmail(to: string, number: number, subject: string, link: string): MailMessage {
  const mailSubject = `Support request ${ref(number)} received`;
  const text = `We received your support request ${ref(number)}: "${subject}".\n\nAn operator will answer in the thread; we email you when they do. Read or add to it here: ${link}\n`;
  const html = htmlLayout(
    'Support request received',
    p(`We received your support request <strong>${ref(number)}</strong>: “${escapeHtml(subject)}”.`) +
      p('An operator will answer in the thread; we email you when they do.') +
      button(link, 'Open the request'),
  );
  return { to, subject: mailSubject, text, html };
}

/** An operator's reply, to the ticket's owner (with a link) or the contact form's sender (no account to open). */
export function operatorReplyEmail(to: string, number: number, body: string, opts: { link: string | null; waitingOnUser: boolean }): MailMessage {
  const subject = `Reply to your support request ${ref(number)}`;
  const ask = opts.waitingOnUser ? 'We need a little more from you to go on.' : 'We hope this answers your question.';
  const how = opts.link ? `Reply or close the request here: ${opts.link}` : `To write back, use the contact form again and quote ${ref(number)}.`;
  const text = `An operator replied to your support request ${ref(number)}:\n\n${body}\n\n${ask}\n${how}\n`;
  const html = htmlLayout(
    'A reply from CryptoVault support',
    p(`An operator replied to your support request <strong>${ref(number)}</strong>:`) +
      paragraphs(body) +
      p(escapeHtml(ask)) +
      (opts.link ? button(opts.link, 'Open the request') : p(`To write back, use the contact form again and quote ${ref(number)}.`)),
  );
  return { to, subject, text, html };
}

/** To operators: a ticket needs an answer. Names the ticket only (its text is read in the console). */
export function operatorNoticeEmail(to: string, number: number, what: 'new' | 'reply', link: string): MailMessage {
  const subject = what === 'new' ? `New support request ${ref(number)}` : `New message on support request ${ref(number)}`;
  const line =
    what === 'new' ? `Support request ${ref(number)} was opened and waits for an answer.` : `The user wrote again on support request ${ref(number)}.`;
  const text = `${line}\n\nRead and answer it in the console: ${link}\n`;
  const html = htmlLayout('Support queue', p(escapeHtml(line)) + button(link, 'Open in the console'));
  return { to, subject, text, html };
}
