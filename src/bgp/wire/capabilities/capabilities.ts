/**
 * @module bgp/wire/capabilities/capabilities
 * The value of a Capabilities Optional Parameter (RFC 5492 §4): a sequence of
 * (Code, Length, Value). One parameter may hold several capabilities and an OPEN may
 * hold several parameters; the OPEN decoder appends them all, in order.
 */
import type { Capability } from '../types.js';
import type { ByteWriter } from '../writer.js';
import { CAPABILITIES, capabilityCode, encodeCapabilityValue } from './table.js';
import { decodeUnknownCapability } from './unknown.js';

/**
 * Appends the capabilities in `b[start, end)` to `out`. Returns a description of the
 * defect when a length overruns or a known capability's value is malformed.
 */
export function readCapabilities(b: Uint8Array, start: number, end: number, out: Capability[]): string | undefined {
  let p = start;
  while (p < end) {
    if (end - p < 2) return 'a capability header is cut short';
    const code = b[p]!;
    const vs = p + 2;
    const ve = vs + b[p + 1]!;
    if (ve > end) return `capability ${code} overruns its parameter`;
    const d = CAPABILITIES[code];
    const cap = d === undefined ? decodeUnknownCapability(code, b, vs, ve) : d.decode(b, vs, ve);
    if (cap === undefined) return `capability ${code} (${d!.name}) has a malformed value`;
    out.push(cap);
    p = ve;
  }
  return undefined;
}

/** Writes one capability: Code, Length, Value. */
export function writeCapability(w: ByteWriter, cap: Capability): void {
  const at = w.pos;
  w.u8(capabilityCode(cap));
  w.u8(0);
  encodeCapabilityValue(cap, w);
  const len = w.pos - at - 2;
  if (len > 255) throw new RangeError(`capability ${capabilityCode(cap)} value of ${len} octets does not fit`);
  w.buf[at + 1] = len;
}
