import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launch, logIn, newPage, PASSWORD, shoot, signUp, totp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('accounts', () => {
  it('flow 1: sign up → code from the dev outbox → verified → dashboard', async () => {
    const page = await newPage(browser);
    await page.goto('/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await shoot(page, 'landing');
    await page.goto('/signup');
    await shoot(page, 'signup');

    const email = uniqueEmail('signup');
    await signUp(page, email, 'Ada Lovelace');
    await page.getByRole('heading', { name: 'Hello, Ada' }).waitFor();
    await waitForText(page, 'total-value', (t) => t.startsWith('$'));
    const me = await page.request.get('/api/auth/me');
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ email, emailVerified: true, twoFactorEnabled: false });
    await shoot(page, 'dashboard-empty');
    await page.context().close();
  });

  it('rejects a wrong verification code next to the field, and a weak password before submitting', async () => {
    const page = await newPage(browser);
    await page.goto('/signup');
    await page.getByLabel('Name').fill('Short');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('Must be at least 10 characters').waitFor();
    await page.getByText('Must be a valid email address').waitFor();
    expect(page.url()).toMatch(/\/signup$/);
    await page.context().close();
  });

  it('flow 5: enable 2FA with a TOTP computed from the shown secret → log out → log in with a code', async () => {
    const page = await newPage(browser);
    const email = uniqueEmail('2fa');
    await signUp(page, email);
    await page.goto('/security');
    await page.getByRole('button', { name: 'Set up 2FA' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByLabel('6-digit code').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on 2FA' }).click();
    await page.getByTestId('backup-codes').waitFor();
    await waitForText(page, 'twofa-status', (t) => t === 'On');
    await shoot(page, 'settings-2fa');

    await page.getByRole('button', { name: 'Log out' }).first().click();
    await page.getByRole('link', { name: 'Log in' }).first().waitFor();
    await logIn(page, email, PASSWORD);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await shoot(page, 'login-2fa');
    // A wrong code is refused next to the field.
    let code = totp(secret);
    await page.getByLabel('Authentication code').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page
      .getByText(/wrong|invalid|already used/i)
      .first()
      .waitFor();
    // The code used to enable 2FA cannot be replayed: if it is still current, the next 30 s window brings a new one.
    const start = Date.now();
    while (Date.now() - start < 35_000) {
      code = totp(secret);
      await page.getByLabel('Authentication code').fill(code);
      await page.getByRole('button', { name: 'Verify code' }).click();
      const ok = await page.waitForURL(/\/dashboard/, { timeout: 4_000 }).then(
        () => true,
        () => false,
      );
      if (ok) break;
      await page.waitForTimeout(Math.max(0, 30_000 - (Date.now() % 30_000)) + 500);
    }
    expect(page.url()).toMatch(/\/dashboard/);
    await page.context().close();
  });

  it('forgot password → link from the outbox → new password → log in with it', async () => {
    const page = await newPage(browser);
    const email = uniqueEmail('reset');
    await signUp(page, email);
    await page.getByRole('button', { name: 'Log out' }).first().click();
    await page.goto('/forgot-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.getByText(/we sent a link/).waitFor();
    let link = '';
    for (let i = 0; i < 40 && !link; i++) {
      const r = (await (await fetch(`${baseUrl()}/api/dev/outbox?to=${encodeURIComponent(email)}`)).json()) as { items: { text: string }[] };
      link = r.items.map((m) => /https?:\/\/\S+\/reset-password\?token=\S+/.exec(m.text)?.[0] ?? '').find(Boolean) ?? '';
      if (!link) await page.waitForTimeout(250);
    }
    expect(link).not.toBe('');
    await page.goto(new URL(link).pathname + new URL(link).search);
    const fresh = 'a brand new passphrase 77';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill(fresh);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText(/Your password was changed/).waitFor();
    await logIn(page, email, fresh);
    await page.waitForURL(/\/dashboard/);
    await page.context().close();
  });
});
