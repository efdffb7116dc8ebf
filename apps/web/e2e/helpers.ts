import { createHmac, randomInt } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { inject } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const ARTIFACTS = process.env.E2E_ARTIFACTS_DIR ?? join(root, 'test-results/e2e');
const DOCS = join(root, 'docs/screenshots');

export const baseUrl = (): string => inject('baseUrl');

/** Debian's Chromium, flags as this machine needs them; Playwright gives every launch a fresh profile. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl(), locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return page;
}

/**
 * Saves the screen at desktop and phone width as test artifacts (E2E_UPDATE_DOCS=1 also refreshes
 * docs/screenshots, which the README shows).
 */
export async function shoot(page: Page, name: string, o: { phoneFocus?: Locator } = {}): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    // With `phoneFocus`: the desktop page whole from its top (a scrolled full-page shot repeats the sticky header
    // mid-page), the phone screen scrolled to what the shot is about.
    if (o.phoneFocus) {
      if (label === 'phone') {
        await o.phoneFocus.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await page.evaluate(() => window.scrollBy(0, -72)); // below the sticky header
      } else await page.evaluate(() => window.scrollTo(0, 0));
    }
    await page.waitForTimeout(300);
    const file = join(ARTIFACTS, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: label !== 'phone' });
    if (process.env.E2E_UPDATE_DOCS === '1') {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(file, join(DOCS, `${name}-${label}.png`));
    }
  }
  await page.setViewportSize(original);
}

export function uniqueEmail(tag: string): string {
  return `e2e-${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

export const PASSWORD = 'correct horse battery staple 42';

/** The newest 6-digit code mailed to this address, from the development outbox. */
export async function outboxCode(email: string): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const r = await fetch(`${baseUrl()}/api/dev/outbox?to=${encodeURIComponent(email)}`);
    if (r.ok) {
      const body = (await r.json()) as { items: { text: string; subject: string }[] };
      const m = body.items[0]?.text.match(/\b(\d{6})\b/);
      if (m?.[1]) return m[1];
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`no verification code for ${email}`);
}

/**
 * Signs up through the UI, reads the code from the outbox, verifies, and lands on the dashboard. The suite signs up
 * more accounts than one address may in an hour (auth:signup:ip, 10), so each sign-up request comes through the
 * loopback proxy (TRUST_PROXY in global-setup.ts) from a random documentation address; everything else stays 127.0.0.1.
 */
export async function signUp(page: Page, email: string, name = 'E2E Trader'): Promise<void> {
  const from = `198.51.100.${randomInt(1, 255)}`;
  await page.route('**/api/auth/signup', (route) => route.continue({ headers: { ...route.request().headers(), 'x-forwarded-for': from } }));
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel(/I accept the Terms of Service/).check();
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/verify/);
  await page.unroute('**/api/auth/signup');
  await page.getByLabel('Verification code').fill(await outboxCode(email));
  await page.getByRole('button', { name: 'Verify and continue' }).click();
  await page.waitForURL(/\/dashboard/);
}

export async function logIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Waits until the element's text satisfies the predicate (no reload in between). */
export async function waitForText(page: Page, testId: string, pred: (text: string) => boolean, timeout = 20_000): Promise<string> {
  const loc = page.getByTestId(testId).first();
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeout) {
    last = (await loc.textContent({ timeout }).catch(() => '')) ?? '';
    if (pred(last)) return last;
    await page.waitForTimeout(200);
  }
  throw new Error(`${testId}: last text "${last}" did not match within ${timeout} ms`);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret, as an authenticator app computes it. */
export function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v >= 0) bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const offset = h[h.length - 1]! & 0xf;
  const code = (h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

/** A dev-tools call the way a test operator would make it (no browser session involved). */
export async function devPost(path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * Signs the seeded administrator in with 2FA. The first spec that needs it enrols 2FA (as a real operator would) and
 * keeps the secret beside the run's server (a file keyed by its URL), so that later specs in the same run can answer
 * the code prompt; admin.e2e.ts and kyc.e2e.ts both use it.
 */
export async function operatorSignIn(page: Page, email: string, password: string): Promise<void> {
  const file = join(tmpdir(), `cv-e2e-operator-${createHmac('sha1', 'e2e').update(baseUrl()).digest('hex').slice(0, 12)}.totp`);
  await logIn(page, email, password);
  const code = page.getByLabel('Authentication code');
  await Promise.race([page.waitForURL(/\/dashboard/), code.waitFor()]);
  if (await code.isVisible()) {
    const secret = readFileSync(file, 'utf8').trim();
    // The server refuses a code used before (replay): a spec signing in within 30 s of another waits for a fresh one.
    const used = `${file}.step`;
    const step = () => Math.floor(Date.now() / 30_000);
    if (existsSync(used) && Number(readFileSync(used, 'utf8')) >= step()) await page.waitForTimeout(30_000 - (Date.now() % 30_000) + 200);
    writeFileSync(used, String(step()));
    await code.fill(totp(secret));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page.waitForURL(/\/dashboard/);
    return;
  }
  await page.goto('/security');
  await page.getByRole('button', { name: 'Set up 2FA' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  writeFileSync(file, secret, { mode: 0o600 });
  writeFileSync(`${file}.step`, String(Math.floor(Date.now() / 30_000)));
  await page.getByLabel('6-digit code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on 2FA' }).click();
  await waitForText(page, 'twofa-status', (t) => t === 'On');
  // Turning 2FA on is not a step-up with it, and approvals need one: sign in again with a code, as operators do.
  await page.context().clearCookies();
  await operatorSignIn(page, email, password);
}
