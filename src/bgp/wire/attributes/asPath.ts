/**
 * @module bgp/wire/attributes/asPath
 * AS_PATH, type 2 (RFC 4271 §4.3 b, RFC 5065 for confederation segments) and AS4_PATH,
 * type 17 (RFC 6793). `PathAttributes.asPath` always holds real 4-octet ASNs: toward a
 * 2-octet peer the encoder writes AS_TRANS plus an AS4_PATH, and the decoder merges the
 * two back (RFC 6793 §4.2.3, done in `mergeAs4` once every attribute has been read).
 */
import { UpdateSubcode } from '../errors.js';
import { AS_TRANS, AsPathSegmentType, AttrFlag, AttrType, type AsPathSegment, type CodecContext } from '../types.js';
import type { ByteWriter } from '../writer.js';
import { fault, type AttributeDescriptor, type AttributeFault } from './descriptor.js';

const MAX_SEGMENT_ASNS = 255; // the Path Segment Length is one octet

function isConfed(type: number): boolean {
  return type === AsPathSegmentType.AS_CONFED_SEQUENCE || type === AsPathSegmentType.AS_CONFED_SET;
}

/**
 * Reads path segments of `asnSize`-octet ASNs. Returns a description of the first defect,
 * as RFC 7606 §7.2 defines malformed: an unknown segment type, a zero Path Segment Length,
 * an overrun, or a single octet left over; and AS 0 (RFC 7607 §2).
 */
export function readSegments(
  b: Uint8Array,
  start: number,
  end: number,
  asnSize: 2 | 4,
  allowConfed: boolean,
): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 2) return 'a single octet left after the last segment'; // RFC 7606 §7.2
    const type = b[p]!;
    const count = b[p + 1]!;
    if (type < 1 || type > 4) return `unknown segment type ${type}`; // RFC 7606 §7.2
    if (!allowConfed && isConfed(type)) return 'confederation segment in AS4_PATH'; // RFC 6793 §6
    if (count === 0) return 'segment of length 0'; // RFC 7606 §7.2
    p += 2;
    if (p + count * asnSize > end) return 'segment overruns the attribute'; // RFC 7606 §7.2
    const asns = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const asn =
        asnSize === 4
          ? ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
          : (b[p]! << 8) | b[p + 1]!;
      if (asn === 0) return 'AS 0 in the path'; // RFC 7607 §2
      asns[i] = asn;
      p += asnSize;
    }
    segments.push({ type: type as AsPathSegment['type'], asns });
  }
  return segments;
}

/** Path length for RFC 6793 §4.2.3, counted as RFC 4271 §9.1.2.2 (a) and RFC 5065 §5.3 do: a set counts 1, confederation segments 0. */
export function pathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AS_SET) n += 1;
  }
  return n;
}

/**
 * RFC 6793 §4.2.3: the AS path of an UPDATE from a 2-octet peer. When AS_PATH is shorter
 * than AS4_PATH, AS4_PATH is ignored; otherwise take from the front of AS_PATH as many ASNs
 * as AS_PATH has more than AS4_PATH, and put them in front of AS4_PATH. Confederation
 * segments are kept when they lead the path or touch a segment that was taken.
 */
export function reconstructAsPath(
  asPath: readonly AsPathSegment[],
  as4Path: readonly AsPathSegment[],
): AsPathSegment[] {
  const n2 = pathLength(asPath);
  const n4 = pathLength(as4Path);
  if (n2 < n4) return asPath.slice();
  let need = n2 - n4;
  const out: AsPathSegment[] = [];
  let partial = false; // the cut went through an AS_SEQUENCE
  for (const seg of asPath) {
    // The loop only gets past segments it took, so a confederation segment reached here
    // leads the path or touches a taken segment.
    if (isConfed(seg.type)) {
      out.push(seg);
      continue;
    }
    if (need === 0) break;
    if (seg.type === AsPathSegmentType.AS_SET) {
      out.push(seg);
      need -= 1;
    } else if (seg.asns.length <= need) {
      out.push(seg);
      need -= seg.asns.length;
    } else {
      out.push({ type: seg.type, asns: seg.asns.slice(0, need) });
      partial = true;
      break; // the rest of this segment is what AS4_PATH carries
    }
  }
  const first = as4Path[0];
  const last = out[out.length - 1];
  if (partial && last && first && first.type === AsPathSegmentType.AS_SEQUENCE) {
    // The cut went through one AS_SEQUENCE: join the halves back into one segment.
    out[out.length - 1] = { type: AsPathSegmentType.AS_SEQUENCE, asns: [...last.asns, ...first.asns] };
    for (let i = 1; i < as4Path.length; i++) out.push(as4Path[i]!);
  } else {
    for (const s of as4Path) out.push(s);
  }
  return out;
}

/** True when the path needs AS4_PATH toward a 2-octet peer (RFC 6793 §4.2.2). */
export function needsAs4Path(segments: readonly AsPathSegment[]): boolean {
  for (const s of segments) {
    if (isConfed(s.type)) continue;
    for (const asn of s.asns) if (asn > 0xffff) return true;
  }
  return false;
}

function writeSegments(w: ByteWriter, segments: readonly AsPathSegment[], asnSize: 2 | 4, skipConfed: boolean): void {
  for (const s of segments) {
    if (skipConfed && isConfed(s.type)) continue; // RFC 6793 §4.2.2: no confederation segments in AS4_PATH
    // Longer segments are split: the Path Segment Length is one octet (RFC 4271 §4.3 b).
    for (let from = 0; from < s.asns.length; from += MAX_SEGMENT_ASNS) {
      const to = Math.min(from + MAX_SEGMENT_ASNS, s.asns.length);
      w.u8(s.type);
      w.u8(to - from);
      for (let i = from; i < to; i++) {
        const asn = s.asns[i]!;
        if (asnSize === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? AS_TRANS : asn); // RFC 6793 §4.2.2
      }
    }
  }
}

function asnSize(ctx: CodecContext): 2 | 4 {
  return ctx.fourOctetAs ? 4 : 2; // RFC 6793 §4.1
}

export const AS_PATH: AttributeDescriptor = {
  code: AttrType.AS_PATH,
  name: 'AS_PATH',
  flags: AttrFlag.Transitive,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.2
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st, ctx): AttributeFault | undefined {
    const segments = readSegments(b, start, end, asnSize(ctx), true);
    if (typeof segments === 'string') return fault(UpdateSubcode.MalformedAsPath, `AS_PATH: ${segments}`); // RFC 7606 §7.2
    st.attrs.asPath = segments;
    return undefined;
  },
  encode(attrs, ctx, w) {
    if (attrs.asPath === undefined) return false;
    writeSegments(w, attrs.asPath, asnSize(ctx), false);
    return true;
  },
};

export const AS4_PATH: AttributeDescriptor = {
  code: AttrType.AS4_PATH,
  name: 'AS4_PATH',
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  malformed: 'attribute-discard', // RFC 6793 §6
  flagsConflict: 'attribute-discard', // RFC 6793 §6 (RFC 7606 §3(c) defers to it)
  decode(b, start, end, st): AttributeFault | undefined {
    const segments = readSegments(b, start, end, 4, false);
    if (typeof segments === 'string') return fault(UpdateSubcode.OptionalAttributeError, `AS4_PATH: ${segments}`); // RFC 6793 §6
    st.as4Path = segments;
    return undefined;
  },
  encode(attrs, ctx, w) {
    if (ctx.fourOctetAs || attrs.asPath === undefined || !needsAs4Path(attrs.asPath)) return false; // RFC 6793 §4.2.2
    writeSegments(w, attrs.asPath, 4, true);
    return true;
  },
};
