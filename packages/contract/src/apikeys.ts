import { z } from 'zod';
import { isoDateTime } from './common.ts';

/**
 * API keys (issue 22; docs/api-keys.md): a user's own programs sign requests with a key's secret instead of a
 * session. A key's scopes name what it may call (packages/contract/src/apikey-scopes.ts): `read` (balances,
 * portfolio, orders, transactions) and `trade` (place, amend and cancel orders, quotes). No scope moves funds out,
 * changes security settings or manages keys.
 */
export const API_KEY_SCOPES = ['read', 'trade'] as const;
export const apiKeyScope = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof apiKeyScope>;

/** The request headers of a signed request (lower case, as Node gives them). */
export const API_KEY_HEADERS = {
  key: 'cv-access-key',
  timestamp: 'cv-access-timestamp',
  nonce: 'cv-access-nonce',
  signature: 'cv-access-sign',
} as const;

/** How many addresses or ranges one key's IP allow-list may hold. */
export const MAX_IP_ALLOWLIST = 20;

/** One entry of an IP allow-list: an IPv4 or IPv6 address, or a CIDR range of either. */
export const ipAllowEntry = z
  .string()
  .trim()
  .refine(
    (v) => [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()].some((s) => s.safeParse(v).success),
    'must be an IP address (203.0.113.7, 2001:db8::1) or a CIDR range (203.0.113.0/24, 2001:db8::/32)',
  );

export const createApiKeyRequest = z.object({
  label: z.string().trim().min(1, 'must not be empty').max(60, 'must be at most 60 characters'),
  scopes: z
    .array(apiKeyScope)
    .min(1, 'must name at least one scope')
    .refine((s) => new Set(s).size === s.length, 'must not repeat a scope'),
  ipAllowlist: z.array(ipAllowEntry).max(MAX_IP_ALLOWLIST, `must hold at most ${MAX_IP_ALLOWLIST} entries`).default([]),
  /** Days until the key stops working; null: it works until revoked. */
  expiresInDays: z.number().int().min(1).max(365).nullable().default(90),
});
export type CreateApiKeyRequest = z.input<typeof createApiKeyRequest>;

export const apiKey = z.object({
  id: z.uuid().describe('the key id: sent as CV-ACCESS-KEY'),
  label: z.string(),
  scopes: z.array(apiKeyScope),
  ipAllowlist: z.array(z.string()).describe('empty: any address'),
  status: z.enum(['active', 'expired', 'revoked']),
  createdAt: isoDateTime,
  expiresAt: isoDateTime.nullable(),
  lastUsedAt: isoDateTime.nullable().describe('updated at most once a minute'),
  lastUsedIp: z.string().nullable(),
  revokedAt: isoDateTime.nullable(),
});
export type ApiKey = z.infer<typeof apiKey>;

/** The answer to creating a key: the only time its secret is shown. */
export const createdApiKey = z.object({ key: apiKey, secret: z.string().describe('shown once; sign requests with it (HMAC-SHA256)') });
export type CreatedApiKey = z.infer<typeof createdApiKey>;

export const apiKeyList = z.object({ items: z.array(apiKey), maxActive: z.number().int() });
export type ApiKeyList = z.infer<typeof apiKeyList>;

/**
 * The string a request's signature covers: timestamp (Unix seconds), nonce, method, path with its query string
 * exactly as sent, and the body exactly as sent (empty when none), joined by newlines. The signature is the hex
 * HMAC-SHA256 of it under the key's secret.
 */
export function apiKeySigningPayload(p: { timestamp: string; nonce: string; method: string; path: string; body: string }): string {
  return [p.timestamp, p.nonce, p.method.toUpperCase(), p.path, p.body].join('\n');
}
