/**
 * fast-check arbitraries for request fuzzing: values shaped by the OpenAPI (JSON Schema) document the app generates
 * from the contract's zod schemas, plus hostile values every handler must turn into a 4xx rather than a 5xx.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  format?: string;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** A JSON token JSON.stringify cannot produce (1e309, 40-decimal literals, huge integers): spliced in verbatim. */
export class RawJson {
  constructor(readonly text: string) {}
}

// Most telling first: the fixed corpus runs under a time budget and may not reach the end of these lists.
export const HOSTILE_STRINGS: string[] = [
  '\u0000',
  // At and past what NUMERIC(38,18) holds: a 20-digit amount and price overflowed the order's cost column (a 500).
  '99999999999999999999',
  '99999999999999999999.999999999999999999',
  '999999999999999999999',
  `1${'0'.repeat(20)}`,
  `0.${'0'.repeat(18)}1`,
  '',
  ' ',
  '1e309',
  '-1e309',
  '1e-400',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '-0',
  '0',
  '0x10',
  '1_000',
  ' 1 ',
  '1,5',
  '1.',
  '.5',
  `0.${'1'.repeat(40)}`,
  `1.${'0'.repeat(39)}1`,
  '9'.repeat(60),
  '9'.repeat(400),
  '00001',
  'a\u0000b',
  '\u202Eevil\u202C',
  '\uFEFFBTC',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀👨‍👩‍👧',
  'İıǅß',
  "' OR 1=1 --",
  "'; drop table users; --",
  '\\',
  '"',
  '{{7*7}}\u0024{7*7}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '%',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'BTC/USD\n',
  'x'.repeat(10_000),
];

export const HOSTILE_NUMBERS: (number | RawJson)[] = [
  0,
  -0,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER - 2,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 64,
  0.1,
  5e-324,
  new RawJson('1e309'),
  new RawJson('-1e309'),
  new RawJson('1e-400'),
  new RawJson(`0.${'1'.repeat(40)}`),
  new RawJson('123456789012345678901234567890'),
];

const DEEP = 2_000;
/** Deep enough that any recursive walker (key sorting, canonical JSON, logging) would exhaust the stack. */
const VERY_DEEP = 60_000;
export const HOSTILE_VALUES: unknown[] = [
  new RawJson(`${'['.repeat(VERY_DEEP)}${']'.repeat(VERY_DEEP)}`),
  new RawJson(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`),
  null,
  true,
  false,
  [],
  {},
  [[[[]]]],
  { a: { b: { c: {} } } },
  ['a', 1, null],
  new RawJson(`${'['.repeat(DEEP)}${']'.repeat(DEEP)}`),
  new RawJson(`${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`),
];

/** Whole request bodies, sent verbatim as application/json. */
export const HOSTILE_BODIES: string[] = [
  '',
  'null',
  'true',
  '0',
  '1e309',
  '"a string"',
  '[]',
  '{}',
  'not json',
  '{"unterminated": ',
  '{"a":1,"a":2}',
  '{"__proto__":{"polluted":"yes","isAdmin":true,"role":"admin"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
  `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`,
  `${'['.repeat(VERY_DEEP)}${']'.repeat(VERY_DEEP)}`,
  `{"x":"${'y'.repeat(200_000)}"}`,
];

/** Decimal strings around and past NUMERIC(38,18): 18–26 digits before the point, 0–22 after. */
export const overLongDecimal: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 18, max: 26 }), fc.integer({ min: 0, max: 22 }), fc.constantFrom('9', '1', '5'))
  .map(([int, frac, d]) => `${d}${'9'.repeat(int - 1)}${frac ? `.${'9'.repeat(frac)}` : ''}`);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: overLongDecimal },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double() },
);

/**
 * Strings matching `pattern` within [min, max] characters. Never `.filter()`: a pattern whose matches are rarely (or
 * never) that long at the chosen size made fast-check's filter retry forever, a synchronous loop no test timeout
 * interrupts (CI hung for its whole 90 minutes). A match of the wrong length is swapped for a plain string instead.
 */
function patternString(pattern: string, min: number, max: number): fc.Arbitrary<string> {
  const plain = fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, 100)) });
  const fits = (s: string) => s.length >= min && s.length <= max;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return plain;
  }
  // The smallest size whose matches fit often enough; fc.sample draws a fixed number and always returns.
  const size = (['xsmall', 'small', 'medium'] as const).find((sz) => fc.sample(fc.stringMatching(regex, { size: sz }), { numRuns: 40, seed: 1 }).some(fits));
  if (!size) return plain;
  return fc.tuple(fc.stringMatching(regex, { size }), plain).map(([m, p]) => (fits(m) ? m : p));
}

/** Values of roughly the right shape (valid often enough to reach the service layer). */
export function fromSchema(s: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => fromSchema(a, depth + 1)));
  if (s.allOf?.length) return fromSchema(s.allOf[0], depth + 1);
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t) => fromSchema({ ...s, type: t }, depth + 1)));
  switch (s.type) {
    case 'string': {
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? 200;
      if (s.pattern) return patternString(s.pattern, min, max);
      if (s.format === 'email') return fc.emailAddress().filter((e) => e.length <= max);
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time') return fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString());
      return fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, 100)) });
    }
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1e9, -(2 ** 31)), max: Math.min(s.maximum ?? 1e9, 2 ** 31) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e12, max: s.maximum ?? 1e12, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'object': {
      const props = s.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = fromSchema(v, depth + 1);
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A schema-shaped object with some fields swapped for hostile values, dropped, or joined by unknown keys. */
export function mutated(s: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const keys = Object.keys(s?.properties ?? {});
  const base = fromSchema(s);
  if (!keys.length)
    return fc.oneof(base, fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'x', 'id', 'role', 'userId'), hostileValue, { maxKeys: 3 }));
  return fc
    .tuple(
      base,
      fc.array(fc.tuple(fc.constantFrom(...keys), hostileValue), { minLength: 1, maxLength: 3 }),
      fc.option(fc.constantFrom(...keys)),
      fc.option(fc.tuple(fc.constantFrom('userId', 'role', 'status', 'isAdmin', 'balance', 'constructor', 'toString'), hostileValue)),
    )
    .map(([obj, swaps, drop, extra]) => {
      const out: Record<string, unknown> = obj && typeof obj === 'object' && !Array.isArray(obj) ? { ...(obj as Record<string, unknown>) } : {};
      for (const [k, v] of swaps) out[k] = v;
      if (drop !== null) delete out[drop];
      if (extra) out[extra[0]] = extra[1];
      return out;
    });
}

/** JSON text for a value that may contain RawJson tokens. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0001RAW${raws.length - 1}\u0001`;
    }
    return v;
  });
  if (text === undefined) return 'null';
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)] ?? 'null');
}

/** A path or query value as text (objects become JSON; strings pass as they are). */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof RawJson) return v.text;
  return toJsonText(v);
}

/** encodeURIComponent that survives lone surrogates (which it would reject with URIError). */
export function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
  }
}
