/**
 * @module azure/prefixLimits
 * The route limits of Azure's BGP speakers, each counted the way its documentation counts
 * it, with what the lab's events say when one is exceeded.
 * @rule R-ARS-5 R-ER-8 R-VPN-6
 */
import type { PrefixCounting } from '../rib/index.js';
import { CUSTOMER_PREFIX_LIMIT, VNET_PREFIX_LIMIT } from './expressRoute.js';
import type { ExpressRouteCircuit } from './model.js';
import { VPN_PREFIX_LIMIT } from './vpnGateway.js';

/** One speaker's limit on the routes it takes from one neighbour. */
export interface PrefixLimit {
  readonly max: number;
  readonly counting: PrefixCounting;
  /** The rule that sets it. */
  readonly rule: string;
  /** What is counted, in Azure's words, for events ("customer routes on ExpressRoute Standard private peering"). */
  readonly what: string;
}

/**
 * R-ER-8: the MSEE takes at most 4,000 prefixes from the customer edge on private peering
 * (10,000 with Premium), counted as prefixes held: re-advertising a route does not count it
 * twice.
 */
export function customerPrefixLimit(skuTier: ExpressRouteCircuit['skuTier']): PrefixLimit {
  return {
    max: CUSTOMER_PREFIX_LIMIT[skuTier],
    counting: 'prefixes-held',
    rule: 'R-ER-8',
    what: `customer prefixes on ExpressRoute ${skuTier} private peering`,
  };
}

/**
 * R-ER-8: at most 1,000 IPv4 prefixes toward the circuit per connection — the VNet's address
 * spaces, its spokes' and, with branch-to-branch on, the Route Server's routes together —
 * counted where they reach the circuit (the MSEE's side of each gateway session).
 */
export const VNET_TO_CIRCUIT_LIMIT: PrefixLimit = {
  max: VNET_PREFIX_LIMIT,
  counting: 'prefixes-held',
  rule: 'R-ER-8',
  what: 'prefixes advertised from the virtual network to the circuit on one connection',
};

/** R-VPN-6: a VPN gateway takes at most 4,000 prefixes from one BGP peer. */
export const VPN_PEER_PREFIX_LIMIT: PrefixLimit = {
  max: VPN_PREFIX_LIMIT,
  counting: 'prefixes-held',
  rule: 'R-VPN-6',
  what: 'prefixes from one BGP peer of a VPN gateway',
};

/** R-ARS-5: routes held from one NVA plus the routes of its UPDATE. */
export function routeServerPeerLimit(max: number): PrefixLimit {
  return {
    max,
    counting: 'held-plus-update',
    rule: 'R-ARS-5',
    what: "routes held from one Route Server peer plus the UPDATE's routes",
  };
}
