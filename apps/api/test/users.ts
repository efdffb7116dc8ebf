import { sql } from 'drizzle-orm';
import type { Database } from '../src/platform/db/client.ts';
import { uniqueEmail } from './helpers.ts';

/**
 * Inserts a verified user directly (service-level tests that need a user row but not a sign-in).
 * HTTP tests sign up through the real routes instead (see auth test helpers).
 */
export async function insertUser(database: Database, opts: { role?: 'user' | 'admin'; email?: string } = {}): Promise<{ id: string; email: string }> {
  const email = opts.email ?? uniqueEmail();
  const result = (await database.db.execute(sql`
    insert into users (email, name, password_hash, role, email_verified_at)
    values (${email}, 'Test User', 'not-a-login-hash', ${opts.role ?? 'user'}, now())
    returning id`)) as unknown as { rows: { id: string }[] };
  return { id: result.rows[0]!.id, email };
}
