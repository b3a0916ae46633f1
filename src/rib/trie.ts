/**
 * @module rib/trie
 * A binary trie for longest-prefix match (IPv4 and IPv6), used where Azure looks up a
 * destination: Network Watcher next hop, the data-plane probe, "is this prefix inside
 * a VNet address space" (R-ARS-8).
 */
import { AFI_IPV4, type Prefix } from '../bgp/wire/index.js';

interface Node<V> {
  zero?: Node<V>;
  one?: Node<V>;
  value?: V;
  prefix?: Prefix;
}

function bitAt(p: { afi: number; addr: number | bigint }, i: number): 0 | 1 {
  if (p.afi === AFI_IPV4) return (((p.addr as number) >>> (31 - i)) & 1) as 0 | 1;
  return Number(((p.addr as bigint) >> BigInt(127 - i)) & 1n) as 0 | 1;
}

export class PrefixTrie<V> {
  private readonly roots: [Node<V>, Node<V>] = [{}, {}];
  private count = 0;

  get size(): number {
    return this.count;
  }

  set(p: Prefix, value: V): void {
    let n = this.roots[p.afi === AFI_IPV4 ? 0 : 1];
    for (let i = 0; i < p.len; i++) {
      const b = bitAt(p, i);
      const next = b ? n.one : n.zero;
      if (next) n = next;
      else {
        const created: Node<V> = {};
        if (b) n.one = created;
        else n.zero = created;
        n = created;
      }
    }
    if (n.prefix === undefined) this.count++;
    n.value = value;
    n.prefix = p;
  }

  get(p: Prefix): V | undefined {
    let n: Node<V> | undefined = this.roots[p.afi === AFI_IPV4 ? 0 : 1];
    for (let i = 0; i < p.len && n; i++) n = bitAt(p, i) ? n.one : n.zero;
    return n?.prefix ? n.value : undefined;
  }

  /** The most specific entry covering `p` (equal or shorter), if any. */
  longestMatch(p: Prefix): { prefix: Prefix; value: V } | undefined {
    let n: Node<V> | undefined = this.roots[p.afi === AFI_IPV4 ? 0 : 1];
    let best: { prefix: Prefix; value: V } | undefined;
    for (let i = 0; n; i++) {
      if (n.prefix) best = { prefix: n.prefix, value: n.value as V };
      if (i >= p.len) break;
      n = bitAt(p, i) ? n.one : n.zero;
    }
    return best;
  }

  /** Every entry covering `p`, least specific first. */
  covering(p: Prefix): { prefix: Prefix; value: V }[] {
    const out: { prefix: Prefix; value: V }[] = [];
    let n: Node<V> | undefined = this.roots[p.afi === AFI_IPV4 ? 0 : 1];
    for (let i = 0; n; i++) {
      if (n.prefix) out.push({ prefix: n.prefix, value: n.value as V });
      if (i >= p.len) break;
      n = bitAt(p, i) ? n.one : n.zero;
    }
    return out;
  }
}
