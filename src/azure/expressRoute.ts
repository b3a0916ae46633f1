/**
 * @module azure/expressRoute
 * ExpressRoute (azure-routing.md §2): the policies of the ER gateway instances and of the
 * MSEEs, as SpeakerPolicy for the lab's in-process speakers, and the circuit rules.
 *
 * Neighbour roles (Neighbor.info.role):
 * - at an ER gateway instance: 'msee' (eBGP, one per circuit link), 'route-server' (iBGP,
 *   R-ARS-11), 'vpn-gateway' (iBGP, R-VPN-2);
 * - at an MSEE: 'customer' (the customer edge on the link), 'gateway' (ER gateway instances
 *   of the VNets connected to the circuit), 'global-reach' (the MSEE of a linked circuit).
 *
 * @see https://learn.microsoft.com/azure/expressroute/expressroute-routing
 */
import { parsePrefix } from '../bgp/wire/index.js';
import {
  asOverride,
  formatAsPathAzure,
  hasCommunity,
  internAttrs,
  pathContains,
  prependAsPath,
  removePrivateAsns,
  wellKnownBlock,
  withAttrs,
  type BestPathConfig,
  type Neighbor,
  type SpeakerPolicy,
} from '../rib/index.js';
import { MSEE_ASN, ROUTE_SERVER_ASN } from './constants.js';
import { AzureErrors, type AzureError } from './errors.js';
import type { AzureModel, ExpressRouteCircuit, VirtualNetworkGateway } from './model.js';
import { ER_MARKER_COMMUNITY, withCommunity } from './routeServer.js';

/** R-ER-3: weight of the gateway's own and iBGP-learned routes. */
export const WEIGHT_LOCAL = 32768;
/** R-ER-3: weight of MSEE-learned routes, before the connection's routingWeight. */
export const WEIGHT_MSEE = 32769;
/** R-ER-8: routes a customer may advertise on private peering (Premium: 10,000). */
export const CUSTOMER_PREFIX_LIMIT = { Standard: 4000, Local: 4000, Premium: 10000 } as const;
/** R-ER-8: VNet routes (with the Route Server's, R-ARS-11) toward on-premises per connection at most. */
export const VNET_PREFIX_LIMIT = 1000;

export type ErGatewayNeighborRole = 'msee' | 'route-server' | 'vpn-gateway';
export type MseeNeighborRole = 'customer' | 'gateway' | 'global-reach';

function role<T extends string>(n: Neighbor): T {
  return (n.info?.['role'] ?? '') as T;
}

// isPrivateAsn, removePrivateAsns and asOverride are src/rib's (routePolicy), shared with the built-in routers.
export { asOverride, isPrivateAsn, removePrivateAsns } from '../rib/index.js';

/**
 * R-ER-3: weight first, then AS-path length; equal paths are ECMP (up to 4 circuits × 2 links).
 * Right before eBGP over iBGP, R-VPN-3: the VPN gateway's direct iBGP copy of a prefix after
 * every other copy (`gatewayPreference`), so that where RFC 4271 would fall to the lowest
 * neighbour address, the route server's copy wins.
 */
export const ER_GATEWAY_BEST_PATH: BestPathConfig = {
  steps: [
    'locally-originated',
    'weight',
    'local-pref',
    'as-path-length',
    'origin',
    'preference',
    'ebgp-over-ibgp',
    'neighbor-address',
  ],
  multipathThrough: 'ebgp-over-ibgp',
  maxPaths: 8,
};

/** An MSEE breaks ties by age (the oldest path stays best), as Cisco does for eBGP paths. */
export const MSEE_BEST_PATH: BestPathConfig = {
  steps: ['local-pref', 'as-path-length', 'origin', 'med'],
  maxPaths: 1,
};

export interface ErGatewayContext {
  readonly gateway: VirtualNetworkGateway;
  readonly instance: 0 | 1;
  /** R-ARS-12 applies when the gateway's VNet has a route server. */
  readonly vnetHasRouteServer: boolean;
}

/**
 * One ER gateway instance (R-ER-3, R-ER-5, R-ARS-12, R-VPN-2).
 * @rule R-ER-3 R-ER-5 R-ARS-11 R-ARS-12 R-VPN-2
 */
export function erGatewayPolicy(c: ErGatewayContext): SpeakerPolicy {
  const self = c.gateway.instanceAddresses[c.instance];
  return {
    bestPath: ER_GATEWAY_BEST_PATH,
    import(from, attrs) {
      const r = role<ErGatewayNeighborRole>(from);
      if (r === 'msee') {
        // R-ARS-12: NVA routes of another VNet's route server come back through the MSEE
        // marked 65517:65517; a gateway beside a route server drops them (no ARS→MSEE→ARS).
        if (c.vnetHasRouteServer && hasCommunity(attrs, ER_MARKER_COMMUNITY)) {
          return {
            accept: false,
            rule: 'R-ARS-12',
            reason: 'carries 65517:65517 from the MSEE: no route-server transit through ExpressRoute',
          };
        }
        if (pathContains(attrs, c.gateway.asn))
          return {
            accept: false,
            rule: 'RFC4271-9.1.2',
            reason: `AS_PATH ${formatAsPathAzure(attrs.asPath)} contains our AS ${c.gateway.asn}`,
          };
        const routingWeight = Number(from.info?.['routingWeight'] ?? 0);
        // R-ER-3: 32769 + the connection's routingWeight (seed 001 prints 32779 with 10).
        return { accept: true, weight: WEIGHT_MSEE + routingWeight };
      }
      return { accept: true, weight: WEIGHT_LOCAL, preference: gatewayPreference(r) };
    },
    export(to, path) {
      const r = role<ErGatewayNeighborRole>(to);
      const fromRole =
        path.source.kind === 'local'
          ? 'local'
          : path.source.role === 'msee'
            ? 'msee'
            : path.source.kind === 'ibgp'
              ? 'ibgp'
              : 'other';
      const block = wellKnownBlock(path.attrs, r === 'msee' ? 'ebgp' : 'ibgp');
      if (block) return { rule: 'R-ARS-9', reason: `${block} community` };
      if (r === 'msee') {
        // R-ER-5: no transit between circuits (nor back to the same one).
        if (fromRole === 'msee') return { rule: 'R-ER-5', reason: 'learned from an MSEE: no transit between circuits' };
        // R-VPN-2: VPN routes reach the MSEE only through a route server with branch-to-branch.
        if (path.source.role === 'vpn-gateway')
          return { rule: 'R-VPN-2', reason: 'learned from the VPN gateway: no ER↔VPN transit without a route server' };
        return internAttrs({
          origin: path.attrs.origin,
          asPath: prependAsPath(path.attrs.asPath, c.gateway.asn),
          nextHop: self,
          ...(path.attrs.communities ? { communities: path.attrs.communities } : {}),
          ...(path.attrs.largeCommunities ? { largeCommunities: path.attrs.largeCommunities } : {}),
        });
      }
      // iBGP (route server, VPN gateway): our VNet ranges with us as next hop; MSEE routes
      // with their next hop and path; nothing learned over iBGP goes back to iBGP.
      if (fromRole === 'ibgp')
        return { rule: 'RFC4271-9.2', reason: 'learned over iBGP: not advertised to iBGP peers' };
      if (fromRole === 'local') return internAttrs({ origin: 0, asPath: [], nextHop: self });
      const attrs = withAttrs(path.attrs, { med: undefined });
      return r === 'route-server' ? withCommunity(attrs, ER_MARKER_COMMUNITY) : attrs;
    },
  };
}

/**
 * R-VPN-3: beside a route server with branch-to-branch on, the ExpressRoute and VPN gateways
 * exchange routes *through the route server* ("ExpressRoute and VPN gateways exchanging
 * routes through Azure Route Server",
 * https://learn.microsoft.com/azure/route-server/expressroute-vpn-support). Both gateways
 * then hold a prefix of the other twice, equal up to eBGP over iBGP (both iBGP): the route
 * server's copy and the other gateway's direct iBGP copy (R-VPN-2). The direct copy ranks
 * after every other copy in that tie, so the transit the route server carries does not
 * depend on which subnet's addresses sort lower (RFC 4271's last tie-break); without
 * branch-to-branch the route server sends no gateway routes and the direct copy is the only
 * one. Compared right before eBGP over iBGP, the class changes no other ranking: a
 * tunnel's or an MSEE's route (eBGP) beats both iBGP copies there anyway, and a class above
 * AS-path length would let the route server's copy of one instance's tunnel route outrank
 * the other instance's own tunnel route, which then withdraws it — an oscillation.
 * @rule R-VPN-3
 */
export function gatewayPreference(fromRole: string): number {
  return fromRole === 'vpn-gateway' || fromRole === 'expressroute-gateway' ? 0 : 1;
}

export interface MseeContext {
  readonly circuit: ExpressRouteCircuit;
  readonly link: 0 | 1;
}

/**
 * One MSEE of a circuit link (R-ER-2, R-ER-6).
 * @rule R-ER-2 R-ER-6
 */
export function mseePolicy(c: MseeContext): SpeakerPolicy {
  const peering = c.circuit.peerings[0];
  const linkPrefix = parsePrefix(
    (c.link === 0 ? peering?.primaryPeerAddressPrefix : peering?.secondaryPeerAddressPrefix) ?? '0.0.0.0/30',
  );
  // The MSEE holds the second host of the link /30 (R-ER-1).
  const mseeLinkAddress = linkPrefix && linkPrefix.afi === 1 ? ipOf((linkPrefix.addr as number) + 2) : '0.0.0.0';
  return {
    bestPath: MSEE_BEST_PATH,
    import(from, attrs) {
      const r = role<MseeNeighborRole>(from);
      // Loop check on our own AS, except over Global Reach, which carries 12076 by design.
      if (r !== 'global-reach' && pathContains(attrs, MSEE_ASN))
        return { accept: false, rule: 'RFC4271-9.1.2', reason: 'AS_PATH contains 12076' };
      return { accept: true };
    },
    export(to, path) {
      const r = role<MseeNeighborRole>(to);
      const fromRole = (path.source.role ?? 'customer') as MseeNeighborRole | 'local';
      if (r === 'customer') {
        // R-ER-2: toward the customer, private ASNs removed and 12076 prepended: on-premises
        // sees VNet ranges as 12076, never 65515 or an NVA's private ASN.
        return internAttrs({
          origin: path.attrs.origin,
          asPath: prependAsPath(removePrivateAsns(path.attrs.asPath), MSEE_ASN),
          nextHop: mseeLinkAddress,
          ...(path.attrs.communities ? { communities: path.attrs.communities } : {}),
        });
      }
      if (r === 'gateway') {
        // Global Reach routes stay between the circuits' customers (R-ER-6).
        if (fromRole === 'global-reach')
          return { rule: 'R-ER-6', reason: 'Global Reach routes are not advertised into Azure' };
        const toward = String(to.info?.['mseeAddress'] ?? mseeLinkAddress);
        if (fromRole === 'gateway') {
          // R-ER-2: another VNet's (or instance's) routes come back with 65515 overridden:
          // 12076-12076, next hop kept (seed 001).
          return withAttrs(path.attrs, {
            asPath: prependAsPath(asOverride(path.attrs.asPath, ROUTE_SERVER_ASN, MSEE_ASN), MSEE_ASN),
          });
        }
        // The customer's routes, 12076 prepended, next hop the MSEE as the gateway sees it.
        return withAttrs(path.attrs, {
          asPath: prependAsPath(path.attrs.asPath, MSEE_ASN),
          nextHop: toward,
          med: undefined,
        });
      }
      // Global Reach (R-ER-6): the customer's routes only, not transitive.
      if (fromRole !== 'customer')
        return { rule: 'R-ER-6', reason: 'Global Reach is not transitive and carries no VNet routes' };
      return withAttrs(path.attrs, {
        asPath: prependAsPath(prependAsPath(removePrivateAsns(path.attrs.asPath), MSEE_ASN), MSEE_ASN),
        nextHop: mseeLinkAddress,
        med: undefined,
      });
    },
  };
}

function ipOf(n: number): string {
  const a = n >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/**
 * R-ER-6: Global Reach links only circuits at different peering locations.
 * @rule R-ER-6
 */
export function checkGlobalReach(a: ExpressRouteCircuit, b: ExpressRouteCircuit): AzureError | undefined {
  if (a.peeringLocation.toLowerCase() === b.peeringLocation.toLowerCase()) {
    return AzureErrors.globalReachSameLocation(a.name, b.name, a.peeringLocation);
  }
  return undefined;
}

/** The circuits a gateway is connected to, with the connection (routingWeight, MSEE addresses). */
export function circuitsOf(model: AzureModel, gatewayId: string) {
  const out = [];
  for (const conn of model.connections) {
    if (conn.connectionType !== 'ExpressRoute' || conn.virtualNetworkGateway1.toLowerCase() !== gatewayId.toLowerCase())
      continue;
    const circuit = model.expressRouteCircuits.find((c) => c.id.toLowerCase() === (conn.peer ?? '').toLowerCase());
    if (circuit) out.push({ connection: conn, circuit });
  }
  return out;
}
