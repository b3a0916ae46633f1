/**
 * @module bgp/wire/attributes/mpReach
 * MP_REACH_NLRI, type 14 (RFC 4760 §3): optional non-transitive. IPv4 and IPv6 unicast
 * NLRI are decoded; other families keep their NLRI octets as received.
 *
 * A malformed attribute disables its AFI/SAFI for the session (RFC 4760 §7, RFC 7606
 * §7.11) or, when even the AFI/SAFI cannot be read, resets the session.
 */
import { UpdateSubcode } from '../errors.js';
import { nlriFamilyDecoded, readPrefixes, writePrefixes } from '../nlri.js';
import { AFI_IPV4, type Prefix } from '../prefix.js';
import { AttrFlag, AttrType } from '../types.js';
import { readU16 } from '../writer.js';
import type { AttributeDescriptor, AttributeFault } from './descriptor.js';

/** RFC 7606 §7.11: the AFI/SAFI could be read, so only that family is disabled (RFC 4760 §7 uses 3/9). */
function familyFault(afi: number, safi: number, message: string): AttributeFault {
  return { subcode: UpdateSubcode.OptionalAttributeError, message, action: 'afisafi-disable', afi, safi };
}

/** Next hop lengths defined for the unicast families we decode. */
function nextHopLengthValid(afi: number, len: number): boolean {
  if (afi === AFI_IPV4) return len === 4 || len === 16 || len === 32; // RFC 4760 §3; RFC 8950 §3 for IPv6 next hops
  return len === 16 || len === 32; // RFC 2545 §3: global, or global + link-local
}

export const MP_REACH_NLRI: AttributeDescriptor = {
  code: AttrType.MP_REACH_NLRI,
  name: 'MP_REACH_NLRI',
  flags: AttrFlag.Optional,
  malformed: 'afisafi-disable', // RFC 7606 §7.11
  flagsConflict: 'treat-as-withdraw',
  carriesNlri: true,
  decode(b, start, end, st) {
    if (end - start < 3) {
      return {
        subcode: UpdateSubcode.OptionalAttributeError,
        message: 'MP_REACH_NLRI too short to hold AFI/SAFI',
        action: 'session-reset',
      }; // RFC 7606 §7.11
    }
    const afi = readU16(b, start);
    const safi = b[start + 2]!;
    if (end - start < 5) return familyFault(afi, safi, 'MP_REACH_NLRI too short to hold the next hop length');
    const nhLen = b[start + 3]!;
    const nhStart = start + 4;
    const nlriStart = nhStart + nhLen + 1; // after the Reserved octet
    if (nlriStart > end) return familyFault(afi, safi, 'MP_REACH_NLRI next hop overruns the attribute'); // RFC 7606 §7.11
    const nextHop = b.slice(nhStart, nhStart + nhLen);
    // The Reserved octet (formerly SNPAs) is ignored on receipt (RFC 4760 §3).
    if (nlriFamilyDecoded(afi, safi)) {
      if (!nextHopLengthValid(afi, nhLen))
        return familyFault(afi, safi, `MP_REACH_NLRI next hop length ${nhLen} is invalid for AFI ${afi}`); // RFC 7606 §7.11
      const nlri: Prefix[] = [];
      if (!readPrefixes(afi, b, nlriStart, end, nlri))
        return familyFault(afi, safi, 'MP_REACH_NLRI holds a malformed prefix'); // RFC 7606 §5.3
      st.attrs.mpReach = { afi, safi, nextHop, nlri };
    } else {
      st.attrs.mpReach = { afi, safi, nextHop, nlri: [], rawNlri: b.slice(nlriStart, end) };
    }
    return undefined;
  },
  encode(attrs, _ctx, w) {
    const mp = attrs.mpReach;
    if (mp === undefined) return false;
    w.u16(mp.afi);
    w.u8(mp.safi);
    w.u8(mp.nextHop.length);
    w.bytes(mp.nextHop);
    w.u8(0); // Reserved
    if (mp.rawNlri !== undefined) w.bytes(mp.rawNlri);
    else writePrefixes(w, mp.nlri);
    return true;
  },
};
