/**
 * @module bgp/wire/nlri
 * Prefix encoding shared by Withdrawn Routes, NLRI (RFC 4271 §4.3) and the MP_REACH_NLRI /
 * MP_UNREACH_NLRI fields (RFC 4760 §5): one Length octet in bits, then the fewest octets
 * that hold that many bits. This is the hot path of UPDATE decoding: no closures, no
 * strings, one object per prefix.
 */
import { AFI_IPV4, AFI_IPV6, SAFI_UNICAST, type Ipv4Prefix, type Ipv6Prefix, type Prefix } from './prefix.js';
import type { ByteWriter } from './writer.js';

/**
 * Appends the IPv4 prefixes in `b[start, end)` to `out`. Returns false when the field is
 * syntactically incorrect (RFC 7606 §5.3): a length above 32, or a prefix that runs past
 * `end`. Trailing bits beyond the length are irrelevant (RFC 4271 §4.3) and are cleared.
 */
export function readIpv4Prefixes(b: Uint8Array, start: number, end: number, out: Prefix[]): boolean {
  let p = start;
  while (p < end) {
    const len = b[p++]!;
    if (len > 32) return false;
    const n = (len + 7) >> 3;
    if (p + n > end) return false;
    let addr = 0;
    switch (n) {
      case 4:
        addr = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
        break;
      case 3:
        addr = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8);
        break;
      case 2:
        addr = (b[p]! << 24) | (b[p + 1]! << 16);
        break;
      case 1:
        addr = b[p]! << 24;
        break;
    }
    p += n;
    // Clear host bits; len 0 shifts by 32, which JS reduces mod 32, hence the guard.
    const masked = len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
    const prefix: Ipv4Prefix = { afi: AFI_IPV4, addr: masked, len };
    out.push(prefix);
  }
  return true;
}

/** As readIpv4Prefixes, for IPv6 (lengths up to 128). */
export function readIpv6Prefixes(b: Uint8Array, start: number, end: number, out: Prefix[]): boolean {
  let p = start;
  while (p < end) {
    const len = b[p++]!;
    if (len > 128) return false;
    const n = (len + 7) >> 3;
    if (p + n > end) return false;
    let addr = 0n;
    for (let i = 0; i < 16; i += 4) {
      let w = 0;
      for (let j = 0; j < 4; j++) w = (w << 8) | (i + j < n ? b[p + i + j]! : 0);
      addr = (addr << 32n) | BigInt(w >>> 0);
    }
    p += n;
    if (len < 128) addr &= ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n);
    const prefix: Ipv6Prefix = { afi: AFI_IPV6, addr, len };
    out.push(prefix);
  }
  return true;
}

/** The (AFI, SAFI) pairs whose NLRI this codec decodes into Prefixes: IPv4 and IPv6 unicast. */
export function nlriFamilyDecoded(afi: number, safi: number): boolean {
  return safi === SAFI_UNICAST && (afi === AFI_IPV4 || afi === AFI_IPV6);
}

export function readPrefixes(afi: number, b: Uint8Array, start: number, end: number, out: Prefix[]): boolean {
  return afi === AFI_IPV4 ? readIpv4Prefixes(b, start, end, out) : readIpv6Prefixes(b, start, end, out);
}

/** Octets one prefix takes on the wire. */
export function prefixWireLength(p: Prefix): number {
  return 1 + ((p.len + 7) >> 3);
}

export function writePrefix(w: ByteWriter, p: Prefix): void {
  const n = (p.len + 7) >> 3;
  w.ensure(1 + n);
  const b = w.buf;
  let at = w.pos;
  b[at++] = p.len;
  if (p.afi === AFI_IPV4) {
    const a = p.addr;
    if (n > 0) b[at++] = a >>> 24;
    if (n > 1) b[at++] = (a >>> 16) & 0xff;
    if (n > 2) b[at++] = (a >>> 8) & 0xff;
    if (n > 3) b[at++] = a & 0xff;
  } else {
    for (let i = 0; i < n; i++) b[at++] = Number((p.addr >> BigInt(120 - 8 * i)) & 0xffn);
  }
  w.pos = at;
}

export function writePrefixes(w: ByteWriter, prefixes: readonly Prefix[]): void {
  for (let i = 0; i < prefixes.length; i++) writePrefix(w, prefixes[i]!);
}

// ---------------------------------------------------------------------------
// IPv4 NLRI left in wire form (for the RIB's bulk path: no Prefix object per route)

/**
 * Counts the IPv4 prefixes in `b[start, end)` without decoding them; −1 when the field is
 * syntactically incorrect (exactly when readIpv4Prefixes returns false).
 */
export function countIpv4Prefixes(b: Uint8Array, start: number, end: number): number {
  let p = start;
  let count = 0;
  while (p < end) {
    const len = b[p++]!;
    if (len > 32) return -1;
    p += (len + 7) >> 3;
    if (p > end) return -1;
    count++;
  }
  return count;
}

/**
 * The network address (uint32, host bits cleared) of the IPv4 prefix whose Length octet is
 * `b[at]`; the prefix takes 1 + ((len + 7) >> 3) octets. For fields countIpv4Prefixes accepted.
 */
export function ipv4PrefixAddrAt(b: Uint8Array, at: number): number {
  const len = b[at]!;
  let addr = 0;
  switch ((len + 7) >> 3) {
    case 4:
      addr = (b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!;
      break;
    case 3:
      addr = (b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8);
      break;
    case 2:
      addr = (b[at + 1]! << 24) | (b[at + 2]! << 16);
      break;
    case 1:
      addr = b[at + 1]! << 24;
      break;
  }
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

/**
 * A checked IPv4 NLRI (or Withdrawn Routes) field still in wire form: `length` prefixes in
 * `bytes[start, end)`. Walk it with ipv4PrefixAddrAt, or turn it into Prefixes with toArray().
 */
export class Ipv4Nlri {
  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
    /** Number of prefixes. */
    readonly length: number,
  ) {}

  /** The prefixes, as readIpv4Prefixes decodes them. */
  toArray(): Prefix[] {
    const out: Prefix[] = [];
    readIpv4Prefixes(this.bytes, this.start, this.end, out);
    return out;
  }
}
