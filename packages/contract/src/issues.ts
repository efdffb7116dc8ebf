/**
 * Validation problems in words for a person. The API's error handler (apps/api/src/http/errors.ts) and the web's
 * form validation (apps/web/src/lib/forms.ts) both turn a zod issue into `fieldLabel(path)` + `describeIssue(issue)`:
 * "Amount must be a number such as 12.5", "Address must be at least 20 characters". Messages written in the
 * contract's schemas are relative to the field ("must be greater than zero") and are used as they are.
 */

/** The parts of a zod issue this module reads (zod 4's `$ZodIssue`, and the `params` fastify-type-provider-zod keeps). */
export interface IssueLike {
  code?: string;
  message: string;
  path?: readonly PropertyKey[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  received?: string;
  values?: readonly unknown[];
  format?: string;
  keys?: readonly string[];
}

/** Field names whose words are not just the camelCase split. */
const LABELS: Record<string, string> = {
  amountUsd: 'Amount',
  quoteAmount: 'Amount in USD',
  payCurrency: 'Payment currency',
  addressId: 'Address book entry',
  recipientEmail: "Recipient's email",
  assetId: 'Asset',
  totpCode: 'Code',
  id: 'ID',
};

/** `amountUsd` → "Amount", `triggerPrice` → "Trigger price", `["channels", 0]` → "Channels (item 1)". */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const names = path.filter((p): p is string => typeof p === 'string');
  const last = names.at(-1);
  if (!last) return 'The request';
  const index = path.at(-1);
  const words =
    LABELS[last] ??
    last
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/[_-]+/g, ' ')
      .toLowerCase()
      .replace(/\b(usd|id|url|ip|totp|oco|tif)\b/g, (w) => w.toUpperCase())
      .replace(/^./, (c) => c.toUpperCase());
  return typeof index === 'number' ? `${words} (item ${index + 1})` : words;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  bigint: 'a whole number',
  date: 'a date',
};

const FORMAT_WORDS: Record<string, string> = {
  email: 'must be an email address such as name@example.com',
  uuid: 'must be an ID such as 3f2b5c1e-8a4d-4c6b-9e7f-1a2b3c4d5e6f',
  datetime: 'must be a date and time such as 2026-12-04T09:30:00Z',
  date: 'must be a date such as 2026-12-04',
  url: 'must be a web address starting with https://',
};

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

/** Zod's own wording ("Too small: expected…", "Invalid input: …"): replaced; messages a schema wrote are kept. */
const GENERIC = /^(Too (small|big)|Invalid (input|option|string|email|UUID|ISO|URL|character|key)|Unrecognized key|Expected)/;

/** What is wrong with the field, relative to its label: "must be at least 20 characters", "is required". */
export function describeIssue(issue: IssueLike): string {
  const custom = !GENERIC.test(issue.message);
  const { code, origin } = issue;
  if (code === 'invalid_type') {
    if (/received undefined$/.test(issue.message)) return 'is required';
    return `must be ${TYPE_WORDS[issue.expected ?? ''] ?? issue.expected ?? 'something else'}`;
  }
  if (custom) return issue.message;
  if (code === 'too_small' || code === 'too_big') {
    const small = code === 'too_small';
    const n = (small ? issue.minimum : issue.maximum) ?? 0;
    const bound = small ? 'at least' : 'at most';
    if (origin === 'string') return small && Number(n) === 1 ? 'must not be empty' : `must be ${bound} ${plural(n, 'character', 'characters')}`;
    if (origin === 'array' || origin === 'set') return `must have ${bound} ${plural(n, 'item', 'items')}`;
    if (issue.inclusive === false) return `must be ${small ? 'more' : 'less'} than ${n}`;
    return `must be ${bound} ${n}`;
  }
  if (code === 'invalid_value') {
    const values = (issue.values ?? []).map((v) => String(v));
    return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
  }
  if (code === 'invalid_format') return FORMAT_WORDS[issue.format ?? ''] ?? 'is not in the expected format';
  if (code === 'unrecognized_keys') {
    const keys = issue.keys ?? [];
    return `${keys.length === 1 ? 'has a field it does not accept' : 'has fields it does not accept'}: ${keys.join(', ')}`;
  }
  if (code === 'not_multiple_of') return 'has too many decimals';
  return 'is not valid';
}

/** The whole sentence: "Amount must be a number such as 12.5". */
export function issueSentence(issue: IssueLike): string {
  return `${fieldLabel(issue.path ?? [])} ${describeIssue(issue)}`;
}
