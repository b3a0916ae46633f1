/**
 * @module rib/prefixTable
 * A map from prefix to value that costs little per entry and keeps arrival order.
 *
 * IPv4 keys are numbers (2^length − 1 + the address's top `length` bits: Smis up to /30), so a 300,000-route
 * table is one Map of numbers with no per-route strings or objects; IPv6 keys are
 * strings (Route Server is IPv4; IPv6 is rare here). Iteration order is insertion order
 * per family, IPv4 first: the order in which prefixes were first learned.
 */
import { AFI_IPV4, AFI_IPV6, type Ipv4Prefix, type Ipv6Prefix, type Prefix } from '../bgp/wire/index.js';

/** 2^len − 1 for len = 0..32: the first key of each prefix length. */
const V4_BASE: readonly number[] = Array.from({ length: 33 }, (_, l) => 2 ** l - 1);

/**
 * Prefixes numbered like the nodes of a binary trie: 2^len − 1 + (addr >>> (32 − len)).
 * Unique and exact for every IPv4 prefix, and a Smi for /0../30 (no HeapNumber per key).
 */
export function v4Key(addr: number, len: number): number {
  return len === 0 ? 0 : V4_BASE[len]! + (addr >>> (32 - len));
}

export function prefixFromV4Key(key: number): Ipv4Prefix {
  const len = key + 1 >= 2 ** 32 ? 32 : 31 - Math.clz32(key + 1); // floor(log2(key + 1))
  return { afi: AFI_IPV4, addr: len === 0 ? 0 : ((key - V4_BASE[len]!) * 2 ** (32 - len)) >>> 0, len };
}

function v6Key(p: Ipv6Prefix): string {
  return `${p.addr.toString(16)}/${p.len}`;
}

function prefixFromV6Key(key: string): Ipv6Prefix {
  const slash = key.indexOf('/');
  return { afi: AFI_IPV6, addr: BigInt(`0x${key.slice(0, slash)}`), len: Number(key.slice(slash + 1)) };
}

export class PrefixTable<V> {
  private readonly v4 = new Map<number, V>();
  private readonly v6 = new Map<string, V>();

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  get(p: Prefix): V | undefined {
    return p.afi === AFI_IPV4 ? this.v4.get(v4Key(p.addr, p.len)) : this.v6.get(v6Key(p));
  }

  set(p: Prefix, v: V): void {
    if (p.afi === AFI_IPV4) this.v4.set(v4Key(p.addr, p.len), v);
    else this.v6.set(v6Key(p), v);
  }

  delete(p: Prefix): boolean {
    return p.afi === AFI_IPV4 ? this.v4.delete(v4Key(p.addr, p.len)) : this.v6.delete(v6Key(p));
  }

  has(p: Prefix): boolean {
    return p.afi === AFI_IPV4 ? this.v4.has(v4Key(p.addr, p.len)) : this.v6.has(v6Key(p));
  }

  clear(): void {
    this.v4.clear();
    this.v6.clear();
  }

  *entries(): IterableIterator<[Prefix, V]> {
    for (const [k, v] of this.v4) yield [prefixFromV4Key(k), v];
    for (const [k, v] of this.v6) yield [prefixFromV6Key(k), v];
  }

  *values(): IterableIterator<V> {
    yield* this.v4.values();
    yield* this.v6.values();
  }

  [Symbol.iterator](): IterableIterator<[Prefix, V]> {
    return this.entries();
  }
}
