import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPost, launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
let alice: Page;
let bob: Page;
const bobEmail = uniqueEmail('bob');

beforeAll(async () => {
  browser = await launch();
  alice = await newPage(browser);
  bob = await newPage(browser);
  await signUp(alice, uniqueEmail('alice'), 'Alice Sender');
  await signUp(bob, bobEmail, 'Bob Receiver');
  await alice.goto('/wallet?tab=deposit');
  await alice.getByLabel('Amount (USD)').fill('100');
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('button', { name: 'Simulate payment' }).click();
  await waitForText(alice, 'available-USD', (t) => t === '100.00');
});
afterAll(async () => {
  await browser?.close();
});

const unread = async (page: Page) =>
  Number(
    (await page
      .getByTestId('unread-count')
      .textContent({ timeout: 1_000 })
      .catch(() => '0')) || '0',
  );

describe('transfers, alerts, notifications, export', () => {
  it('sends $25 to another user, whose balance and bell update live', async () => {
    await bob.goto('/wallet');
    const before = await unread(bob);
    await alice.goto('/wallet?tab=transfer');
    await alice.getByLabel('Recipient email').fill(bobEmail);
    await alice.getByLabel('Amount').fill('25');
    await alice.getByLabel('Note (optional)').fill('lunch');
    await alice.getByRole('button', { name: 'Send' }).click();
    await alice
      .getByRole('dialog', { name: /^Send / })
      .getByRole('button', { name: 'Send' })
      .click(); // the confirmation
    await alice.getByText('To Bob Receiver · lunch').waitFor();
    await shoot(alice, 'wallet-transfer');
    await waitForText(bob, 'available-USD', (t) => t === '25.00');
    await waitForText(bob, 'unread-count', (t) => Number(t) > before);
    await bob.getByRole('button', { name: /^Notifications/ }).click();
    await bob.getByRole('dialog', { name: 'Notifications' }).waitFor();
    await shoot(bob, 'notifications');
    await bob.getByRole('button', { name: 'Mark all read' }).click();
    await bob.getByTestId('unread-count').waitFor({ state: 'detached' });
  });

  it('fires a price alert when the market crosses it, with a toast and a notification', async () => {
    await alice.goto('/alerts');
    await alice.getByLabel('Asset').selectOption('ethereum');
    const now = new Decimal(((await (await alice.request.get('/api/crypto/ethereum')).json()) as { priceUsd: string }).priceUsd);
    const target = now.times('1.05').toDecimalPlaces(2);
    await alice.getByLabel('Target price (USD)').fill(target.toFixed(2));
    await alice.getByRole('button', { name: 'Create alert' }).click();
    await alice.getByRole('cell', { name: /ETH above/ }).waitFor();
    await shoot(alice, 'alerts');
    const before = await unread(alice);
    const res = await devPost('/api/dev/market/ethereum', { priceUsd: target.times('1.01').toDecimalPlaces(2).toFixed(2) });
    expect(res.status).toBe(200);
    await alice
      .getByRole('status')
      .filter({ hasText: /ETH is above/ })
      .first()
      .waitFor({ timeout: 15_000 });
    await waitForText(alice, 'unread-count', (t) => Number(t) > before);
    await alice.getByRole('cell', { name: /fired/ }).waitFor();
  });

  it('filters the history and exports it as CSV', async () => {
    await alice.goto('/transactions');
    await alice.getByTestId('transactions').waitFor();
    await alice.getByLabel('Show').selectOption({ label: 'Transfers' });
    await alice.getByTestId('transactions').getByText('Sent', { exact: true }).first().waitFor();
    await expect.poll(() => alice.getByTestId('transactions').getByText('Deposit', { exact: true }).count()).toBe(0);
    const [download] = await Promise.all([alice.waitForEvent('download'), alice.getByRole('button', { name: 'Export CSV' }).click()]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/type/i);
    // The export carries the page's filters: the transfers, not the deposit.
    expect(csv).not.toMatch(/,deposit,/);
    expect(csv).toMatch(/,transfer_out,/);
  });
});
