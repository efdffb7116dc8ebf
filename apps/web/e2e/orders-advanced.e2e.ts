import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPost, launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
  await signUp(page, uniqueEmail('orders'), 'Ada Trader');
});
afterAll(async () => {
  await browser?.close();
});

interface OrderJson {
  id: string;
  type: string;
  status: string;
  average: string | null;
  triggerPrice: string | null;
  linkedOrderId: string | null;
}

/** Sets the simulated ETH price (held, so the random walk does not move it) and waits until the trade page shows it. */
async function setEth(price: string, shown: string): Promise<void> {
  const res = await devPost('/api/dev/market/ethereum', { priceUsd: price });
  expect(res.status).toBe(200);
  await waitForText(page, 'trade-price', (t) => t === shown);
}

async function order(id: string): Promise<OrderJson> {
  return (await (await page.request.get(`/api/orders/${id}`)).json()) as OrderJson;
}

/** The row of order `id` in the order history shows `status` (pushed over the socket: no reload). */
async function historyShows(id: string, status: string): Promise<void> {
  await page.getByRole('table', { name: 'Order history' }).getByTestId(`order-${id}`).getByText(status, { exact: true }).waitFor({ timeout: 15_000 });
}

async function placeBuy(fill: () => Promise<void>): Promise<OrderJson> {
  const before = new Set(((await (await page.request.get('/api/orders?status=open')).json()) as { items: OrderJson[] }).items.map((o) => o.id));
  await fill();
  await page.getByLabel('Amount (ETH)').fill('0.01');
  await page.getByRole('button', { name: 'Buy ETH', exact: true }).click();
  let placed: OrderJson | undefined;
  for (let i = 0; i < 50 && !placed; i++) {
    const open = (await (await page.request.get('/api/orders?status=open')).json()) as { items: OrderJson[] };
    // An OCO pair answers with its take-profit leg: the new order that is not a stop-loss leg.
    placed = open.items.find((o) => !before.has(o.id) && !(o.linkedOrderId && o.type === 'stop_loss'));
    if (!placed) await page.waitForTimeout(100);
  }
  expect(placed).toBeDefined();
  return placed!;
}

describe('advanced orders through their triggers', () => {
  it('stop-limit, trailing stop and OCO placed in the order form fill (or cancel) as the price moves', async () => {
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('1000');
    await page.getByLabel('Pay with').selectOption('btc');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'deposit-status', (t) => t === 'finished');

    await page.goto('/trade?symbol=ETH/USD');
    await setEth('2000', '$2,000.00');

    const type = page.getByLabel('Order type');
    const stopLimit = await placeBuy(async () => {
      await type.selectOption('stop_limit');
      await page.getByLabel('Trigger price (USD)').fill('2100');
      await page.getByLabel('Limit price (USD)').fill('2150');
    });
    expect(stopLimit.type).toBe('stop_limit');
    const trailing = await placeBuy(async () => {
      await type.selectOption('trailing_stop');
      await page.getByLabel('Trail by').selectOption('amount');
      await page.getByLabel('Trail (USD)').fill('50');
    });
    expect(trailing).toMatchObject({ type: 'trailing_stop', triggerPrice: '2050' });
    const takeProfit = await placeBuy(async () => {
      await type.selectOption('oco');
      await page.getByLabel('Take-profit price (USD)').fill('1900');
      await page.getByLabel('Stop-loss price (USD)').fill('2100');
    });
    expect(takeProfit.type).toBe('take_profit');
    const stopLoss = takeProfit.linkedOrderId!;

    const openTable = page.getByRole('table', { name: 'Open orders' });
    for (const id of [stopLimit.id, trailing.id, takeProfit.id, stopLoss]) await openTable.getByTestId(`order-${id}`).waitFor();
    await openTable.getByText('OCO').first().waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, 'trade-open-order');

    // 1890: the OCO's take-profit buy fires; its stop-loss is canceled. The trailing buy's level follows down to 1940.
    await setEth('1890', '$1,890.00');
    await historyShows(takeProfit.id, 'filled');
    await historyShows(stopLoss, 'canceled');
    expect(await order(takeProfit.id)).toMatchObject({ status: 'closed', average: '1890' });

    // 1945: 55 above the lowest price since placement: the trailing stop (trail $50) fires.
    await setEth('1945', '$1,945.00');
    await historyShows(trailing.id, 'filled');
    expect(await order(trailing.id)).toMatchObject({ status: 'closed', average: '1945' });

    // 2200: the stop-limit's trigger (2100) fires, but its limit (2150) is below the market: it rests as a limit.
    await setEth('2200', '$2,200.00');
    await expect.poll(async () => (await order(stopLimit.id)).status, { timeout: 5_000 }).toBe('open');
    await openTable.getByTestId(`order-${stopLimit.id}`).waitFor();
    // 2140: at or below the limit: it fills at the market price.
    await setEth('2140', '$2,140.00');
    await historyShows(stopLimit.id, 'filled');
    expect(await order(stopLimit.id)).toMatchObject({ status: 'closed', average: '2140' });
    expect(await openTable.count()).toBe(0);
  });
});
