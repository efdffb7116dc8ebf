import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launch, logIn, newPage, shoot, signUp, uniqueEmail } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

type Mail = { subject: string; text: string; html: string };
async function mails(email: string): Promise<Mail[]> {
  const r = await fetch(`${baseUrl()}/api/dev/outbox?to=${encodeURIComponent(email)}`);
  return ((await r.json()) as { items: Mail[] }).items;
}
async function linkIn(email: string, subject: string, path: string): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const m = (await mails(email)).find((x) => x.subject === subject);
    const link = m?.text.match(new RegExp(`https?://[^\\s]*${path}\\?token=[A-Za-z0-9_-]+`))?.[0];
    if (link) return new URL(link).pathname + new URL(link).search;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${path} link in "${subject}" to ${email}`);
}

// A valid segwit (bech32) Bitcoin address.
const BTC_ADDRESS = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

describe('account security', () => {
  it('anti-phishing code in the next email, an address added and confirmed by its emailed link, then "this wasn\'t me" freezes the account', async () => {
    const page = await newPage(browser);
    const email = uniqueEmail('secbook');
    await signUp(page, email, 'Sam Secure');
    await page.goto('/security');

    // The anti-phishing code (the sign-up's fresh step-up covers it).
    await page.getByLabel('Code', { exact: true }).fill('Green Heron 5');
    await page.getByRole('button', { name: 'Save code' }).click();
    await page.getByTestId('anti-phishing-current').getByText('Green Heron 5').waitFor();

    // An address for the book: pending until its link is confirmed, then waiting out the cooling-off period.
    await page.getByText('Add an address').click();
    await page.getByLabel('Address', { exact: true }).fill(BTC_ADDRESS);
    await page.locator('input[name="book-label"]').fill('Genesis'); // the API keys card on this page has a Label too
    await page.getByRole('button', { name: 'Add address' }).click();
    await page.getByText(/Confirm the link we emailed you/).waitFor();
    await shoot(page, 'settings-address-book');
    const added = (await mails(email)).find((m) => m.subject.startsWith('A withdrawal address was added'));
    expect(added?.text.startsWith('Your anti-phishing code: Green Heron 5')).toBe(true);

    await page.goto(await linkIn(email, 'A withdrawal address was added to your CryptoVault address book', '/withdrawal-address/confirm'));
    await page.getByRole('button', { name: 'Confirm this address' }).click();
    await page.getByTestId('address-confirmed').waitFor();
    await page.goto('/security');
    await page
      .getByTestId('address-state')
      .getByText(/Confirmed · usable from/)
      .waitFor();

    // "This wasn't me": the link in the same email freezes the account and ends this session.
    await page.goto(await linkIn(email, 'A withdrawal address was added to your CryptoVault address book', '/freeze'));
    await page.getByRole('button', { name: 'Freeze my account' }).click();
    await page.getByTestId('frozen').waitFor();
    await shoot(page, 'freeze-done');
    expect((await page.request.get('/api/auth/me')).status()).toBe(401);

    await logIn(page, email);
    await page.waitForURL(/\/dashboard/);
    await page.getByTestId('frozen-banner').waitFor();
    await page.getByRole('button', { name: 'Email me an unfreeze link' }).click();
    await page.getByText(/An unfreeze link is on its way/).waitFor();
    await shoot(page, 'frozen-banner');
    await page.context().close();
  });
});
