import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58 (Bitcoin alphabet) to bytes; null on a character outside the alphabet. */
export function base58Decode(s: string): Uint8Array | null {
  let n = 0n;
  for (const c of s) {
    const v = B58.indexOf(c);
    if (v < 0) return null;
    n = n * 58n + BigInt(v);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const c of s) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** Base58Check: 21 bytes (version + hash160) whose double-SHA256 checksum matches; returns the version byte. */
function base58CheckVersion(s: string): number | null {
  const raw = base58Decode(s);
  if (raw?.length !== 25) return null;
  const payload = raw.subarray(0, 21);
  const check = sha256(sha256(payload)).subarray(0, 4);
  return Buffer.from(raw.subarray(21)).equals(check) ? (payload[0] ?? null) : null;
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i] ?? 0;
  }
  return chk >>> 0;
}

/** BIP-173/350 segwit address for the given human-readable part (bc, ltc, tb). */
function isSegwit(addr: string, hrp: string): boolean {
  if (addr !== addr.toLowerCase() && addr !== addr.toUpperCase()) return false;
  const a = addr.toLowerCase();
  const pos = a.lastIndexOf('1');
  if (pos < 1 || a.slice(0, pos) !== hrp || a.length > 90 || a.length - pos - 1 < 7) return false;
  const data: number[] = [];
  for (const c of a.slice(pos + 1)) {
    const v = BECH32.indexOf(c);
    if (v < 0) return false;
    data.push(v);
  }
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  const check = polymod([...expanded, ...data]);
  const version = data[0] ?? -1;
  // bech32 (constant 1) for v0, bech32m for v1+.
  if (!((version === 0 && check === 1) || (version >= 1 && version <= 16 && check === 0x2bc830a3))) return false;
  // Program: 5-bit groups back to bytes.
  let acc = 0;
  let bits = 0;
  const prog: number[] = [];
  for (const v of data.slice(1, -6)) {
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      prog.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return false;
  if (prog.length < 2 || prog.length > 40) return false;
  return version !== 0 || prog.length === 20 || prog.length === 32;
}

/** 0x + 40 hex; all-lower or all-upper is accepted as is, mixed case must match the EIP-55 checksum. */
export function isEvmAddress(addr: string): boolean {
  if (!/^0x[0-9a-fA-F]{40}$/.test(addr)) return false;
  const body = addr.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(body.toLowerCase()))).toString('hex');
  for (let i = 0; i < 40; i++) {
    const c = body[i] ?? '';
    if (/[a-f]/i.test(c) && (Number.parseInt(hash[i] ?? '0', 16) >= 8 ? c !== c.toUpperCase() : c !== c.toLowerCase())) return false;
  }
  return true;
}

const isBitcoin = (a: string): boolean => isSegwit(a, 'bc') || [0x00, 0x05].includes(base58CheckVersion(a) ?? -1);
const isLitecoin = (a: string): boolean => isSegwit(a, 'ltc') || [0x30, 0x32, 0x05].includes(base58CheckVersion(a) ?? -1);
const isSolana = (a: string): boolean => /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(a) && base58Decode(a)?.length === 32;

interface WithdrawableAsset {
  networks: Record<string, (address: string) => boolean>;
  defaultNetwork: string;
}

const EVM = { networks: { erc20: isEvmAddress }, defaultNetwork: 'erc20' };

/** Assets that can leave the platform, their networks and address rules. Others are not withdrawable. */
export const WITHDRAWABLE: Record<string, WithdrawableAsset> = {
  BTC: { networks: { bitcoin: isBitcoin }, defaultNetwork: 'bitcoin' },
  LTC: { networks: { litecoin: isLitecoin }, defaultNetwork: 'litecoin' },
  ETH: { networks: { ethereum: isEvmAddress }, defaultNetwork: 'ethereum' },
  SOL: { networks: { solana: isSolana }, defaultNetwork: 'solana' },
  USDT: { networks: { erc20: isEvmAddress, solana: isSolana }, defaultNetwork: 'erc20' },
  USDC: { networks: { erc20: isEvmAddress, solana: isSolana }, defaultNetwork: 'erc20' },
  LINK: EVM,
  UNI: EVM,
  AAVE: EVM,
  POL: EVM,
  BNB: { networks: { bep20: isEvmAddress }, defaultNetwork: 'bep20' },
  AVAX: { networks: { 'c-chain': isEvmAddress }, defaultNetwork: 'c-chain' },
};

export type AddressCheck = { ok: true; network: string } | { ok: false; reason: string };

export function checkAddress(asset: string, address: string, network?: string): AddressCheck {
  // Own properties only: `__proto__` or `constructor` as an asset or network name must not reach Object.prototype.
  const spec = Object.hasOwn(WITHDRAWABLE, asset) ? WITHDRAWABLE[asset] : undefined;
  if (!spec) return { ok: false, reason: `${asset} cannot be withdrawn` };
  const net = network ?? spec.defaultNetwork;
  const valid = Object.hasOwn(spec.networks, net) ? spec.networks[net] : undefined;
  if (!valid) return { ok: false, reason: `${asset} is withdrawn on ${Object.keys(spec.networks).join(' or ')}, not ${net}` };
  return valid(address) ? { ok: true, network: net } : { ok: false, reason: `not a valid ${asset} address on ${net}` };
}
