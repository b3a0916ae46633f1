/**
 * @module lab/addressing
 * Emulated ↔ real addresses (ADR 0001). In loopback mode every emulated address (the
 * 10.x an Azure VM or route-server instance has) is bound to its own 127.x address, so
 * that servers can tell peers apart by source address without root. The default rule
 * keeps the last three octets: 10.10.0.7 → 127.10.0.7. A collision (192.1.0.4 and
 * 10.1.0.4 both want 127.1.0.4) or an explicit mapping in the lab file takes another.
 * In netns mode the real address is the emulated one.
 *
 * Everything the user sees (listings, NEXT_HOPs sent to peers, pcaps) uses emulated
 * addresses; only sockets use real ones. A NEXT_HOP that arrives as a mapped 127.x is
 * shown and programmed as its emulated address, and the lab never sends a 127.x one
 * (GoBGP and FRR reject loopback next hops: shared/test-peers.md pitfall 1).
 */
import { formatIpv4, parseIpv4 } from '../bgp/wire/index.js';
import type { AddressingMode } from './spec.js';

export class AddressMap {
  private readonly toReal = new Map<string, string>();
  private readonly toEmulated = new Map<string, string>();

  constructor(
    readonly mode: AddressingMode,
    explicit: Readonly<Record<string, string>> = {},
  ) {
    for (const [emu, real] of Object.entries(explicit)) this.bind(emu, real);
  }

  /** Assign (or return) the real address of an emulated one. */
  add(emulated: string): string {
    const have = this.toReal.get(emulated);
    if (have) return have;
    if (this.mode === 'netns') {
      this.bind(emulated, emulated);
      return emulated;
    }
    const a = parseIpv4(emulated);
    if (a === undefined) throw new Error(`not an IPv4 address: ${emulated}`);
    let candidate = formatIpv4(((127 << 24) | (a & 0xffffff)) >>> 0);
    // x.0.0.0/x.0.0.1/…: avoid 127.0.0.0/24, where 127.0.0.1 lives, and network/broadcast-like ends.
    if (this.toEmulated.has(candidate) || (a & 0xffffff00) === 0 || (a & 0xff) === 0 || (a & 0xff) === 255) {
      candidate = this.spare();
    }
    this.bind(emulated, candidate);
    return candidate;
  }

  private spare(): string {
    // 127.255.x.y, upwards from 127.255.0.2.
    for (let n = 2; n < 65534; n++) {
      const c = `127.255.${n >> 8}.${n & 255}`;
      if ((n & 255) !== 0 && (n & 255) !== 255 && !this.toEmulated.has(c)) return c;
    }
    throw new Error('no spare loopback address left');
  }

  private bind(emulated: string, real: string): void {
    const other = this.toEmulated.get(real);
    if (other && other !== emulated)
      throw new Error(`loopback address ${real} is mapped twice (${other}, ${emulated})`);
    this.toReal.set(emulated, real);
    this.toEmulated.set(real, emulated);
  }

  real(emulated: string): string | undefined {
    return this.toReal.get(emulated);
  }

  emulated(real: string): string | undefined {
    return this.toEmulated.get(real);
  }

  /** What the user should see for an address a daemon sent (mapped back when it is one of ours). */
  display(address: string): string {
    return this.toEmulated.get(address) ?? address;
  }

  entries(): [emulated: string, real: string][] {
    return [...this.toReal];
  }
}
