/**
 * @module rib/prefixTable
 * A map from prefix to value that costs little per entry and keeps arrival order.
 *
 * IPv4 (ADR 0005, amended): a purpose-built ordered hash table on typed arrays, the layout
 * of a "compact dict". Entries sit in arrival order in parallel typed arrays (address, length,
 * value id); an open-addressing index (linear probing, multiplicative hash) maps a prefix to
 * its entry. Values are held in a small pool and referred to by a 32-bit id, with a reference
 * count: the 300,000 routes of one attribute set are 300,000 copies of one id, so the table
 * holds no per-route JS object and nothing for the garbage collector to trace or copy. A
 * deleted entry leaves a hole in the entry arrays (skipped by iteration) and is removed from
 * the index at once (backward-shift deletion, no tombstones); holes are squeezed out when the
 * entry arrays fill up. Semantics are those of a `Map`: setting an existing prefix keeps its
 * position, a prefix deleted and set again goes to the end, iterators see entries added while
 * they run and survive compaction.
 *
 * IPv6 keys are strings in a Map (Route Server is IPv4; IPv6 is rare here). Iteration order is
 * insertion order per family, IPv4 first: the order in which prefixes were first learned.
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

/** eLen of an entry that was deleted (a hole until the next compaction). */
const HOLE = 255;
const MIN_INDEX_BITS = 4;
const MIN_ENTRIES = 8;
/**
 * Growth factor of the entry arrays and of the index; from LARGE slots up, the index grows
 * by LARGE_GROWTH (a table transfer: one rehash of 40,960 entries into 524,288 slots instead
 * of three rehashes of 40,960 + 81,920 + 163,840, and 3 MB less fresh memory on the way).
 * The index costs 8 B a slot: at most 8 × 8 / (5/8) ≈ 102 B per live IPv4 prefix just after
 * such a growth (e.g. 327,681 prefixes in 4,194,304 slots), 12.8 B at best.
 */
const GROWTH = 2;
const LARGE = 1 << 16;
const LARGE_GROWTH = 8;

/**
 * The 32-bit hash of (addr, len): multiplicative (Fibonacci) hashing, whose top bits are the
 * home slot. It is kept in the index next to the entry number, so that probing, growing the
 * index and deleting never read the entry arrays (which are in arrival order, not hash order).
 */
function hash(a: number, len: number): number {
  return Math.imul(a ^ Math.imul(len, 0x27d4eb2d), 0x9e3779b1);
}

/** Where a live iterator stands: the next entry position it will read (moved by compaction). */
interface Cursor {
  pos: number;
}

export class PrefixTable<V> {
  // --- IPv4 entries, in arrival order (holes have eLen === HOLE) ---
  private eAddr: Int32Array = new Int32Array(MIN_ENTRIES);
  private eLen: Uint8Array = new Uint8Array(MIN_ENTRIES);
  private eVal: Int32Array = new Int32Array(MIN_ENTRIES);
  /** Entry positions used, holes included. */
  private n = 0;
  /** Live IPv4 entries. */
  private live = 0;
  // --- IPv4 index, linear probing: slot s is index[2s] = entry position + 1 (0: empty), index[2s + 1] = its hash ---
  private index: Int32Array = new Int32Array(2 << MIN_INDEX_BITS);
  private shift = 32 - MIN_INDEX_BITS;
  private mask = (1 << MIN_INDEX_BITS) - 1;
  /** Live entries that make the index grow (5/8 of its slots). */
  private maxLive = (5 << MIN_INDEX_BITS) >> 3;
  // --- value pool: id → value, reference counts; non-array values are shared by identity ---
  private vals: (V | undefined)[] = [];
  private refs: Int32Array = new Int32Array(8);
  private readonly ids = new Map<V, number>();
  private freeIds: number[] = [];
  private lastVal: V | undefined = undefined;
  private lastId = -1;
  /** Iterators that may still run (weakly held); compaction moves their cursors. */
  private cursors: WeakRef<Cursor>[] = [];

  private readonly v6 = new Map<string, V>();

  get size(): number {
    return this.live + this.v6.size;
  }

  get(p: Prefix): V | undefined {
    return p.afi === AFI_IPV4 ? this.getV4(p.addr, p.len) : this.v6.get(v6Key(p));
  }

  set(p: Prefix, v: V): void {
    if (p.afi === AFI_IPV4) this.setV4(p.addr, p.len, v);
    else this.v6.set(v6Key(p), v);
  }

  delete(p: Prefix): boolean {
    return p.afi === AFI_IPV4 ? this.deleteV4(p.addr, p.len) : this.v6.delete(v6Key(p));
  }

  has(p: Prefix): boolean {
    return p.afi === AFI_IPV4 ? this.find(p.addr | 0, p.len) >= 0 : this.v6.has(v6Key(p));
  }

  clear(): void {
    for (let i = 0; i < this.n; i++) if (this.eLen[i] !== HOLE) this.release(this.eVal[i]!);
    this.eAddr = new Int32Array(MIN_ENTRIES);
    this.eLen = new Uint8Array(MIN_ENTRIES);
    this.eVal = new Int32Array(MIN_ENTRIES);
    this.n = 0;
    this.live = 0;
    this.setIndex(new Int32Array(2 << MIN_INDEX_BITS));
    this.v6.clear();
    // As Map: iterators that were running go on with what is added from now on.
    this.moveCursors(() => 0);
  }

  // -------------------------------------------------------------------------
  // IPv4 by address and length (no Prefix object needed)

  /** `addr` is the network address (host bits zero), as uint32 or int32. */
  getV4(addr: number, len: number): V | undefined {
    const e = this.find(addr | 0, len);
    return e < 0 ? undefined : this.vals[this.eVal[e]!];
  }

  setV4(addr: number, len: number, v: V): void {
    const a = addr | 0;
    const e = this.find(a, len);
    if (e >= 0) {
      const old = this.eVal[e]!;
      this.eVal[e] = this.acquire(v);
      this.release(old);
      return;
    }
    this.insertNew(a, len, this.acquire(v));
  }

  /**
   * Sets `addr/len` to `v` if the table does not hold it yet (one probe for both). Returns
   * true when it was added (it then sits at the end of the iteration order).
   */
  addV4(addr: number, len: number, v: V): boolean {
    const a = addr | 0;
    const h = hash(a, len);
    const index = this.index;
    const mask = this.mask;
    let s = h >>> this.shift;
    for (;;) {
      const x = index[2 * s]!;
      if (x === 0) break;
      if (index[2 * s + 1] === h && this.eAddr[x - 1] === a && this.eLen[x - 1] === len) return false;
      s = (s + 1) & mask;
    }
    const id = this.acquire(v);
    if (this.n === this.eLen.length || this.live >= this.maxLive) {
      this.insertNew(a, len, id); // grows or compacts first
      return true;
    }
    const at = this.n++;
    this.eAddr[at] = a;
    this.eLen[at] = len;
    this.eVal[at] = id;
    index[2 * s] = at + 1;
    index[2 * s + 1] = h;
    this.live++;
    return true;
  }

  deleteV4(addr: number, len: number): boolean {
    const a = addr | 0;
    const h = hash(a, len);
    const index = this.index;
    const mask = this.mask;
    const shift = this.shift;
    let s = h >>> shift;
    let x: number;
    for (;;) {
      x = index[2 * s]!;
      if (x === 0) return false;
      if (index[2 * s + 1] === h && this.eAddr[x - 1] === a && this.eLen[x - 1] === len) break;
      s = (s + 1) & mask;
    }
    const e = x - 1;
    this.eLen[e] = HOLE;
    this.release(this.eVal[e]!);
    this.live--;
    // Backward-shift deletion: pull later members of the probe run into the gap.
    let gap = s;
    let j = s;
    for (;;) {
      j = (j + 1) & mask;
      const y = index[2 * j]!;
      if (y === 0) break;
      const home = index[2 * j + 1]! >>> shift;
      // The entry at j may move to `gap` unless its home lies cyclically in (gap, j].
      const stays = gap <= j ? home > gap && home <= j : home > gap || home <= j;
      if (!stays) {
        index[2 * gap] = y;
        index[2 * gap + 1] = index[2 * j + 1]!;
        gap = j;
      }
    }
    index[2 * gap] = 0;
    index[2 * gap + 1] = 0;
    // Give memory back after a mass withdrawal (e.g. a session down): a quarter full at most.
    if (this.eLen.length > 64 && this.live * 4 < this.eLen.length && this.n > this.live * 2) this.compact();
    return true;
  }

  // -------------------------------------------------------------------------
  // Iteration

  *entries(): IterableIterator<[Prefix, V]> {
    const c: Cursor = { pos: 0 };
    this.track(c);
    while (c.pos < this.n) {
      const i = c.pos++;
      const len = this.eLen[i]!;
      if (len !== HOLE) yield [{ afi: AFI_IPV4, addr: this.eAddr[i]! >>> 0, len }, this.vals[this.eVal[i]!] as V];
    }
    c.pos = -1;
    for (const [k, v] of this.v6) yield [prefixFromV6Key(k), v];
  }

  *values(): IterableIterator<V> {
    const c: Cursor = { pos: 0 };
    this.track(c);
    while (c.pos < this.n) {
      const i = c.pos++;
      if (this.eLen[i] !== HOLE) yield this.vals[this.eVal[i]!] as V;
    }
    c.pos = -1;
    yield* this.v6.values();
  }

  [Symbol.iterator](): IterableIterator<[Prefix, V]> {
    return this.entries();
  }

  // -------------------------------------------------------------------------
  // Internals

  /** Entry position of addr/len (addr as int32), or −1. */
  private find(a: number, len: number): number {
    const h = hash(a, len);
    const index = this.index;
    const mask = this.mask;
    let s = h >>> this.shift;
    for (;;) {
      const x = index[2 * s]!;
      if (x === 0) return -1;
      if (index[2 * s + 1] === h && this.eAddr[x - 1] === a && this.eLen[x - 1] === len) return x - 1;
      s = (s + 1) & mask;
    }
  }

  /** Appends a prefix known to be absent, with value id `id` (already acquired). */
  private insertNew(a: number, len: number, id: number): void {
    if (this.n === this.eLen.length) {
      // Full: squeeze out the holes if they are many, else grow.
      if (this.n - this.live >= this.n >> 2) this.compact();
      else this.growEntries(this.eLen.length * GROWTH);
    }
    if (this.live >= this.maxLive) this.growIndex();
    const at = this.n++;
    this.eAddr[at] = a;
    this.eLen[at] = len;
    this.eVal[at] = id;
    const h = hash(a, len);
    const index = this.index;
    const mask = this.mask;
    let s = h >>> this.shift;
    while (index[2 * s] !== 0) s = (s + 1) & mask;
    index[2 * s] = at + 1;
    index[2 * s + 1] = h;
    this.live++;
  }

  private growEntries(cap: number): void {
    const a = new Int32Array(cap);
    a.set(this.eAddr.subarray(0, this.n));
    const l = new Uint8Array(cap);
    l.set(this.eLen.subarray(0, this.n));
    const v = new Int32Array(cap);
    v.set(this.eVal.subarray(0, this.n));
    this.eAddr = a;
    this.eLen = l;
    this.eVal = v;
  }

  private setIndex(index: Int32Array): void {
    const slots = index.length >> 1;
    this.index = index;
    this.shift = 32 - (31 - Math.clz32(slots));
    this.mask = slots - 1;
    this.maxLive = (slots * 5) >> 3;
  }

  /**
   * More slots (GROWTH, or LARGE_GROWTH times). The old index is read in slot order, and a
   * slot's home in the new one is its old home times the factor plus the hash's next bits:
   * both sides are walked in order, and the entry arrays are not read.
   */
  private growIndex(): void {
    const slots = this.index.length >> 1;
    this.rehash(slots * (slots >= LARGE ? LARGE_GROWTH : GROWTH), undefined);
  }

  /** A new index of `slots` slots over the same entries; entry positions renumbered by `moved` if given. */
  private rehash(slots: number, moved: Int32Array | undefined): void {
    const old = this.index;
    const index = new Int32Array(2 * slots);
    const shift = 32 - (31 - Math.clz32(slots));
    const mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      const x = old[i]!;
      if (x === 0) continue;
      const h = old[i + 1]!;
      let s = h >>> shift;
      while (index[2 * s] !== 0) s = (s + 1) & mask;
      index[2 * s] = moved ? moved[x - 1]! + 1 : x;
      index[2 * s + 1] = h;
    }
    this.setIndex(index);
  }

  /** Removes the holes, keeping order; sizes the arrays for the live entries; moves running iterators. */
  private compact(): void {
    const n = this.n;
    const eAddr = this.eAddr;
    const eLen = this.eLen;
    const eVal = this.eVal;
    // Position before compaction → after: the live entries before it.
    const newPos = new Int32Array(n + 1);
    let w = 0;
    for (let i = 0; i < n; i++) {
      newPos[i] = w;
      if (eLen[i] === HOLE) continue;
      eAddr[w] = eAddr[i]!;
      eLen[w] = eLen[i]!;
      eVal[w] = eVal[i]!;
      w++;
    }
    newPos[n] = w;
    this.n = w;
    let cap = MIN_ENTRIES;
    while (cap < w * 2) cap *= 2;
    if (cap < eLen.length) {
      this.eAddr = eAddr.slice(0, cap);
      this.eLen = eLen.slice(0, cap);
      this.eVal = eVal.slice(0, cap);
    } else if (cap > eLen.length) {
      this.growEntries(cap);
    }
    let slots = 1 << MIN_INDEX_BITS;
    while ((slots * 5) >> 3 <= w + 1) slots *= 2;
    this.rehash(slots, newPos);
    this.moveCursors((p) => newPos[Math.min(p, n)]!);
  }

  private track(c: Cursor): void {
    if (this.cursors.length >= 64)
      this.cursors = this.cursors.filter((r) => {
        const x = r.deref();
        return x !== undefined && x.pos >= 0;
      });
    this.cursors.push(new WeakRef(c));
  }

  private moveCursors(to: (pos: number) => number): void {
    const keep: WeakRef<Cursor>[] = [];
    for (const r of this.cursors) {
      const c = r.deref();
      if (c === undefined || c.pos < 0) continue;
      c.pos = to(c.pos);
      keep.push(r);
    }
    this.cursors = keep;
  }

  /** One more reference to `v`: its pool id. */
  private acquire(v: V): number {
    let id: number;
    if (v === this.lastVal && this.lastId >= 0) id = this.lastId;
    else if (Array.isArray(v)) {
      // Arrays (a prefix's ranked candidates) are one per prefix: a pool slot each, no lookup.
      id = this.newId(v);
    } else {
      const known = this.ids.get(v);
      if (known !== undefined) id = known;
      else {
        id = this.newId(v);
        this.ids.set(v, id);
      }
      this.lastVal = v;
      this.lastId = id;
    }
    this.refs[id]!++;
    return id;
  }

  private newId(v: V): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.vals.length;
    if (id === this.vals.length) this.vals.push(v);
    else this.vals[id] = v;
    if (id >= this.refs.length) {
      const r = new Int32Array(this.refs.length * 2);
      r.set(this.refs);
      this.refs = r;
    }
    return id;
  }

  private release(id: number): void {
    if (--this.refs[id]! > 0) return;
    const v = this.vals[id] as V;
    if (!Array.isArray(v)) this.ids.delete(v);
    if (this.lastId === id) {
      this.lastId = -1;
      this.lastVal = undefined;
    }
    this.vals[id] = undefined;
    this.freeIds.push(id);
  }
}
