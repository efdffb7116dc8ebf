import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, logIn, newPage, shoot, signUp, totp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// Bitcoin's genesis address: a valid Base58Check address the withdrawal form accepts.
const BTC_ADDRESS = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa';

async function fundAndBuyBtc(page: Page): Promise<void> {
  await page.goto('/wallet?tab=deposit');
  await page.getByLabel('Amount (USD)').fill('1000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Simulate payment' }).click();
  await waitForText(page, 'available-USD', (t) => t === '1,000.00');
  await page.goto('/trade?symbol=BTC/USD');
  await page.getByTestId('trade-price').waitFor();
  await page.getByLabel('Amount (BTC)').fill('0.002');
  await page.getByRole('button', { name: 'Buy BTC' }).click();
  await page.getByRole('table', { name: 'Order history' }).getByText('filled').first().waitFor();
}

/** Admin routes need 2FA: the seeded administrator turns it on the first time, like a real operator would. */
async function adminSignIn(page: Page, email: string, password: string): Promise<void> {
  await logIn(page, email, password);
  await page.waitForURL(/\/dashboard/);
  await page.goto('/security');
  await page.getByRole('button', { name: 'Set up 2FA' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  await page.getByLabel('6-digit code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on 2FA' }).click();
  await waitForText(page, 'twofa-status', (t) => t === 'On');
}

describe('operations', () => {
  it('flow 6: an admin approves a withdrawal and the user sees it change state live', async () => {
    const admin = inject('admin');
    expect(admin, 'global setup creates the administrator with admin:create').not.toBeNull();
    if (!admin) return;

    const user = await newPage(browser);
    await signUp(user, uniqueEmail('withdraw'), 'Wanda Withdraw');
    await fundAndBuyBtc(user);
    await user.goto('/wallet?tab=withdraw');
    await user.getByLabel('Asset').selectOption('BTC');
    await user.getByLabel('Amount').fill('0.001');
    await user.getByLabel('Destination address').fill(BTC_ADDRESS);
    await user.getByRole('button', { name: 'Request withdrawal' }).click();
    await waitForText(user, 'withdrawal-status', (t) => t === 'pending review');
    await shoot(user, 'wallet-withdraw');
    let navigations = 0;
    user.on('framenavigated', () => navigations++);

    const ops = await newPage(browser);
    await adminSignIn(ops, admin.email, admin.password);
    await ops.goto('/admin');
    await ops.getByText('Withdrawals to review').waitFor();
    await shoot(ops, 'admin-overview');
    await ops.goto('/admin/withdrawals');
    const row = ops.getByRole('table', { name: 'Withdrawal queue' }).locator('tr', { hasText: '0.001 BTC' }).first();
    await row.getByRole('button', { name: 'Approve' }).click();
    await waitForText(user, 'withdrawal-status', (t) => t === 'approved');

    await ops.getByLabel('Show').selectOption('approved');
    ops.once('dialog', (d) => void d.accept('a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9'));
    await ops.getByRole('table', { name: 'Withdrawal queue' }).getByRole('button', { name: 'Mark completed' }).first().click();
    await waitForText(user, 'withdrawal-status', (t) => t === 'completed');
    expect(navigations).toBe(0);

    await ops.goto('/admin/users');
    await ops.getByRole('button', { name: 'Wanda Withdraw' }).first().click();
    await ops.getByText(/Active sessions: \d+/).waitFor();
    await shoot(ops, 'admin-users');

    await ops.goto('/admin/reconciliation');
    await ops.getByText(/The books balance/).waitFor();
    await shoot(ops, 'admin-reconciliation');
    await ops.goto('/admin/audit');
    await ops
      .getByText(/withdrawal/i)
      .first()
      .waitFor();
  });
});
