import { AppError } from '../errors.ts';

/**
 * The one cursor codec. A cursor is opaque to clients: the base64url of the key fields of the last row served,
 * joined by '|'. Every list (orders, transactions, notifications, deposits, withdrawals, transfers, users, audit)
 * uses this wire format, the one all of them already had, so cursors that clients hold stay valid.
 */
export interface CursorCodec<K> {
  encode(key: K): string;
  /** undefined or '' → null (first page); a malformed cursor → 400 VALIDATION_ERROR. */
  decode(raw: string | undefined): K | null;
}

function invalidCursor(): AppError {
  return new AppError('VALIDATION_ERROR', 'Invalid cursor', [{ path: ['querystring', 'cursor'], message: 'invalid' }]);
}

/** `parse` gets the '|'-separated fields and returns the key, or null when they do not make one. */
export function cursorCodec<K>(fields: (key: K) => readonly (string | number)[], parse: (fields: string[]) => K | null): CursorCodec<K> {
  return {
    encode: (key) => Buffer.from(fields(key).join('|')).toString('base64url'),
    decode(raw) {
      if (!raw) return null;
      const key = parse(Buffer.from(raw, 'base64url').toString('utf8').split('|'));
      if (key === null) throw invalidCursor();
      return key;
    },
  };
}

const UUID_RE = /^[0-9a-f-]{36}$/i;

/** Keyset cursor over (created_at, id), newest first: the cursor of most lists. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export const createdAtCursor: CursorCodec<Cursor> = cursorCodec(
  (c) => [c.createdAt.toISOString(), c.id],
  ([iso, id, ...rest]) => {
    const createdAt = new Date(iso ?? '');
    return rest.length === 0 && id && UUID_RE.test(id) && !Number.isNaN(createdAt.getTime()) ? { createdAt, id } : null;
  },
);

/** Decodes a (created_at, id) cursor; null for the first page. */
export function decodeCursor(raw: string | undefined): Cursor | null {
  return createdAtCursor.decode(raw);
}

/** The first page of a list and the cursor of the next one. */
export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

/** Rows were fetched with limit + 1: trims and computes the next cursor from the last row served. */
export function pageBy<R, T>(rows: R[], limit: number, view: (r: R) => T, next: (last: R) => string): Paged<T> {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  const last = slice.at(-1);
  return { items: slice.map(view), nextCursor: more && last !== undefined ? next(last) : null };
}

/** pageBy for rows keyed by (created_at, id). */
export function page<R extends Cursor, T>(rows: R[], limit: number, view: (r: R) => T): Paged<T> {
  return pageBy(rows, limit, view, (last) => createdAtCursor.encode(last));
}
