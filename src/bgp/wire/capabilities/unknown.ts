/**
 * @module bgp/wire/capabilities/unknown
 * Any capability we do not interpret (RFC 5492 §4: a speaker ignores those it does not
 * support), kept as received: e.g. 128 (Cisco route refresh), 71 (long-lived graceful
 * restart), 9 (BGP Role), 5 (extended next hop).
 */
import type { Capability } from '../types.js';
import type { ByteWriter } from '../writer.js';

export function decodeUnknownCapability(code: number, b: Uint8Array, start: number, end: number): Capability {
  return { kind: 'unknown', code, value: b.slice(start, end) };
}

export function encodeUnknownCapability(cap: Extract<Capability, { kind: 'unknown' }>, w: ByteWriter): void {
  w.bytes(cap.value);
}
