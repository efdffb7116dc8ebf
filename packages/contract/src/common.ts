import { z } from 'zod';

/** What a NUMERIC(38,18) column holds: 20 digits before the decimal point, 18 after. */
export const MAX_INTEGER_DIGITS = 20;
export const MAX_DECIMALS = 18;

/** Why `v` is not a decimal string this platform stores, in words for a person; null when it is one. */
export function decimalProblem(v: string): string | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) return 'must be a number such as 12.5 (digits and one decimal point; no sign, spaces or commas)';
  const [, int = '', frac = ''] = m;
  if (int.length > 1 && int.startsWith('0')) return 'must not start with a 0 (write "5", not "05")';
  if (int.length > MAX_INTEGER_DIGITS) return `is too large: at most ${MAX_INTEGER_DIGITS} digits before the decimal point`;
  if (frac.length > MAX_DECIMALS) return `has too many decimals: at most ${MAX_DECIMALS}`;
  return null;
}

/**
 * A non-negative decimal amount as a string: digits, optional fraction, no sign, no exponent, and no larger or
 * finer than the database's NUMERIC(38,18) holds, so every amount and price field refuses such a value with a 400
 * that says why. Amounts are never JSON numbers: a float cannot hold every decimal amount exactly.
 */
export const decimalString = z
  .string()
  .max(60, 'must be at most 60 characters')
  .superRefine((v, ctx) => {
    const problem = v.length <= 60 ? decimalProblem(v) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  // The same rule as a JSON Schema pattern, for the OpenAPI document and the clients generated from it.
  .meta({
    pattern: `^(0|[1-9]\\d{0,${MAX_INTEGER_DIGITS - 1}})(\\.\\d{1,${MAX_DECIMALS}})?$`,
    description: `decimal string, e.g. "12.5": up to ${MAX_INTEGER_DIGITS} digits before the point and ${MAX_DECIMALS} after`,
  });

/** A decimal that must be strictly greater than zero. */
export const positiveDecimalString = decimalString.refine((v) => /[1-9]/.test(v), 'must be greater than zero');

export const isoDateTime = z.string().describe('ISO-8601 UTC timestamp');

/** Timestamp filters stay within years 0001–9999: PostgreSQL refuses year 0000, and JavaScript writes later years
 * in an extended form (`+010000-…`) that PostgreSQL does not read. */
const FILTER_MIN_MS = Date.parse('0001-01-01T00:00:00.000Z');
const FILTER_MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A timestamp filter from a client: any ISO-8601 date-time with an offset in years 0001–9999, normalised to UTC
 * (`...Z`). The offset is applied here so the database never sees one outside PostgreSQL's ±15:59 range.
 */
export const timestampFilter = z
  .string()
  .max(40)
  .datetime({ offset: true })
  .transform((v, ctx) => {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid date and time' });
      return z.NEVER;
    }
    if (ms < FILTER_MIN_MS || ms > FILTER_MAX_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be within the years 0001 to 9999' });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** One page of a cursor-paged list, as every list route answers it (`pageOf(item)`). */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** `/:id` of a row addressed by its UUID. */
export const idParams = z.object({ id: z.uuid() });
