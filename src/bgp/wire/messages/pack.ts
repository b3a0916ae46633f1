/**
 * @module bgp/wire/messages/pack
 * Packs withdrawals and one set of announced routes into as few UPDATEs as fit in 4096
 * octets each, keeping what RFC 7606 §5.1 asks a sender to keep apart: each UPDATE carries
 * only one of Withdrawn Routes, NLRI, MP_REACH_NLRI, MP_UNREACH_NLRI.
 */
import { AFI_IPV4, AFI_IPV6, SAFI_UNICAST, type Prefix } from '../prefix.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, type CodecContext, type PathAttributes } from '../types.js';
import { writePathAttributes } from '../attributes/pathAttributes.js';
import { prefixWireLength } from '../nlri.js';
import { ByteWriter } from '../writer.js';
import { encodeUpdate } from './update.js';

export interface UpdateBatch {
  readonly withdrawn: readonly Prefix[];
  readonly announce?: {
    /** Attributes shared by every announced prefix; no mpReach / mpUnreach (the packer builds them). */
    readonly attributes: PathAttributes;
    readonly nlri: readonly Prefix[];
    /** Next hop for IPv6 NLRI: 16 octets (global) or 32 (global + link-local, RFC 2545 §3). */
    readonly nextHopV6?: Uint8Array;
  };
}

/** Withdrawn Routes Length + Total Path Attribute Length. */
const UPDATE_FIXED = HEADER_LENGTH + 4;
/** An attribute header with a 2-octet length: counted so, in case the value passes 255 octets. */
const ATTR_HEADER_MAX = 4;

function attributesLength(attrs: PathAttributes, ctx: CodecContext): number {
  const w = new ByteWriter(512);
  writePathAttributes(w, attrs, ctx);
  return w.pos;
}

/** Splits `prefixes` into runs whose wire size stays within `room` octets. */
function chunk(prefixes: readonly Prefix[], room: number, what: string): Prefix[][] {
  const out: Prefix[][] = [];
  let current: Prefix[] = [];
  let used = 0;
  for (const p of prefixes) {
    const size = prefixWireLength(p);
    if (size > room) throw new RangeError(`${what}: no room for a single prefix (${room} octets left)`);
    if (used + size > room) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(p);
    used += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Octets left for NLRI in one UPDATE that carries `attributes` under `ctx`: for IPv4 the
 * NLRI field beside them, for IPv6 the NLRI of an MP_REACH_NLRI with a next hop of
 * `nextHopV6Length` octets (NEXT_HOP left out, as below). Exactly the room `packUpdates`
 * fills, so a prefix whose wire length (`prefixWireLength`) exceeds it cannot be sent with
 * these attributes at all: RFC 4271 §4.1 caps a message at 4,096 octets. Negative when the
 * attributes alone do not fit.
 */
export function nlriRoom(attributes: PathAttributes, afi: number, ctx: CodecContext, nextHopV6Length = 16): number {
  if (afi === AFI_IPV4) return MAX_MESSAGE_LENGTH - UPDATE_FIXED - attributesLength(attributes, ctx);
  const v6attrs: PathAttributes = { ...attributes };
  delete v6attrs.nextHop;
  // AFI, SAFI, next hop length, next hop, Reserved
  return MAX_MESSAGE_LENGTH - UPDATE_FIXED - attributesLength(v6attrs, ctx) - ATTR_HEADER_MAX - 5 - nextHopV6Length;
}

function split(prefixes: readonly Prefix[]): { v4: Prefix[]; v6: Prefix[] } {
  const v4: Prefix[] = [];
  const v6: Prefix[] = [];
  for (const p of prefixes) (p.afi === AFI_IPV4 ? v4 : v6).push(p);
  return { v4, v6 };
}

/**
 * Returns the UPDATEs for `batch`, in this order: IPv4 withdrawals (Withdrawn Routes),
 * IPv6 withdrawals (MP_UNREACH_NLRI), IPv4 announcements (NLRI with the attributes),
 * IPv6 announcements (MP_REACH_NLRI with `nextHopV6`, and no NEXT_HOP: RFC 4760 §3).
 * Throws on a batch that cannot be sent: IPv6 NLRI without `nextHopV6`, MP attributes in
 * `attributes`, or attributes that leave no room for a prefix (check with `nlriRoom` first:
 * a speaker leaves such a route out, it does not throw).
 */
export function packUpdates(batch: UpdateBatch, ctx: CodecContext): Uint8Array[] {
  const out: Uint8Array[] = [];
  const withdrawn = split(batch.withdrawn);
  for (const run of chunk(withdrawn.v4, MAX_MESSAGE_LENGTH - UPDATE_FIXED, 'IPv4 withdrawals')) {
    out.push(encodeUpdate({ type: 'UPDATE', withdrawn: run, attributes: {}, nlri: [] }, ctx));
  }
  const unreachRoom = MAX_MESSAGE_LENGTH - UPDATE_FIXED - ATTR_HEADER_MAX - 3; // AFI, SAFI
  for (const run of chunk(withdrawn.v6, unreachRoom, 'IPv6 withdrawals')) {
    const attributes: PathAttributes = { mpUnreach: { afi: AFI_IPV6, safi: SAFI_UNICAST, withdrawn: run } };
    out.push(encodeUpdate({ type: 'UPDATE', withdrawn: [], attributes, nlri: [] }, ctx));
  }

  const announce = batch.announce;
  if (announce === undefined || announce.nlri.length === 0) return out;
  const attrs = announce.attributes;
  if (attrs.mpReach !== undefined || attrs.mpUnreach !== undefined)
    throw new TypeError('packUpdates builds MP_REACH_NLRI / MP_UNREACH_NLRI itself');
  const nlri = split(announce.nlri);
  if (nlri.v4.length > 0) {
    for (const run of chunk(nlri.v4, nlriRoom(attrs, AFI_IPV4, ctx), 'IPv4 announcements')) {
      out.push(encodeUpdate({ type: 'UPDATE', withdrawn: [], attributes: attrs, nlri: run }, ctx));
    }
  }
  if (nlri.v6.length > 0) {
    const nextHop = announce.nextHopV6;
    if (nextHop === undefined || (nextHop.length !== 16 && nextHop.length !== 32))
      throw new TypeError('IPv6 NLRI need a 16- or 32-octet nextHopV6');
    // RFC 4760 §3: an UPDATE whose only NLRI is in MP_REACH_NLRI SHOULD NOT carry NEXT_HOP.
    const v6attrs: PathAttributes = { ...attrs };
    delete v6attrs.nextHop;
    for (const run of chunk(nlri.v6, nlriRoom(v6attrs, AFI_IPV6, ctx, nextHop.length), 'IPv6 announcements')) {
      const attributes: PathAttributes = {
        ...v6attrs,
        mpReach: { afi: AFI_IPV6, safi: SAFI_UNICAST, nextHop, nlri: run },
      };
      out.push(encodeUpdate({ type: 'UPDATE', withdrawn: [], attributes, nlri: [] }, ctx));
    }
  }
  return out;
}
