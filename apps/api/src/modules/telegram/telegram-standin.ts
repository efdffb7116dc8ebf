import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Telegram Bot API (tests only): `POST /bot<token>/<method>` with a JSON body, answered
 * `{ ok: true, result }` or `{ ok: false, error_code, description }` as documented (core.telegram.org/bots/api#making-requests).
 * `mode = 'down'` drops every connection (Telegram unreachable); 'error' answers 502 like an overloaded gateway.
 */
export type TelegramStandInMode = 'ok' | 'down' | 'error';

export interface TelegramCall {
  method: string;
  body: Record<string, unknown>;
}

export const STANDIN_BOT_TOKEN = '123456789:AAStandInTokenForTestsOnly_abcdefghijk';
export const STANDIN_BOT = {
  id: 123456789,
  is_bot: true,
  first_name: 'CryptoVault Ops',
  username: 'cryptovault_ops_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

export class TelegramStandIn {
  mode: TelegramStandInMode = 'ok';
  calls: TelegramCall[] = [];
  webhook: { url: string; secret_token?: string } | null = null;
  private nextMessageId = 1000;
  private server: Server | null = null;
  private port = 0;

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }

  /** Messages the bot sent to `chatId` (sendMessage), oldest first. */
  sentTo(chatId: number): { text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } }[] {
    return this.calls.filter((c) => c.method === 'sendMessage' && Number(c.body.chat_id) === chatId).map((c) => c.body as never);
  }

  callsOf(method: string): TelegramCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (!m || req.method !== 'POST') return this.send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== STANDIN_BOT_TOKEN) return this.send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2]!;
    let body: Record<string, unknown> = {};
    const raw = Buffer.concat(chunks).toString('utf8');
    if (raw) body = JSON.parse(raw) as Record<string, unknown>;
    this.calls.push({ method, body });
    if (this.mode === 'error') return this.send(res, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
    const result = this.answer(method, body);
    if (result === undefined) return this.send(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    this.send(res, 200, { ok: true, result });
  }

  private answer(method: string, body: Record<string, unknown>): unknown {
    const date = Math.floor(Date.now() / 1000);
    switch (method) {
      case 'getMe':
        return STANDIN_BOT;
      case 'sendMessage':
        return {
          message_id: this.nextMessageId++,
          date,
          chat: { id: Number(body.chat_id), type: Number(body.chat_id) < 0 ? 'supergroup' : 'private' },
          from: STANDIN_BOT,
          text: body.text,
        };
      case 'editMessageText':
        return { message_id: Number(body.message_id), date, edit_date: date, chat: { id: Number(body.chat_id), type: 'private' }, text: body.text };
      case 'answerCallbackQuery':
      case 'deleteMessage':
      case 'deleteWebhook':
        return true;
      case 'setWebhook':
        this.webhook = { url: String(body.url), ...(body.secret_token ? { secret_token: String(body.secret_token) } : {}) };
        return true;
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0 };
      default:
        return undefined;
    }
  }
}
