/**
 * @module bgp/wire/capabilities/addPath
 * ADD-PATH, code 69 (RFC 7911 §4): (AFI, SAFI, Send/Receive) per family. Send/Receive
 * values other than 1..3 are kept; RFC 7911 §4 has the session ignore such a family.
 */
import { CapabilityCode } from '../types.js';
import { readU16 } from '../writer.js';
import type { CapabilityDescriptor } from './descriptor.js';

export const ADD_PATH: CapabilityDescriptor<'add-path'> = {
  code: CapabilityCode.AddPath,
  kind: 'add-path',
  name: 'ADD-PATH',
  decode(b, start, end) {
    if ((end - start) % 4 !== 0) return undefined;
    const families: { afi: number; safi: number; sendReceive: number }[] = [];
    for (let p = start; p < end; p += 4) families.push({ afi: readU16(b, p), safi: b[p + 2]!, sendReceive: b[p + 3]! });
    return { kind: 'add-path', families };
  },
  encode(cap, w) {
    for (const f of cap.families) {
      w.u16(f.afi);
      w.u8(f.safi);
      w.u8(f.sendReceive);
    }
  },
};
