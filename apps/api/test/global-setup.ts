import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { createDatabase, wrapPglite } from '../src/platform/db/client.ts';
import { runMigrations } from '../src/platform/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string | null;
  }
}

/**
 * Runs once per `vitest run`. With DATABASE_URL set (CI), migrates that database. Otherwise builds a migrated
 * PGlite once and saves it as a data-dir dump: each test file then opens its own copy in about a second instead
 * of running initdb (4-7 s).
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const db = await createDatabase({ database: { kind: 'postgres', url, poolSize: 2 } });
    await runMigrations(db);
    await db.close();
    project.provide('pgliteTemplate', null);
    return;
  }
  const dir = join(process.cwd(), '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `pglite-template-${process.pid}.tar.gz`);
  const client = await PGlite.create();
  const db = await wrapPglite(client);
  await runMigrations(db);
  const dump = await client.dumpDataDir('gzip');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  project.provide('pgliteTemplate', file);
}
