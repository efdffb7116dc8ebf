/**
 * Test fixtures shaped like the original system's documents (Blackhatdawn/coinbase-love: models.py User, the
 * `wallets` documents routers/wallet.py writes), written as a mongodump folder with the bson package.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { ObjectId, serialize } from 'bson';
import type { LegacyDoc } from './source.ts';

export interface FixtureUser {
  id: string;
  email: string;
  password: string;
}

/** Writes `<tmp>/<db>/<collection>.bson` files; returns the dump root (the folder mongodump was given). */
export function writeDump(collections: Record<string, LegacyDoc[]>): string {
  const root = mkdtempSync(join(tmpdir(), 'cv-legacy-dump-'));
  const dbDir = join(root, 'cryptovault');
  mkdirSync(dbDir);
  for (const [name, docs] of Object.entries(collections)) {
    writeFileSync(join(dbDir, `${name}.bson`), Buffer.concat(docs.map((d) => Buffer.from(serialize(d)))));
  }
  return root;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export function base32Secret(): string {
  return Array.from({ length: 32 }, (_, i) => BASE32[(i * 7 + Math.floor(Math.random() * 32)) % 32]).join('');
}

export function legacyUser(o: { email: string; password?: string; hash?: 'bcrypt' | 'sha256'; extra?: LegacyDoc }): LegacyDoc & { id: string; email: string } {
  const password = o.password ?? 'old-password-1';
  const passwordHash = o.hash === 'sha256' ? createHash('sha256').update(password).digest('hex') : bcrypt.hashSync(password, 4);
  return {
    _id: new ObjectId(),
    id: randomUUID(),
    email: o.email,
    name: o.email.split('@')[0],
    password_hash: passwordHash,
    created_at: new Date('2025-03-01T10:00:00Z'),
    email_verified: true,
    email_verification_code: null,
    two_factor_enabled: false,
    two_factor_secret: null,
    backup_codes: [],
    failed_login_attempts: 0,
    locked_until: null,
    ...o.extra,
  };
}

export function legacyWallet(userId: string, balances: Record<string, unknown>): LegacyDoc {
  return { _id: new ObjectId(), id: randomUUID(), user_id: userId, balances, created_at: new Date('2025-03-01T10:00:00Z'), updated_at: new Date() };
}

/** A document of the original's `transactions` collection (models.py Transaction, routers/wallet.py). */
export function legacyTx(userId: string, fields: LegacyDoc): LegacyDoc {
  return { _id: new ObjectId(), id: randomUUID(), user_id: userId, status: 'completed', ...fields };
}

/** A unique address tag per test run: the PostgreSQL test database outlives runs. */
export function tag(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}
