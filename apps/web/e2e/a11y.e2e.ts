import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKING, formatViolations, runAxe } from './axe.ts';
import { baseUrl, DESKTOP, launch, newPage, PHONE, signUp, uniqueEmail } from './helpers.ts';

let browser: Browser;
let page: Page;
/** Moderate and minor findings, by rule: printed at the end, not gated. */
const advisory = new Map<string, number>();

beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
});
afterAll(async () => {
  if (advisory.size > 0) console.info(`axe, not gated (moderate/minor): ${[...advisory].map(([rule, n]) => `${rule} ×${n}`).join(', ')}`);
  await browser?.close();
});

/** Waits until the screen has its heading and no loading indicator is left. */
async function settle(): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('main .loading').length === 0, undefined, { timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(250);
}

/** axe on each screen at desktop and phone width; throws one readable block per serious or critical violation. */
async function audit(screens: [name: string, path: string][]): Promise<void> {
  const report: string[] = [];
  for (const [screen, path] of screens) {
    await page.setViewportSize(DESKTOP);
    await page.goto(path);
    await settle();
    for (const [label, size] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(size);
      await page.waitForTimeout(200);
      const violations = await runAxe(page);
      const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ''));
      for (const v of violations) if (!BLOCKING.has(v.impact ?? '')) advisory.set(v.id, (advisory.get(v.id) ?? 0) + 1);
      if (blocking.length > 0) report.push(formatViolations(`${screen} @ ${label}`, blocking));
    }
  }
  await page.setViewportSize(DESKTOP);
  if (report.length > 0) throw new Error(`axe found serious or critical violations:\n\n${report.join('\n\n')}`);
}

// One browser page for the whole file: the visitor's screens, then a signed-up user's.
describe('accessibility (axe-core, WCAG 2.2 A/AA rules)', () => {
  it("a visitor's screens: landing, log in, markets", async () => {
    await audit([
      ['landing', '/'],
      ['login', '/login'],
      ['markets (visitor)', '/markets'],
    ]);
  });

  it('a signed-in user: dashboard, markets, asset, trade', async () => {
    await signUp(page, uniqueEmail('a11y'));
    await audit([
      ['dashboard', '/dashboard'],
      ['markets', '/markets'],
      ['asset', '/markets/bitcoin'],
      ['trade', '/trade'],
    ]);
  });

  it('a signed-in user: wallet, transactions, settings', async () => {
    await audit([
      ['wallet', '/wallet'],
      ['transactions', '/transactions'],
      ['settings', '/settings'],
    ]);
  });

  it('serves the favicon the page links to', async () => {
    const res = await fetch(`${baseUrl()}/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/svg+xml');
  });
});
