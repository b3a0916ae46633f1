/**
 * @module rib/wire
 * From decoded UPDATEs to RIB routes and back: where NLRI meet interned attributes.
 * The next hop is the one thing translated on the way (a mapped loopback address shown as
 * the emulated one, ADR 0001), through the function the caller passes.
 */
import {
  AFI_IPV4,
  AFI_IPV6,
  formatIpv4,
  formatIpv6,
  MAX_MESSAGE_LENGTH,
  nlriRoom,
  type CodecContext,
  parseIpv4,
  parseIpv6,
  SAFI_UNICAST,
  type PathAttributes,
  type Prefix,
  type ReceivedUpdate,
} from '../bgp/wire/index.js';
import { attrsFromWire, type RouteAttrs } from './attrs.js';

export interface RoutesIn {
  readonly withdrawn: Prefix[];
  readonly announced: { attrs: RouteAttrs; prefixes: readonly Prefix[] }[];
}

function v6NextHopText(nh: Uint8Array): string {
  const word = (off: number): bigint => {
    let v = 0n;
    for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(nh[off + i] ?? 0);
    return v;
  };
  if (nh.length >= 32) return `${formatIpv6(word(0))} ${formatIpv6(word(16))}`;
  if (nh.length >= 16) return formatIpv6(word(0));
  if (nh.length === 4) return formatIpv4(((nh[0]! << 24) | (nh[1]! << 16) | (nh[2]! << 8) | nh[3]!) >>> 0);
  return '';
}

/**
 * The routes an UPDATE carries. `attributes` are the validated ones; with
 * treatAsWithdraw every announced prefix becomes a withdrawal (RFC 7606 §2).
 */
export function routesFromUpdate(
  u: ReceivedUpdate,
  attributes: PathAttributes,
  opts: { treatAsWithdraw: boolean; families: ReadonlySet<number>; displayNextHop: (text: string) => string },
): RoutesIn {
  const withdrawn: Prefix[] = [...u.withdrawn];
  const announced: { attrs: RouteAttrs; prefixes: readonly Prefix[] }[] = [];
  const unreach = attributes.mpUnreach;
  if (unreach && unreach.safi === SAFI_UNICAST && opts.families.has(unreach.afi)) withdrawn.push(...unreach.withdrawn);
  const reach = attributes.mpReach;
  const reachOk = reach && reach.safi === SAFI_UNICAST && opts.families.has(reach.afi);
  if (opts.treatAsWithdraw) {
    withdrawn.push(...u.nlri);
    if (reachOk) withdrawn.push(...reach.nlri);
    return { withdrawn, announced };
  }
  if (u.nlri.length > 0 && opts.families.has(AFI_IPV4) && attributes.nextHop !== undefined) {
    announced.push({
      attrs: attrsFromWire(attributes, opts.displayNextHop(formatIpv4(attributes.nextHop))),
      prefixes: u.nlri,
    });
  }
  if (reachOk && reach.nlri.length > 0) {
    announced.push({
      attrs: attrsFromWire(attributes, opts.displayNextHop(v6NextHopText(reach.nextHop))),
      prefixes: reach.nlri,
    });
  }
  return { withdrawn, announced };
}

/** PathAttributes to send for `attrs` (MP_REACH/MP_UNREACH are added by packUpdates). */
export function attrsToWire(attrs: RouteAttrs): { attributes: PathAttributes; nextHopV6?: Uint8Array } {
  const v4 = parseIpv4(attrs.nextHop);
  const p: PathAttributes = {
    origin: attrs.origin,
    asPath: attrs.asPath,
    ...(v4 !== undefined ? { nextHop: v4 } : {}),
    ...(attrs.med !== undefined ? { med: attrs.med } : {}),
    ...(attrs.localPref !== undefined ? { localPref: attrs.localPref } : {}),
    ...(attrs.atomicAggregate ? { atomicAggregate: true } : {}),
    ...(attrs.aggregator ? { aggregator: attrs.aggregator } : {}),
    ...(attrs.communities ? { communities: attrs.communities } : {}),
    ...(attrs.extendedCommunities ? { extendedCommunities: attrs.extendedCommunities } : {}),
    ...(attrs.largeCommunities ? { largeCommunities: attrs.largeCommunities } : {}),
    ...(attrs.unknown ? { unknown: attrs.unknown } : {}),
  };
  if (v4 !== undefined) return { attributes: p };
  const parts = attrs.nextHop.split(' ');
  const bytes = new Uint8Array(parts.length > 1 ? 32 : 16);
  parts.slice(0, 2).forEach((t, i) => {
    const a = parseIpv6(t) ?? 0n;
    for (let j = 0; j < 16; j++) bytes[i * 16 + j] = Number((a >> BigInt(8 * (15 - j))) & 0xffn);
  });
  return { attributes: p, nextHopV6: bytes };
}

/**
 * An upper bound on the octets of the path attributes `attrsToWire(attrs)` gives under any
 * session, computed without encoding (RFC 4271 §4.3: an attribute is at most 4 octets of
 * header and its value): AS_PATH 2 or 4 octets per ASN, plus AS4_PATH 4 per ASN toward a
 * 2-octet peer (RFC 6793 §4.2.2), 2 per segment of at most 255 ASNs in each; AGGREGATOR and
 * AS4_AGGREGATOR; every other attribute as it is.
 */
export function pathAttributesUpperBound(attrs: RouteAttrs): number {
  let asns = 0;
  let segments = 0;
  for (const s of attrs.asPath) {
    asns += s.asns.length;
    segments += Math.max(1, Math.ceil(s.asns.length / 255));
  }
  let n = 4 + 4 + 6 * asns + 4 * segments; // AS_PATH and AS4_PATH
  n += 4 + 1 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 0 + 2 * (4 + 8); // ORIGIN, NEXT_HOP, MED, LOCAL_PREF, ATOMIC, (AS4_)AGGREGATOR
  n += 4 + 4 * (attrs.communities?.length ?? 0);
  n += 4 + 8 * (attrs.extendedCommunities?.length ?? 0);
  n += 4 + 12 * (attrs.largeCommunities?.length ?? 0);
  for (const u of attrs.unknown ?? []) n += 4 + u.value.length;
  return n;
}

/** Octets an IPv6 MP_REACH_NLRI adds at most besides its prefixes: header, AFI, SAFI, lengths, a 32-octet next hop. */
const MP_REACH_OVERHEAD_MAX = 4 + 5 + 32;

/**
 * Room left for NLRI in one UPDATE carrying `attrs` under `ctx` (Neighbor.nlriRoom): measured
 * by the codec (nlriRoom, what packUpdates fills) unless the upper bound already leaves room
 * for the longest prefix (17 octets, an IPv6 /128) — the common case costs no encoding.
 */
export function nlriRoomFor(attrs: RouteAttrs, afi: number, ctx: CodecContext): number {
  const atLeast = MAX_MESSAGE_LENGTH - 23 - pathAttributesUpperBound(attrs) - MP_REACH_OVERHEAD_MAX;
  if (atLeast >= 17) return atLeast;
  // Large attribute sets are measured once per family and AS size (interned: one object each).
  let rooms = measuredRooms.get(attrs);
  if (rooms === undefined) measuredRooms.set(attrs, (rooms = [Number.NaN, Number.NaN, Number.NaN, Number.NaN]));
  const i = (afi === AFI_IPV4 ? 0 : 1) + (ctx.fourOctetAs ? 0 : 2);
  if (Number.isNaN(rooms[i]!)) {
    const { attributes, nextHopV6 } = attrsToWire(attrs);
    rooms[i] = nlriRoom(attributes, afi, ctx, nextHopV6?.length ?? 16);
  }
  return rooms[i]!;
}

const measuredRooms = new WeakMap<RouteAttrs, number[]>();

export { AFI_IPV4, AFI_IPV6 };
