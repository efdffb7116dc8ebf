import type { Logger } from 'pino';
import type { Cache } from './platform/cache.ts';
import type { Config } from './config.ts';
import { ApiKeyAuthenticator } from './modules/apikeys/apikeys.auth.ts';
import { ApiKeysService } from './modules/apikeys/apikeys.service.ts';
import { revokeUserApiKeys } from './modules/apikeys/index.ts';
import { type AuthDeps, createAuthDeps } from './modules/auth/auth.context.ts';
import { createAuthenticator } from './modules/auth/sessions.service.ts';
import { LegalService } from './modules/legal/index.ts';
import type { PriceFeed } from './modules/markets/feed.ts';
import { createFeed } from './modules/markets/markets.routes.ts';
import { MarketsService } from './modules/markets/markets.service.ts';
import { PriceStore } from './modules/markets/price-store.ts';
import { createProvider } from './modules/payments/payments.routes.ts';
import type { PaymentsDeps } from './modules/payments/payments.service.ts';
import { securityPersonalizer } from './modules/security/mail-personalizer.ts';
import { createLedgerWriter } from './modules/ledger/ledger.writer.ts';
import { TradingEngine } from './modules/trading/engine.ts';
import { OrdersService } from './modules/trading/orders.service.ts';
import { engineElection } from './modules/trading/trading.routes.ts';
import { TelegramOps } from './modules/telegram/telegram.service.ts';
import { RecurringBuysService } from './modules/recurring/recurring.service.ts';
import { RecurringBuyScheduler } from './modules/recurring/scheduler.ts';
import type { Database } from './platform/db/client.ts';
import { type CheckResult, createPlatform, type Platform } from './platform/index.ts';
import type { LeaderElection } from './platform/locks.ts';
import type { Authenticator } from './platform/principal.ts';
import type { PriceReader } from './platform/prices.ts';
import { clusterNamespace } from './realtime/namespace.ts';

/**
 * The application's object graph, built once per process by `compose` in dependency order and frozen: nothing is
 * added to it or replaced after start-up. Route registrars (modules/index.ts) each receive the parts they use.
 */
export interface Root {
  /** Infrastructure: configuration, log, database, cache, pub/sub, locks, rate limits, events, metrics, mailer. */
  readonly platform: Platform;
  readonly auth: {
    /** What the auth services share: one token service, the keys derived from DATA_ENCRYPTION_KEY, the throttle. */
    readonly deps: AuthDeps;
    /** Who is calling, for HTTP requests (app.ts) and Socket.IO handshakes (realtime). */
    readonly authenticator: Authenticator;
  };
  readonly markets: {
    /** Fills `platform.prices` (the same store); started when the app is ready. */
    readonly feed: PriceFeed;
    readonly service: MarketsService;
    /** The price check of /health. */
    readonly health: () => CheckResult;
  };
  readonly trading: {
    /** Runs on the machine that holds the engine lock (`election`); the others only forward book changes to it. */
    readonly engine: TradingEngine;
    readonly election: LeaderElection;
    readonly orders: OrdersService;
  };
  readonly payments: PaymentsDeps;
  readonly apiKeys: {
    /** Create, list and revoke a user's keys. */
    readonly service: ApiKeysService;
    /** Who signed a request with a key (app.ts), and the audit of what it changed. */
    readonly authenticator: ApiKeyAuthenticator;
  };
  /** Legal documents, consent and the country check (issue 21); its gate runs before money-moving routes. */
  readonly legal: { readonly service: LegalService };
  /** The Telegram operations bot; null when TELEGRAM_BOT_TOKEN is not set. */
  readonly telegram: TelegramOps | null;
  readonly recurring: {
    readonly service: RecurringBuysService;
    /** Places each due run through `trading.orders`; runs on the machine that holds its lock (`election`). */
    readonly scheduler: RecurringBuyScheduler;
    /** null when RECURRING_SWEEP_INTERVAL_MS is 0. */
    readonly election: LeaderElection | null;
  };
}

export interface ComposeOptions {
  /** A database opened by the caller (tests share one per file); otherwise opened from the configuration. */
  database?: Database;
  /** Tests only: replaces the accounts module's authenticator (e.g. the multi-process Socket.IO tests' `user:<id>`). */
  authenticator?: Authenticator;
  /** Tests only: the prices every module reads, in place of the feed's store (the feed still runs, unread). */
  prices?: PriceReader;
  /** Tests only: a cache shared by several instances without Redis (two "machines" in one process). */
  cache?: Cache;
}

/**
 * The composition root: infrastructure, then each module's services in the order they depend on one another.
 * Throws (after closing what it opened) when a piece cannot be built; a missing dependency is a type error here.
 */
export async function compose(config: Config, log: Logger, options: ComposeOptions = {}): Promise<Root> {
  // The price store comes first: the platform hands it (read-only) to every module that values balances.
  const prices = new PriceStore(config.prices.maxAgeMs);
  const platform = await createPlatform(config, log, { prices: options.prices ?? prices, database: options.database, cache: options.cache });
  try {
    return composeServices(platform, prices, options);
  } catch (err) {
    await platform.close().catch(() => undefined);
    throw err;
  }
}

function composeServices(platform: Platform, prices: PriceStore, options: ComposeOptions): Root {
  // Legal before accounts: sign-up checks and records the acceptance of the terms in force.
  const legal = new LegalService(platform);

  // Accounts: one set of auth dependencies, shared by the auth and security routes and the authenticator.
  const authDeps = createAuthDeps(platform, legal, revokeUserApiKeys);
  const authenticator = options.authenticator ?? createAuthenticator(authDeps);

  // Security: the anti-phishing code and freeze link go into every email.
  platform.mailer.use(securityPersonalizer(platform));

  // Markets: the feed fills the price store.
  const namespace = clusterNamespace(platform);
  const feed = createFeed(platform, prices, namespace);
  const markets = new MarketsService(platform, feed, feed.provider, namespace);

  // Trading: the engine before the orders service, which tells it of every book change; every order is written
  // through the ledger's writer (group commit, docs/decisions/0001).
  const engine = new TradingEngine(platform);
  const orders = new OrdersService(platform, engine, createLedgerWriter(platform));

  // API keys: signed requests, checked beside the session authenticator (app.ts).
  const apiKeys = new ApiKeysService(platform);
  // Telegram: alerts subscribe to domain events; decisions go through the withdrawals and payments services.
  const tg = platform.config.telegram;
  const telegram = tg ? new TelegramOps(platform, authDeps, tg, namespace, () => feed.health()) : null;
  // Recurring buys: every run is an order through the same orders service (one write path).
  const scheduler = new RecurringBuyScheduler(platform, orders, namespace);
  const sweepMs = platform.config.recurring.sweepIntervalMs;

  const root: Root = {
    platform,
    auth: Object.freeze({ deps: authDeps, authenticator }),
    markets: Object.freeze({ feed, service: markets, health: () => feed.health() }),
    trading: Object.freeze({ engine, election: engineElection(platform, engine), orders }),
    payments: Object.freeze({ platform, provider: createProvider(platform) }),
    apiKeys: Object.freeze({ service: apiKeys, authenticator: new ApiKeyAuthenticator(platform, apiKeys.box) }),
    legal: Object.freeze({ service: legal }),
    telegram,
    recurring: Object.freeze({ service: new RecurringBuysService(platform), scheduler, election: sweepMs > 0 ? scheduler.election(sweepMs) : null }),
  };
  return Object.freeze(root);
}
