/**
 * @module rib/export
 * Generic outbound rules every BGP speaker applies, whatever its policy: well-known
 * communities (RFC 1997) and unknown optional attributes (RFC 4271 §5, §9.1.3).
 */
import { AttrFlag, WellKnownCommunity, type UnknownAttribute } from '../bgp/wire/index.js';
import type { RouteAttrs } from './attrs.js';

export type PeerScope = 'ebgp' | 'ibgp' | 'confed';

/** RFC 1997: the well-known community that forbids advertising to this peer, if any. */
export function wellKnownBlock(
  attrs: RouteAttrs,
  scope: PeerScope,
): 'NO_ADVERTISE' | 'NO_EXPORT' | 'NO_EXPORT_SUBCONFED' | undefined {
  const cs = attrs.communities;
  if (!cs) return undefined;
  if (cs.includes(WellKnownCommunity.NO_ADVERTISE)) return 'NO_ADVERTISE';
  if (scope === 'ebgp' && cs.includes(WellKnownCommunity.NO_EXPORT)) return 'NO_EXPORT';
  if (scope !== 'ibgp' && cs.includes(WellKnownCommunity.NO_EXPORT_SUBCONFED)) return 'NO_EXPORT_SUBCONFED';
  return undefined;
}

/**
 * RFC 4271 §5 / §9.1.3: unrecognised optional transitive attributes are passed on with the
 * Partial bit set; unrecognised optional non-transitive ones are dropped.
 */
export function forwardUnknown(unknown: readonly UnknownAttribute[] | undefined): UnknownAttribute[] | undefined {
  if (!unknown || unknown.length === 0) return undefined;
  const out: UnknownAttribute[] = [];
  for (const u of unknown) {
    if ((u.flags & AttrFlag.Optional) === 0) continue; // unknown well-known never gets this far
    if ((u.flags & AttrFlag.Transitive) === 0) continue;
    out.push({ ...u, flags: u.flags | AttrFlag.Partial });
  }
  return out.length ? out : undefined;
}
