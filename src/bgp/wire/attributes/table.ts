/**
 * @module bgp/wire/attributes/table
 * THE path attribute table: one descriptor per type code we know (BIRD `bgp_attr_table[]`).
 * Name, canonical flags, RFC 7606 default action, decode and encode for each attribute
 * live in its module; this file only lists them. Codes absent here are "unrecognized"
 * (RFC 4271 §5): kept in `PathAttributes.unknown` when optional, fatal when well-known.
 */
import { AGGREGATOR, AS4_AGGREGATOR } from './aggregator.js';
import { AS4_PATH, AS_PATH } from './asPath.js';
import { ATOMIC_AGGREGATE } from './atomicAggregate.js';
import { COMMUNITIES } from './communities.js';
import type { AttributeDescriptor } from './descriptor.js';
import { EXTENDED_COMMUNITIES } from './extendedCommunities.js';
import { LARGE_COMMUNITY } from './largeCommunities.js';
import { LOCAL_PREF } from './localPref.js';
import { MULTI_EXIT_DISC } from './med.js';
import { MP_REACH_NLRI } from './mpReach.js';
import { MP_UNREACH_NLRI } from './mpUnreach.js';
import { NEXT_HOP } from './nextHop.js';
import { ORIGIN } from './origin.js';
import { CLUSTER_LIST, ORIGINATOR_ID } from './unknown.js';

const DESCRIPTORS: readonly AttributeDescriptor[] = [
  ORIGIN,
  AS_PATH,
  NEXT_HOP,
  MULTI_EXIT_DISC,
  LOCAL_PREF,
  ATOMIC_AGGREGATE,
  AGGREGATOR,
  COMMUNITIES,
  ORIGINATOR_ID,
  CLUSTER_LIST,
  MP_REACH_NLRI,
  MP_UNREACH_NLRI,
  EXTENDED_COMMUNITIES,
  AS4_PATH,
  AS4_AGGREGATOR,
  LARGE_COMMUNITY,
];

/** Indexed by type code (0..255); undefined for codes we do not recognize. */
export const ATTRIBUTES: readonly (AttributeDescriptor | undefined)[] = (() => {
  const table = new Array<AttributeDescriptor | undefined>(256).fill(undefined);
  for (const d of DESCRIPTORS) table[d.code] = d;
  return Object.freeze(table);
})();

/**
 * The descriptors that encode from typed fields, in the order they go on the wire:
 * MP_REACH_NLRI and MP_UNREACH_NLRI first (RFC 7606 §5.1, so a receiver can find the
 * NLRI even when a later attribute is malformed), then in ascending type code (RFC 4271
 * §5 SHOULD). Receivers accept any order.
 */
export const ENCODE_ORDER: readonly AttributeDescriptor[] = Object.freeze([
  MP_REACH_NLRI,
  MP_UNREACH_NLRI,
  ...DESCRIPTORS.filter((d) => d.encode !== undefined && !d.carriesNlri).sort((a, b) => a.code - b.code),
]);
