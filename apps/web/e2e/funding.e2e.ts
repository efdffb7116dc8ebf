import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

// Issue 20: a deposit paid in BTC and credited in BTC through the simulated provider (signed callback through the
// real webhook), the deposit page's stages, and the withdraw form's lists, fee and amount received.
let browser: Browser;
let page: Page;
const BTC_ADDRESS = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa';

beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
  await signUp(page, uniqueEmail('funding'), 'Satoshi Funder');
});
afterAll(async () => {
  await browser?.close();
});

describe('coin deposits and withdrawals', () => {
  it('deposits BTC credited as BTC: waiting (QR, copy buttons) → confirming (no QR) → credited, the BTC balance increased', async () => {
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('200');
    await page.getByLabel('Pay with').selectOption('btc');
    await page.getByLabel('Credit my balance in').selectOption('coin');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('deposit-card').waitFor();
    await waitForText(page, 'deposit-stage', (t) => t === 'Waiting for your payment');
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    await page.getByRole('button', { name: 'Copy the payment address' }).waitFor();
    await page.getByRole('button', { name: /^Copy the amount/ }).waitFor();
    await shoot(page, 'wallet-deposit', { phoneFocus: page.getByTestId('deposit-card') });

    await page.getByRole('button', { name: 'Simulate confirming' }).click();
    await waitForText(page, 'deposit-stage', (t) => t === 'Payment received, confirming');
    expect(await page.getByRole('img', { name: /QR code/ }).count()).toBe(0);
    expect(await page.getByText('Send exactly').count()).toBe(0);

    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'deposit-stage', (t) => t === 'Deposit credited');
    const credited = await waitForText(page, 'deposit-credited', (t) => / BTC$/.test(t));
    expect(await page.getByRole('img', { name: /QR code/ }).count()).toBe(0);
    const deposits = (await (await page.request.get('/api/wallet/deposits')).json()) as { items: { creditAsset: string; creditedAmount: string }[] };
    expect(deposits.items[0]).toMatchObject({ creditAsset: 'BTC' });
    const amount = deposits.items[0]!.creditedAmount;
    expect(credited).toBe(`${amount} BTC`);
    const balances = (await (await page.request.get('/api/wallet/balances')).json()) as { items: { asset: string; available: string }[] };
    expect(balances.items.find((b) => b.asset === 'BTC')?.available).toBe(amount);
    expect(balances.items.find((b) => b.asset === 'USD')?.available ?? '0').toMatch(/^0(\.0+)?$/);
    await waitForText(page, 'available-BTC', (t) => t.replace(/,/g, '').startsWith(amount));
    // The recent deposits list links the paying transaction to the Bitcoin explorer.
    const tx = page.getByRole('link', { name: /^Transaction [0-9a-f]{64} on the explorer/ }).first();
    await tx.waitFor();
    expect(await tx.getAttribute('href')).toMatch(/^https:\/\/mempool\.space\/tx\/[0-9a-f]{64}$/);
  });

  it('withdraws with the network from a list and the fee and amount received shown first; insufficient funds in words', async () => {
    await page.goto('/wallet?tab=withdraw');
    const asset = page.getByLabel('Asset');
    await asset.locator('option', { hasText: 'Bitcoin (BTC)' }).waitFor({ state: 'attached' });
    const values = await asset.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(values).toContain('BTC');
    expect(values).not.toContain('USD');
    await asset.selectOption('BTC');
    expect(await page.getByLabel('Network').locator('option').allTextContents()).toEqual(['Bitcoin']);
    await page.getByLabel('Destination address').fill(BTC_ADDRESS);

    await page.getByLabel('Amount').fill('5');
    await page.getByRole('button', { name: 'Request withdrawal' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm withdrawal' }).click();
    await page.getByText(/^Insufficient funds: this withdrawal needs 5\.0002 BTC/).waitFor();
    expect(await page.getByText(/daily withdrawal limit/).count()).toBe(0);

    await page.getByLabel('Amount').fill('0.0001');
    await waitForText(page, 'withdraw-receives', (t) => t === '0.0001 BTC');
    expect(await page.getByTestId('withdraw-summary').textContent()).toContain('0.0002 BTC');
    await page.getByRole('button', { name: 'Request withdrawal' }).click();
    // The confirmation step: the full address and the figures, nothing sent before Confirm.
    expect(await page.getByTestId('withdraw-confirm-address').textContent()).toBe(BTC_ADDRESS);
    expect(await page.getByTestId('withdraw-confirm-total').textContent()).toBe('0.0003 BTC');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm withdrawal' }).click();
    await waitForText(page, 'withdrawal-status', (t) => t === 'pending review');
    await page
      .getByText(/fee 0\.0002 BTC/)
      .first()
      .waitFor();
    // The form filled in again (the toasts gone), with its fee summary, beside the list.
    await page.goto('/wallet?tab=withdraw');
    await page.getByLabel('Asset').locator('option', { hasText: 'Bitcoin (BTC)' }).waitFor({ state: 'attached' });
    await page.getByLabel('Asset').selectOption('BTC');
    await page.getByLabel('Destination address').fill(BTC_ADDRESS);
    await page.getByLabel('Amount').fill('0.0001');
    await waitForText(page, 'withdraw-receives', (t) => t === '0.0001 BTC');
    await page.getByLabel('Amount').blur();
    await shoot(page, 'wallet-withdraw', { phoneFocus: page.locator('#withdraw-title') });
  });
});
