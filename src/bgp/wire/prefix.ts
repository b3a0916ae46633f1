/**
 * @module bgp/wire/prefix
 * IP address prefixes as carried in NLRI (RFC 4271 §4.3, RFC 4760 §5).
 *
 * IPv4 addresses are unsigned 32-bit numbers (cheap to hash and compare: the RIB keys
 * on them); IPv6 addresses are bigints (not on the hot path, Route Server being IPv4).
 * A Prefix is always canonical: host bits beyond `len` are zero.
 */

export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;
export const SAFI_UNICAST = 1;
export type Afi = typeof AFI_IPV4 | typeof AFI_IPV6;

export interface Ipv4Prefix {
  readonly afi: typeof AFI_IPV4;
  /** Network address as an unsigned 32-bit integer, host bits zero. */
  readonly addr: number;
  readonly len: number;
}

export interface Ipv6Prefix {
  readonly afi: typeof AFI_IPV6;
  /** Network address as a 128-bit unsigned bigint, host bits zero. */
  readonly addr: bigint;
  readonly len: number;
}

export type Prefix = Ipv4Prefix | Ipv6Prefix;

const V6_ALL = (1n << 128n) - 1n;

export function maskV4(addr: number, len: number): number {
  if (len <= 0) return 0;
  if (len >= 32) return addr >>> 0;
  return (addr & (0xffffffff << (32 - len))) >>> 0;
}

export function maskV6(addr: bigint, len: number): bigint {
  if (len <= 0) return 0n;
  if (len >= 128) return addr & V6_ALL;
  return addr & (V6_ALL ^ ((1n << BigInt(128 - len)) - 1n));
}

export function v4Prefix(addr: number, len: number): Ipv4Prefix {
  return { afi: AFI_IPV4, addr: maskV4(addr, len), len };
}

export function v6Prefix(addr: bigint, len: number): Ipv6Prefix {
  return { afi: AFI_IPV6, addr: maskV6(addr, len), len };
}

/** Parses a dotted-quad IPv4 address; returns undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** Parses an IPv6 address (RFC 4291 §2.2 text forms, including an embedded IPv4 tail). */
export function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let s = text;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) > lastColon) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    words = [...left, ...new Array<number>(fill).fill(0), ...right];
  } else {
    words = left;
  }
  if (words.length !== 8) return undefined;
  let v = 0n;
  for (const w of words) v = (v << 16n) | BigInt(w);
  return v;
}

/** RFC 5952 canonical text form. */
export function formatIpv6(addr: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((addr >> BigInt(i * 16)) & 0xffffn));
  // longest run of zero words (length >= 2), first one on ties
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** Parses "a.b.c.d/len" or "v6/len"; host bits must be zero unless `lenient`. */
export function parsePrefix(text: string, lenient = false): Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addrText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (addrText.includes(':')) {
    const a = parseIpv6(addrText);
    if (a === undefined || len > 128) return undefined;
    const p = v6Prefix(a, len);
    if (!lenient && p.addr !== a) return undefined;
    return p;
  }
  const a = parseIpv4(addrText);
  if (a === undefined || len > 32) return undefined;
  const p = v4Prefix(a, len);
  if (!lenient && p.addr !== a) return undefined;
  return p;
}

export function formatPrefix(p: Prefix): string {
  return p.afi === AFI_IPV4 ? `${formatIpv4(p.addr)}/${p.len}` : `${formatIpv6(p.addr)}/${p.len}`;
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.afi === b.afi && a.len === b.len && a.addr === b.addr;
}

/** True when `outer` covers `inner` (equal or less specific, same family). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.afi !== inner.afi || outer.len > inner.len) return false;
  if (outer.afi === AFI_IPV4) return maskV4((inner as Ipv4Prefix).addr, outer.len) === outer.addr;
  return maskV6((inner as Ipv6Prefix).addr, outer.len) === outer.addr;
}

/** Total order: family, then address, then length (Azure lists are not sorted by this; tests and maps are). */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.afi !== b.afi) return a.afi - b.afi;
  if (a.addr !== b.addr) return a.addr < b.addr ? -1 : 1;
  return a.len - b.len;
}
