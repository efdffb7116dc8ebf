import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launch, newPage, PHONE, shoot, signUp, uniqueEmail } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const LEGEND = /O \$[\d,.]+\s*H \$[\d,.]+\s*L \$[\d,.]+\s*C \$[\d,.]+\s*V \$[\d,.]+[KMBT]?/;

/** The candle chart is drawn (canvas), holds candles, and its legend reads O/H/L/C/V; hovering shows another candle's. */
async function expectCandleChart(page: Page): Promise<number> {
  const chart = page.getByTestId('candle-chart').first();
  await chart.locator('canvas').first().waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="candle-chart"]')?.getAttribute('data-candles') ?? 0) > 1);
  const count = Number(await chart.getAttribute('data-candles'));
  const legend = page.getByTestId('candle-legend').first();
  expect(await legend.textContent()).toMatch(LEGEND);
  const box = (await chart.locator('.chart-box').boundingBox())!;
  const before = await legend.textContent();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.waitForFunction((b) => document.querySelector('[data-testid="candle-legend"]')?.textContent !== b, before);
  expect(await legend.textContent()).toMatch(LEGEND);
  await page.mouse.move(0, 0);
  return count;
}

describe('candles', () => {
  it('the asset page shows candles with volume, crosshair values and the shared ranges', async () => {
    const page = await newPage(browser);
    await page.goto('/markets/bitcoin');
    const day = await expectCandleChart(page);
    // 1D is 15-minute candles: a day of them once the history is backfilled.
    expect(day).toBeGreaterThanOrEqual(90);
    for (const r of ['1D', '1W', '1M', '1Y']) await page.getByRole('button', { name: r, exact: true }).waitFor();
    await page.getByRole('button', { name: '1W', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="candle-chart"]')?.getAttribute('data-interval') === '1h');
    await expectCandleChart(page);
    await page.getByRole('button', { name: '1D', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="candle-chart"]')?.getAttribute('data-interval') === '15m');
    await shoot(page, 'asset-detail');
    await page.context().close();
  });

  it('the trade page shows chart, order form and open orders together on desktop; on a phone the form is one tap away', async () => {
    const page = await newPage(browser);
    await signUp(page, uniqueEmail('candles'), 'Ada Candles');
    // An empty portfolio's chart (its axis is checked by eye: $0.00 upwards, not "$-0.0000").
    await page.locator('.chart-box canvas').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'candles-dashboard-empty.png') });
    await page.goto('/trade?symbol=ETH/USD');
    await expectCandleChart(page);
    const form = page.getByTestId('order-panel');
    for (const el of [page.getByTestId('candle-chart'), form, page.getByRole('heading', { name: 'Open orders' })]) {
      expect(await el.isVisible()).toBe(true);
      expect((await el.boundingBox())!.y).toBeLessThan(800);
    }
    expect(await page.getByTestId('trade-bar').isVisible()).toBe(false);
    await shoot(page, 'trade');

    await page.setViewportSize(PHONE);
    expect(await form.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Buy / Sell ETH' }).click();
    await page.getByLabel('Amount (ETH)').waitFor();
    expect(await form.isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'trade-sheet-phone.png') });
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    expect(await form.isVisible()).toBe(false);
    await page.context().close();
  });
});
