import { describe, expect, it } from 'vitest';
import { checkAddress, isEvmAddress } from './addresses.ts';

const ok = (asset: string, a: string, n?: string) => checkAddress(asset, a, n).ok;

describe('withdrawal address validation', () => {
  it('BTC: legacy, P2SH, bech32 and bech32m with checksums', () => {
    expect(ok('BTC', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe(true);
    expect(ok('BTC', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy')).toBe(true);
    expect(ok('BTC', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBe(true);
    expect(ok('BTC', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297')).toBe(true);
    expect(ok('BTC', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3')).toBe(false);
    expect(ok('BTC', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr')).toBe(false);
    expect(ok('BTC', 'BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZwf5mdq')).toBe(false);
    expect(ok('BTC', 'ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea')).toBe(false);
    expect(ok('BTC', '0x52908400098527886E0F7030069857D2E4169EE7')).toBe(false);
  });

  it('ETH and ERC-20: EIP-55 checksum enforced only for mixed case', () => {
    expect(isEvmAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toBe(true);
    expect(isEvmAddress('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359')).toBe(true);
    expect(isEvmAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')).toBe(true);
    expect(isEvmAddress('0x52908400098527886E0F7030069857D2E4169EE7')).toBe(true);
    expect(isEvmAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toBe(false);
    expect(isEvmAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA')).toBe(false);
    expect(ok('USDT', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359')).toBe(true);
    expect(ok('LINK', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359')).toBe(true);
  });

  it('SOL: base58 decoding to exactly 32 bytes', () => {
    expect(ok('SOL', '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV')).toBe(true);
    expect(ok('SOL', 'So11111111111111111111111111111111111111112')).toBe(true);
    expect(ok('SOL', '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLt0')).toBe(false);
    expect(ok('SOL', '1111111111111111111111111111111')).toBe(false);
    expect(ok('USDT', '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV', 'solana')).toBe(true);
  });

  it('LTC: legacy L/M and ltc1 segwit', () => {
    expect(ok('LTC', 'LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz')).toBe(true);
    expect(ok('LTC', 'ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea')).toBe(true);
    expect(ok('LTC', 'ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfeb')).toBe(false);
    expect(ok('LTC', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe(false);
  });

  it('explains an unsupported asset or network', () => {
    expect(checkAddress('USD', 'x')).toEqual({ ok: false, reason: 'USD cannot be withdrawn' });
    expect(checkAddress('BTC', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'erc20')).toMatchObject({ ok: false });
    expect(checkAddress('ETH', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toEqual({ ok: true, network: 'ethereum' });
  });

  it('never takes an inherited property for an asset or a network (found by the fuzz test)', () => {
    const btc = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(checkAddress('BTC', btc, name)).toMatchObject({ ok: false });
      expect(checkAddress(name, btc)).toEqual({ ok: false, reason: `${name} cannot be withdrawn` });
    }
  });
});
