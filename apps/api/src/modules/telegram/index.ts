/** The Telegram module's public surface: the bot service (built by compose.ts when configured). */
export { secretMatches, TelegramOps } from './telegram.service.ts';
