import { z } from 'zod';

/**
 * A non-negative decimal amount as a string: digits, optional fraction, no sign, no exponent.
 * Amounts are never JSON numbers (see ../shared/api.md).
 */
export const decimalString = z
  .string()
  .max(60)
  .regex(/^(0|[1-9]\d{0,19})(\.\d{1,18})?$/, 'must be a decimal string such as "12.5" (no sign, no exponent, at most 18 decimals)');

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
      ctx.addIssue({ code: 'custom', message: 'not a valid date-time' });
      return z.NEVER;
    }
    if (ms < FILTER_MIN_MS || ms > FILTER_MAX_MS) {
      ctx.addIssue({ code: 'custom', message: 'date-time must be within the years 0001 to 9999' });
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
