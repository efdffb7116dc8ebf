import { z } from 'zod';
import { isoDateTime } from './common.ts';

/** The signed-in operator's Telegram link, as the console shows it. */
export const telegramStatus = z.object({
  /** The bot is configured on this deployment (TELEGRAM_BOT_TOKEN); when false nothing else here applies. */
  enabled: z.boolean(),
  linked: z.boolean(),
  /** The linked Telegram account's @username, when it has one. */
  username: z.string().nullable(),
  linkedAt: isoDateTime.nullable(),
  /** The bot's @username (known once the bot has reached Telegram), for a t.me link. */
  botUsername: z.string().nullable(),
});
export type TelegramStatus = z.infer<typeof telegramStatus>;

/** A one-time link code: shown once, valid for `expiresAt`, sent to the bot as `/link CODE`. */
export const telegramLinkCode = z.object({
  code: z.string(),
  /** What to send the bot, e.g. `/link K7QF-3MZP`. */
  command: z.string(),
  expiresAt: isoDateTime,
  botUsername: z.string().nullable(),
});
export type TelegramLinkCode = z.infer<typeof telegramLinkCode>;
