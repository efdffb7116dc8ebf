import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiPackageRoot } from '../paths.ts';
import type { Database } from './client.ts';

/**
 * Migrations are plain, append-only SQL files in apps/api/migrations, applied in name order, each in its own
 * transaction, recorded with a checksum so an edited file is caught instead of silently skipped.
 * A session-level advisory lock on one dedicated connection keeps two machines from migrating at once.
 */
export function findMigrationsDir(): string {
  return join(apiPackageRoot(), 'migrations');
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = findMigrationsDir()): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

const LOCK_KEY = 727_274_001;

/**
 * The bundled migrations (by name) that `database` has not applied, in order. A database without the
 * schema_migrations table has applied none. Migrations applied by a newer release that this one does not bundle
 * are not a problem: releases stay backward compatible with the next one's schema (docs/deploy.md, Rollback).
 */
export async function pendingMigrations(database: Database, names: readonly string[] = readMigrations().map((m) => m.name)): Promise<string[]> {
  const applied = await database.session(async (query) => {
    const { rows } = await query("select to_regclass('schema_migrations') is not null as present");
    if (rows[0]?.present !== true) return new Set<string>();
    return new Set((await query('select name from schema_migrations')).rows.map((r) => String(r.name)));
  });
  return names.filter((n) => !applied.has(n));
}

export async function runMigrations(database: Database, files = readMigrations()): Promise<string[]> {
  return database.session(async (query) => {
    const applied: string[] = [];
    await query(`create table if not exists schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    // Waiting for another machine's migration, or building an index, may take longer than the pool's statement
    // limit (DB_STATEMENT_TIMEOUT_MS): this session lifts it, and gives it back before the connection returns.
    await query('set statement_timeout = 0');
    await query(`select pg_advisory_lock(${LOCK_KEY})`);
    try {
      const { rows } = await query('select name, checksum from schema_migrations');
      const done = new Map(rows.map((r) => [String(r.name), String(r.checksum)]));
      for (const file of files) {
        const prior = done.get(file.name);
        if (prior !== undefined) {
          if (prior !== file.checksum) {
            throw new Error(`migration ${file.name} was changed after it was applied; add a new migration instead`);
          }
          continue;
        }
        await query('begin');
        try {
          await query(file.sql);
          await query(`insert into schema_migrations (name, checksum) values ('${file.name}', '${file.checksum}')`);
          await query('commit');
        } catch (err) {
          await query('rollback');
          throw new Error(`migration ${file.name} failed: ${(err as Error).message}`);
        }
        applied.push(file.name);
      }
    } finally {
      await query(`select pg_advisory_unlock(${LOCK_KEY})`);
      await query('reset statement_timeout');
    }
    return applied;
  });
}
