/**
 * @module lab/gatewayProfiles
 * Gateway profiles: a built-in router that plays another cloud's edge chooses routes as that
 * cloud documents it (lab file `profile`, ADR 0039). A profile is a best-path ladder and a
 * preference class the router's one import step gives each path (`preference`, ranked above
 * AS-path length); everything else — filters, prepends, communities — is the router's policy,
 * as on any router.
 *
 * Longest prefix match comes first in every AWS order; it is the data path's (a more
 * specific prefix is another table entry), so the profiles rank paths of one prefix only.
 */
import type { BestPathConfig, Neighbor, RouteAttrs } from '../rib/index.js';
import type { GatewayProfileName } from './spec.js';

export interface GatewayProfile {
  readonly bestPath: BestPathConfig;
  /** The path's preference class (higher wins), from its neighbour and its attributes. */
  preference(from: Neighbor, attrs: RouteAttrs): number;
}

/** A neighbour reached over one of the router's VPN attachments (its tunnels). */
const overVpn = (from: Neighbor) => from.info?.['role'] === 'vpn-gateway';

/**
 * `aws-vgw`: an AWS virtual private gateway. "Route tables and AWS Site-to-Site VPN route
 * priority" (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html) and
 * "How route priority works" (https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html):
 * for one prefix, "BGP propagated routes from an AWS Direct Connect connection" first, then
 * "manually added static routes for a Site-to-Site VPN connection" (a lab router has none),
 * then "BGP propagated routes from a Site-to-Site VPN connection", among which "the path
 * with the shortest AS PATH is preferred", then the MED AWS sets per tunnel. A virtual
 * private gateway uses one tunnel (no ECMP: AWS advises equal AS PATHs on both tunnels only
 * so that the MEDs decide; ECMP across tunnels is a transit gateway's, with ECMP enabled).
 * The router's VPN attachments are its tunnels; every other session (a customer link, a
 * circuit link) is a Direct Connect virtual interface.
 */
const AWS_VGW: GatewayProfile = {
  bestPath: {
    steps: ['locally-originated', 'preference', 'as-path-length', 'med', 'router-id', 'neighbor-address'],
    maxPaths: 1,
  },
  preference: (from) => (overVpn(from) ? 1 : 2),
};

/** AWS's local preference communities on a private or transit virtual interface. */
export const AWS_LOCAL_PREFERENCE = {
  low: (7224 << 16) | 7100,
  medium: (7224 << 16) | 7200,
  high: (7224 << 16) | 7300,
} as const;

/**
 * `aws-dxgw`: an AWS Direct Connect gateway choosing among its virtual interfaces (the
 * router's sessions) for traffic from the VPCs toward on-premises. "Direct Connect routing
 * policies and BGP communities", private and transit virtual interface policies
 * (https://docs.aws.amazon.com/directconnect/latest/UserGuide/routing-and-bgp.html): longest
 * prefix first; then the local preference communities the customer tags its routes with —
 * 7224:7100 low, 7224:7200 medium, 7224:7300 high — which the page ranks above the AS_PATH;
 * then the shortest AS_PATH ("Private virtual interface routing example",
 * https://docs.aws.amazon.com/directconnect/latest/UserGuide/private-transit-vif-example.html:
 * VIF B with a shorter AS_PATH than VIF A carries the traffic). Virtual interfaces still tied
 * share the traffic (Direct Connect's active/active, BGP multipath, of its resiliency
 * recommendations): ECMP. A route with several of the
 * communities counts at its highest (ARSLab's reading); an untagged one as medium (AWS gives
 * no default in the page; ARSLab's choice, ADR 0039).
 */
const AWS_DXGW: GatewayProfile = {
  bestPath: {
    steps: ['locally-originated', 'preference', 'as-path-length', 'router-id', 'neighbor-address'],
    multipathThrough: 'as-path-length',
    maxPaths: 16,
  },
  preference: (_from, attrs) => {
    const c = attrs.communities ?? [];
    if (c.includes(AWS_LOCAL_PREFERENCE.high)) return 3;
    if (c.includes(AWS_LOCAL_PREFERENCE.medium)) return 2;
    if (c.includes(AWS_LOCAL_PREFERENCE.low)) return 1;
    return 2;
  },
};

export const GATEWAY_PROFILE: Readonly<Record<GatewayProfileName, GatewayProfile>> = {
  'aws-vgw': AWS_VGW,
  'aws-dxgw': AWS_DXGW,
};
