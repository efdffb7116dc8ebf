import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPost, launch, newPage, shoot, waitForText } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('markets', () => {
  it('shows the live market table with search and sort, and the asset page with a chart', async () => {
    const page = await newPage(browser);
    await page.goto('/markets');
    await page.getByTestId('market-row-BTC').waitFor();
    await page.locator('svg[aria-label^="Bitcoin over"]').waitFor();
    await shoot(page, 'markets');

    await page.getByLabel('Search assets').fill('eth');
    await page.getByTestId('market-row-ETH').waitFor();
    expect(await page.getByTestId('market-row-BTC').count()).toBe(0);
    await page.getByLabel('Search assets').fill('');
    await page.getByRole('button', { name: /^Price/ }).click();
    const firstPrice = page.locator('tbody tr').first();
    await firstPrice.waitFor();

    await page.getByTestId('market-row-BTC').click();
    await page.waitForURL(/\/markets\/bitcoin/);
    await page.locator('.chart-box canvas').first().waitFor();
    await page.getByRole('button', { name: '1W' }).click();
    await page.locator('.chart-box canvas').first().waitFor();
    // The asset page's screenshots are taken by candles.e2e.ts, with its candle chart drawn.
    await page.context().close();
  });

  it('flow 7: with WebSocket upgrades blocked, prices still update (long-polling fallback)', async () => {
    const page = await newPage(browser);
    let polling = 0;
    page.on('request', (r) => {
      if (/\/socket\.io\/.*transport=polling/.test(r.url())) polling++;
    });
    // A proxy that does not pass upgrades: every WebSocket to Socket.IO is closed before the handshake.
    // (Chromium's request blocking does not cover WebSockets, so the route stands in for the proxy.)
    let websockets = 0;
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      websockets++;
      ws.close({ code: 1011, reason: 'upgrade refused' });
    });
    await page.goto('/markets/solana');
    await page.getByTestId('asset-price').waitFor();
    const target = '123.45';
    // Until the socket subscribed, a set price could arrive by REST instead: wait for the polling session.
    const started = Date.now();
    while (polling < 2 && Date.now() - started < 20_000) await page.waitForTimeout(200);
    expect(polling).toBeGreaterThanOrEqual(2);
    await page.waitForTimeout(1_500);
    const res = await devPost('/api/dev/market/solana', { priceUsd: target });
    expect(res.status).toBe(200);
    // REST refreshes every 30 s; within 10 s it can only have come over the socket.
    await waitForText(page, 'asset-price', (t) => t === '$123.45', 10_000);
    expect(polling).toBeGreaterThan(2);
    expect(websockets).toBeGreaterThan(0);
    await page.context().close();
  });

  it('shows the connection banner while the API is unreachable and clears it when it answers again', async () => {
    const page = await newPage(browser);
    await page.goto('/markets');
    await page.getByTestId('market-row-BTC').waitFor();
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    // Any failed request makes the health monitor check at once instead of in 4 minutes.
    await page.getByTestId('market-row-ETH').click();
    const banner = page.getByTestId('connection-banner');
    await banner.getByText(/Reconnecting/).waitFor();
    await shoot(page, 'connection-lost');
    await page.unroute('**/api/**');
    // The monitor's own backoff may reconnect before the click lands (the button is then gone); either way the
    // banner must clear once the API answers.
    await banner
      .getByRole('button', { name: 'Retry now' })
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await banner.waitFor({ state: 'detached' });
    await page.getByTestId('asset-price').waitFor();
    await page.context().close();
  });
});
