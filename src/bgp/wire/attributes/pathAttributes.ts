/**
 * @module bgp/wire/attributes/pathAttributes
 * The Path Attributes field of an UPDATE (RFC 4271 §4.3): the one place that reads and
 * writes the attribute header (flags, type, 1- or 2-octet length) and applies the rules
 * common to every attribute before handing the value to its descriptor:
 *
 *   - framing errors inside the field          RFC 7606 §4     treat-as-withdraw
 *   - MP_REACH_NLRI / MP_UNREACH_NLRI twice    RFC 7606 §3(g)  session-reset
 *   - any other attribute twice                RFC 7606 §3(g)  keep the first
 *   - unrecognized well-known attribute        RFC 4271 §6.3   session-reset
 *   - flags that conflict with the type        RFC 7606 §3(c)  per descriptor
 *
 * Decoding never stops early except on session-reset: every problem is collected, and
 * the caller acts on the strongest one (RFC 7606 §3: with several errors, the approach
 * with the strongest action is used).
 */
import { ErrorCode, UpdateSubcode, wireError, type BgpWireError, type ErrorAction } from '../errors.js';
import {
  AS_TRANS,
  AttrFlag,
  AttrType,
  type CodecContext,
  type PathAttributes,
  type UnknownAttribute,
} from '../types.js';
import { readU16, type ByteWriter } from '../writer.js';
import { reconstructAsPath } from './asPath.js';
import type { AttributeDescriptor, DecodeState } from './descriptor.js';
import { keepUnknown } from './unknown.js';
import { ATTRIBUTES, ENCODE_ORDER } from './table.js';

const OPTIONAL_TRANSITIVE = AttrFlag.Optional | AttrFlag.Transitive;

function isMp(type: number): boolean {
  return type === AttrType.MP_REACH_NLRI || type === AttrType.MP_UNREACH_NLRI;
}

function nameOf(type: number): string {
  return ATTRIBUTES[type]?.name ?? `attribute ${type}`;
}

/** RFC 4271 §6.3: subcodes whose Data field is the attribute itself (type, length, value). */
function dataIsAttribute(subcode: number): boolean {
  return (
    subcode !== UpdateSubcode.MalformedAttributeList &&
    subcode !== UpdateSubcode.MalformedAsPath &&
    subcode !== UpdateSubcode.InvalidNetworkField
  );
}

function attributeError(
  subcode: number,
  action: ErrorAction,
  message: string,
  b: Uint8Array,
  from: number,
  to: number,
  type: number,
  family?: { afi?: number | undefined; safi?: number | undefined },
): BgpWireError {
  const data = dataIsAttribute(subcode) ? b.slice(from, to) : new Uint8Array(0);
  const e = wireError(ErrorCode.UpdateMessage, subcode, action, message, data, type);
  if (family?.afi === undefined || family.safi === undefined) return e;
  return { ...e, afi: family.afi, safi: family.safi };
}

/** RFC 4271 §5 and §4.3: Optional/Transitive must match; Partial only on optional transitive. */
function flagsConflict(d: AttributeDescriptor, flags: number): boolean {
  if ((flags & OPTIONAL_TRANSITIVE) !== d.flags) return true;
  return (flags & AttrFlag.Partial) !== 0 && d.flags !== OPTIONAL_TRANSITIVE;
}

/**
 * Decodes `b[start, end)`, the Path Attributes field. Problems go to `problems`; a
 * session-reset one ends decoding at once (nothing can be stronger).
 */
export function decodePathAttributes(
  b: Uint8Array,
  start: number,
  end: number,
  ctx: CodecContext,
  problems: BgpWireError[],
): PathAttributes {
  const st: DecodeState = { attrs: {}, unknown: undefined, as4Path: undefined, as4Aggregator: undefined };
  const seen = new Uint8Array(256);
  let p = start;
  while (p < end) {
    const at = p;
    const flags = b[p]!;
    const hdr = flags & AttrFlag.ExtendedLength ? 4 : 3;
    if (end - p < hdr) {
      // RFC 7606 §4: octets remain but not enough for an attribute header.
      problems.push(
        attributeError(
          UpdateSubcode.AttributeLengthError,
          'treat-as-withdraw',
          'path attributes end inside an attribute header',
          b,
          at,
          end,
          end - p > 1 ? b[p + 1]! : 0,
        ),
      );
      break;
    }
    const type = b[p + 1]!;
    const len = hdr === 4 ? readU16(b, p + 2) : b[p + 2]!;
    const vs = p + hdr;
    const ve = vs + len;
    if (ve > end) {
      if (isMp(type)) {
        // Its NLRI cannot be read, so treat-as-withdraw is impossible (RFC 7606 §5.3):
        // fall back to RFC 4760 §7, disabling the family when its AFI/SAFI is readable.
        const readable = end - vs >= 3;
        const family = readable ? { afi: readU16(b, vs), safi: b[vs + 2]! } : undefined;
        problems.push(
          attributeError(
            UpdateSubcode.AttributeLengthError,
            readable ? 'afisafi-disable' : 'session-reset',
            `${nameOf(type)} overruns the path attributes`,
            b,
            at,
            end,
            type,
            family,
          ),
        );
      } else {
        // RFC 7606 §4: the Total Path Attribute Length still locates the NLRI.
        problems.push(
          attributeError(
            UpdateSubcode.AttributeLengthError,
            'treat-as-withdraw',
            `${nameOf(type)} overruns the path attributes`,
            b,
            at,
            end,
            type,
          ),
        );
      }
      break;
    }
    p = ve;
    if (ctx.fourOctetAs && (type === AttrType.AS4_PATH || type === AttrType.AS4_AGGREGATOR)) continue; // RFC 6793 §4.1: discarded between 4-octet speakers
    if (seen[type] !== 0) {
      if (isMp(type)) {
        problems.push(
          attributeError(
            UpdateSubcode.MalformedAttributeList,
            'session-reset',
            `${nameOf(type)} appears twice`,
            b,
            at,
            ve,
            type,
          ),
        ); // RFC 7606 §3(g)
        return st.attrs;
      }
      problems.push(
        attributeError(
          UpdateSubcode.MalformedAttributeList,
          'attribute-discard',
          `${nameOf(type)} appears twice; the first is kept`,
          b,
          at,
          ve,
          type,
        ),
      ); // RFC 7606 §3(g)
      continue;
    }
    seen[type] = 1;
    const d = ATTRIBUTES[type];
    if (d === undefined) {
      if ((flags & AttrFlag.Optional) === 0) {
        problems.push(
          attributeError(
            UpdateSubcode.UnrecognizedWellKnownAttribute,
            'session-reset',
            `unrecognized well-known attribute ${type}`,
            b,
            at,
            ve,
            type,
          ),
        ); // RFC 4271 §6.3
        return st.attrs;
      }
      keepUnknown(st, flags, type, b, vs, ve); // RFC 4271 §5: optional, unrecognized
      continue;
    }
    if (flagsConflict(d, flags)) {
      problems.push(
        attributeError(
          UpdateSubcode.AttributeFlagsError,
          d.flagsConflict,
          `${d.name} flags 0x${flags.toString(16)} conflict with its type`,
          b,
          at,
          ve,
          type,
        ),
      ); // RFC 7606 §3(c)
      if (!d.carriesNlri) continue;
    }
    const f = d.decode(b, vs, ve, st, ctx, flags);
    if (f !== undefined) {
      const action = f.action ?? d.malformed;
      problems.push(attributeError(f.subcode, action, f.message, b, at, ve, type, f));
      if (action === 'session-reset') return st.attrs;
    }
  }
  if (!ctx.fourOctetAs) mergeAs4(st);
  if (st.unknown !== undefined) st.attrs.unknown = st.unknown;
  return st.attrs;
}

/** RFC 6793 §4.2.3: fold AS4_AGGREGATOR and AS4_PATH from a 2-octet peer into the real values. */
function mergeAs4(st: DecodeState): void {
  const attrs = st.attrs;
  if (attrs.aggregator !== undefined && st.as4Aggregator !== undefined) {
    // An AGGREGATOR with a real 2-octet ASN was written by a 2-octet speaker after the
    // AS4_ attributes were: both are stale, and the AS_PATH is the path.
    if (attrs.aggregator.asn !== AS_TRANS) return;
    attrs.aggregator = st.as4Aggregator;
  }
  if (st.as4Path !== undefined && attrs.asPath !== undefined)
    attrs.asPath = reconstructAsPath(attrs.asPath, st.as4Path);
}

/** Finishes an attribute whose value was written after a 4-octet gap at `at`. */
function closeAttribute(w: ByteWriter, at: number, flags: number, type: number): void {
  const valueStart = at + 4;
  const len = w.pos - valueStart;
  const b = w.buf;
  if (len > 0xffff) throw new RangeError(`attribute ${type} value of ${len} octets does not fit`);
  const base = flags & ~AttrFlag.ExtendedLength & 0xf0;
  if (len > 255) {
    b[at] = base | AttrFlag.ExtendedLength;
    b[at + 1] = type;
    w.patchU16(at + 2, len);
    return;
  }
  // One-octet length: Extended Length stays off (RFC 4271 §4.3 allows either; off is canonical).
  b.copyWithin(at + 3, valueStart, w.pos);
  w.pos -= 1;
  b[at] = base;
  b[at + 1] = type;
  b[at + 2] = len;
}

function writeUnknown(w: ByteWriter, u: UnknownAttribute): void {
  const at = w.pos;
  w.ensure(4);
  w.pos += 4;
  w.bytes(u.value);
  closeAttribute(w, at, u.flags, u.type);
}

function byType(a: UnknownAttribute, b: UnknownAttribute): number {
  return a.type - b.type;
}

/**
 * Writes the Path Attributes field: MP attributes first, then ascending type code with
 * the unknown ones merged in by their code. `attrs.unknown` must not hold a type that a
 * typed field owns (the decoder never puts one there).
 */
export function writePathAttributes(w: ByteWriter, attrs: PathAttributes, ctx: CodecContext): void {
  let unknown = attrs.unknown ?? [];
  for (let i = 1; i < unknown.length; i++) {
    if (unknown[i - 1]!.type > unknown[i]!.type) {
      unknown = unknown.slice().sort(byType);
      break;
    }
  }
  let u = 0;
  for (const d of ENCODE_ORDER) {
    if (!d.carriesNlri) while (u < unknown.length && unknown[u]!.type < d.code) writeUnknown(w, unknown[u++]!);
    const at = w.pos;
    w.ensure(4);
    w.pos += 4;
    if (d.encode!(attrs, ctx, w)) closeAttribute(w, at, d.flags, d.code);
    else w.pos = at;
  }
  while (u < unknown.length) writeUnknown(w, unknown[u++]!);
}
