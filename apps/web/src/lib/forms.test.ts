import { signupRequest } from '@cryptovault/contract';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.ts';
import { serverErrors, validate } from './forms.ts';

describe('forms', () => {
  it('validates with the shared contract schema and reports one message per field', () => {
    const r = validate(signupRequest, { email: 'nope', password: 'short', name: '' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['email', 'name', 'password']);
    expect(r.errors.password).toBe('Must be at least 10 characters');
  });

  it('returns the parsed data (normalised by the schema) when valid', () => {
    const r = validate(signupRequest, { email: '  Ann@Example.com ', password: 'correct horse battery', name: 'Ann' });
    expect(r).toEqual({ ok: true, data: { email: 'Ann@Example.com', password: 'correct horse battery', name: 'Ann' } });
  });

  it('maps server errors to fields, by validation path or by code', () => {
    const validation = new ApiError('VALIDATION_ERROR', 'bad', 400, 'r', [{ path: ['body', 'amount'], message: 'must be greater than zero' }]);
    expect(serverErrors(validation)).toEqual({ amount: 'Must be greater than zero' });
    const funds = new ApiError('INSUFFICIENT_FUNDS', 'Not enough USD', 422);
    expect(serverErrors(funds, { INSUFFICIENT_FUNDS: 'amount' })).toEqual({ amount: 'Not enough USD' });
    expect(serverErrors(funds)).toEqual({ _form: 'Not enough USD' });
    expect(serverErrors(new ApiError('NETWORK_ERROR', 'x', 0))._form).toMatch(/Cannot reach/);
  });
});
