/**
 * @module azure/constants
 * Numbers Azure fixes for everyone: its own ASNs, the ASNs it refuses, the APIPA range of
 * VPN BGP, subnet names. Written once here; rules, validation, error texts and the lab
 * file's schema read them from this module (ADR 0030).
 */
import type { GatewayType } from './model.js';

/** R-ARS-1, R-ER-3, R-VPN-1: the ASN of Route Server and of the gateways (the VPN gateway's default). */
export const ROUTE_SERVER_ASN = 65515;
/** R-ER-1: Microsoft's ASN on every MSEE. */
export const MSEE_ASN = 12076;

/** A closed range of ASNs, `[first, last]`; a single ASN is `[asn, asn]`. */
export type AsnRange = readonly [number, number];

const one = (asn: number): AsnRange => [asn, asn];

/**
 * ASNs Azure uses itself and refuses from customers: 8074 and 8075 (Microsoft), 12076
 * (the MSEEs) and the private 65515, 65517-65520. Route Server FAQ ("What Autonomous System
 * Numbers (ASNs) can I use?"); VPN Gateway BGP FAQ ("Are there ASNs reserved by Azure?").
 * 65516 is not in Azure's list.
 */
export const AZURE_RESERVED_ASNS: readonly AsnRange[] = [one(8074), one(8075), one(12076), one(65515), [65517, 65520]];

/**
 * ASNs IANA reserves that Azure refuses too: AS_TRANS (RFC 6793), the documentation range
 * 64496-64511 (RFC 5398) and 65535-65551 (RFC 7300 last AS, RFC 5398 documentation).
 * Same FAQs as AZURE_RESERVED_ASNS.
 */
export const IANA_RESERVED_ASNS: readonly AsnRange[] = [one(23456), [64496, 64511], [65535, 65551]];

/** R-ARS-3: peer ASNs Route Server refuses. */
export const ROUTE_SERVER_RESERVED_PEER_ASNS: readonly AsnRange[] = [...AZURE_RESERVED_ASNS, ...IANA_RESERVED_ASNS];

/** The 32-bit "last AS" (RFC 7300), in the VPN Gateway FAQ's IANA list. */
export const LAST_ASN_32 = 4294967295;

/**
 * R-VPN-1: ASNs refused for VPN gateways and on-premises VPN devices (VPN Gateway BGP FAQ):
 * Azure's and IANA's lists, the 32-bit last AS, and 0 (never an ASN, RFC 7607).
 */
export const VPN_RESERVED_ASNS: readonly AsnRange[] = [
  one(0),
  ...AZURE_RESERVED_ASNS,
  ...IANA_RESERVED_ASNS,
  one(LAST_ASN_32),
];

/**
 * R-ER-1: ASNs refused on ExpressRoute private peering: 12076 is Microsoft's and 65515-65520
 * are reserved for Azure's internal use (ExpressRoute routing requirements, "Private ASNs").
 */
export const EXPRESSROUTE_PEERING_RESERVED_ASNS: readonly AsnRange[] = [one(MSEE_ASN), [65515, 65520]];

export function asnInRanges(asn: number, ranges: readonly AsnRange[]): boolean {
  return ranges.some(([lo, hi]) => asn >= lo && asn <= hi);
}

/** "8074, 8075, 12076, 65515, 65517-65520": ranges as the error texts and the lab file's help name them. */
export function formatAsnRanges(ranges: readonly AsnRange[], lastJoin = ', '): string {
  const parts = ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
  if (parts.length < 2) return parts.join('');
  return `${parts.slice(0, -1).join(', ')}${lastJoin}${parts.at(-1)}`;
}

/** R-ARS-3 */
export function isReservedPeerAsn(asn: number): boolean {
  return asnInRanges(asn, ROUTE_SERVER_RESERVED_PEER_ASNS);
}

/** R-VPN-1 */
export function isReservedVpnAsn(asn: number): boolean {
  return asnInRanges(asn, VPN_RESERVED_ASNS);
}

/** R-ER-1 */
export function isReservedPeeringAsn(asn: number): boolean {
  return asnInRanges(asn, EXPRESSROUTE_PEERING_RESERVED_ASNS);
}

/** R-VPN-1: Azure's APIPA range for VPN BGP addresses, 169.254.21.0-169.254.22.255. */
export const AZURE_VPN_APIPA = { first: 0xa9fe1500, last: 0xa9fe16ff, text: '169.254.21.0-169.254.22.255' } as const;

/** R-ER-3: a connection's routingWeight is 0-32000. */
export const MAX_ROUTING_WEIGHT = 32000;

/** The subnet Route Server must be deployed in (R-ARS-2). */
export const ROUTE_SERVER_SUBNET_NAME = 'RouteServerSubnet';
/** The subnet virtual network gateways live in, named exactly so. */
export const GATEWAY_SUBNET_NAME = 'GatewaySubnet';
/** R-ARS-2, R-ER-3: RouteServerSubnet and GatewaySubnet are /27 or larger. */
export const MIN_SPECIAL_SUBNET_PREFIX = 27;

// Hybrid resources: the values Azure accepts (azure-routing.md §2, §3).

/** ExpressRoute gateway SKUs (ARM sku.name). */
export const EXPRESSROUTE_GATEWAY_SKUS = [
  'Standard',
  'HighPerformance',
  'UltraPerformance',
  'ErGw1AZ',
  'ErGw2AZ',
  'ErGw3AZ',
  'ErGwScale',
] as const;
/** VPN gateway SKUs (ARM sku.name); Basic has no BGP and no active-active. */
export const VPN_GATEWAY_SKUS = [
  'Basic',
  'VpnGw1',
  'VpnGw2',
  'VpnGw3',
  'VpnGw4',
  'VpnGw5',
  'VpnGw1AZ',
  'VpnGw2AZ',
  'VpnGw3AZ',
  'VpnGw4AZ',
  'VpnGw5AZ',
] as const;
export const DEFAULT_GATEWAY_SKU: Readonly<Record<GatewayType, string>> = { ExpressRoute: 'Standard', Vpn: 'VpnGw1' };
/** Circuits one ExpressRoute gateway connects to, by SKU (ErGwScale depends on its scale units: not checked). */
export const MAX_CIRCUITS_PER_GATEWAY: Readonly<Record<string, number>> = {
  Standard: 4,
  ErGw1AZ: 4,
  HighPerformance: 8,
  ErGw2AZ: 8,
  UltraPerformance: 16,
  ErGw3AZ: 16,
};
/** Provider circuits: 50 Mbps-10 Gbps; ExpressRoute Direct adds 40 and 100 Gbps. */
export const EXPRESSROUTE_CIRCUIT_BANDWIDTHS = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 40000, 100000] as const;
