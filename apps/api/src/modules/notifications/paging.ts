import { AppError } from '../../platform/errors.ts';

/** Opaque keyset cursor over (created_at, id), newest first. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  const [iso, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError('VALIDATION_ERROR', 'Invalid cursor', [{ path: ['querystring', 'cursor'], message: 'invalid' }]);
  }
  return { createdAt, id };
}

/** Rows were fetched with limit + 1: trims and computes the next cursor. */
export function page<R extends { createdAt: Date; id: string }, T>(rows: R[], limit: number, view: (r: R) => T): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  const last = slice.at(-1);
  return { items: slice.map(view), nextCursor: more && last ? encodeCursor(last) : null };
}
