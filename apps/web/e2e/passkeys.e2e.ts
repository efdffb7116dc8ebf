import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, DESKTOP, launch, PASSWORD, shoot, signUp, totp, uniqueEmail, waitForText } from './helpers.ts';

/**
 * Passkeys in real Chromium, answered by its virtual authenticator (Chrome DevTools Protocol, WebAuthn domain):
 * registration on /security, sign-in with the password and the passkey, and a transfer whose STEP_UP_REQUIRED the
 * StepUpDialog completes with the passkey. WebAuthn refuses IP addresses as RP IDs, so the pages open the server as
 * localhost (the server's APP_URL is http://127.0.0.1:<port>; config.ts makes localhost its relying party then).
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const local = () => baseUrl().replace('127.0.0.1', 'localhost');

async function localPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: local(), locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return page;
}

/** A platform authenticator with resident keys and user verification that always says yes. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function credentials(v: { cdp: CDPSession; authenticatorId: string }): Promise<{ credentialId: string; signCount: number }[]> {
  const r = await v.cdp.send('WebAuthn.getCredentials', { authenticatorId: v.authenticatorId });
  return r.credentials as { credentialId: string; signCount: number }[];
}

/** On /security: add a passkey with this name (the sign-up's fresh email code counts as the step-up). */
async function addPasskey(page: Page, name: string): Promise<void> {
  await page.goto('/security');
  await page.getByLabel('Passkey name (optional)').fill(name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByTestId('passkey-list').getByText(name).waitFor();
}

describe('passkeys (Chromium virtual authenticator)', () => {
  it('registers a passkey on the Security page, then signs in with the password and the passkey', async () => {
    const page = await localPage();
    const v = await virtualAuthenticator(page);
    const email = uniqueEmail('passkey');
    await signUp(page, email);
    await addPasskey(page, 'E2E laptop');
    // The account's first second factor comes with backup codes, shown once.
    await page.getByTestId('new-backup-codes').waitFor();
    await waitForText(page, 'backup-remaining', (t) => t === '10');
    await waitForText(page, 'security-events', (t) => t.includes('Passkey added'));
    expect(await credentials(v)).toHaveLength(1);
    await shoot(page, 'security-passkey');

    await page.getByRole('button', { name: 'Log out' }).first().click();
    await page.getByRole('link', { name: 'Log in' }).first().waitFor();
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    await page.waitForURL(/\/dashboard/);
    const [cred] = await credentials(v);
    expect(cred?.signCount).toBeGreaterThanOrEqual(1);
    await page.goto('/security');
    await waitForText(page, 'security-events', (t) => t.includes('Signed in with password + passkey'));
    await page.context().close();
  });

  it('a transfer answers STEP_UP_REQUIRED; the StepUpDialog is completed with the passkey and the transfer goes through', async () => {
    const recipient = await localPage();
    const recipientEmail = uniqueEmail('stepup-to');
    await signUp(recipient, recipientEmail, 'Step Receiver');
    await recipient.context().close();

    const page = await localPage();
    await virtualAuthenticator(page);
    await signUp(page, uniqueEmail('stepup'), 'Step Sender');
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('50');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'available-USD', (t) => t === '50.00');
    // The account now has a second factor that this session's sign-up never proved: moving money asks for it.
    await addPasskey(page, 'E2E phone');

    await page.goto('/wallet?tab=transfer');
    await page.getByLabel('Recipient email').fill(recipientEmail);
    await page.getByLabel('Amount').fill('20');
    const stepUpRequired = page.waitForResponse((r) => r.url().endsWith('/api/wallet/transfers') && r.status() === 403);
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .getByRole('dialog', { name: /^Send / })
      .getByRole('button', { name: 'Send' })
      .click(); // the confirmation
    const refused = (await (await stepUpRequired).json()) as { error: { code: string; details: { methods: string[] } } };
    expect(refused.error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['passkey'] } });
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    await shoot(page, 'step-up-passkey');
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/wallet/transfers') && r.status() === 201);
    await dialog.getByRole('button', { name: 'Use a passkey' }).click();
    await sent;
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('To Step Receiver').first().waitFor();
    await page.goto('/wallet');
    await waitForText(page, 'available-USD', (t) => t === '30.00');
    await page.context().close();
  });

  it('the same step-up for a transfer with an authenticator code: the StepUpDialog takes the code and the transfer goes through', async () => {
    const recipient = await localPage();
    const recipientEmail = uniqueEmail('totp-to');
    await signUp(recipient, recipientEmail, 'Code Receiver');
    await recipient.context().close();

    const page = await localPage();
    await signUp(page, uniqueEmail('totp-step'), 'Code Sender');
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('50');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'available-USD', (t) => t === '50.00');
    // Turning 2FA on proves the factor for this session (admin rights) but is not a step-up for money.
    await page.goto('/security');
    await page.getByRole('button', { name: 'Set up 2FA' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    await page.getByLabel('6-digit code').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on 2FA' }).click();
    await waitForText(page, 'twofa-status', (t) => t === 'On');

    await page.goto('/wallet?tab=transfer');
    await page.getByLabel('Recipient email').fill(recipientEmail);
    await page.getByLabel('Amount').fill('20');
    const stepUpRequired = page.waitForResponse((r) => r.url().endsWith('/api/wallet/transfers') && r.status() === 403);
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .getByRole('dialog', { name: /^Send / })
      .getByRole('button', { name: 'Send' })
      .click(); // the confirmation
    const refused = (await (await stepUpRequired).json()) as { error: { code: string; details: { methods: string[] } } };
    expect(refused.error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['totp'] } });
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    expect(await dialog.getByRole('button', { name: 'Use a passkey' }).count()).toBe(0);
    // The enabling code's time step is spent: the next step's code (the server allows one step of drift).
    await dialog.getByLabel('Authentication code (or a backup code)').fill(totp(secret, Date.now() + 30_000));
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/wallet/transfers') && r.status() === 201);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await sent;
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('To Code Receiver').first().waitFor();
    await page.context().close();
  });
});
