/**
 * Registers the Telegram bot's webhook (setWebhook with secret_token), shows it, or removes it:
 *
 *   npm run telegram:webhook -- set [--url https://api.example.com/api/telegram/webhook]
 *   npm run telegram:webhook -- info
 *   npm run telegram:webhook -- delete
 *
 * Reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_ROOT and PUBLIC_API_URL (the default URL is
 * PUBLIC_API_URL + /api/telegram/webhook). Prints no secret.
 */
import { parseArgs } from 'node:util';
import { Api } from 'grammy';
import { ConfigError, telegramCliConfig } from '../config.ts';
import { describeTelegramError } from '../modules/telegram/telegram.outbox.ts';
import { TELEGRAM_WEBHOOK_URL } from '../modules/telegram/telegram.routes.ts';

const USAGE = 'usage: npm run telegram:webhook -- set [--url <https url>] | info | delete';

/** `env`: tests give their own; undefined reads the process environment (through config.ts, its one reader). */
export async function runTelegramWebhook(argv: string[], env: Record<string, string | undefined> | undefined, out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: 'string' } } });
  const action = positionals[0];
  if (action !== 'set' && action !== 'info' && action !== 'delete') {
    out(USAGE);
    return 2;
  }
  let cfg: ReturnType<typeof telegramCliConfig>;
  try {
    cfg = telegramCliConfig(env);
  } catch (err) {
    out(err instanceof ConfigError ? err.message : String(err));
    return 78;
  }
  const api = new Api(cfg.botToken, { apiRoot: cfg.apiRoot, timeoutSeconds: 15 });
  try {
    if (action === 'set') {
      const url = values.url ?? (cfg.publicApiUrl ? `${cfg.publicApiUrl}${TELEGRAM_WEBHOOK_URL}` : null);
      if (!url) {
        out('Give --url, or set PUBLIC_API_URL (the webhook is PUBLIC_API_URL + /api/telegram/webhook)');
        return 2;
      }
      if (!url.startsWith('https://') && !cfg.apiRoot.startsWith('http://127.0.0.1')) {
        out(`Telegram only calls https:// webhooks (got ${url})`);
        return 2;
      }
      await api.setWebhook(url, { secret_token: cfg.webhookSecret, allowed_updates: ['message', 'callback_query'], max_connections: 10 });
      out(`Webhook set: ${url} (secret token set; updates: message, callback_query)`);
    } else if (action === 'delete') {
      await api.deleteWebhook();
      out('Webhook removed: Telegram keeps updates until a webhook is set again (or the bot polls).');
    } else {
      const info = await api.getWebhookInfo();
      out(`Webhook: ${info.url || '(none)'}; pending updates: ${info.pending_update_count}`);
      if (info.last_error_message) out(`Last error: ${info.last_error_message}`);
    }
    return 0;
  } catch (err) {
    out(`Telegram refused: ${describeTelegramError(err, cfg.botToken)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await runTelegramWebhook(process.argv.slice(2), undefined, (l) => console.log(l)));
}
