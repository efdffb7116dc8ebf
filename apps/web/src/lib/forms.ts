import { describeIssue } from '@cryptovault/contract';
import type { z } from 'zod';
import { ApiError, describeError } from './errors.ts';

export type FieldErrors = Record<string, string>;
export type Validation<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Runs the shared contract schema before submit: the same rules the server applies, shown next to the fields. */
export function validate<S extends z.ZodType>(schema: S, values: unknown): Validation<z.output<S>> {
  const r = schema.safeParse(values);
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = String(issue.path[0] ?? '_form');
    if (!(key in errors)) errors[key] = sentence(describeIssue(issue));
  }
  return { ok: false, errors };
}

/** Server errors mapped onto the form: field errors where the server named a field, else a form-level message. */
export function serverErrors(err: unknown, fieldFor: Partial<Record<string, string>> = {}): FieldErrors {
  if (err instanceof ApiError) {
    const fields = err.fieldErrors();
    if (Object.keys(fields).length) return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, sentence(v)]));
    const field = fieldFor[err.code];
    if (field) return { [field]: err.message };
  }
  return { _form: describeError(err) };
}

function sentence(s: string): string {
  const t = s.trim();
  return t ? t[0]!.toUpperCase() + t.slice(1) : t;
}

/** A fresh Idempotency-Key per submitted form: retries of the same submit reuse it. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
