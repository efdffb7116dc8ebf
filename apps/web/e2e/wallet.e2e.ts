import Decimal from 'decimal.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPost, launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
  await signUp(page, uniqueEmail('wallet'), 'Grace Hopper');
});
afterAll(async () => {
  await browser?.close();
});

const usd = (d: Decimal) => `$${d.toFixed(2, Decimal.ROUND_HALF_UP).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

interface OrderJson {
  id: string;
  status: string;
  cost: string;
  fee: { cost: string };
  filled: string;
}

describe('wallet and trading', () => {
  it('flow 2: deposit $1,000 via the simulated provider → the balance shows $1,000 without a reload', async () => {
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('1000');
    await page.getByLabel('Pay with').selectOption('btc');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('deposit-card').waitFor();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    await waitForText(page, 'deposit-status', (t) => t === 'waiting');
    // The wallet-deposit screenshot is taken by funding.e2e.ts (a coin deposit with its stages).
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'deposit-status', (t) => t === 'finished');
    await waitForText(page, 'available-USD', (t) => t === '1,000.00');
    await waitForText(page, 'wallet-total', (t) => t === '$1,000.00');
    expect(navigations).toBe(0);
  });

  it('flow 3: market-buy BTC → holdings and transactions show it; USD decreases by cost + fee', async () => {
    await page.goto('/trade?symbol=BTC/USD');
    await page.getByTestId('trade-price').waitFor();
    await page.getByLabel('Amount (BTC)').fill('0.001');
    await waitForText(page, 'order-total', (t) => t.startsWith('$'));
    await shoot(page, 'trade');
    await page.getByRole('button', { name: 'Buy BTC' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /^Buy / }).click(); // the market order's confirmation
    await page.getByRole('table', { name: 'Order history' }).getByText('filled').first().waitFor();

    const orders = (await (await page.request.get('/api/orders?status=closed')).json()) as { items: OrderJson[] };
    const order = orders.items[0]!;
    expect(order.status).toBe('closed');
    expect(order.filled).toMatch(/^0\.001/);
    const expected = new Decimal(1000).minus(order.cost).minus(order.fee.cost);

    await page.goto('/dashboard');
    await page.getByTestId('holding-BTC').waitFor();
    await page.locator('.chart-box canvas').first().waitFor();
    await shoot(page, 'dashboard');
    await page.goto('/wallet');
    await waitForText(page, 'available-USD', (t) => `$${t}` === usd(expected));
    await page.goto('/transactions');
    const table = page.getByTestId('transactions');
    await table.getByRole('link', { name: 'Buy BTC/USD' }).first().waitFor(); // history.e2e.ts shoots this screen
  });

  it('flow 4: a limit order rests; the price moves; it shows filled without a reload', async () => {
    await page.goto('/trade?symbol=ETH/USD');
    const priceText = await waitForText(page, 'trade-price', (t) => t.startsWith('$'));
    const market = new Decimal(priceText.replace(/[$,]/g, ''));
    const limit = market.times('0.9').toDecimalPlaces(2, Decimal.ROUND_DOWN);
    await page.getByLabel('Order type').selectOption('limit');
    await page.getByLabel('Limit price (USD)').fill(limit.toFixed(2));
    await page.getByLabel('Amount (ETH)').fill('0.01');
    await page.getByRole('button', { name: 'Buy ETH' }).click();
    const openTable = page.getByRole('table', { name: 'Open orders' });
    await openTable.getByText('open').first().waitFor();
    const open = (await (await page.request.get('/api/orders?status=open')).json()) as { items: OrderJson[] };
    const id = open.items[0]!.id;

    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    const res = await devPost('/api/dev/market/ethereum', { priceUsd: limit.times('0.98').toDecimalPlaces(2).toFixed(2) });
    expect(res.status).toBe(200);
    await page.getByRole('table', { name: 'Order history' }).getByTestId(`order-${id}`).getByText('filled').waitFor({ timeout: 15_000 });
    expect(await openTable.count()).toBe(0);
    expect(navigations).toBe(0);
  });
});
