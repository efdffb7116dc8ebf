import { z } from 'zod';
import { emailField } from './auth.ts';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';

export const createTransferRequest = z.object({
  recipientEmail: emailField,
  asset: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{2,10}$/),
  amount: positiveDecimalString,
  note: z.string().trim().max(140).optional(),
});
export type CreateTransferRequest = z.infer<typeof createTransferRequest>;

export const transfer = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  counterpartyEmail: z.string(),
  counterpartyName: z.string(),
  asset: z.string(),
  amount: z.string(),
  note: z.string().nullable(),
  createdAt: isoDateTime,
});
export type Transfer = z.infer<typeof transfer>;

export const transferList = pageOf(transfer);
export const transferListQuery = paginationQuery;
