import { createHmac, randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launch, newPage, shoot, signUp, uniqueEmail } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A signed request as docs/api-keys.md describes it. */
async function signedGet(keyId: string, secret: string, path: string): Promise<Response> {
  const ts = Math.floor(Date.now() / 1000).toString();
  const nonce = randomBytes(16).toString('hex');
  const sig = createHmac('sha256', secret).update([ts, nonce, 'GET', path, ''].join('\n')).digest('hex');
  return fetch(baseUrl() + path, { headers: { 'CV-ACCESS-KEY': keyId, 'CV-ACCESS-TIMESTAMP': ts, 'CV-ACCESS-NONCE': nonce, 'CV-ACCESS-SIGN': sig } });
}

describe('API keys on the Security page', () => {
  it('creates a key (secret shown once), a program signs with it, the list shows its last use, revoking stops it', async () => {
    const page = await newPage(browser);
    await signUp(page, uniqueEmail('apikeys'), 'Bo Bot');
    await page.goto('/security');
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'API keys' }) });
    await card.getByText('No API keys yet.').waitFor();
    await card.getByText('Create an API key').click();
    await card.getByLabel('Label').fill('Rebalancing bot');
    await card.getByRole('checkbox', { name: /Trade/ }).check();
    await card.getByLabel('IP allow-list (optional)').fill('127.0.0.1\n::1');
    await card.getByLabel('Expires after').selectOption('30');
    await card.getByRole('button', { name: 'Create API key' }).click();
    const secret = (await card.getByTestId('api-key-secret-value').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^cvs_/);
    const keyId = (await card.getByTestId('api-key-secret').locator('code').first().textContent())?.trim() ?? '';
    await shoot(page, 'security-api-key-created', { phoneFocus: card });

    const res = await signedGet(keyId, secret, '/api/portfolio');
    expect(res.status).toBe(200);
    await card.getByRole('button', { name: 'I have saved it' }).click();
    await page.reload();
    const row = page.getByTestId(`api-key-${keyId}`);
    await row.getByText(/Last used: .* from/).waitFor();
    await shoot(page, 'security-api-keys', { phoneFocus: row });

    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Revoke this API key?').waitFor();
    await shoot(page, 'security-api-key-revoke');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked', { exact: true }).waitFor();
    const after = await signedGet(keyId, secret, '/api/portfolio');
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('API_KEY_INVALID');
  });
});
