/**
 * @module bgp/fsm/negotiate
 * OPEN checks that need the session configuration (RFC 4271 §6.2, RFC 5492, RFC 6793,
 * RFC 4760 §8) and the parameters both sides agree on. Structural checks (version,
 * lengths, hold time 1–2 s, BGP Identifier 0) are the codec's (src/bgp/wire).
 */
import {
  AFI_IPV4,
  AFI_IPV6,
  AS_TRANS,
  ErrorCode,
  OpenSubcode,
  SAFI_UNICAST,
  wireError,
  type BgpWireError,
  type Capability,
  type OpenMessage,
} from '../wire/index.js';
import type { Family, FsmConfig, Negotiated } from './types.js';

export function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== SAFI_UNICAST) return undefined;
  if (afi === AFI_IPV4) return 'ipv4-unicast';
  if (afi === AFI_IPV6) return 'ipv6-unicast';
  return undefined;
}

export function afiSafiOf(family: Family): { afi: number; safi: number } {
  return family === 'ipv4-unicast' ? { afi: AFI_IPV4, safi: SAFI_UNICAST } : { afi: AFI_IPV6, safi: SAFI_UNICAST };
}

/** The OPEN we send: multiprotocol per family, route refresh, 4-octet AS (always, RFC 6793 §3). */
export function buildOpen(config: FsmConfig): OpenMessage {
  const capabilities: Capability[] = [];
  for (const f of config.families) capabilities.push({ kind: 'multiprotocol', ...afiSafiOf(f) });
  capabilities.push({ kind: 'route-refresh' });
  capabilities.push({ kind: 'four-octet-as', asn: config.localAs });
  if (config.extraCapabilities) capabilities.push(...config.extraCapabilities);
  return {
    type: 'OPEN',
    version: 4,
    myAs: config.localAs > 0xffff ? AS_TRANS : config.localAs,
    holdTime: config.holdTime,
    bgpId: config.localId,
    capabilities,
    otherParameters: [],
  };
}

/**
 * RFC 4271 §4.2: the smaller hold time wins; keepalive at most a third of it (at least 1 s);
 * 0 turns both off — unless `fixedTimers` keeps ours (R-VPN-5: Azure's VPN gateway does not
 * negotiate down). The lab's in-process MSEE sessions use it too (R-ER-7).
 */
export function negotiateTimers(
  ours: Pick<FsmConfig, 'holdTime' | 'keepaliveTime' | 'fixedTimers'>,
  offered: number,
): { holdTime: number; keepaliveTime: number } {
  const holdTime = ours.fixedTimers && offered !== 0 ? ours.holdTime : Math.min(ours.holdTime, offered);
  const keepaliveTime = holdTime === 0 ? 0 : Math.max(1, Math.min(ours.keepaliveTime, Math.floor(holdTime / 3)));
  return { holdTime, keepaliveTime };
}

/** The peer's real ASN: from the 4-octet AS capability when present (RFC 6793 §4.1). */
export function peerAsOf(open: OpenMessage): number {
  for (const c of open.capabilities) if (c.kind === 'four-octet-as') return c.asn;
  return open.myAs;
}

function asnData(asn: number): Uint8Array {
  return asn > 0xffff
    ? new Uint8Array([asn >>> 24, (asn >>> 16) & 255, (asn >>> 8) & 255, asn & 255])
    : new Uint8Array([asn >>> 8, asn & 255]);
}

export type Negotiation = { ok: true; negotiated: Negotiated } | { ok: false; error: BgpWireError };

export function negotiate(config: FsmConfig, open: OpenMessage): Negotiation {
  // RFC 4271 §6.2 / RFC 5492 §4: the only optional parameter we know is Capabilities.
  const other = open.otherParameters[0];
  if (other) {
    return {
      ok: false,
      error: wireError(
        ErrorCode.OpenMessage,
        OpenSubcode.UnsupportedOptionalParameter,
        'session-reset',
        `unsupported optional parameter type ${other.type}`,
      ),
    };
  }
  const peerAs = peerAsOf(open);
  // RFC 4271 §6.2: the peer's ASN must be the one configured.
  if (peerAs !== config.peerAs) {
    return {
      ok: false,
      error: wireError(
        ErrorCode.OpenMessage,
        OpenSubcode.BadPeerAs,
        'session-reset',
        `bad peer AS ${peerAs}: this peering expects AS ${config.peerAs}`,
        asnData(open.myAs),
      ),
    };
  }
  // RFC 6286 §2.2: within one AS the identifiers must differ (eBGP may share one).
  if (peerAs === config.localAs && open.bgpId === config.localId) {
    return {
      ok: false,
      error: wireError(
        ErrorCode.OpenMessage,
        OpenSubcode.BadBgpIdentifier,
        'session-reset',
        'peer uses our own BGP identifier on an iBGP session',
      ),
    };
  }
  // RFC 4271 §6.2: MAY reject on the basis of the Hold Time.
  if (config.minHoldTime && open.holdTime !== 0 && open.holdTime < config.minHoldTime) {
    return {
      ok: false,
      error: wireError(
        ErrorCode.OpenMessage,
        OpenSubcode.UnacceptableHoldTime,
        'session-reset',
        `hold time ${open.holdTime} s is below the ${config.minHoldTime} s this speaker accepts`,
      ),
    };
  }
  const { holdTime, keepaliveTime } = negotiateTimers(config, open.holdTime);

  let peerFamilies: Family[] = [];
  let sawMultiprotocol = false;
  let fourOctetAs = false;
  let peerRouteRefresh = false;
  for (const c of open.capabilities) {
    if (c.kind === 'multiprotocol') {
      sawMultiprotocol = true;
      const f = familyOf(c.afi, c.safi);
      if (f && !peerFamilies.includes(f)) peerFamilies.push(f);
    } else if (c.kind === 'four-octet-as') {
      fourOctetAs = true;
    } else if (c.kind === 'route-refresh' || (c.kind === 'unknown' && c.code === 128)) {
      peerRouteRefresh = true;
    }
  }
  // RFC 4760 §8 and common practice: a speaker that sends no Multiprotocol capability
  // speaks IPv4 unicast only.
  if (!sawMultiprotocol) peerFamilies = ['ipv4-unicast'];
  const families = config.families.filter((f) => peerFamilies.includes(f));

  return {
    ok: true,
    negotiated: {
      peerAs,
      peerId: open.bgpId,
      holdTime,
      keepaliveTime,
      fourOctetAs,
      peerRouteRefresh,
      families,
      peerOpen: open,
    },
  };
}
