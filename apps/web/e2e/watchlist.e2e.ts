import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newPage, PHONE, shoot, signUp, uniqueEmail } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('watchlist', () => {
  it('a visitor is sent to sign in by the star; a user stars assets, filters the table, and keeps the list after a reload', async () => {
    const page = await newPage(browser);
    await page.goto('/markets');
    await page.getByTestId('star-BTC').click();
    await page.waitForURL(/\/login\?next=%2Fmarkets/);

    await signUp(page, uniqueEmail('watch'));
    await page.goto('/markets');
    const btcStar = page.getByTestId('star-BTC');
    await btcStar.waitFor();
    expect(await btcStar.getAttribute('aria-pressed')).toBe('false');
    await btcStar.click();
    await page.getByTestId('star-DOGE').click();
    await page.getByTestId('star-LINK').click();
    // Starring does not open the asset (the row is clickable).
    expect(new URL(page.url()).pathname).toBe('/markets');
    await page.waitForFunction(() => document.querySelector('[data-testid="star-LINK"]')?.getAttribute('aria-pressed') === 'true');

    await page.getByTestId('filter-watchlist').click();
    await page.waitForURL(/list=watchlist/);
    await page.getByTestId('market-row-DOGE').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(3);

    // Unstar from the asset page; the filter (kept in the URL) survives a reload.
    await page.goto('/markets/chainlink');
    await page.getByRole('button', { name: 'Remove Chainlink from your watchlist' }).click();
    await page.getByRole('button', { name: 'Add Chainlink to your watchlist' }).waitFor();
    await page.goto('/markets?list=watchlist');
    await page.getByTestId('market-row-BTC').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2);
    expect(await page.getByTestId('market-row-LINK').count()).toBe(0);

    // Every symbol's text stays inside its round icon (DOGE, USDT, NEAR, AAVE...).
    await page.getByTestId('filter-watchlist').click();
    await page.goto('/markets');
    await page.getByTestId('market-row-USDT').waitFor();
    const overflowing = await page.$$eval('svg.asset-icon', (icons) =>
      icons
        .map((svg) => {
          const c = svg.getBoundingClientRect();
          const t = svg.querySelector('text')!.getBoundingClientRect();
          return { symbol: svg.getAttribute('data-symbol'), fits: t.left >= c.left && t.right <= c.right && t.width > 0 };
        })
        .filter((x) => !x.fits)
        .map((x) => x.symbol),
    );
    expect(overflowing).toEqual([]);

    await page.goto('/markets?list=watchlist');
    await page.getByTestId('market-row-DOGE').waitFor();
    await shoot(page, 'markets-watchlist');

    // Phone width: the bottom tab bar replaces the top navigation.
    await page.setViewportSize(PHONE);
    const tabs = page.getByTestId('tab-bar');
    await tabs.waitFor();
    expect(await page.locator('nav.nav').isVisible()).toBe(false);
    await tabs.getByRole('link', { name: 'Wallet' }).click();
    await page.waitForURL(/\/wallet/);
    // The wallet screen is loaded on demand: open More once it has rendered, so its arrival cannot close the sheet.
    await page.getByRole('heading', { name: 'Wallet', level: 1 }).waitFor();
    await tabs.getByRole('button', { name: 'More' }).click();
    await page.getByRole('navigation', { name: 'More' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/settings/);
    await page.context().close();
  });
});
