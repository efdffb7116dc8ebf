import { BlockList, isIP } from 'node:net';

/** `::ffff:203.0.113.7` (an IPv4 client on a dual-stack socket) is 203.0.113.7. */
export function plainAddress(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

/**
 * One allow-list entry in canonical form (`203.0.113.0/24`, `2001:db8::/32`; a bare address gets /32 or /128), or
 * null when it is neither an address nor a CIDR range. The contract's schema has already checked the shape.
 */
export function canonicalEntry(entry: string): string | null {
  const [addr = '', bits, extra] = plainAddress(entry.trim()).split('/');
  if (extra !== undefined) return null;
  const family = isIP(addr);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return null;
  return `${addr.toLowerCase()}/${prefix}`;
}

/** A matcher over canonical entries: null (no list) allows every address. */
export function allowListMatcher(entries: readonly string[]): ((ip: string) => boolean) | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const e of entries) {
    const [addr = '', bits = ''] = e.split('/');
    list.addSubnet(addr, Number(bits), isIP(addr) === 4 ? 'ipv4' : 'ipv6');
  }
  return (ip) => {
    const a = plainAddress(ip);
    const family = isIP(a);
    if (family === 0) return false;
    return list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}
