import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, launch, newPage, operatorSignIn, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// A file the server accepts by its bytes (the PNG signature), named as a user's screenshot would be.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

async function outbox(to: string): Promise<{ subject: string; text: string }[]> {
  const r = await fetch(`${baseUrl()}/api/dev/outbox?to=${encodeURIComponent(to)}`);
  return ((await r.json()) as { items: { subject: string; text: string }[] }).items;
}

async function waitForMail(to: string, pred: (m: { subject: string; text: string }) => boolean): Promise<{ subject: string; text: string }> {
  for (let i = 0; i < 50; i++) {
    const found = (await outbox(to)).find(pred);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no matching email to ${to}`);
}

/** The user's thread as it is now (the page also polls; a reload makes the check immediate). */
async function reloadThread(page: Page): Promise<void> {
  await page.reload();
  await page.getByTestId('ticket-status').first().waitFor();
}

describe('support', () => {
  it('a user opens a request with a screenshot; an operator takes it, notes, replies; the user sees the reply and answers; the operator closes it', async () => {
    const admin = inject('admin');
    expect(admin, 'global setup creates the administrator with admin:create').not.toBeNull();
    if (!admin) return;

    const email = uniqueEmail('support');
    const user = await newPage(browser);
    await signUp(user, email, 'Sam Support');
    await user.getByRole('link', { name: 'Support' }).first().click();
    await user.getByRole('heading', { name: 'Support', exact: true }).waitFor();
    await user.getByRole('button', { name: 'New request' }).click();
    await user.getByLabel('Topic').selectOption('withdrawals');
    await user.getByLabel('Subject').fill('My BTC withdrawal is still pending');
    await user.getByLabel('Message').fill('I asked for a withdrawal yesterday and it still says pending review.\nCan you check it?');
    await user.getByLabel('Attachments (optional)').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: PNG });
    await user
      .getByRole('list', { name: 'Files to send' })
      .getByText(/^support-.*\.png$/)
      .waitFor();
    await shoot(user, 'support-new-request');
    await user.getByRole('button', { name: 'Send request' }).click();
    await user.waitForURL(/\/support\/[0-9a-f-]{36}$/);
    const ticketUrl = new URL(user.url()).pathname;
    await waitForText(user, 'ticket-status', (t) => t === 'Open');
    await user
      .getByTestId('support-msg-user')
      .getByRole('button', { name: /\.png$/ })
      .waitFor();
    const opened = await waitForMail(email, (m) => m.subject.startsWith('Support request #'));
    const number = opened.subject.match(/#(\d+)/)?.[1];
    expect(number).toBeTruthy();

    const ops = await newPage(browser);
    await operatorSignIn(ops, admin.email, admin.password);
    await ops.goto('/admin/support');
    const queue = ops.getByRole('table', { name: 'Support queue' });
    const row = queue.locator('tr', { hasText: 'My BTC withdrawal is still pending' });
    await row.locator('td.hide-sm').getByText('Sam Support').waitFor();
    await expect(row.getByText('Needs answer').isVisible()).resolves.toBe(true);
    await shoot(ops, 'admin-support-queue');
    await row.getByRole('button', { name: 'My BTC withdrawal is still pending' }).click();
    await ops.getByRole('region', { name: 'Support request' }).waitFor();
    await ops.getByRole('button', { name: 'Take it' }).click();
    await ops.getByText(/taken by /).waitFor();

    await ops.getByRole('button', { name: 'Internal note' }).click();
    const noteDialog = ops.getByRole('dialog', { name: 'Internal note' });
    await noteDialog.getByLabel('Note').fill('Withdrawal is in the review queue; checking the address history.');
    await noteDialog.getByRole('button', { name: 'Add note' }).click();
    await ops.getByTestId('support-note').waitFor();

    await ops.getByRole('button', { name: 'Reply', exact: true }).click();
    const replyDialog = ops.getByRole('dialog', { name: /^Reply to / });
    await replyDialog.getByLabel('Reply', { exact: true }).fill('Thanks, Sam. Did you send it to an address in your address book?');
    await replyDialog.getByLabel('Then the request is').selectOption('waiting_on_user');
    await shoot(ops, 'admin-support-reply');
    await replyDialog.getByRole('button', { name: 'Send reply' }).click();
    await waitForText(ops, 'op-ticket-status', (t) => t === 'Waiting on user');
    await shoot(ops, 'admin-support-thread');

    // The user: emailed, the reply in the thread, the internal note nowhere.
    const mail = await waitForMail(email, (m) => m.subject === `Reply to your support request #${number}`);
    expect(mail.text).toContain('Did you send it to an address in your address book?');
    await reloadThread(user);
    await waitForText(user, 'ticket-status', (t) => t === 'Waiting on you');
    await user.getByTestId('support-msg-operator').getByText('Did you send it to an address in your address book?').waitFor();
    expect(await user.getByText('checking the address history').count()).toBe(0);
    await user.getByLabel('Your reply').fill('Yes, the one labelled "Cold wallet".');
    await user.getByRole('button', { name: 'Send reply' }).click();
    await waitForText(user, 'ticket-status', (t) => t === 'Open');
    await shoot(user, 'support-thread', { phoneFocus: user.getByRole('list', { name: 'Messages' }) });

    // The operator sees the answer and closes the request.
    await ops.reload();
    await ops.getByText('the one labelled "Cold wallet"').waitFor();
    await ops.getByRole('button', { name: 'Close request' }).click();
    await ops.getByRole('dialog').getByRole('button', { name: 'Close request' }).click();
    await waitForText(ops, 'op-ticket-status', (t) => t === 'Closed');

    await user.goto(ticketUrl);
    await waitForText(user, 'ticket-status', (t) => t === 'Closed');
    expect(await user.getByLabel('Your reply').count()).toBe(0);
    await user.goto('/support');
    await user.getByRole('list', { name: 'Your support requests' }).getByText('Closed').waitFor();
    await shoot(user, 'support-requests');
    await user.context().close();
    await ops.context().close();
  });

  it('the contact form, from the footer when signed out, answers with a reference and emails an acknowledgement', async () => {
    const page = await newPage(browser);
    await page.goto('/');
    await page.getByRole('contentinfo').getByRole('link', { name: 'Contact us' }).click();
    await page.getByRole('heading', { name: 'Contact us' }).waitFor();
    const email = uniqueEmail('contact');
    await page.getByLabel('Your name').fill('Casey Visitor');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Subject').fill('Which countries do you serve?');
    await page.getByLabel('Message').fill('Hello, can I open an account from Portugal?');
    await shoot(page, 'contact');
    await page.getByRole('button', { name: 'Send message' }).click();
    const reference = (await page.getByTestId('contact-reference').textContent()) ?? '';
    expect(reference).toMatch(/^#\d+$/);
    const ack = await waitForMail(email, (m) => m.subject.includes(reference));
    expect(ack.text).not.toContain('Portugal');
    await page.context().close();
  });
});
