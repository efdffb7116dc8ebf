import { randomUUID } from 'node:crypto';
import type { ApiKey, ApiKeyList, ApiKeyScope, CreatedApiKey, CreateApiKeyRequest } from '@cryptovault/contract';
import { createApiKeyRequest } from '@cryptovault/contract';
import { AppError, notFound, validation } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import type { Principal } from '../../platform/principal.ts';
import { recordAudit } from '../audit/index.ts';
import { decrypt, deriveKey, encrypt, findUserById, insertSecurityEvent, type RequestContext, randomToken, sessionsEnded } from '../auth/index.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import { apiKeyCreatedEmail } from './apikeys.emails.ts';
import * as repo from './apikeys.repo.ts';
import type { ApiKeyRow } from './apikeys.schema.ts';
import { canonicalEntry } from './ip-allowlist.ts';

/** The newest keys a user sees (revoked ones stay listed). */
const LIST_LIMIT = 100;
/** Secrets start with this, so that secret scanners (and people) recognise a leaked one. */
export const SECRET_PREFIX = 'cvs_';

export function statusOf(row: Pick<ApiKeyRow, 'revokedAt' | 'expiresAt'>, now = Date.now()): ApiKey['status'] {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    label: row.label,
    scopes: row.scopes as ApiKeyScope[],
    ipAllowlist: row.ipAllowlist,
    status: statusOf(row),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: row.lastUsedIp,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/**
 * The secret is encrypted bound to its key id (`<id>:<secret>`), so a ciphertext copied onto another row does not
 * decrypt to a usable secret for it.
 */
export class SecretBox {
  private readonly key: Buffer;
  constructor(dataEncryptionKey: string) {
    this.key = deriveKey(dataEncryptionKey, 'api-key-secret');
  }
  seal(id: string, secret: string): string {
    return encrypt(this.key, `${id}:${secret}`);
  }
  /** null when the stored value does not decrypt (another DATA_ENCRYPTION_KEY) or belongs to another key. */
  open(id: string, stored: string): string | null {
    try {
      const plain = decrypt(this.key, stored);
      return plain.startsWith(`${id}:`) ? plain.slice(id.length + 1) : null;
    } catch {
      return null;
    }
  }
}

export class ApiKeysService {
  readonly box: SecretBox;
  constructor(private readonly platform: Platform) {
    this.box = new SecretBox(platform.config.auth.dataEncryptionKey);
  }

  private get db() {
    return this.platform.database.db;
  }

  async list(userId: string): Promise<ApiKeyList> {
    const rows = await repo.listKeys(this.db, userId, LIST_LIMIT);
    return { items: rows.map(toApiKey), maxActive: this.platform.config.apiKeys.maxPerUser };
  }

  /** `principal` has passed the step-up guard (the route checks it). The secret is in the answer and nowhere else. */
  async create(principal: Principal, input: CreateApiKeyRequest, ctx: RequestContext): Promise<CreatedApiKey> {
    const body = createApiKeyRequest.parse(input);
    const ipAllowlist: string[] = [];
    for (const [i, entry] of body.ipAllowlist.entries()) {
      const c = canonicalEntry(entry);
      if (!c) throw validation(`IP allow-list entry ${i + 1} is not an address or a CIDR range`, [{ path: ['ipAllowlist', i], message: 'invalid' }]);
      if (!ipAllowlist.includes(c)) ipAllowlist.push(c);
    }
    const scopes = [...new Set(body.scopes)].sort();
    const id = randomUUID();
    const secret = SECRET_PREFIX + randomToken(32);
    const now = new Date();
    const expiresAt = body.expiresInDays === null ? null : new Date(now.getTime() + body.expiresInDays * 86_400_000);
    const max = this.platform.config.apiKeys.maxPerUser;
    const row = await this.db.transaction(async (tx) => {
      await repo.lockUserKeys(tx, principal.userId);
      if ((await repo.countActive(tx, principal.userId, now)) >= max) {
        throw new AppError('LIMIT_EXCEEDED', `You already have ${max} active API keys, the most allowed; revoke one before creating another`, { max });
      }
      const inserted = await repo.insertKey(tx, {
        id,
        userId: principal.userId,
        label: body.label,
        scopes,
        ipAllowlist,
        secretEnc: this.box.seal(id, secret),
        createdAt: now,
        expiresAt,
      });
      const details = { label: body.label, scopes, ipAllowlist, expiresAt: expiresAt?.toISOString() ?? null };
      await recordAudit(tx, { actorId: principal.userId, action: 'api_key.create', targetType: 'api_key', targetId: id, requestId: ctx.requestId, details });
      await insertSecurityEvent(tx, {
        userId: principal.userId,
        kind: 'api_key_created',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        details: { keyId: id, ...details },
      });
      return inserted;
    });
    const user = await findUserById(this.db, principal.userId);
    if (user) {
      const facts = { label: row.label, scopes, ipAllowlist, expiresAt, ip: ctx.ip, at: now };
      sendInBackground(this.platform.mailer, this.platform.log, apiKeyCreatedEmail(user.email, facts), 'api-key-created');
    }
    return { key: toApiKey(row), secret };
  }

  /**
   * Revokes at once on every machine: the key is cached per machine under its owner's auth-state version
   * (apikeys.auth.ts), which `sessionsEnded` changes after the commit. Revoking a revoked key answers it again;
   * another user's key is a 404.
   */
  async revoke(userId: string, id: string, ctx: RequestContext): Promise<ApiKey> {
    const row = await this.db.transaction(async (tx) => {
      const revoked = await repo.revokeKey(tx, userId, id, 'revoked_by_user');
      if (!revoked) return null;
      await recordAudit(tx, {
        actorId: userId,
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: id,
        requestId: ctx.requestId,
        details: { label: revoked.label },
      });
      await insertSecurityEvent(tx, { userId, kind: 'api_key_revoked', ip: ctx.ip, userAgent: ctx.userAgent, details: { keyId: id, label: revoked.label } });
      return revoked;
    });
    if (row) {
      await sessionsEnded(this.platform, userId, []);
      return toApiKey(row);
    }
    const existing = await repo.findKey(this.db, id);
    if (!existing || existing.userId !== userId) throw notFound('API key');
    return toApiKey(existing);
  }
}
