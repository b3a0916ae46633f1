/**
 * @module bgp/validate
 * UPDATE checks that need the session (RFC 4271 §6.3 as revised by RFC 7606), kept apart
 * from the structural decode of src/bgp/wire (gobgp ValidateUpdateMsg, rustbgpd
 * ADR-0012): mandatory attributes, eBGP-only rules, next-hop semantics, families.
 */
import type { Family } from './fsm/index.js';
import {
  AFI_IPV4,
  AFI_IPV6,
  AttrType,
  ErrorCode,
  SAFI_UNICAST,
  UpdateSubcode,
  strongest,
  wireError,
  type BgpWireError,
  type PathAttributes,
  type ReceivedUpdate,
} from './wire/index.js';

export interface SessionFacts {
  /** The peer is in another AS. */
  readonly ebgp: boolean;
  /** Families negotiated on the session. */
  readonly families: readonly Family[];
  /**
   * The receiving speaker's own IPv4 addresses on this session (as a uint32; in loopback mode
   * both the emulated and the mapped one): a NEXT_HOP equal to one is semantically incorrect
   * (RFC 4271 §6.3 a).
   */
  readonly localAddresses?: readonly number[];
}

export interface ValidatedUpdate {
  /** Attributes after attribute-discard corrections (e.g. LOCAL_PREF from eBGP removed). */
  readonly attributes: PathAttributes;
  /** The strongest problem (RFC 7606 action), counting the codec's. */
  readonly error?: BgpWireError;
  readonly problems: readonly BgpWireError[];
  /** Every NLRI of the UPDATE must be handled as withdrawn (RFC 7606 §2 treat-as-withdraw). */
  readonly treatAsWithdraw: boolean;
  /** MP_REACH/MP_UNREACH for a family the session did not negotiate: ignored (RFC 4760 §7). */
  readonly ignoredFamilies: readonly string[];
}

function missing(type: number, name: string): BgpWireError {
  // RFC 7606 §3 (d): a missing well-known mandatory attribute → treat-as-withdraw; the
  // NOTIFICATION it would have been (3/3, data = the type code) is kept for logs.
  return wireError(
    ErrorCode.UpdateMessage,
    UpdateSubcode.MissingWellKnownAttribute,
    'treat-as-withdraw',
    `missing well-known attribute ${name}`,
    new Uint8Array([type]),
  );
}

/**
 * RFC 7606 §7.5: from an external neighbour LOCAL_PREF "SHALL be discarded using the approach
 * of attribute discard" — a malformed one too (only from an internal neighbour is a wrong
 * length treat-as-withdraw, as the codec, which does not know the peer, reports it).
 */
function localPrefFromExternal(p: BgpWireError): BgpWireError {
  if (p.attributeType !== AttrType.LOCAL_PREF || p.action === 'attribute-discard') return p;
  return { ...p, action: 'attribute-discard', message: `${p.message}; from an external peer: discarded` };
}

export function validateUpdate(u: ReceivedUpdate, facts: SessionFacts): ValidatedUpdate {
  const problems: BgpWireError[] = facts.ebgp ? u.problems.map(localPrefFromExternal) : [...u.problems];
  let attributes = u.attributes;
  const hasV4Nlri = u.nlri.length > 0;
  const hasMpReach =
    attributes.mpReach !== undefined && attributes.mpReach.nlri.length + (attributes.mpReach.rawNlri?.length ?? 0) > 0;
  const ignoredFamilies: string[] = [];

  // RFC 7606 §5.1: an UPDATE that announces nothing needs no path attributes at all.
  if (hasV4Nlri || hasMpReach) {
    if (attributes.origin === undefined) problems.push(missing(AttrType.ORIGIN, 'ORIGIN'));
    if (attributes.asPath === undefined) problems.push(missing(AttrType.AS_PATH, 'AS_PATH'));
    // RFC 4760 §3 / RFC 7606 §3 (d): NEXT_HOP is mandatory only with IPv4 NLRI in the NLRI field.
    if (hasV4Nlri && attributes.nextHop === undefined) problems.push(missing(AttrType.NEXT_HOP, 'NEXT_HOP'));
  }

  if (facts.ebgp) {
    // RFC 7606 §7.5 / RFC 4271 §5.1.5: LOCAL_PREF from an external peer is discarded.
    if (attributes.localPref !== undefined) {
      const { localPref: _drop, ...rest } = attributes;
      attributes = rest;
      problems.push(
        wireError(
          ErrorCode.UpdateMessage,
          UpdateSubcode.OptionalAttributeError,
          'attribute-discard',
          'LOCAL_PREF received from an external peer: discarded',
        ),
      );
    }
    // RFC 5065 §5 / RFC 7606 §7.2: confederation segments from outside the confederation.
    if (attributes.asPath?.some((s) => s.type === 3 || s.type === 4)) {
      problems.push(
        wireError(
          ErrorCode.UpdateMessage,
          UpdateSubcode.MalformedAsPath,
          'treat-as-withdraw',
          'AS_CONFED segment received from an external peer',
        ),
      );
    }
  }

  // RFC 4271 §6.3: a syntactically valid IPv4 next hop that can never be used — 0.0.0.0,
  // multicast, class E — or that is "the IP address of the receiving speaker" (a): "the error
  // SHOULD be logged, and the route SHOULD be ignored", no NOTIFICATION, the session kept. The
  // route is handled as withdrawn, as for the others (docs/RFC_NOTES.md). The same holds for
  // an IPv4 next hop in MP_REACH_NLRI (RFC 4760 §3 carries it there instead of in NEXT_HOP).
  const v4NextHops: number[] = [];
  if (hasV4Nlri && attributes.nextHop !== undefined) v4NextHops.push(attributes.nextHop >>> 0);
  const mp = attributes.mpReach;
  if (hasMpReach && mp !== undefined && mp.afi === AFI_IPV4 && mp.nextHop.length === 4)
    v4NextHops.push(((mp.nextHop[0]! << 24) | (mp.nextHop[1]! << 16) | (mp.nextHop[2]! << 8) | mp.nextHop[3]!) >>> 0);
  for (const nh of v4NextHops) {
    const first = nh >>> 24;
    const text = `${first}.${(nh >>> 16) & 255}.${(nh >>> 8) & 255}.${nh & 255}`;
    const why =
      nh === 0 || first >= 224
        ? `unusable NEXT_HOP ${text}`
        : facts.localAddresses?.includes(nh)
          ? `NEXT_HOP ${text} is the receiving speaker's own address (RFC 4271 §6.3 a)`
          : undefined;
    if (why)
      problems.push(
        wireError(ErrorCode.UpdateMessage, UpdateSubcode.InvalidNextHopAttribute, 'treat-as-withdraw', why),
      );
  }

  for (const mp of [attributes.mpReach, attributes.mpUnreach]) {
    if (!mp) continue;
    const fam: Family | undefined =
      mp.safi === SAFI_UNICAST
        ? mp.afi === AFI_IPV4
          ? 'ipv4-unicast'
          : mp.afi === AFI_IPV6
            ? 'ipv6-unicast'
            : undefined
        : undefined;
    if (!fam || !facts.families.includes(fam)) ignoredFamilies.push(`afi ${mp.afi} safi ${mp.safi}`);
  }

  const error = strongest(problems);
  return {
    attributes,
    ...(error ? { error } : {}),
    problems,
    treatAsWithdraw: error?.action === 'treat-as-withdraw',
    ignoredFamilies,
  };
}
