/**
 * @module bgp/wire/capabilities/descriptor
 * The contract of a capability module (RFC 5492 §4: Capability Code, Length, Value). The
 * module handles the value; `capabilities.ts` reads and writes code and length.
 */
import type { Capability } from '../types.js';
import type { ByteWriter } from '../writer.js';

export type CapabilityKind = Capability['kind'];
export type CapabilityOf<K extends CapabilityKind> = Extract<Capability, { kind: K }>;

export interface CapabilityDescriptor<K extends CapabilityKind = CapabilityKind> {
  readonly code: number;
  readonly kind: K;
  /** Name as in the defining RFC. */
  readonly name: string;
  /**
   * Reads the value `b[start, end)`. Returns undefined when it is malformed for this code
   * (the OPEN is then refused, RFC 4271 §6.2), or an `unknown` capability when it is only
   * carried (e.g. an FQDN that is not UTF-8).
   */
  decode(b: Uint8Array, start: number, end: number): Capability | undefined;
  encode(cap: CapabilityOf<K>, w: ByteWriter): void;
}
