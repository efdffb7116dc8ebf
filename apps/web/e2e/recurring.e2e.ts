import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** The next whole minute (UTC) at least 40 s away, as HH:MM: the time of a daily buy that runs during the test. */
function soonUtc(): string {
  const d = new Date(Date.now() + 100_000);
  return d.toISOString().slice(11, 16);
}

describe('recurring buys', () => {
  it('creates, pauses and resumes schedules with confirmations; the scheduler runs one and its history links to the order', async () => {
    const page = await newPage(browser);
    const dismissToasts = async () => {
      const close = page.getByRole('button', { name: 'Dismiss notification' });
      while ((await close.count()) > 0)
        await close
          .first()
          .click({ timeout: 2_000 })
          .catch(() => undefined);
    };
    await signUp(page, uniqueEmail('dca'));
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('1000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'available-USD', (t) => t === '1,000.00');

    // From the trade page.
    await page.goto('/trade');
    await page.getByRole('link', { name: 'Manage' }).click();
    await page.waitForURL(/\/recurring-buys/);
    await page.getByRole('heading', { name: 'Recurring buys', level: 1 }).waitFor();

    // A monthly buy on the 31st: the preview says what happens in short months.
    await page.getByLabel('Amount each time (USD, fee included)').fill('50');
    await page.getByLabel('How often').selectOption('monthly');
    await page.getByLabel('Day of the month').selectOption('31');
    await page.getByLabel('Time (UTC)').fill('18:00');
    const preview = page.getByTestId('recurring-preview');
    await waitForText(page, 'recurring-preview', (t) => t.includes("Buys $50.00 of BTC on the 31st of every month at 18:00 UTC (or the month's last day"));
    expect(await preview.locator('li').count()).toBe(3);
    await page.getByRole('button', { name: 'Review recurring buy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this recurring buy?' });
    await dialog.getByText('$50.00').waitFor();
    await dialog.getByRole('button', { name: 'Start recurring buy' }).click();
    await page.getByTestId('recurring-item').first().waitFor();

    // A daily ETH buy due in about a minute.
    await page.getByLabel('Asset').selectOption('ethereum');
    await page.getByLabel('Amount each time (USD, fee included)').fill('25');
    await page.getByLabel('How often').selectOption('daily');
    await page.getByLabel('Time (UTC)').fill(soonUtc());
    await page.getByRole('button', { name: 'Review recurring buy' }).click();
    await page.getByRole('dialog', { name: 'Start this recurring buy?' }).getByRole('button', { name: 'Start recurring buy' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="recurring-item"]').length === 2);

    // Pause the monthly one (confirmed), then resume it.
    const monthly = page.getByTestId('recurring-item').filter({ hasText: 'of BTC' });
    await monthly.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog', { name: 'Pause this recurring buy?' }).getByRole('button', { name: 'Pause' }).click();
    await monthly.getByText('Paused', { exact: true }).waitFor();
    await dismissToasts();
    await page.getByLabel('Amount each time (USD, fee included)').fill('10');
    await shoot(page, 'recurring-buys');
    await monthly.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog', { name: 'Resume this recurring buy?' }).getByRole('button', { name: 'Resume' }).click();
    await monthly.getByText('Active', { exact: true }).waitFor();

    // The scheduler (one per platform, here the only machine) runs the daily buy at its time.
    const daily = page.getByTestId('recurring-item').filter({ hasText: 'of ETH' });
    const deadline = Date.now() + 170_000;
    for (;;) {
      await page.reload();
      await daily.waitFor();
      if ((await daily.textContent())?.includes('bought')) break;
      if (Date.now() > deadline) throw new Error(`the daily buy did not run: ${await daily.textContent()}`);
      await page.waitForTimeout(5_000);
    }
    await daily.getByRole('button', { name: 'History' }).click();
    const history = page.getByRole('region', { name: /^History:/ });
    await history.locator('.badge', { hasText: 'Bought' }).waitFor();
    await dismissToasts();
    await history.getByRole('link', { name: 'View order' }).waitFor();
    await shoot(page, 'recurring-buys-history', { phoneFocus: history });
    await history.getByRole('link', { name: 'View order' }).click();
    await page.waitForURL(/\/orders\//);
    await page.context().close();
  }, 300_000);
});
