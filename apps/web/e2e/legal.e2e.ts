import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { operatorSignIn, launch, newPage, PASSWORD, shoot, signUp, uniqueEmail } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('legal pages and consent (issue 21)', () => {
  it('shows the terms, the fee page from the configured fee and the restriction page; links them from the footer', async () => {
    const page = await newPage(browser);
    await page.goto('/');
    await page.locator('footer').getByRole('link', { name: 'Terms' }).click();
    await page.waitForURL(/\/legal\/terms$/);
    await page.getByRole('heading', { level: 1, name: 'Terms of Service' }).waitFor();
    expect(await page.getByTestId('legal-meta').textContent()).toMatch(/^Version \d+ · in force since/);
    await shoot(page, 'legal-terms');

    await page.goto('/fees');
    expect(await page.getByTestId('fee-rate').textContent()).toBe('0.1%');
    // The examples are the server's figures: $1,000.00 bought pays $1.00 of fee.
    await page.getByTestId('fee-examples').getByRole('cell', { name: '$1,000.00' }).first().waitFor();
    await page.getByTestId('withdrawal-fees').getByText('0.0002 BTC').waitFor();
    await shoot(page, 'fees');

    await page.goto('/restricted');
    await page.getByRole('heading', { name: 'CryptoVault is not available in your country' }).waitFor();
    await shoot(page, 'restricted');
    await page.context().close();
  });

  it('sign-up needs the terms ticked; after a new version is published the user is asked again, and is no longer held back once accepted', {
    timeout: 240_000,
  }, async () => {
    const page = await newPage(browser);
    await page.goto('/signup');
    await page.getByLabel('Name').fill('Terry Terms');
    await page.getByLabel('Email').fill(uniqueEmail('terms'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('Accept the Terms of Service to create an account.').waitFor();
    expect(page.url()).toMatch(/\/signup$/);
    await shoot(page, 'signup-terms');

    const email = uniqueEmail('consent');
    await signUp(page, email, 'Connie Consent');
    const before = (await (await page.request.get('/api/legal/consent')).json()) as { currentVersion: number; required: boolean };
    expect(before.required).toBe(false);

    const admin = inject('admin');
    expect(admin, 'global setup creates the administrator with admin:create').not.toBeNull();
    if (!admin) return;
    const ops = await newPage(browser);
    await operatorSignIn(ops, admin.email, admin.password);
    await ops.goto('/admin/legal');
    const text = ops.getByLabel(/^Text/);
    await text.waitFor();
    await text.fill(`${await text.inputValue()}\n\n## 11. Changes in this version\n\nWe now explain the **fees** on a page of their own.`);
    await ops.getByRole('tab', { name: 'Preview' }).click();
    await ops.getByTestId('legal-preview').getByRole('heading', { name: '11. Changes in this version' }).waitFor();
    await shoot(ops, 'admin-legal');
    await ops.getByRole('button', { name: /^Publish version/ }).click();
    const confirm = ops.getByRole('dialog');
    await confirm.getByText('Every user will be asked to accept it').waitFor();
    await confirm.getByRole('button', { name: 'Publish' }).click();
    await ops.getByText(`Published version ${before.currentVersion + 1} of the Terms of Service`).waitFor();
    await ops.context().close();

    // The user is asked on the next page load; "Not now" leaves a banner, and trading is refused meanwhile.
    await page.goto('/dashboard');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Our Terms of Service have changed' }).waitFor();
    await dialog.getByTestId('terms-dialog-body').getByText('Changes in this version').waitFor();
    await shoot(page, 'terms-reaccept');
    await dialog.getByRole('button', { name: 'Not now' }).click();
    await page.getByTestId('terms-banner').waitFor();
    const consent = (await (await page.request.get('/api/legal/consent')).json()) as { currentVersion: number; required: boolean };
    expect(consent).toMatchObject({ currentVersion: before.currentVersion + 1, required: true });

    await page.getByTestId('terms-banner').getByRole('button', { name: 'Review and accept' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: `I accept version ${before.currentVersion + 1}` })
      .click();
    await page.getByTestId('terms-banner').waitFor({ state: 'detached' });
    const after = (await (await page.request.get('/api/legal/consent')).json()) as { required: boolean; acceptedVersion: number };
    expect(after).toMatchObject({ required: false, acceptedVersion: before.currentVersion + 1 });

    // Earlier versions stay readable.
    await page.goto(`/legal/terms/versions/${before.currentVersion}`);
    await page.getByText('This is an earlier version.').waitFor();
    await page.context().close();
  });
});
