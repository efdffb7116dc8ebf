import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newPage, operatorSignIn, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

// Issue 21: a tier-0 user is refused above the limit, sends their details, an operator approves them in the console,
// and the same deposit goes through; then tier 2 with an identity document and a selfie the operator sees through
// short-lived signed links. Default limits: tier 0 deposits $5,000 a day, tier 1 $25,000.

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function requestDeposit(page: Page, amount: string): Promise<void> {
  await page.goto('/wallet?tab=deposit');
  await page.getByLabel('Amount (USD)').fill(amount);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function review(ops: Page, name: string): Promise<void> {
  await ops.goto('/admin/kyc');
  const row = ops.getByTestId('kyc-queue').getByRole('row', { name: new RegExp(name) });
  await row.waitFor();
  await row.getByRole('button', { name: /^Review/ }).click();
  await ops.getByTestId('kyc-review').getByTestId('kyc-facts').waitFor();
}

describe('KYC', () => {
  it('submission → operator review → higher limit; tier 2 documents through signed links', async () => {
    const admin = inject('admin');
    expect(admin, 'global setup creates the administrator with admin:create').not.toBeNull();
    if (!admin) return;

    const name = `Vera Verify ${Date.now().toString(36)}`;
    const user = await newPage(browser);
    await signUp(user, uniqueEmail('kyc'), name);

    // Tier 0: $6,000 is over the $5,000 daily deposit limit; the form says which tier raises it.
    await requestDeposit(user, '6000');
    await user.getByText(/over your verification tier 0 limit of \$5,000\.00 a day/).waitFor();
    await user.getByText(/Verification tier 1 raises it to \$25,000\.00 a day/).waitFor();

    // The Verification page: tier, limits with usage, the tier 1 form.
    await user.goto('/verification');
    await waitForText(user, 'kyc-tier', (t) => t.startsWith('Tier 0'));
    await user.getByTestId('kyc-limit-deposit').waitFor();
    await shoot(user, 'kyc-verification');
    await user.getByLabel('Full legal name').fill(name);
    await user.getByLabel('Date of birth').fill('1990-04-23');
    await user.getByLabel('Country').fill('FR');
    await user.getByLabel('Address', { exact: true }).fill('8 rue de Rivoli');
    await user.getByLabel('City').fill('Paris');
    await user.getByLabel('Postal code').fill('75004');
    await user.getByRole('button', { name: 'Send for review' }).click();
    await waitForText(user, 'kyc-submission', (t) => t.includes('Tier 1 request: Waiting for review'));

    // The operator: queue with time, name and tier; detail; approve in a dialog.
    const ops = await newPage(browser);
    await operatorSignIn(ops, admin.email, admin.password);
    await review(ops, name);
    await shoot(ops, 'admin-kyc-queue', { phoneFocus: ops.getByTestId('kyc-review') });
    await ops.getByRole('button', { name: 'Approve' }).click();
    const dialog = ops.getByRole('dialog');
    await dialog.getByText('Approve this verification?').waitFor();
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await ops.getByText('Verification approved').first().waitFor();

    // Tier 1: the same deposit now goes through.
    await user.goto('/verification');
    await waitForText(user, 'kyc-tier', (t) => t.startsWith('Tier 1'));
    await requestDeposit(user, '6000');
    await user.getByTestId('deposit-card').waitFor();

    // Tier 2: a file named .jpg that is HTML is refused by its content; real images go through.
    await user.goto('/verification');
    await user.getByRole('heading', { name: 'Verify your identity (tier 2)' }).waitFor();
    const documentPng = await user.screenshot({ clip: { x: 0, y: 0, width: 480, height: 300 } });
    const selfiePng = await user.screenshot({ clip: { x: 0, y: 100, width: 300, height: 300 } });
    await user
      .getByLabel('Document photo or scan')
      .setInputFiles({ name: 'passport.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<html><script>alert(1)</script></html>') });
    await user.getByLabel('Selfie').setInputFiles({ name: 'selfie.png', mimeType: 'image/png', buffer: selfiePng });
    await user.getByRole('button', { name: 'Upload and send for review' }).click();
    await user.getByText(/not a JPEG, PNG or PDF/).waitFor();
    await shoot(user, 'kyc-upload-refused');
    await user.getByLabel('Document photo or scan').setInputFiles({ name: 'passport.png', mimeType: 'image/png', buffer: documentPng });
    await user.getByRole('button', { name: 'Upload and send for review' }).click();
    await waitForText(user, 'kyc-submission', (t) => t.includes('Tier 2 request: Waiting for review'));

    // The operator sees both images through signed links; asks for more, with a reason, in a dialog.
    await review(ops, name);
    const images = ops.getByTestId('kyc-review').locator('img');
    await expect.poll(() => images.count()).toBe(2);
    await expect.poll(() => images.first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    const src = (await images.first().getAttribute('src')) ?? '';
    expect(src).toMatch(/^\/api\/documents\/access\//);
    // The link is the operator's: the user's own session cannot open it.
    expect((await user.request.get(src)).status()).toBe(404);
    await ops.getByRole('button', { name: 'Reject' }).click();
    await ops.getByLabel('Reason (the user reads it)').fill('The document photo is cut off');
    await shoot(ops, 'admin-kyc-reject-dialog');
    await ops.getByRole('dialog').getByRole('button', { name: 'Reject' }).click();
    await ops.getByText('Verification rejected').first().waitFor();
    await user.goto('/verification');
    await waitForText(user, 'kyc-submission', (t) => t.includes('Not approved') && t.includes('The document photo is cut off'));
    await shoot(user, 'kyc-rejected');
  });
});
