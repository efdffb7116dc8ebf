import { createHmac, timingSafeEqual } from 'node:crypto';
import { API_KEY_HEADERS, type ApiKeyScope, apiKeySigningPayload, scopesAllowing } from '@cryptovault/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../audit/index.ts';
import { ACCESS_COOKIE, findUserById, REFRESH_COOKIE } from '../auth/index.ts';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import type { Principal } from '../../platform/principal.ts';
import type { RateRule } from '../../platform/ratelimit.ts';
import { rawBodyOf } from '../../platform/raw-body.ts';
import { VersionedCache } from '../../platform/versioned-cache.ts';
import * as repo from './apikeys.repo.ts';
import type { ApiKeyRow } from './apikeys.schema.ts';
import type { SecretBox } from './apikeys.service.ts';
import { allowListMatcher } from './ip-allowlist.ts';

/** A key as one machine keeps it between requests: the row, its secret decrypted, its owner's state, its IP matcher. */
interface LiveKey {
  row: Omit<ApiKeyRow, 'secretEnc'>;
  /** Null when the stored secret does not decrypt (written under another DATA_ENCRYPTION_KEY): every signature fails. */
  secret: Buffer | null;
  user: { suspended: boolean; frozen: boolean } | null;
  allows: ((ip: string) => boolean) | null;
}

// last_used_at is for the key list; writing it on every request would turn every read into a write.
const TOUCH_INTERVAL_MS = 60_000;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{1,12}$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const invalidSignature = (message: string) => new AppError('SIGNATURE_INVALID', message);
const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** true when the request carries any of the signed-request headers (it is then judged as a signed request only). */
export function presentsApiKey(headers: Record<string, unknown>): boolean {
  return Object.values(API_KEY_HEADERS).some((h) => headers[h] !== undefined);
}

function degraded(platform: Pick<Platform, 'cache'>): boolean {
  return 'degraded' in platform.cache && (platform.cache as { degraded: boolean }).degraded;
}

/**
 * Signed requests (docs/api-keys.md). `authenticate` either returns the key's Principal or throws the contract's
 * error; the checks run cheapest first, and nothing is remembered (nonce, last use) before the signature verified:
 *
 * 1. Only a signed request: no session cookie and no Authorization header beside the key headers (400).
 * 2. The four headers are well-formed; the timestamp is within ±API_KEY_TIMESTAMP_WINDOW_SECONDS of the server's clock.
 * 3. The key exists; the HMAC-SHA256 of timestamp, nonce, method, path with query and body, under the key's secret,
 *    equals CV-ACCESS-SIGN (constant-time comparison).
 * 4. The key is neither revoked nor expired; its owner is neither suspended nor frozen.
 * 5. The client address (platform/client-address.ts, under TRUST_PROXY) is in the key's IP allow-list, if it has one.
 * 6. A scope of the key allows this route (packages/contract/src/apikey-scopes.ts): default deny.
 * 7. The nonce was not seen before for this key: an INCR on the shared cache (Redis), first use = 1, kept for twice
 *    the window; while Redis is unreachable signed requests are refused (503) rather than checked on one machine.
 * 8. The key's own rate limit (API_KEY_RATE_LIMIT_PER_MINUTE), on top of the per-IP limit.
 *
 * Keys are cached per machine under their owner's `auth` version (docs/decisions/0004): a revocation, suspension or
 * freeze committed on any machine is seen by the next request on every machine.
 */
export class ApiKeyAuthenticator {
  private readonly cache: VersionedCache<LiveKey>;
  /** Key id → owner: never changes, so that the owner's version can be read before the key row. */
  private readonly owners = new Map<string, string>();
  private readonly rule: RateRule;

  constructor(
    private readonly platform: Platform,
    private readonly box: SecretBox,
  ) {
    this.cache = new VersionedCache<LiveKey>(platform.cache, 'auth', { maxEntries: 20_000, ttlMs: 15_000 });
    this.rule = { name: 'apikey', limit: platform.config.apiKeys.rateLimitPerMinute, windowMs: 60_000 };
  }

  private async load(id: string): Promise<LiveKey | null> {
    const db = this.platform.database.db;
    const found = await repo.findKey(db, id);
    if (!found) return null;
    const { secretEnc, ...row } = found;
    const secret = this.box.open(id, secretEnc);
    const user = await findUserById(db, row.userId);
    return {
      row,
      secret: secret === null ? null : Buffer.from(secret, 'utf8'),
      user: user ? { suspended: user.suspendedAt !== null, frozen: user.frozenAt !== null } : null,
      allows: allowListMatcher(row.ipAllowlist),
    };
  }

  /** The key under its owner's current auth-state version (read before the database), or the database's row. */
  private async live(id: string): Promise<LiveKey | null> {
    const owner = this.owners.get(id);
    if (owner === undefined) {
      const first = await this.load(id);
      if (first) {
        if (this.owners.size >= 50_000) this.owners.clear();
        this.owners.set(id, first.row.userId);
      }
      return first;
    }
    const version = await this.cache.version(owner);
    const hit = this.cache.get(id, version);
    if (hit) return hit;
    const loaded = await this.load(id);
    if (loaded) this.cache.set(id, version, loaded);
    return loaded;
  }

  /** The key's Principal, or the contract's error; either way one log line names the key id (never the secret or signature). */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const given = header(request, API_KEY_HEADERS.key);
    const apiKeyId = given && KEY_ID.test(given) ? given : undefined;
    try {
      const p = await this.verify(request);
      request.log.debug({ apiKeyId, userId: p.userId }, 'signed request');
      return p;
    } catch (err) {
      if (err instanceof AppError) request.log.info({ apiKeyId, code: err.code }, 'signed request refused');
      throw err;
    }
  }

  private async verify(request: FastifyRequest): Promise<Principal> {
    if (request.headers.authorization !== undefined || request.cookies[ACCESS_COOKIE] || request.cookies[REFRESH_COOKIE]) {
      throw new AppError(
        'VALIDATION_ERROR',
        'A request signed with an API key must not also carry a session (cookies or an Authorization header); send one or the other',
      );
    }
    const keyId = header(request, API_KEY_HEADERS.key);
    const timestamp = header(request, API_KEY_HEADERS.timestamp);
    const nonce = header(request, API_KEY_HEADERS.nonce);
    const signature = header(request, API_KEY_HEADERS.signature);
    if (!keyId || !timestamp || !nonce || !signature) {
      throw invalidSignature('A signed request needs the headers CV-ACCESS-KEY, CV-ACCESS-TIMESTAMP, CV-ACCESS-NONCE and CV-ACCESS-SIGN');
    }
    if (!KEY_ID.test(keyId)) throw new AppError('API_KEY_INVALID', 'CV-ACCESS-KEY is not an API key id');
    if (!TIMESTAMP.test(timestamp)) throw invalidSignature('CV-ACCESS-TIMESTAMP must be the time in whole seconds since 1970 (Unix time)');
    if (!NONCE.test(nonce)) throw invalidSignature('CV-ACCESS-NONCE must be 16 to 64 characters of A-Z, a-z, 0-9, _ and -, new for every request');
    if (!SIGNATURE.test(signature)) throw invalidSignature('CV-ACCESS-SIGN must be the HMAC-SHA256 of the request in lower-case hex (64 characters)');

    const windowS = this.platform.config.apiKeys.timestampWindowSeconds;
    const nowS = Math.floor(Date.now() / 1000);
    if (Math.abs(nowS - Number(timestamp)) > windowS) {
      throw new AppError(
        'TIMESTAMP_OUT_OF_WINDOW',
        `CV-ACCESS-TIMESTAMP is more than ${windowS} seconds from the server's clock; check the clock and sign again`,
        {
          serverTime: nowS,
          windowSeconds: windowS,
        },
      );
    }

    const key = await this.live(keyId);
    if (!key) throw new AppError('API_KEY_INVALID', 'Unknown API key');
    const body = rawBodyOf(request.raw);
    if (body === undefined && request.body !== undefined && request.body !== null) {
      throw invalidSignature('Send the body of a signed request as JSON (Content-Type: application/json)');
    }
    const payload = apiKeySigningPayload({ timestamp, nonce, method: request.method, path: request.raw.url ?? request.url, body: body ?? '' });
    const expected = key.secret ? createHmac('sha256', key.secret).update(payload).digest() : Buffer.alloc(32);
    const given = Buffer.from(signature, 'hex');
    if (!key.secret || !timingSafeEqual(expected, given)) {
      throw invalidSignature('The signature does not match: sign timestamp, nonce, method, path with query and body exactly as sent (docs/api-keys.md)');
    }

    const { row } = key;
    if (row.revokedAt) throw new AppError('API_KEY_INVALID', 'This API key was revoked');
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new AppError('API_KEY_INVALID', `This API key expired at ${row.expiresAt.toISOString()}`);
    if (!key.user || key.user.suspended) throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended');
    if (key.user.frozen) {
      throw new AppError('ACCOUNT_FROZEN', 'This account is frozen: its API keys do not work (a freeze revokes them; make new ones once it is lifted)');
    }
    const ip = request.ip;
    if (key.allows && !key.allows(ip)) {
      throw new AppError('IP_NOT_ALLOWED', `This API key is not allowed from ${ip}; add the address to its IP allow-list or use another key`, { ip });
    }
    const scopes = row.scopes as ApiKeyScope[];
    const route = request.routeOptions.url ?? '';
    if (scopesAllowing(scopes, request.method, route).length === 0) {
      throw new AppError('SCOPE_NOT_ALLOWED', `An API key with scope ${scopes.join(' and ')} cannot call ${request.method} ${route}`, { scopes });
    }

    await this.rememberNonce(keyId, nonce, windowS);
    const r = await this.platform.rateLimiter.checkCoalesced(this.rule, keyId);
    if (!r.allowed) {
      throw new AppError(
        'RATE_LIMITED',
        'Too many requests with this API key; slow down and retry later',
        { retryAfterSeconds: r.retryAfterSeconds },
        r.retryAfterSeconds,
      );
    }

    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      // The cached row too, so that the next requests on this machine do not write again.
      row.lastUsedAt = new Date();
      repo.touchKey(this.platform.database.db, keyId, ip).catch((err: unknown) => this.platform.log.warn({ err, keyId }, 'could not update API key last use'));
    }
    return {
      userId: row.userId,
      sessionId: `apikey:${keyId}`,
      role: 'user',
      // A key never acts as an operator, whatever roles its owner holds.
      operatorRoles: [],
      twoFactorEnabled: false,
      secondFactors: [],
      frozen: false,
      session: { secondFactorAt: null, stepUpAt: null, stepUpMethods: [] },
      via: 'apikey',
      apiKey: { id: keyId, scopes },
    };
  }

  private async rememberNonce(keyId: string, nonce: string, windowS: number): Promise<void> {
    const unavailable = () => new AppError('UNAVAILABLE', 'Signed requests cannot be checked for replay right now; retry shortly', undefined, 1);
    if (degraded(this.platform)) throw unavailable();
    // Kept past the whole span a timestamp is accepted for (±window, with whole seconds rounded down: 2 s margin).
    const { count } = await this.platform.cache.incr(`apikey:nonce:${keyId}:${nonce}`, (windowS * 2 + 2) * 1000);
    // A count the cache kept in this process's memory (Redis just failed) cannot see other machines' uses.
    if (degraded(this.platform)) throw unavailable();
    if (count > 1) throw new AppError('NONCE_REUSED', 'This CV-ACCESS-NONCE was already used with this key; use a new nonce for every request');
  }

  /**
   * Every state-changing request made with a key is written to the audit log with the key id before its answer
   * leaves (an order placed, amended or canceled: the order id as target). Reads are not audited (the key's last
   * use is recorded instead).
   */
  async recordUse(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    const p = request.principal;
    if (p?.via !== 'apikey' || !p.apiKey || !STATE_CHANGING.has(request.method)) return;
    const route = request.routeOptions.url ?? 'unmatched';
    let targetId: string | null = null;
    if (reply.statusCode < 300 && typeof payload === 'string' && route.startsWith('/api/orders')) {
      try {
        const id = (JSON.parse(payload) as { id?: unknown }).id;
        targetId = typeof id === 'string' ? id : null;
      } catch {
        targetId = null;
      }
    }
    try {
      await recordAudit(this.platform.database.db, {
        actorId: p.userId,
        action: 'api_key.request',
        targetType: targetId ? 'order' : 'api_key',
        targetId: targetId ?? p.apiKey.id,
        requestId: String(request.id),
        details: {
          apiKeyId: p.apiKey.id,
          method: request.method,
          route,
          status: reply.statusCode,
          replayed: reply.getHeader('idempotent-replayed') === 'true',
        },
      });
    } catch (err) {
      request.log.error({ err, apiKeyId: p.apiKey.id }, 'could not audit an API key request');
    }
  }
}
