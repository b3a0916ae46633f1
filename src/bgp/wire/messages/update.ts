/**
 * @module bgp/wire/messages/update
 * UPDATE (RFC 4271 §4.3) with the error handling of RFC 7606. Decoding reads the whole
 * message and never throws: problems that reset the session or disable a family come back
 * as `{ ok: false }`; the others ride on the decoded message (`error`, `problems`).
 */
import {
  ErrorCode,
  UpdateSubcode,
  fail,
  ok,
  strongest,
  wireError,
  type BgpWireError,
  type Decoded,
} from '../errors.js';
import { decodePathAttributes, writePathAttributes } from '../attributes/pathAttributes.js';
import { countIpv4Prefixes, Ipv4Nlri, readIpv4Prefixes, writePrefixes } from '../nlri.js';
import type { Prefix } from '../prefix.js';
import {
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  type CodecContext,
  type PathAttributes,
  type ReceivedUpdate,
  type UpdateMessage,
} from '../types.js';
import { ByteWriter, readU16 } from '../writer.js';
import { writeHeader } from './header.js';

function sessionReset(subcode: number, message: string): Decoded<ReceivedUpdate> {
  return fail(wireError(ErrorCode.UpdateMessage, subcode, 'session-reset', message));
}

function isFatal(e: BgpWireError): boolean {
  return e.action === 'session-reset' || e.action === 'afisafi-disable';
}

/** `b` is one whole message whose header `readHeader` accepted (length ≥ 23). */
export function decodeUpdate(b: Uint8Array, length: number, ctx: CodecContext): Decoded<ReceivedUpdate> {
  let p = HEADER_LENGTH;
  const withdrawnLength = readU16(b, p);
  p += 2;
  // RFC 4271 §6.3: Withdrawn Routes Length + Total Path Attribute Length + 23 must fit the message.
  if (p + withdrawnLength + 2 > length)
    return sessionReset(UpdateSubcode.MalformedAttributeList, 'Withdrawn Routes Length overruns the message');
  const withdrawn: Prefix[] = [];
  if (!readIpv4Prefixes(b, p, p + withdrawnLength, withdrawn))
    return sessionReset(UpdateSubcode.InvalidNetworkField, 'malformed prefix in Withdrawn Routes'); // RFC 7606 §5.3
  p += withdrawnLength;
  const attributesLength = readU16(b, p);
  p += 2;
  if (p + attributesLength > length)
    return sessionReset(UpdateSubcode.MalformedAttributeList, 'Total Path Attribute Length overruns the message'); // RFC 4271 §6.3
  const problems: BgpWireError[] = [];
  const attributes = decodePathAttributes(b, p, p + attributesLength, ctx, problems);
  p += attributesLength;
  const nlri: Prefix[] = [];
  if (!readIpv4Prefixes(b, p, length, nlri)) {
    problems.push(
      wireError(
        ErrorCode.UpdateMessage,
        UpdateSubcode.InvalidNetworkField,
        'session-reset',
        'malformed prefix in NLRI',
      ),
    ); // RFC 7606 §5.3
  }
  const worst = strongest(problems);
  if (worst !== undefined && isFatal(worst)) return fail(worst);
  const update: ReceivedUpdate =
    worst === undefined
      ? { type: 'UPDATE', withdrawn, attributes, nlri, problems }
      : { type: 'UPDATE', withdrawn, attributes, nlri, error: worst, problems };
  return ok(update);
}

/**
 * Encodes one UPDATE as given (a relayed message may combine fields that RFC 7606 §5.1
 * asks senders to keep apart; `packUpdates` keeps them apart). Throws RangeError when the
 * result exceeds 4096 octets: split with `packUpdates`.
 */
export function encodeUpdate(msg: UpdateMessage, ctx: CodecContext): Uint8Array {
  const w = new ByteWriter(MAX_MESSAGE_LENGTH);
  w.pos = HEADER_LENGTH;
  const withdrawnAt = w.pos;
  w.u16(0);
  writePrefixes(w, msg.withdrawn);
  const attributesAt = w.pos;
  w.patchU16(withdrawnAt, attributesAt - withdrawnAt - 2);
  w.u16(0);
  writePathAttributes(w, msg.attributes, ctx);
  w.patchU16(attributesAt, w.pos - attributesAt - 2);
  writePrefixes(w, msg.nlri);
  if (w.pos > MAX_MESSAGE_LENGTH) throw new RangeError(`UPDATE of ${w.pos} octets exceeds ${MAX_MESSAGE_LENGTH}`);
  writeHeader(w.buf, MessageType.UPDATE, w.pos);
  return w.finish();
}

// ---------------------------------------------------------------------------
// The same decode with the IPv4 NLRI left in wire form (the transport's receive path)

/** The wire form of the NLRI of UPDATEs decoded by decodeUpdateLazy. */
const wireNlri = new WeakMap<ReceivedUpdate, Ipv4Nlri>();

/**
 * The last attribute field decoded without problems, and its result: consecutive UPDATEs of
 * a table transfer mostly carry identical attributes (BIRD packs 256 prefixes per UPDATE
 * with one set), and decodePathAttributes is a function of the bytes and the context only.
 */
let lastAttrBytes: Uint8Array | undefined;
let lastAttrCtx: CodecContext | undefined;
let lastAttrs: PathAttributes | undefined;

function sameBytes(b: Uint8Array, start: number, end: number, kept: Uint8Array): boolean {
  if (kept.length !== end - start) return false;
  for (let i = 0; i < kept.length; i++) if (b[start + i] !== kept[i]) return false;
  return true;
}

/**
 * decodeUpdate with the same contract and results, except that the IPv4 NLRI are checked but
 * not turned into Prefix objects until someone reads `nlri` (an own, enumerable getter that
 * decodes once); `ipv4NlriOf` gives them in wire form. Attributes identical to the previous
 * UPDATE's decoded without problems are the same (frozen by use, never modified) object.
 */
export function decodeUpdateLazy(b: Uint8Array, length: number, ctx: CodecContext): Decoded<ReceivedUpdate> {
  let p = HEADER_LENGTH;
  const withdrawnLength = readU16(b, p);
  p += 2;
  if (p + withdrawnLength + 2 > length)
    return sessionReset(UpdateSubcode.MalformedAttributeList, 'Withdrawn Routes Length overruns the message');
  const withdrawn: Prefix[] = [];
  if (!readIpv4Prefixes(b, p, p + withdrawnLength, withdrawn))
    return sessionReset(UpdateSubcode.InvalidNetworkField, 'malformed prefix in Withdrawn Routes');
  p += withdrawnLength;
  const attributesLength = readU16(b, p);
  p += 2;
  if (p + attributesLength > length)
    return sessionReset(UpdateSubcode.MalformedAttributeList, 'Total Path Attribute Length overruns the message');
  const problems: BgpWireError[] = [];
  let attributes: PathAttributes;
  if (lastAttrBytes !== undefined && lastAttrCtx === ctx && sameBytes(b, p, p + attributesLength, lastAttrBytes)) {
    attributes = lastAttrs!;
  } else {
    attributes = decodePathAttributes(b, p, p + attributesLength, ctx, problems);
    if (problems.length === 0) {
      lastAttrBytes = b.slice(p, p + attributesLength);
      lastAttrCtx = ctx;
      lastAttrs = attributes;
    }
  }
  p += attributesLength;
  const count = countIpv4Prefixes(b, p, length);
  if (count < 0) {
    problems.push(
      wireError(
        ErrorCode.UpdateMessage,
        UpdateSubcode.InvalidNetworkField,
        'session-reset',
        'malformed prefix in NLRI',
      ),
    );
  }
  const worst = strongest(problems);
  if (worst !== undefined && isFatal(worst)) return fail(worst);
  const view = new Ipv4Nlri(b, p, length, count);
  let nlri: Prefix[] | undefined;
  const update: ReceivedUpdate =
    worst === undefined
      ? {
          type: 'UPDATE',
          withdrawn,
          attributes,
          get nlri() {
            return (nlri ??= view.toArray());
          },
          problems,
        }
      : {
          type: 'UPDATE',
          withdrawn,
          attributes,
          get nlri() {
            return (nlri ??= view.toArray());
          },
          error: worst,
          problems,
        };
  wireNlri.set(update, view);
  return ok(update);
}

/** The IPv4 NLRI of an UPDATE from decodeUpdateLazy, in wire form (undefined for other UPDATEs). */
export function ipv4NlriOf(u: ReceivedUpdate): Ipv4Nlri | undefined {
  return wireNlri.get(u);
}
