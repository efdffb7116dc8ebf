import Decimal from 'decimal.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPost, launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

/**
 * Issue 20, an honest preview: a market order is confirmed on the server's quote, and the fill equals the quote to
 * the cent (price, fee, total and the USD balance change); a price that moved beyond the bound refuses the order.
 */
let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
  await signUp(page, uniqueEmail('confirm'), 'Ada Quote');
  await page.goto('/wallet?tab=deposit');
  await page.getByLabel('Amount (USD)').fill('5000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Simulate payment' }).click();
  await waitForText(page, 'available-USD', (t) => t === '5,000.00');
});
afterAll(async () => {
  await browser?.close();
});

interface OrderJson {
  id: string;
  status: string;
  average: string;
  filled: string;
  cost: string;
  fee: { cost: string };
}

const dollars = (text: string) => new Decimal(text.replace(/[$,]/g, ''));

async function setBtc(priceUsd: string): Promise<void> {
  const res = await devPost('/api/dev/market/bitcoin', { priceUsd, holdMs: 600_000 });
  expect(res.status).toBe(200);
}

async function usdAvailable(): Promise<Decimal> {
  const r = (await (await page.request.get('/api/wallet/balances')).json()) as { items: { asset: string; available: string }[] };
  return new Decimal(r.items.find((i) => i.asset === 'USD')?.available ?? '0');
}

describe('confirming a market order', () => {
  it('the dialog shows the quote (the issue’s 0.02 BTC: fee $1.95, total $1,942.47) and the fill equals it to the cent', async () => {
    await setBtc('97025.97');
    await page.goto('/trade?symbol=BTC/USD');
    await waitForText(page, 'trade-price', (t) => t === '$97,025.97');
    await page.getByLabel('Amount (BTC)').fill('0.02');
    await waitForText(page, 'order-total', (t) => t === '$1,942.47');
    await page.getByRole('button', { name: 'Buy BTC' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm buy BTC' });
    const total = await waitForText(page, 'quote-total', (t) => t.startsWith('$'));
    const shown = {
      amount: (await dialog.getByTestId('quote-amount').textContent()) ?? '',
      price: (await dialog.getByTestId('quote-price').textContent()) ?? '',
      fee: (await dialog.getByTestId('quote-fee').textContent()) ?? '',
      total,
    };
    expect(shown).toEqual({ amount: '0.02 BTC', price: '$97,025.97', fee: '$1.95', total: '$1,942.47' });
    expect(await dialog.getByLabel('Max. slippage').inputValue()).toBe('50');
    await shoot(page, 'trade-confirm');

    const before = await usdAvailable();
    await dialog.getByRole('button', { name: 'Buy 0.02 BTC' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Order history' }).getByText('filled').first().waitFor();

    const orders = (await (await page.request.get('/api/orders?status=closed')).json()) as { items: OrderJson[] };
    const order = orders.items[0]!;
    expect(order).toMatchObject({ status: 'closed', filled: '0.02', average: '97025.97' });
    expect(dollars(shown.fee).eq(order.fee.cost)).toBe(true);
    expect(dollars(shown.total).eq(new Decimal(order.cost).plus(order.fee.cost))).toBe(true);
    const after = await usdAvailable();
    expect(before.minus(after).toFixed(2)).toBe('1942.47');
    await page.goto('/wallet');
    await waitForText(page, 'available-USD', (t) => t === '3,057.53');
  });

  it('a price that moved beyond the bound refuses the order (balance unchanged) and offers a new quote', async () => {
    await setBtc('97025.97');
    await page.goto('/trade?symbol=BTC/USD');
    await waitForText(page, 'trade-price', (t) => t === '$97,025.97');
    await page.getByLabel('Amount (BTC)').fill('0.01');
    await page.getByRole('button', { name: 'Buy BTC' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm buy BTC' });
    await waitForText(page, 'quote-total', (t) => t.startsWith('$'));
    const before = await usdAvailable();
    await setBtc('99000'); // +2 %, beyond the 0.5 % bound
    await dialog.getByRole('button', { name: 'Buy 0.01 BTC' }).click();
    await dialog.getByText(/The price moved .* since your quote/).waitFor();
    expect((await usdAvailable()).eq(before)).toBe(true);
    await shoot(page, 'trade-confirm-price-moved');
    await dialog.getByRole('button', { name: 'Get a new quote' }).click();
    await waitForText(page, 'quote-price', (t) => t === '$99,000.00');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await setBtc('97025.97');
  });
});
