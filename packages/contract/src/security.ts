import { z } from 'zod';
import { isoDateTime } from './common.ts';

/**
 * Withdrawal address book (`/api/wallet/withdrawal-addresses`). An entry is usable for withdrawals once its emailed
 * link was confirmed AND `usableAt` (added + WITHDRAWAL_ADDRESS_COOLING_OFF_HOURS) has passed.
 */
export const withdrawalAddressStatus = z.enum(['pending_confirmation', 'cooling_off', 'active']);
export type WithdrawalAddressStatus = z.infer<typeof withdrawalAddressStatus>;

export const withdrawalAddress = z.object({
  id: z.string(),
  asset: z.string(),
  network: z.string(),
  address: z.string(),
  label: z.string(),
  /** pending_confirmation: the emailed link was not opened yet; cooling_off: confirmed, usable at `usableAt`. */
  status: withdrawalAddressStatus,
  usable: z.boolean(),
  createdAt: isoDateTime,
  confirmedAt: isoDateTime.nullable(),
  usableAt: isoDateTime,
});
export type WithdrawalAddress = z.infer<typeof withdrawalAddress>;

/**
 * "Address book only": while `enabled`, withdrawals go only to usable book entries. `requested` is what the owner
 * last chose; a switch-off takes effect at `offAt` (the cooling-off period), until then `enabled` stays true.
 */
export const addressBookOnlyState = z.object({
  enabled: z.boolean(),
  requested: z.boolean(),
  offAt: isoDateTime.nullable(),
});
export type AddressBookOnlyState = z.infer<typeof addressBookOnlyState>;

export const withdrawalAddressBook = z.object({
  items: z.array(withdrawalAddress),
  addressBookOnly: addressBookOnlyState,
  coolingOffHours: z.number().int(),
});
export type WithdrawalAddressBook = z.infer<typeof withdrawalAddressBook>;

export const createWithdrawalAddressRequest = z.object({
  asset: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{2,10}$/),
  address: z.string().trim().min(20).max(128),
  network: z.string().trim().toLowerCase().max(20).optional(),
  label: z.string().trim().min(1).max(64),
});
export type CreateWithdrawalAddressRequest = z.infer<typeof createWithdrawalAddressRequest>;

export const addressBookOnlyRequest = z.object({ enabled: z.boolean() });

/** A token from an emailed link (address confirmation, freeze). */
export const emailedTokenRequest = z.object({ token: z.string().trim().min(20).max(200) });

/**
 * The owner lifts a freeze: the token of the unfreeze link emailed to them, the password, and a second factor when
 * the account has one (TOTP code or backup code).
 */
export const unfreezeRequest = z.object({
  token: z.string().trim().min(20).max(200),
  password: z.string().min(1).max(256),
  totpCode: z.string().trim().max(20).optional(),
  backupCode: z.string().trim().max(40).optional(),
});
export type UnfreezeRequest = z.infer<typeof unfreezeRequest>;

export const freezeState = z.object({
  frozen: z.boolean(),
  frozenAt: isoDateTime.nullable(),
});
export type FreezeState = z.infer<typeof freezeState>;

/** Letters, digits, spaces, `-` and `_`, 4 to 20 characters; shown at the top of every email we send. */
export const antiPhishingCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9 _-]{4,20}$/, 'must be 4 to 20 letters, digits, spaces, - or _');
export const antiPhishingRequest = z.object({ code: antiPhishingCode.nullable() });
export const antiPhishingState = z.object({ code: z.string().nullable() });
export type AntiPhishingState = z.infer<typeof antiPhishingState>;
