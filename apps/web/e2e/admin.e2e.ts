import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newPage, operatorSignIn, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

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
  await page.getByRole('dialog').getByRole('button', { name: /^Buy / }).click(); // the market order's confirmation
  await page.getByRole('table', { name: 'Order history' }).getByText('filled').first().waitFor();
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
    await user.getByRole('dialog').getByRole('button', { name: 'Confirm withdrawal' }).click();
    await waitForText(user, 'withdrawal-status', (t) => t === 'pending review');
    // The wallet-withdraw screenshot is taken by funding.e2e.ts (networks, fee summary, the list).
    let navigations = 0;
    user.on('framenavigated', () => navigations++);

    const ops = await newPage(browser);
    await operatorSignIn(ops, admin.email, admin.password);
    await ops.goto('/admin');
    await ops.getByText('Withdrawals to review').waitFor();
    await ops.getByText('Last 14 days').waitFor();
    await shoot(ops, 'admin-overview');
    await ops.goto('/admin/withdrawals');
    const queue = ops.getByRole('list', { name: 'Withdrawal queue' });
    const item = queue.getByRole('listitem').filter({ hasText: 'Wanda Withdraw' }).first();
    // The account beside the request: who asks, how long they have been here, what they hold and moved.
    await item.getByTestId('account-context').getByText('Wanda Withdraw').waitFor();
    await item.getByText(/requested (just now|\d+ min ago)/).waitFor();
    await shoot(ops, 'admin-withdrawals', { phoneFocus: item });
    await item.getByRole('button', { name: 'Approve' }).click();
    const approve = ops.getByRole('dialog', { name: 'Approve this withdrawal?' });
    await approve.getByText('Leaves the platform').waitFor();
    await shoot(ops, 'admin-withdrawal-approve');
    await approve.getByRole('button', { name: 'Approve' }).click();
    await waitForText(user, 'withdrawal-status', (t) => t === 'approved');

    await ops.getByLabel('Show').selectOption('approved');
    await queue.getByRole('listitem').filter({ hasText: 'Wanda Withdraw' }).first().getByRole('button', { name: 'Mark sent' }).click();
    const sent = ops.getByRole('dialog', { name: 'Mark this withdrawal sent' });
    // A hash that is not one is refused in place, in words, and nothing is sent.
    await sent.getByLabel('Transaction hash').fill('not a hash');
    await sent.getByRole('button', { name: 'Mark sent' }).click();
    await sent.locator('.field-error').waitFor();
    expect(await sent.locator('.field-error').textContent()).toMatch(/transaction hash/i);
    await sent.getByLabel('Transaction hash').fill('a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9');
    await sent.getByRole('button', { name: 'Mark sent' }).click();
    await sent.waitFor({ state: 'detached' });
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

    // A superadmin's pages: who holds which role, and adjustments that a second finance operator approves.
    await ops.goto('/admin/roles');
    await ops.getByRole('table', { name: 'Operators and roles' }).waitFor();
    await shoot(ops, 'admin-roles');
    await ops.goto('/admin/adjustments');
    await ops.getByRole('form', { name: 'Propose an adjustment' }).waitFor();
    await shoot(ops, 'admin-adjustments');
  });
});
