import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatMoney } from './format.ts';
import { describeIssue, fieldLabel, issueSentence } from './issues.ts';
import { createWithdrawalRequest } from './withdrawals.ts';
import { depositAssetFor, depositNetworkFor, depositStage } from './payments.ts';
import { explorerTxUrl } from './withdrawals.ts';

describe('formatMoney', () => {
  it('writes USD as dollars and cents, grouped', () => {
    expect(formatMoney('4495.134529', 'USD')).toBe('$4,495.13');
    expect(formatMoney('25000.00', 'usd')).toBe('$25,000.00');
    expect(formatMoney('0.005', 'USD')).toBe('$0.01');
    expect(formatMoney('-1.5', 'USD')).toBe('-$1.50');
    expect(formatMoney('-0.001', 'USD')).toBe('$0.00');
    expect(formatMoney('1000000', 'USD')).toBe('$1,000,000.00');
  });

  it('keeps small USD prices readable when asked for more places', () => {
    expect(formatMoney('0.000123456', 'USD', { maxDecimals: 5 })).toBe('$0.00012');
    expect(formatMoney('4.5', 'USD', { maxDecimals: 4 })).toBe('$4.50');
  });

  it('writes crypto with its code and no trailing zeros', () => {
    expect(formatMoney('0.00001031', 'btc')).toBe('0.00001031 BTC');
    expect(formatMoney('5.00050000', 'BTC')).toBe('5.0005 BTC');
    expect(formatMoney('12345.6', 'USDT', { maxDecimals: 6 })).toBe('12,345.6 USDT');
    expect(formatMoney('0.123456789', 'ETH')).toBe('0.12345679 ETH');
    expect(formatMoney('0.123456789', 'ETH', { rounding: 'up', maxDecimals: 4 })).toBe('0.1235 ETH');
    expect(formatMoney('3', 'SOL')).toBe('3 SOL');
  });

  it('never guesses at what is not a decimal', () => {
    expect(formatMoney('1e3', 'BTC')).toBe('1e3 BTC');
  });
});

describe('validation issues in words', () => {
  const issues = (schema: z.ZodType, v: unknown) => schema.safeParse(v).error?.issues.map(issueSentence) ?? [];

  it('names the field and says what it must be', () => {
    expect(issues(createWithdrawalRequest, { asset: 'BTC', amount: '12,5', address: 'x' })).toEqual([
      'Amount must be a number such as 12.5 (digits and one decimal point; no sign, spaces or commas)',
      'Address must be at least 20 characters',
    ]);
    expect(issues(createWithdrawalRequest, { asset: 'BTC', amount: '0' })).toEqual([
      'Amount must be greater than zero',
      'Address is required: type one or choose one from your address book, not both',
    ]);
    const s = z.object({ side: z.enum(['buy', 'sell']), email: z.email(), n: z.number().max(3), tags: z.array(z.string()).min(1) }).strict();
    expect(issues(s, { side: 'hold', email: 'no', n: 9, tags: [], extra: 1 })).toEqual([
      'Side must be one of buy, sell',
      'Email must be an email address such as name@example.com',
      'N must be at most 3',
      'Tags must have at least 1 item',
      'The request has a field it does not accept: extra',
    ]);
  });

  it('labels camelCase paths and list items', () => {
    expect(fieldLabel(['triggerPrice'])).toBe('Trigger price');
    expect(fieldLabel(['amountUsd'])).toBe('Amount');
    expect(fieldLabel(['channels', 1])).toBe('Channels (item 2)');
    expect(describeIssue({ code: 'invalid_type', expected: 'string', message: 'Invalid input: expected string, received number' })).toBe('must be text');
  });
});

describe('deposit and withdrawal helpers', () => {
  it('maps provider tickers to the asset credited', () => {
    expect(['btc', 'usdterc20', 'usdttrc20', 'usdcsol', 'bnbbsc', 'sol', 'eth'].map(depositAssetFor)).toEqual([
      'BTC',
      'USDT',
      'USDT',
      'USDC',
      'BNB',
      'SOL',
      'ETH',
    ]);
  });

  it('maps provider tickers to the network whose explorer shows the paying transaction', () => {
    expect(['btc', 'usdterc20', 'usdttrc20', 'usdcsol', 'bnbbsc', 'sol', 'eth', 'ltc', 'doge', 'sol ', 'erc20'].map(depositNetworkFor)).toEqual([
      'bitcoin',
      'erc20',
      null,
      'solana',
      'bep20',
      'solana',
      'ethereum',
      'litecoin',
      null,
      'solana',
      null,
    ]);
  });

  it('tells the page which stage a deposit is in', () => {
    const d = { creditedAmount: null, creditedUsd: null, review: null } as const;
    expect(depositStage({ ...d, status: 'waiting' })).toBe('waiting');
    expect(depositStage({ ...d, status: 'confirmed' })).toBe('confirming');
    expect(depositStage({ ...d, status: 'finished', creditedAmount: '0.1' })).toBe('credited');
    expect(depositStage({ ...d, status: 'expired' })).toBe('expired');
    expect(depositStage({ ...d, status: 'partially_paid', review: 'pending' })).toBe('review');
  });

  it('links a transaction to its network explorer', () => {
    expect(explorerTxUrl('bitcoin', 'abc123')).toBe('https://mempool.space/tx/abc123');
    expect(explorerTxUrl('erc20', '0xff')).toBe('https://etherscan.io/tx/0xff');
    expect(explorerTxUrl('__proto__', 'x')).toBeNull();
  });
});
