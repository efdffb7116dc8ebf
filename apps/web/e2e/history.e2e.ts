import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPost, launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
  await signUp(page, uniqueEmail('history'), 'Ada Lovelace');
});
afterAll(async () => {
  await browser?.close();
});

/** The CSV's header and rows, each row as column → value (no quoted commas in the rows this test reads). */
function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [head = '', ...lines] = text.trim().split('\n');
  const header = head.split(',');
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v]))) };
}

describe('history and notifications', () => {
  it('a market buy is one history row with pair, side, price, fee and total; the CSV has those columns', async () => {
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('5000');
    await page.getByLabel('Pay with').selectOption('btc');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'deposit-status', (t) => t === 'finished');

    expect((await devPost('/api/dev/market/bitcoin', { priceUsd: '97026', holdMs: 600_000 })).status).toBe(200);
    await page.goto('/trade?symbol=BTC/USD');
    await waitForText(page, 'trade-price', (t) => t.includes('97,026'));
    await page.getByLabel('Amount (BTC)').fill('0.02');
    await page.getByRole('button', { name: 'Buy BTC' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /^Buy / }).click(); // the market order's confirmation (a firm quote)
    await page.getByText('Order filled: bought 0.02 BTC').first().waitFor();
    // The form's answer and the socket both report the fill: one toast.
    await page.waitForTimeout(1_000);
    expect(await page.locator('.toast').filter({ hasText: 'Order filled: bought 0.02 BTC' }).count()).toBe(1);

    await page.goto('/transactions');
    const table = page.getByTestId('transactions');
    const trade = table.locator('tr', { has: page.getByRole('link', { name: 'Buy BTC/USD' }) });
    await trade.waitFor();
    expect(await trade.count()).toBe(1);
    const text = (await trade.textContent()) ?? '';
    for (const part of ['+0.02 BTC', '$97,026.00', '$1.95', '-$1,942.47']) expect(text).toContain(part);
    // One row per trade: the deposit and the buy, nothing else.
    expect(await table.locator('tbody tr').count()).toBe(2);
    await shoot(page, 'transactions');

    // The export, as the page's button downloads it, and fetched with the page's cookies.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cryptovault-transactions-.*\.csv$/);
    const res = await page.request.get('/api/transactions/export?format=csv');
    expect(res.status()).toBe(200);
    const csv = parseCsv(await res.text());
    for (const column of ['createdAt', 'type', 'pair', 'side', 'asset', 'amount', 'price', 'value', 'fee', 'feeAsset', 'total', 'totalAsset', 'reference']) {
      expect(csv.header).toContain(column);
    }
    const buy = csv.rows.filter((r) => r.type === 'trade');
    expect(buy).toHaveLength(1);
    expect(buy[0]).toMatchObject({
      pair: 'BTC/USD',
      side: 'buy',
      asset: 'BTC',
      amount: '0.02',
      price: '97026',
      value: '1940.52',
      fee: '1.95',
      total: '-1942.47',
    });

    // The row leads to its order.
    await trade.getByRole('link', { name: 'Buy BTC/USD' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await expect.poll(async () => (await page.getByTestId('order-details').textContent()) ?? '').toContain('BTC/USD');
  });

  it('the fill is in Notifications, linking to the order; preferences are on the same page', async () => {
    await page.goto('/notifications');
    const list = page.getByTestId('notifications');
    await list.getByRole('link', { name: 'Order filled: bought 0.02 BTC' }).waitFor();
    expect(await list.getByText('Bought 0.02 BTC at $97,026.00 for $1,940.52, fee $1.95.').count()).toBe(1);
    await page.getByRole('table', { name: 'Notification preferences' }).waitFor();
    const email = page.getByRole('checkbox', { name: 'Order filled: by email' });
    expect(await email.isChecked()).toBe(false);
    await email.click();
    await expect.poll(() => email.isChecked()).toBe(true);
    await shoot(page, 'notifications');
  });
});
