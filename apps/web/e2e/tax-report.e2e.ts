import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, devPost, launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

const DOCS = join(import.meta.dirname, '../../../docs/screenshots');

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
  await signUp(page, uniqueEmail('gains'), 'Grace Hopper');
});
afterAll(async () => {
  await browser?.close();
});

async function marketOrder(side: 'buy' | 'sell', amount: string, price: string) {
  expect((await devPost('/api/dev/market/bitcoin', { priceUsd: price, holdMs: 600_000 })).status).toBe(200);
  await page.goto('/trade?symbol=BTC/USD');
  await waitForText(page, 'trade-price', (t) => t.includes(Number(price).toLocaleString('en-US')));
  if (side === 'sell') await page.getByRole('button', { name: 'Sell', exact: true }).click();
  await page.getByLabel('Amount (BTC)').fill(amount);
  await page.getByRole('button', { name: side === 'buy' ? 'Buy BTC' : 'Sell BTC' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: side === 'buy' ? /^Buy / : /^Sell / })
    .click();
  await page
    .getByText(`Order filled: ${side === 'buy' ? 'bought' : 'sold'} ${amount} BTC`)
    .first()
    .waitFor();
}

describe('realised gains and the tax report', () => {
  it('shows P&L per asset on the dashboard, downloads the report, and the PDF opens in Chromium’s PDF viewer', async () => {
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('5000');
    await page.getByLabel('Pay with').selectOption('btc');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'deposit-status', (t) => t === 'finished');

    // Buy 0.02 BTC at $50,000: $1,000.00 + fee $1.00 → one lot of 0.02 costing $1,001.00.
    await marketOrder('buy', '0.02', '50000');
    // Sell 0.01 at $60,000: $600.00 − fee $0.60 = $599.40; cost of half the lot $500.50 → realised +$98.90.
    await marketOrder('sell', '0.01', '60000');

    await page.goto('/dashboard');
    const btc = page.getByTestId('pnl-BTC');
    await btc.waitFor();
    await expect.poll(async () => (await btc.textContent()) ?? '').toContain('+$98.90');
    // Unrealised: 0.01 × $60,000 − $500.50 = +$99.50; total +$198.40.
    const text = (await btc.textContent()) ?? '';
    expect(text).toContain('+$99.50');
    expect(text).toContain('+$198.40');
    await shoot(page, 'gains-dashboard', { phoneFocus: page.getByTestId('pnl') });

    const year = String(new Date().getUTCFullYear());
    await page.getByLabel('Year').selectOption(year);
    const csv = await page.request.get(`/api/gains/report?year=${year}&format=csv`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^BTC,0\.01,.*,500\.50,599\.40,0\.60,98\.90,short,order:/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
    expect(download.suggestedFilename()).toBe(`cryptovault-gains-${year}-fifo.pdf`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const pdfPath = join(ARTIFACTS, 'tax-report.pdf');
    await download.saveAs(pdfPath);
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');

    // Chromium's own PDF viewer. The suite's browser runs with --disable-gpu, under which headless Chromium loads
    // the viewer but paints nothing; with SwiftShader's software GL it paints the pages.
    const viewer = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const view = await viewer.newPage({ viewport: { width: 1280, height: 800 } });
      await view.goto(`file://${pdfPath}`);
      // The viewer read the document: its title, page count (title page + one page of rows) and the page shown.
      const state = (p: Page) => async () => {
        const ext = p.frames().find((f) => f.url().startsWith('chrome-extension://'));
        if (!ext) return null;
        return ext.evaluate(() => {
          const v = document.querySelector('pdf-viewer') as unknown as { docLength_?: number; title_?: string; pageNo_?: number } | null;
          return { pages: v?.docLength_ ?? 0, title: v?.title_ ?? '', page: v?.pageNo_ ?? 0 };
        });
      };
      await expect.poll(state(view), { timeout: 30_000 }).toEqual({ pages: 2, title: `Realised gains ${year}`, page: 1 });
      await view.waitForTimeout(2_500); // the page's paint after the viewer has the document
      const shot = join(ARTIFACTS, 'tax-report-pdf-viewer.png');
      await view.screenshot({ path: shot });
      // The table page: a fresh load at #page=2 (a hash change alone does not move the viewer).
      const second = await viewer.newPage({ viewport: { width: 1280, height: 800 } });
      await second.goto(`file://${pdfPath}#page=2`);
      await expect.poll(state(second), { timeout: 30_000 }).toEqual({ pages: 2, title: `Realised gains ${year}`, page: 2 });
      await second.waitForTimeout(2_500);
      const shot2 = join(ARTIFACTS, 'tax-report-pdf-viewer-page2.png');
      await second.screenshot({ path: shot2 });
      if (process.env.E2E_UPDATE_DOCS === '1') {
        mkdirSync(DOCS, { recursive: true });
        copyFileSync(shot, join(DOCS, 'tax-report-pdf-viewer.png'));
        copyFileSync(shot2, join(DOCS, 'tax-report-pdf-viewer-page2.png'));
      }
    } finally {
      await viewer.close();
    }
  });
});
