/**
 * @module bgp/wire/capabilities/gracefulRestart
 * Graceful Restart, code 64 (RFC 4724 §3): Restart Flags (4 bits), Restart Time (12 bits),
 * then (AFI, SAFI, Flags for Address Family) per family.
 */
import { CapabilityCode } from '../types.js';
import { readU16 } from '../writer.js';
import type { CapabilityDescriptor } from './descriptor.js';

export const GRACEFUL_RESTART: CapabilityDescriptor<'graceful-restart'> = {
  code: CapabilityCode.GracefulRestart,
  kind: 'graceful-restart',
  name: 'Graceful Restart',
  decode(b, start, end) {
    const len = end - start;
    if (len < 2 || (len - 2) % 4 !== 0) return undefined;
    const head = readU16(b, start);
    const families: { afi: number; safi: number; flags: number }[] = [];
    for (let p = start + 2; p < end; p += 4) families.push({ afi: readU16(b, p), safi: b[p + 2]!, flags: b[p + 3]! });
    return { kind: 'graceful-restart', restartFlags: head >>> 12, restartTime: head & 0x0fff, families };
  },
  encode(cap, w) {
    w.u16(((cap.restartFlags & 0xf) << 12) | (cap.restartTime & 0x0fff));
    for (const f of cap.families) {
      w.u16(f.afi);
      w.u8(f.safi);
      w.u8(f.flags);
    }
  },
};
