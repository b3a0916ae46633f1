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
import { AttrFlag, AttrType, type CodecContext } from '../types.js';
import { readU16 } from '../writer.js';
import type { AttributeDescriptor, AttributeFault } from './descriptor.js';

/** RFC 7606 §7.11: the AFI/SAFI could be read, so only that family is disabled (RFC 4760 §7 uses 3/9). */
function familyFault(afi: number, safi: number, message: string): AttributeFault {
  return { subcode: UpdateSubcode.OptionalAttributeError, message, action: 'afisafi-disable', afi, safi };
}

/**
 * Next hop lengths expected for the unicast families we decode: IPv4 4 (RFC 4760 §3), and 16
 * or 32 (an IPv6 next hop, RFC 8950 §3) only where the Extended Next Hop Encoding capability
 * was negotiated (RFC 8950 §4: a speaker MUST NOT send one otherwise); IPv6 16 or 32 (RFC
 * 2545 §3: global, or global + link-local).
 */
function nextHopLengthValid(afi: number, len: number, ctx: CodecContext): boolean {
  if (afi === AFI_IPV4) return len === 4 || (ctx.extendedNextHopIpv4 === true && (len === 16 || len === 32));
  return len === 16 || len === 32;
}

export const MP_REACH_NLRI: AttributeDescriptor = {
  code: AttrType.MP_REACH_NLRI,
  name: 'MP_REACH_NLRI',
  flags: AttrFlag.Optional,
  malformed: 'afisafi-disable', // RFC 7606 §7.11
  flagsConflict: 'treat-as-withdraw',
  carriesNlri: true,
  decode(b, start, end, st, ctx) {
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
      if (!nextHopLengthValid(afi, nhLen, ctx)) {
        // RFC 7606 §7.11: a next hop length "inconsistent with that which was expected" makes
        // the attribute malformed; the NLRI that follows cannot be trusted: AFI/SAFI disable.
        const why =
          afi === AFI_IPV4 && (nhLen === 16 || nhLen === 32)
            ? 'an IPv6 next hop for IPv4 NLRI without the Extended Next Hop Encoding capability (RFC 8950 §4)'
            : `invalid for AFI ${afi}`;
        return familyFault(afi, safi, `MP_REACH_NLRI next hop length ${nhLen}: ${why}`);
      }
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
