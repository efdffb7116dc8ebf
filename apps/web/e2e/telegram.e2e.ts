import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_BOT_TOKEN, TelegramStandIn } from '../../api/src/modules/telegram/telegram-standin.ts';
import { type EmbeddedServer, startEmbeddedServer } from './embedded-server.ts';
import { DESKTOP, launch, shoot, totp, waitForText } from './helpers.ts';

// Its own server (the shared one has no bot): the built API with the Telegram bot pointed at the Bot API stand-in.
const SECRET = 'e2e-telegram-webhook-secret-0123456789';
const OPERATOR = { email: 'e2e-telegram-ops@example.com', password: 'e2e telegram passphrase 2026' };

let browser: Browser;
let standin: TelegramStandIn;
let server: EmbeddedServer;
let baseUrl = '';

beforeAll(async () => {
  standin = await new TelegramStandIn().start();
  server = await startEmbeddedServer(
    {
      RATE_LIMIT_PER_MINUTE: '100000',
      TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: standin.apiRoot,
    },
    { ...OPERATOR, name: 'Olga Operator' },
  );
  expect(server.adminCreated).toBe(true);
  baseUrl = server.baseUrl;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await standin?.stop();
});

describe('Telegram operations bot', () => {
  it('an operator gets a link code after a step-up, links the bot with /link, and sees it linked', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, baseURL: baseUrl, locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill(OPERATOR.email);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/dashboard/);
    // Operators need 2FA: turn it on as a real operator would.
    await page.goto('/security');
    await page.getByRole('button', { name: 'Set up 2FA' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    await page.getByLabel('6-digit code').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on 2FA' }).click();
    await waitForText(page, 'twofa-status', (t) => t === 'On');

    await page.goto('/admin/telegram');
    await waitForText(page, 'telegram-status', (t) => t === 'Not linked.');
    await page.getByRole('button', { name: 'Get a link code' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.getByLabel(/Authentication code/).fill(totp(secret, Date.now() + 30_000));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const command = (await page.getByTestId('telegram-link-command').textContent()) ?? '';
    expect(command).toMatch(/^\/link [A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await page.getByRole('link', { name: 'Open @cryptovault_ops_bot in Telegram' }).waitFor();
    await shoot(page, 'admin-telegram-code', { phoneFocus: page.getByTestId('telegram-link-command') });

    // The operator sends it to the bot; Telegram delivers the message to the webhook.
    const chatId = 424242;
    const res = await fetch(`${baseUrl}/api/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({
        update_id: 1,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'private', first_name: 'Olga' },
          from: { id: chatId, is_bot: false, first_name: 'Olga', username: 'olga_ops' },
          text: command,
          entities: [{ type: 'bot_command', offset: 0, length: 5 }],
        },
      }),
    });
    expect(res.status).toBe(200);
    expect(standin.sentTo(chatId).at(-1)?.text).toMatch(/^Linked to e2…@example.com/);

    await page.reload();
    await waitForText(page, 'telegram-status', (t) => t.startsWith('Linked to @olga_ops'));
    await shoot(page, 'admin-telegram-linked');
    await page.getByRole('button', { name: 'Unlink Telegram' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unlink' }).click();
    await waitForText(page, 'telegram-status', (t) => t === 'Not linked.');
    await context.close();
  });
});
