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

export { AFI_IPV4, AFI_IPV6 };
