import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, devPost, launch, newPage, shoot, signUp, uniqueEmail, waitForText } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('proof of liabilities', () => {
  it('a user downloads their proof, the page verifies it in the browser, and a tampered copy is refused', async () => {
    const page = await newPage(browser);
    await signUp(page, uniqueEmail('proof'), 'Paula Proof');
    await page.goto('/wallet?tab=deposit');
    await page.getByLabel('Amount (USD)').fill('250');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await waitForText(page, 'available-USD', (t) => t === '250.00');
    // The interval job's work, now (development tool); 409 while the job's own first snapshot is being built.
    let status = 409;
    for (let i = 0; status === 409 && i < 50; i++) {
      if (i > 0) await page.waitForTimeout(200);
      status = (await devPost('/api/dev/proof-of-liabilities/snapshots', {})).status;
    }
    expect(status).toBe(201);

    await page.goto('/proof-of-liabilities');
    await page.getByTestId('pol-root').waitFor();
    const root = (await page.getByTestId('pol-root').textContent())?.trim() ?? '';
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download and verify my proof' }).click()]);
    await waitForText(page, 'pol-result', (t) => t.startsWith('Verified'));
    await page.getByText('USD 250', { exact: true }).waitFor();
    const path = page.getByTestId('pol-path');
    expect(await path.locator('li').count()).toBeGreaterThanOrEqual(1);
    await shoot(page, 'proof-of-liabilities');

    // The downloaded file is the proof; a copy with a larger balance is refused by the same page.
    const file = join(ARTIFACTS, 'proof.json');
    await download.saveAs(file);
    const proof = JSON.parse(readFileSync(file, 'utf8'));
    expect(proof.root.rootHash).toBe(root);
    // The standalone CLI verifies the very file the page downloaded (it throws on a non-zero exit).
    const key = (await page.getByTestId('pol-key').textContent())?.trim() ?? '';
    const cli = execFileSync('npm', ['run', '--silent', 'verify-proof', '--', file, '--root', root, '--public-key', key], { encoding: 'utf8' });
    expect(cli).toMatch(/VERIFIED/);
    const usd = proof.root.assets.findIndex((a: { symbol: string }) => a.symbol === 'USD');
    proof.balances[usd] = '2500';
    const tampered = join(ARTIFACTS, 'proof-tampered.json');
    writeFileSync(tampered, JSON.stringify(proof));
    await page.getByLabel('Proof file').setInputFiles(tampered);
    await waitForText(page, 'pol-result', (t) => t.startsWith('Not verified') && t.includes('altered'));
    // And the untouched file verifies from disk too.
    await page.getByLabel('Proof file').setInputFiles(file);
    await waitForText(page, 'pol-result', (t) => t.startsWith('Verified') && t.includes('proof.json'));
  });
});
