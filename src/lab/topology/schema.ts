/**
 * @module lab/topology/schema
 * The lab file's one schema: what a lab file may contain, checked at load time by zod and
 * exported as JSON Schema for editors (jsonSchema.ts) and the reference (docs/lab-file.md).
 *
 * Shape: `resourceGroups` holds Azure resources under Azure's own resource and property
 * names (the ARM names, as `az ... show` prints them; flattened where ARM nests one value,
 * as az's flags do); `nodes` holds what the lab runs (real daemons or the built-in speaker),
 * each on a virtual machine's address or, for daemons, attached on premises; `routers`
 * holds the built-in on-premises routers on ExpressRoute circuit links and VPN sites.
 *
 * Every object is strict (an unknown key is an error: a typo must not silently become a
 * default), every field has a description, every closed set is an enum. This schema only
 * checks what one value can say on its own; checks that need the whole lab (references,
 * address plans, Azure's own rules) are in build.ts and src/azure/validate.ts.
 */
import { z } from 'zod';
import {
  DEFAULT_ROUTE_SERVER_SETTINGS,
  DEFAULT_SUBSCRIPTION,
  EXPRESSROUTE_CIRCUIT_BANDWIDTHS,
  EXPRESSROUTE_GATEWAY_SKUS,
  EXPRESSROUTE_PEERING_RESERVED_ASNS,
  formatAsnRanges,
  MSEE_ASN,
  ROUTE_SERVER_ASN,
  ROUTE_SERVER_RESERVED_PEER_ASNS,
  VPN_GATEWAY_SKUS,
  VPN_RESERVED_ASNS,
} from '../../azure/index.js';
import { formatIpv4, maskV4, parseIpv4 } from '../../bgp/wire/index.js';
import { DAEMON_KINDS } from '../daemons/types.js';
import { DEFAULT_LAB_SETTINGS, DEFAULT_TIMING_SETTINGS, GATEWAY_PROFILES } from '../spec.js';
import { parsePrefixListLine } from '../routerPolicy.js';

/** Attaches the description editors show on hover; `markdown` adds a richer variant. */
function describe<T extends z.ZodType>(schema: T, description: string, markdown?: string): T {
  return schema.meta(markdown ? { description, markdownDescription: markdown } : { description });
}

// ---------------------------------------------------------------------------
// Names. Azure's naming rules (Microsoft Learn, "Naming rules and restrictions for Azure
// resources"), so that a lab never holds a name Azure would refuse.

const NETWORK_NAME_RULE =
  "letters, digits, '_', '.' and '-', starting with a letter or digit and ending with a letter, digit or '_'";

/** Microsoft.Network child and top-level resource names. */
function networkName(what: string, max: number, min = 1) {
  const pattern = new RegExp(`^(?=.{${min},${max}}$)[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$`);
  return z.string().regex(pattern, {
    error: (i) => `${quote(i.input)} is not a valid ${what} name: ${min}-${max} ${NETWORK_NAME_RULE}`,
  });
}

const resourceGroupName = z.string().regex(/^(?=.{1,90}$)[-\w.()]*[-\w()]$/, {
  error: (i) =>
    `${quote(i.input)} is not a valid resource group name: 1-90 letters, digits, '_', '.', '-', '(' and ')', not ending with '.'`,
});

/** Linux VM names: 1-64 characters; Azure refuses special characters and a trailing '.' or '-'. */
const virtualMachineName = z.string().regex(/^(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/, {
  error: (i) => `${quote(i.input)} is not a valid virtual machine name: 1-64 ${NETWORK_NAME_RULE}`,
});

/** Node names become directory, log and network-namespace names: keep them plain. */
const nodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, {
  error: (i) =>
    `${quote(i.input)} is not a valid node name: 1-63 letters, digits, '_' and '-', starting with a letter or digit`,
});

const labName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: (i) =>
    `${quote(i.input)} is not a valid lab name: 1-63 lower-case letters, digits and '-', not starting or ending with '-'`,
});

const location = z.string().regex(/^[a-z][a-z0-9]{1,39}$/, {
  error: (i) =>
    `${quote(i.input)} is not an Azure region name: write it as 'az account list-locations' prints it, e.g. uksouth, westeurope, eastus2`,
});

// ---------------------------------------------------------------------------
// Addresses and numbers.

const ipv4Address = z.ipv4({ error: (i) => `${quote(i.input)} is not an IPv4 address (a.b.c.d)` });

/**
 * An IPv4 prefix in CIDR notation with no host bits set. Azure refuses 10.10.0.1/24 with
 * InvalidCIDRNotation and names the prefix it meant; so do we.
 */
const ipv4Prefix = z
  .string()
  .regex(/^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/, {
    error: (i) => `${quote(i.input)} is not an IPv4 prefix (a.b.c.d/len)`,
    abort: true,
  })
  .superRefine((text, ctx) => {
    const [addrText, lenText] = text.split('/') as [string, string];
    const addr = parseIpv4(addrText);
    const len = Number(lenText);
    if (addr === undefined || len > 32) {
      ctx.addIssue({
        code: 'custom',
        input: text,
        message: `${quote(text)} is not an IPv4 prefix (a.b.c.d/len, len 0-32)`,
      });
      return;
    }
    const network = maskV4(addr, len);
    if (network !== addr) {
      ctx.addIssue({
        code: 'custom',
        input: text,
        message: `${text} is not a valid CIDR notation: for prefix length /${len} the address prefix should be ${formatIpv4(network)}/${len} (InvalidCIDRNotation)`,
      });
    }
  });

/** Any 4-octet ASN; which ones a Route Server accepts is Azure's rule (R-ARS-3), checked later with its message. */
const asn = z.int().min(1).max(4294967295);

/** RFC 4271 §4.2: a hold time is 0 (no keepalives) or at least 3 seconds. */
const holdTime = z.union([z.literal(0), z.int().min(3).max(65535)], {
  error: 'a hold time is 0 (keepalives off) or 3-65535 seconds (RFC 4271 §4.2)',
});

const COMMUNITY_NAMES = ['no-export', 'no-advertise', 'no-export-subconfed'] as const;

const community = z
  .string()
  .refine((s) => (COMMUNITY_NAMES as readonly string[]).includes(s) || isPairOf(s, 2, 0xffff), {
    error: (i) =>
      `${quote(i.input)} is not a community: write ASN:VALUE (each 0-65535, e.g. 65002:1) or one of ${COMMUNITY_NAMES.join(', ')}`,
  });

const largeCommunity = z.string().refine((s) => isPairOf(s, 3, 0xffffffff), {
  error: (i) =>
    `${quote(i.input)} is not a large community: write GLOBAL:DATA1:DATA2, each 0-4294967295 (e.g. 65002:0:1)`,
});

function isPairOf(text: string, parts: number, max: number): boolean {
  const fields = text.split(':');
  return fields.length === parts && fields.every((f) => /^\d{1,10}$/.test(f) && Number(f) <= max);
}

// ---------------------------------------------------------------------------
// Settings

const routeServerSettings = describe(
  z
    .strictObject({
      maxRoutesPerPeer: describe(
        z.int().min(1).default(DEFAULT_ROUTE_SERVER_SETTINGS.maxRoutesPerPeer),
        'Routes one peer may advertise (held routes plus those in the incoming UPDATE); past it the session is torn down with Cease / Maximum Number of Prefixes Reached (R-ARS-5). Azure raised it from 1,000 to 4,000 in late 2025: set 1000 to reproduce older behaviour.',
      ),
      maxRoutesTotal: describe(
        z.int().min(1).default(DEFAULT_ROUTE_SERVER_SETTINGS.maxRoutesTotal),
        'Total routes a route-server instance holds (R-ARS-5).',
      ),
      maxEcmpPaths: describe(
        z.int().min(1).max(64).default(DEFAULT_ROUTE_SERVER_SETTINGS.maxEcmpPaths),
        'Equal-cost next hops programmed per prefix (R-ARS-7). Azure documents no cap; 4 is observed.',
      ),
      holdTime: describe(
        holdTime.default(DEFAULT_ROUTE_SERVER_SETTINGS.holdTime),
        'Hold time the route server offers, in seconds (R-ARS-4); the lower of both sides is used.',
      ),
      keepaliveTime: describe(
        z.int().min(0).max(21845).default(DEFAULT_ROUTE_SERVER_SETTINGS.keepaliveTime),
        'Keepalive interval in seconds (R-ARS-4).',
      ),
      minHoldTime: describe(
        z.int().min(0).max(65535).default(DEFAULT_ROUTE_SERVER_SETTINGS.minHoldTime),
        "Lowest hold time, in seconds, the route server accepts from an NVA (R-ARS-22). 0 (default): any; the lower of both sides is used, as RFC 4271 says and Microsoft's NVA guidance allows ('NVAs can negotiate lower timers'), and the lab's events say so. Above 0: an NVA asking for less is refused with OPEN Message Error / Unacceptable Hold Time (RFC 4271 §6.2); set 180 to try a device against a peer that does not negotiate down.",
      ),
      maxPeerings: describe(
        z.int().min(1).max(64).default(DEFAULT_ROUTE_SERVER_SETTINGS.maxPeerings),
        'Peerings one Route Server accepts (R-ARS-3).',
      ),
    })
    .superRefine((s, ctx) => {
      // RFC 4271 §4.4: keepalives must come well inside the hold time or the session drops.
      if (s.holdTime > 0 && s.keepaliveTime >= s.holdTime) {
        ctx.addIssue({
          code: 'custom',
          path: ['keepaliveTime'],
          input: s.keepaliveTime,
          message: `keepaliveTime (${s.keepaliveTime}) must be less than holdTime (${s.holdTime}); a third of it is usual (RFC 4271 §4.4)`,
        });
      }
    })
    .prefault({}),
  "Route Server limits and timers. Defaults are Azure's as documented or observed.",
);

const settings = describe(
  z
    .strictObject({
      bgpPort: describe(
        z
          .union([z.literal('auto'), z.int().min(1).max(65535)], { error: "expected 'auto' or a TCP port 1-65535" })
          .default(DEFAULT_LAB_SETTINGS.bgpPort),
        "TCP port the route-server instances listen on and connect to. 'auto': 179 when ARSLab may bind privileged ports (root), else 1179.",
      ),
      addressing: describe(
        z.enum(['loopback', 'netns']).default(DEFAULT_LAB_SETTINGS.addressing),
        "How emulated addresses exist on this machine: 'loopback' maps each to a 127.x address (no privileges needed); 'netns' gives each node a network namespace with its real address (root).",
      ),
      loopbackAddresses: describe(
        z
          .record(
            ipv4Address,
            describe(
              ipv4Address.refine((a) => a.startsWith('127.'), {
                error: (i) => `${quote(i.input)} is not a loopback address (127.0.0.0/8)`,
              }),
              'The 127.x address standing in for it.',
            ),
          )
          .default({ ...DEFAULT_LAB_SETTINGS.loopbackAddresses }),
        'Loopback mode: explicit emulated address → 127.x address mappings, for addresses a daemon configuration hard-codes. Others are derived automatically.',
      ),
      connectRetryTime: describe(
        z.int().min(1).max(65535).default(DEFAULT_LAB_SETTINGS.connectRetryTime),
        "Seconds between the route server's connection attempts to a peer (both sides try, R-ARS-3).",
      ),
      capture: describe(
        z.boolean().default(DEFAULT_LAB_SETTINGS.capture),
        "Record every BGP session to pcap files in the lab's state directory.",
      ),
      routeServer: routeServerSettings,
      timing: describe(
        z
          .strictObject({
            profile: describe(
              z.enum(['ideal', 'azure']).default(DEFAULT_TIMING_SETTINGS.profile),
              "When a best-path change reaches the NICs' effective routes (and probe, next hop): 'ideal' at once; 'azure' after 0.9-5.4 s, and at most once per 30 s per prefix, as measured on Azure (R-TIME-1, R-TIME-2). Listings of the route server and gateways change at once in both.",
            ),
            seed: describe(
              z.int().min(0).max(4294967295).default(DEFAULT_TIMING_SETTINGS.seed),
              "Seed of the 'azure' profile's delays: the same seed gives the same delays on every run.",
            ),
          })
          .prefault({}),
        "Azure's programming timing (ADR 0018).",
      ),
    })
    .prefault({}),
  'Lab settings; every key is optional.',
);

// ---------------------------------------------------------------------------
// Azure resources

const REFERENCE_FORMS = 'NAME (same resource group first, then the whole lab), RESOURCE-GROUP/NAME, or an ARM id';

const subnet = describe(
  z.strictObject({
    addressPrefix: describe(
      ipv4Prefix,
      "The subnet's range, inside one of the VNet's addressPrefixes (ARM: properties.addressPrefix). Azure reserves its first four and last addresses.",
    ),
    routeTable: describe(
      z.string().min(1),
      `Route table associated with the subnet (its user routes, R-NIC-3): ${REFERENCE_FORMS}. Not allowed on RouteServerSubnet.`,
    ).optional(),
    networkSecurityGroup: describe(
      z.string().min(1),
      `Network security group associated with the subnet: ${REFERENCE_FORMS}. ARSLab does not filter traffic; it only checks where an NSG is not allowed (RouteServerSubnet).`,
    ).optional(),
  }),
  'A subnet (ARM: Microsoft.Network/virtualNetworks/subnets).',
);

const virtualNetworkPeering = describe(
  z.strictObject({
    remoteVirtualNetwork: describe(
      z.string().min(1),
      `The VNet at the other end: ${REFERENCE_FORMS}. Traffic and routes flow once that VNet has a peering back (state Connected).`,
    ),
    allowVirtualNetworkAccess: describe(
      z.boolean().default(true),
      'Whether the two VNets reach each other (Azure default true).',
    ),
    allowForwardedTraffic: describe(
      z.boolean().default(false),
      'Accept traffic forwarded by an NVA in the remote VNet.',
    ),
    allowGatewayTransit: describe(
      z.boolean().default(false),
      "Hub side: let the peered VNet use this VNet's gateways and Route Server. Both this and the spoke's useRemoteGateways are needed for the Route Server to program the spoke (R-ARS-8).",
    ),
    useRemoteGateways: describe(
      z.boolean().default(false),
      "Spoke side: use the remote VNet's gateways and Route Server (R-ARS-8). The remote side must set allowGatewayTransit; this VNet may not have its own Route Server.",
    ),
  }),
  'One direction of a VNet peering (ARM: Microsoft.Network/virtualNetworks/virtualNetworkPeerings). Write one on each VNet.',
);

const virtualNetwork = describe(
  z.strictObject({
    location: describe(location, "Azure region; defaults to the resource group's.").optional(),
    addressPrefixes: describe(
      z.array(ipv4Prefix).min(1),
      "The VNet's address space (ARM: properties.addressSpace.addressPrefixes). IPv4 only: Route Server is IPv4.",
    ),
    subnets: describe(
      z.record(networkName('subnet', 80), subnet).default({}),
      'Subnets by name. The Route Server lives in one named exactly RouteServerSubnet (R-ARS-2).',
    ),
    virtualNetworkPeerings: describe(
      z.record(networkName('virtual network peering', 80), virtualNetworkPeering).default({}),
      'Peerings from this VNet, by name.',
    ),
  }),
  'A virtual network (ARM: Microsoft.Network/virtualNetworks).',
);

const NEXT_HOP_TYPES = ['VirtualAppliance', 'VirtualNetworkGateway', 'VnetLocal', 'Internet', 'None'] as const;

const route = describe(
  z.strictObject({
    addressPrefix: describe(
      ipv4Prefix,
      'Destination prefix. Two routes of one table may not share it (RouteConflict).',
    ),
    nextHopType: describe(
      z.enum(NEXT_HOP_TYPES),
      'Where matching traffic goes (R-NIC-3).',
      'Where matching traffic goes (R-NIC-3): `VirtualAppliance` (an NVA, give `nextHopIpAddress`), `VirtualNetworkGateway`, `VnetLocal`, `Internet` or `None` (drop).',
    ),
    nextHopIpAddress: describe(
      ipv4Address,
      "The appliance's address; required with VirtualAppliance and allowed only with it.",
    ).optional(),
  }),
  'A user route (ARM: Microsoft.Network/routeTables/routes).',
);

const routeTable = describe(
  z.strictObject({
    location: describe(
      location,
      "Azure region; defaults to the resource group's. Must be the region of the VNets whose subnets use it.",
    ).optional(),
    disableBgpRoutePropagation: describe(
      z.boolean().default(false),
      'When true, subnets using this table get no gateway or Route Server routes (R-ARS-8, R-NIC-2). The portal calls it "Propagate gateway routes: No".',
    ),
    routes: describe(z.record(networkName('route', 80), route).default({}), 'User routes by name.'),
  }),
  'A route table (ARM: Microsoft.Network/routeTables).',
);

const networkSecurityGroup = describe(
  z.strictObject({
    location: describe(location, "Azure region; defaults to the resource group's.").optional(),
  }),
  'A network security group (ARM: Microsoft.Network/networkSecurityGroups), declared so subnets can reference it. Rules are not modelled.',
);

const bgpConnection = describe(
  z.strictObject({
    peerIp: describe(
      ipv4Address,
      "The NVA's address (a VM's private IP where a node runs). Only configured peer IPs may connect (R-ARS-3).",
    ),
    peerAsn: describe(
      asn,
      "The NVA's ASN: 16-bit and not reserved (R-ARS-3).",
      `The NVA's ASN (R-ARS-3): 16-bit (1-65534) and not one Azure reserves: ${formatAsnRanges(ROUTE_SERVER_RESERVED_PEER_ASNS)}.`,
    ),
  }),
  'A Route Server peering (ARM: Microsoft.Network/virtualHubs/bgpConnections; az network routeserver peering).',
);

const routeServer = describe(
  z.strictObject({
    location: describe(
      location,
      "Azure region; defaults to the resource group's. Must be its VNet's region.",
    ).optional(),
    subnet: describe(
      z.string().min(1),
      "The RouteServerSubnet it is deployed in (R-ARS-2): VNET/SUBNET (same resource group first, then the whole lab), RESOURCE-GROUP/VNET/SUBNET, or an ARM id. Its virtualRouterIps are that subnet's 4th and 5th addresses (R-ARS-1).",
    ),
    allowBranchToBranchTraffic: describe(
      z.boolean().default(false),
      "Exchange routes with the VNet's ExpressRoute and VPN gateways (R-ARS-11).",
    ),
    hubRoutingPreference: describe(
      z.enum(['ExpressRoute', 'VpnGateway', 'ASPath']).default('ExpressRoute'),
      'Which routes win before AS-path length when gateways are involved (R-ARS-7).',
      'Which routes win before AS-path length when gateways are involved (R-ARS-7): `ExpressRoute` (default: ExpressRoute-learned beat VPN and NVA routes), `VpnGateway` (VPN and NVA routes beat ExpressRoute), `ASPath` (no preference class).',
    ),
    peerings: describe(
      z.record(networkName('peering', 80), bgpConnection).default({}),
      "Peerings by name; commands take this name, not the VM's (R-ARS-3). At most 8.",
    ),
  }),
  'An Azure Route Server (ARM: Microsoft.Network/virtualHubs, kind RouteServer). Its ASN is 65515 (R-ARS-1).',
);

const virtualMachine = describe(
  z.strictObject({
    location: describe(
      location,
      "Azure region; defaults to the resource group's. Must be its VNet's region.",
    ).optional(),
    subnet: describe(
      z.string().min(1),
      'Subnet of its network interface: VNET/SUBNET (same resource group first, then the whole lab), RESOURCE-GROUP/VNET/SUBNET, or an ARM id (az vm create --subnet).',
    ),
    privateIPAddress: describe(
      ipv4Address,
      "Static private IP of its NIC (az vm create --private-ip-address). When omitted, Azure's dynamic allocation: the lowest free address of the subnet.",
    ).optional(),
    enableIPForwarding: describe(
      z.boolean().default(false),
      'IP forwarding on its NIC (az network nic update --ip-forwarding); NVAs need it.',
    ),
    nicName: describe(
      networkName('network interface', 80),
      "Its network interface's name; default '<vm>VMNic', as az vm create names it.",
    ).optional(),
    ipConfigurationName: describe(
      networkName('IP configuration', 80),
      "The name of its NIC's IP configuration; default 'ipconfig<vm>', as az vm create names it (ARM templates and the portal often use ipconfig1).",
    ).optional(),
  }),
  'A virtual machine with one network interface (ARM: Microsoft.Compute/virtualMachines and Microsoft.Network/networkInterfaces), as az vm create makes it.',
);

// ---------------------------------------------------------------------------
// Hybrid connectivity: gateways, circuits, local network gateways, connections.

const virtualNetworkGateway = describe(
  z.strictObject({
    location: describe(
      location,
      "Azure region; defaults to the resource group's. Must be its VNet's region.",
    ).optional(),
    gatewayType: describe(
      z.enum(['ExpressRoute', 'Vpn']),
      'ExpressRoute or Vpn (az network vnet-gateway create --gateway-type). A VNet has at most one of each.',
    ),
    sku: describe(
      z.enum([...EXPRESSROUTE_GATEWAY_SKUS, ...VPN_GATEWAY_SKUS]),
      `Gateway SKU (ARM: sku.name; az --sku). ExpressRoute: ${EXPRESSROUTE_GATEWAY_SKUS.join(', ')}; default Standard. Vpn: ${VPN_GATEWAY_SKUS.join(', ')}; default VpnGw1 (Basic has no BGP and no active-active).`,
    ).optional(),
    virtualNetwork: describe(
      z.string().min(1),
      `The VNet it is deployed in (az --vnet): ${REFERENCE_FORMS}. The gateway lives in its subnet named exactly GatewaySubnet, /27 or larger (ARM: ipConfigurations[].subnet).`,
    ),
    activeActive: describe(
      z.boolean(),
      'Vpn only: both instances carry tunnels and BGP sessions (R-VPN-1); default false (active-standby). Required with a Route Server in the VNet (R-ARS-11). Not allowed on ExpressRoute gateways, whose two instances are always both active.',
    ).optional(),
    enableBgp: describe(
      z.boolean(),
      'Vpn only: BGP over the tunnels (default false, as in Azure). ExpressRoute gateways always use BGP.',
    ).optional(),
    asn: describe(
      asn.default(ROUTE_SERVER_ASN),
      "The gateway's ASN (ARM: bgpSettings.asn; az --asn). ExpressRoute: always 65515 (R-ER-3). Vpn: 65515, or without a Route Server in the VNet a non-reserved one such as 64512-65514 or 65521-65534 (R-VPN-1).",
    ),
    instanceAddresses: describe(
      z.array(ipv4Address).length(2),
      'Private addresses of the two instances in GatewaySubnet (BGP identifiers and next hops). Default: ExpressRoute the 12th and 13th addresses (.12, .13, as in seed 001); Vpn the last two usable ones (.30 for instance 0 and .29 for instance 1 of a /27).',
    ).optional(),
    publicIpAddresses: describe(
      z.array(ipv4Address).min(1).max(2),
      "Vpn only: the public IPs the tunnels end on, one per active instance (ARM: ipConfigurations[].publicIPAddress). An active-standby gateway's is its NICs' next hop (R-VPN-1).",
    ).optional(),
    customBgpIpAddresses: describe(
      z.array(ipv4Address).min(1).max(2),
      'Vpn only: APIPA BGP address of each instance, within 169.254.21.0-169.254.22.255 (ARM: bgpSettings.bgpPeeringAddresses[].customBgpIpAddresses). Without them the instances peer from their private addresses.',
    ).optional(),
  }),
  "A virtual network gateway (ARM: Microsoft.Network/virtualNetworkGateways; az network vnet-gateway): an ExpressRoute or VPN gateway in a VNet's GatewaySubnet.",
);

const localNetworkGateway = describe(
  z.strictObject({
    location: describe(location, "Azure region; defaults to the resource group's.").optional(),
    gatewayIpAddress: describe(ipv4Address, 'Public IP of the on-premises (or other cloud) VPN device.'),
    addressPrefixes: describe(
      z.array(ipv4Prefix).default([]),
      'Address space on premises (ARM: localNetworkAddressSpace.addressPrefixes; az --local-address-prefixes). Over a connection without BGP these are the static routes of the VPN gateway: programmed into NICs toward it and, with branch-to-branch on, advertised to the Route Server and ExpressRoute (R-VPN-4). May be empty when bgpSettings is set: the prefixes then come over BGP.',
    ),
    bgpSettings: describe(
      z.strictObject({
        asn: describe(
          asn,
          `The device's ASN: not one Azure reserves (${formatAsnRanges(VPN_RESERVED_ASNS)}), and not the VPN gateway's.`,
        ),
        bgpPeeringAddress: describe(
          ipv4Address,
          "The device's BGP address over the tunnel; an APIPA address must be within 169.254.21.0-169.254.22.255. A router attached to this local network gateway peers from it.",
        ),
      }),
      'BGP over the tunnel (az --asn --bgp-peering-address).',
    ).optional(),
  }),
  'A local network gateway (ARM: Microsoft.Network/localNetworkGateways): the on-premises side of a site-to-site VPN.',
);

const connection = describe(
  z.strictObject({
    location: describe(
      location,
      "Azure region; defaults to the resource group's. Must be its gateway's region.",
    ).optional(),
    connectionType: describe(
      z.enum(['ExpressRoute', 'IPsec']),
      'ExpressRoute (a gateway to a circuit) or IPsec (a site-to-site VPN to a local network gateway).',
    ),
    virtualNetworkGateway1: describe(
      z.string().min(1),
      `The VNet's gateway: ${REFERENCE_FORMS}. ExpressRoute connections need an ExpressRoute gateway, IPsec ones a Vpn gateway.`,
    ),
    peer: describe(
      z.string().min(1),
      `ExpressRoute: the circuit (ARM: peer.id; az --express-route-circuit2): ${REFERENCE_FORMS}. It needs AzurePrivatePeering.`,
    ).optional(),
    localNetworkGateway2: describe(
      z.string().min(1),
      `IPsec: the local network gateway: ${REFERENCE_FORMS}.`,
    ).optional(),
    routingWeight: describe(
      z.int().default(0),
      'Compared before AS-path length when several circuits offer a prefix (R-ER-3), 0-32000; MSEE-learned routes show weight 32769 plus it.',
    ),
    enableBgp: describe(
      z.boolean(),
      "IPsec: BGP over this tunnel (default false); the gateway needs enableBgp and the local network gateway bgpSettings. False: the local network gateway's addressPrefixes are static routes of the VPN gateway (R-VPN-4). ExpressRoute connections always use BGP.",
    ).optional(),
    gatewayCustomBgpIpAddresses: describe(
      z.array(ipv4Address).min(1).max(2),
      "IPsec: the BGP address each gateway instance uses on this connection, in instance order (ARM: gatewayCustomBgpIpAddresses, one per instance's IP configuration): an APIPA address in 169.254.21.0-169.254.22.255. Default: the instance's own BGP address.",
    ).optional(),
    gatewayInstances: describe(
      z.array(z.int().min(0).max(1)).min(1).max(2),
      "IPsec, not in ARM: the gateway instances whose tunnels come up on this connection (default all). Another cloud's VPN connection ends its two tunnels on one customer gateway, one instance's public IP: bind each connection to that instance.",
    ).optional(),
    mseePeerAddresses: describe(
      z.array(ipv4Address).length(2),
      "ExpressRoute: the addresses in GatewaySubnet at which the gateway instances see the circuit's primary and secondary MSEE. Default: .4 and .5 of GatewaySubnet for a gateway's first ExpressRoute connection, .6 and .7 for the next, … (seed 001), skipping addresses in use.",
    ).optional(),
  }),
  'A connection (ARM: Microsoft.Network/connections; az network vpn-connection create): a gateway to an ExpressRoute circuit or to a local network gateway.',
);

const privatePeering = describe(
  z.strictObject({
    peerASN: describe(
      asn,
      `The customer's (or provider's) ASN on both links: 16- or 32-bit, not ${MSEE_ASN} (Microsoft's) and not ${formatAsnRanges(EXPRESSROUTE_PEERING_RESERVED_ASNS.filter(([lo]) => lo !== MSEE_ASN))} (reserved by Azure). A router attached to the circuit must have it.`,
    ),
    primaryPeerAddressPrefix: describe(
      ipv4Prefix,
      "The primary link's /30: the customer edge has its first host, the MSEE the second (R-ER-1). Must not overlap a VNet.",
    ),
    secondaryPeerAddressPrefix: describe(ipv4Prefix, "The secondary link's /30, different from the primary's."),
    vlanId: describe(z.int().min(1).max(4094), 'VLAN of the peering on both links.'),
  }),
  'Azure private peering of a circuit (ARM: expressRouteCircuits/peerings, peeringType AzurePrivatePeering; az network express-route peering create).',
);

const globalReachConnection = describe(
  z.strictObject({
    peerCircuit: describe(
      z.string().min(1),
      `The other circuit (az network express-route peering connection create --peer-circuit): ${REFERENCE_FORMS}. It must be in the lab and at a different peering location (R-ER-6).`,
    ),
    addressPrefix: describe(ipv4Prefix, "A /29 for the link between the two circuits' MSEEs (az --address-prefix)."),
  }),
  "Global Reach between this circuit's private peering and another circuit's (ARM: expressRouteCircuits/peerings/connections). Declare it on one of the two circuits.",
);

const expressRouteCircuit = describe(
  z.strictObject({
    location: describe(location, "Azure region of the circuit resource; defaults to the resource group's.").optional(),
    serviceProviderName: describe(
      z.string().min(1),
      'Connectivity provider (ARM: serviceProviderProperties.serviceProviderName; az --provider), e.g. Equinix.',
    ),
    peeringLocation: describe(
      z.string().min(1),
      'Peering location (ARM: serviceProviderProperties.peeringLocation; az --peering-location), e.g. Amsterdam, Tokyo2. Global Reach links circuits at different locations only (R-ER-6).',
    ),
    bandwidthInMbps: describe(
      z.literal(EXPRESSROUTE_CIRCUIT_BANDWIDTHS),
      'Bandwidth (ARM: serviceProviderProperties.bandwidthInMbps; az --bandwidth).',
    ),
    skuTier: describe(
      z.enum(['Standard', 'Premium', 'Local']).default('Standard'),
      'ARM: sku.tier (az --sku-tier). Premium raises the on-premises prefix limit from 4,000 to 10,000 (R-ER-2).',
    ),
    peerings: describe(
      z.strictObject({ AzurePrivatePeering: privatePeering.optional() }).default({}),
      "The circuit's peerings by type; ARSLab models AzurePrivatePeering, which connections and routers need.",
    ),
    mseeAddresses: describe(
      z.array(ipv4Address).length(2),
      "Where NICs send this circuit's routes (R-ER-4): the primary and secondary MSEE as the data plane sees them, outside every VNet (seed 001: 10.2.146.35). Default: derived from the circuit's name, 10.x.y.z and the next address, outside every VNet of the lab.",
    ).optional(),
    globalReachConnections: describe(
      z.record(networkName('Global Reach connection', 80), globalReachConnection).default({}),
      'Global Reach connections of the private peering, by name (R-ER-6).',
    ),
  }),
  'An ExpressRoute circuit (ARM: Microsoft.Network/expressRouteCircuits; az network express-route). Its MSEEs have ASN 12076 (R-ER-1).',
);

const resourceGroup = describe(
  z.strictObject({
    location: describe(
      location,
      "Azure region of the group and the default of its resources; defaults to the lab's location.",
    ).optional(),
    virtualNetworks: describe(
      z.record(networkName('virtual network', 64, 2), virtualNetwork).default({}),
      'Virtual networks by name.',
    ),
    routeTables: describe(z.record(networkName('route table', 80), routeTable).default({}), 'Route tables by name.'),
    networkSecurityGroups: describe(
      z.record(networkName('network security group', 80), networkSecurityGroup).default({}),
      'Network security groups by name.',
    ),
    routeServers: describe(
      z.record(networkName('route server', 80), routeServer).default({}),
      'Route Servers by name.',
    ),
    virtualMachines: describe(
      z.record(virtualMachineName, virtualMachine).default({}),
      'Virtual machines by name; each gets one NIC.',
    ),
    virtualNetworkGateways: describe(
      z.record(networkName('virtual network gateway', 80), virtualNetworkGateway).default({}),
      'ExpressRoute and VPN gateways by name.',
    ),
    localNetworkGateways: describe(
      z.record(networkName('local network gateway', 80), localNetworkGateway).default({}),
      'Local network gateways (VPN sites) by name.',
    ),
    connections: describe(
      z.record(networkName('connection', 80), connection).default({}),
      'Gateway connections (ExpressRoute and IPsec) by name.',
    ),
    expressRouteCircuits: describe(
      z.record(networkName('ExpressRoute circuit', 80), expressRouteCircuit).default({}),
      'ExpressRoute circuits by name.',
    ),
  }),
  'A resource group and the resources in it.',
);

/** A resource group's keys in the schema's order (what export and import write, in this order). */
export const RESOURCE_GROUP_KEYS: readonly string[] = Object.keys(resourceGroup.shape);

// ---------------------------------------------------------------------------
// Nodes

/** Node kinds: the daemon drivers of src/lab/daemons, then ARSLab's built-in speaker, then the HTTP server. */
export const NODE_KINDS = [...DAEMON_KINDS, 'speaker', 'http'] as const;

const vmReference = describe(
  z.string().min(1),
  'The virtual machine the node runs as: NAME (when unique in the lab), RESOURCE-GROUP/NAME, or an ARM id. The node uses its primary private IP.',
);

const ON_PREMISES_REFERENCE = 'NAME (when unique in the lab), RESOURCE-GROUP/NAME, or an ARM id';

/** Where an on-premises router (built-in or daemon) connects to Azure. */
const attachment = describe(
  z
    .strictObject({
      circuit: describe(
        z.string().min(1),
        `An ExpressRoute circuit (${ON_PREMISES_REFERENCE}), with link. The router is that link's customer edge: the first host of its /30, the MSEE the second (R-ER-1).`,
      ).optional(),
      link: describe(z.enum(['primary', 'secondary']), 'With circuit: which link of its private peering.').optional(),
      localNetworkGateway: describe(
        z.string().min(1),
        `A VPN site (${ON_PREMISES_REFERENCE}). The router is its device: it peers from the local network gateway's bgpSettings.bgpPeeringAddress with the VPN gateways of its IPsec connections that enable BGP.`,
      ).optional(),
    })
    .superRefine((a, ctx) => {
      const hasCircuit = a.circuit !== undefined;
      const hasSite = a.localNetworkGateway !== undefined;
      if (!hasCircuit && !hasSite) {
        ctx.addIssue({
          code: 'custom',
          input: a,
          message:
            'an attachment is a circuit link, { circuit: NAME, link: primary | secondary }, or a VPN site, { localNetworkGateway: NAME }',
        });
      }
      if (hasCircuit && hasSite) {
        ctx.addIssue({
          code: 'custom',
          path: ['localNetworkGateway'],
          input: a.localNetworkGateway,
          message: 'an attachment is a circuit link or a VPN site, not both: write one attachment for each',
        });
      }
      if (hasCircuit && a.link === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['link'],
          input: undefined,
          message: 'primary or secondary, the link of the circuit to attach to',
        });
      if (!hasCircuit && hasSite && a.link !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['link'],
          input: a.link,
          message: 'link applies to circuit attachments only',
        });
    }),
  'An attachment: an ExpressRoute circuit link ({ circuit, link }) or a VPN site ({ localNetworkGateway }).',
);

const daemonNode = describe(
  z
    .strictObject({
      kind: describe(
        z.enum(DAEMON_KINDS),
        'A real BGP daemon run from your own configuration.',
        "A real BGP daemon run from your own configuration: `bird` (BIRD 2), `frr` (FRR bgpd), `gobgp` (GoBGP), `exabgp` (ExaBGP), or `agent`: ARSLab's own next-hop fast-failover agent (`arslab agent`, docs/agent.md) with its agent config.",
      ),
      vm: describe(
        z.string().min(1),
        'The virtual machine the node runs as: NAME (when unique in the lab), RESOURCE-GROUP/NAME, or an ARM id. The node uses its primary private IP. Required unless attach is given.',
      ).optional(),
      attach: describe(
        z.array(attachment).min(1),
        "Instead of vm: run the daemon on premises, as the customer edge of circuit links or the device of VPN sites. It runs at the first attachment's address.",
      ).optional(),
      config: describe(
        z.string().min(1),
        "The daemon's configuration file as on the VM; relative paths resolve against the lab file's folder.",
      ),
      loopbackConfig: describe(
        z.string().min(1),
        "Variant used in loopback addressing mode (neighbour addresses mapped to 127.x); defaults to config. Relative to the lab file's folder.",
      ).optional(),
      asn: describe(
        asn,
        "Its AS as its configuration says: needed where a built-in router peers with it over a customer link (links), which the loader cannot read from the daemon's own file.",
      ).optional(),
      command: describe(
        z.string().min(1),
        "kind exec: the daemon's command line, in the foreground (e.g. `bgpd -d -f {config}` for OpenBGPD). ARSLab fills in {config} (the configuration the mode runs), {address} and {port} (where it must listen), {workdir} (its private folder) and {name}.",
      ).optional(),
      routesCommand: describe(
        z.string().min(1),
        'kind exec: a command whose output lists its routes, for `arslab node routes` (e.g. `bgpctl -s {workdir}/bgpd.sock -j show rib`): JSON as OpenBGPD prints it, or text with one route a line.',
      ).optional(),
      env: describe(
        z.record(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
            error: (i) => `${quote(i.input)} is not an environment variable name`,
          }),
          // Scalars as YAML types them (`exabgp_api_ack: false`); passed as their text.
          z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }),
        ),
        'Extra environment for the daemon, e.g. exabgp_api_ack: false. Numbers and booleans are passed as their text.',
      ).optional(),
    })
    .superRefine((n, ctx) => {
      if (n.kind === 'exec' && n.command === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['command'],
          input: undefined,
          message: 'kind exec runs the command line you give: add command (e.g. `bgpd -d -f {config}`)',
        });
      }
      for (const key of ['command', 'routesCommand'] as const) {
        if (n.kind !== 'exec' && n[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            input: n[key],
            message: `${key} is for kind exec: ARSLab runs ${n.kind} itself`,
          });
        }
      }
      if (n.vm === undefined && n.attach === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['vm'],
          input: undefined,
          message: 'a daemon runs on an Azure virtual machine (vm) or on premises (attach: circuit links or VPN sites)',
        });
      }
      if (n.vm !== undefined && n.attach !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['attach'],
          input: n.attach,
          message:
            'vm and attach are mutually exclusive: a daemon runs either on an Azure virtual machine (vm) or on premises, attached to circuit links or VPN sites (attach)',
        });
      }
    }),
  'A node running a real BGP daemon, on a virtual machine or attached on premises.',
);

/** The fields of a route a built-in speaker or router originates. */
const routeFields = {
  prefix: describe(ipv4Prefix, 'The prefix announced.'),
  asPath: describe(
    z.array(z.int().min(0).max(4294967295)),
    'ASNs after its own, prepends included (e.g. [65002, 65002]). 65515 or 0 here makes a route server drop it (R-ARS-6).',
  ).optional(),
  origin: describe(z.enum(['igp', 'egp', 'incomplete']).default('igp'), 'ORIGIN attribute.'),
  med: describe(
    z.int().min(0).max(4294967295),
    'MULTI_EXIT_DISC; Route Server ignores it when choosing (R-ARS-7).',
  ).optional(),
  communities: describe(
    z.array(community),
    "Communities: 'ASN:VALUE' or no-export, no-advertise, no-export-subconfed (no-advertise: programmed, never re-advertised, R-ARS-9).",
  ).optional(),
  largeCommunities: describe(z.array(largeCommunity), "Large communities, 'GLOBAL:DATA1:DATA2'.").optional(),
};

const speakerRoute = describe(
  z.strictObject({
    prefix: routeFields.prefix,
    nextHop: describe(
      ipv4Address,
      "BGP next hop; defaults to the node's own address. Route Server keeps it as sent (R-ARS-6).",
    ).optional(),
    asPath: routeFields.asPath,
    origin: routeFields.origin,
    med: routeFields.med,
    communities: routeFields.communities,
    largeCommunities: routeFields.largeCommunities,
  }),
  'A route the speaker announces.',
);

const speakerNode = describe(
  z.strictObject({
    kind: describe(z.literal('speaker'), "ARSLab's built-in scripted BGP speaker."),
    vm: vmReference,
    asn: describe(asn, 'Its ASN; a Route Server accepts the same ASNs as for a peering (R-ARS-3).'),
    routerId: describe(ipv4Address, "BGP identifier; defaults to the node's address.").optional(),
    holdTime: describe(holdTime.default(180), 'Hold time offered, in seconds.'),
    peerWith: describe(
      z.enum(['both', 'IN_0', 'IN_1']).default('both'),
      'Route-server instances to peer with. Azure asks for both; one reproduces inconsistent programming (R-ARS-3).',
    ),
    routes: describe(z.array(speakerRoute).default([]), 'Routes announced once the sessions are up.'),
  }),
  "A node running ARSLab's built-in BGP speaker.",
);

const tcpPort = z.int().min(1).max(65535);

const httpNode = describe(
  z.strictObject({
    kind: describe(
      z.literal('http'),
      "A real HTTP server process on the virtual machine's address (a backend web server).",
    ),
    vm: vmReference,
    port: describe(tcpPort.default(80), 'The port the server has on the VM (what probes and health checks name).'),
    loopbackPort: describe(
      tcpPort,
      "The port bound in loopback mode. Default: port; without root a port below 1024 becomes port + 1000 (80 → 1080), as BGP's 179 becomes 1179. Netns mode binds port.",
    ).optional(),
    body: describe(
      z.string(),
      "What GET answers with status 200; default the node's name and a newline, like the seed's hostname page.",
    ).optional(),
  }),
  'A node running a real HTTP server (a separate process) that answers GET with 200 and a body naming the VM. It may share its virtual machine with one BGP node.',
);

const node = z.discriminatedUnion('kind', [daemonNode, speakerNode, httpNode], {
  // Only reached when `kind` is missing or unknown: the loader words that message itself.
  error: () => `expected kind: ${NODE_KINDS.join(', ')}`,
});

// ---------------------------------------------------------------------------
// A built-in router's policy (ADR 0039): FRR's route-map entries and neighbour AS-path rules.

const prefixListLine = z.string().superRefine((text, ctx) => {
  const r = parsePrefixListLine(text);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', input: text, message: r });
});

const communityChange = (item: z.ZodType<string>, what: string) =>
  z.strictObject({
    set: describe(
      z.array(item),
      `Replace every ${what} of the route with these ([] removes all; FRR \`set community X\`).`,
    ).optional(),
    remove: describe(z.array(item), `Remove these ${what}s (FRR \`set comm-list L delete\`).`).optional(),
    add: describe(z.array(item), `Add these ${what}s to the route's (FRR \`set community X additive\`).`).optional(),
  });

const policyEntryFields = {
  action: describe(
    z.enum(['permit', 'deny']).default('permit'),
    'permit: the route passes with the sets below; deny: it is dropped. Default permit.',
  ),
  match: describe(
    z.strictObject({
      prefix: describe(
        z.array(prefixListLine).min(1),
        "Prefix-list lines, FRR's syntax: 'P' (exactly P), 'P le N', 'P ge N', 'P ge N le M' (len < ge <= le <= 32). Any of them.",
      ).optional(),
      community: describe(z.array(community).min(1), 'The route carries any of these communities.').optional(),
      largeCommunity: describe(
        z.array(largeCommunity).min(1),
        'The route carries any of these large communities.',
      ).optional(),
    }),
    'What the entry applies to: every clause given must match (FRR: the match lines of one route-map entry). Absent: every route.',
  ).optional(),
  prepend: describe(
    z.union([
      z.int().min(1).max(32),
      z.strictObject({
        count: describe(z.int().min(1).max(32), 'How many times.'),
        asn: describe(
          asn,
          "The ASN prepended; default the router's own (export) or the neighbour's (import).",
        ).optional(),
      }),
    ]),
    "AS-path prepend (FRR `set as-path prepend`): N times the router's own ASN on export (the neighbour's on import), or { count, asn }.",
  ).optional(),
  communities: describe(
    communityChange(community, 'community'),
    'Set, remove, then add standard communities (RFC 1997).',
  ).optional(),
  largeCommunities: describe(
    communityChange(largeCommunity, 'large community'),
    'Set, remove, then add large communities (RFC 8092).',
  ).optional(),
  med: describe(z.int().min(0).max(4294967295), 'Set the MULTI_EXIT_DISC.').optional(),
};

const importEntry = describe(
  z.strictObject({
    ...policyEntryFields,
    localPref: describe(
      z.int().min(0).max(4294967295),
      "Set LOCAL_PREF (higher wins in the router's choice).",
    ).optional(),
  }),
  'One entry of an import policy (FRR route-map entry applied in).',
);

const exportEntry = describe(
  z.strictObject(policyEntryFields),
  'One entry of an export policy (FRR route-map entry applied out). No localPref: it is not sent to an eBGP neighbour (RFC 4271 §5.1.5).',
);

const neighborPolicyFields = {
  import: describe(
    z.array(importEntry),
    'Import policy: entries tried in order, the first that matches decides; a route none matches is dropped (FRR route-map, BIRD filter). Absent: everything is taken.',
  ).optional(),
  export: describe(
    z.array(exportEntry),
    'Export policy: entries tried in order, the first that matches decides; a route none matches is not sent. Absent: everything it would send.',
  ).optional(),
  removePrivateAs: describe(
    z.union([
      z.literal(true),
      z.strictObject({
        all: describe(z.boolean().default(false), 'Remove private ASNs even from a path with public ones.'),
        replaceAs: describe(z.boolean().default(false), "Put the router's own ASN in their place instead."),
      }),
    ]),
    "FRR `remove-private-AS [all] [replace-AS]` on what it sends: private ASNs (RFC 6996) leave the path — only when the path has no public ASN, unless all; the neighbour's and its own ASN stay. true: the plain form.",
  ).optional(),
  asOverride: describe(
    z.boolean(),
    "as-override (FRR, Cisco) on what it sends: the neighbour's ASN in the path becomes the router's own, so a site with the same ASN as another accepts the other's routes.",
  ).optional(),
};

const routerNeighbor = describe(
  z.strictObject({
    attach: describe(z.int().min(0), 'The attachment, by index in attach (0 is the first).').optional(),
    link: describe(nodeName, 'The customer link, by name in links.').optional(),
    ...neighborPolicyFields,
  }),
  "One neighbour's policy (attach or link), replacing the router's import, export, removePrivateAs and asOverride where it gives them (FRR: neighbor X route-map … in|out).",
);

const routerRoute = describe(
  z.strictObject({
    ...routeFields,
    on: describe(
      z.array(z.int().min(0)).min(1),
      'Only toward these attachments, by index in attach (0 is the first); toward all when absent.',
    ).optional(),
  }),
  "A route the router originates. Its next hop toward Azure is the router's address on each attachment.",
);

const router = describe(
  z.strictObject({
    asn: describe(
      asn,
      "Its ASN. On a circuit it must be the private peering's peerASN; on a VPN site the local network gateway's bgpSettings.asn.",
    ),
    routerId: describe(
      ipv4Address,
      "BGP identifier; defaults to the first attachment's address (needed without attachments).",
    ).optional(),
    attach: describe(
      z.array(attachment).default([]),
      "Where it connects to Azure: circuit links (one eBGP session to that link's MSEE, R-ER-1) and VPN sites (eBGP over the tunnels to each VPN gateway instance, R-VPN-1). None: a router on customer links only (another cloud's gateway behind an exchange router), which then needs routerId.",
    ),
    routes: describe(
      z.array(routerRoute).default([]),
      'Routes it originates toward Azure (seed 001: 1.2.3.0/24, origin incomplete).',
    ),
    importPrefixes: describe(
      z.array(ipv4Prefix),
      'Accept from Azure only these prefixes and longer ones; everything when absent.',
    ).optional(),
    prependToAzure: describe(
      z.int().min(0).max(32),
      'Prepend its own ASN this many extra times toward Azure (default 0).',
    ).optional(),
    holdTime: describe(
      z
        .int()
        .min(0)
        .max(65535)
        .refine((v) => v === 0 || v >= 3, 'a hold time is 0 or at least 3 s (RFC 4271 §4.2)'),
      "The BGP hold time it offers Azure, seconds (default 180, keepalive a third of it up to 60). An MSEE takes the lower one (R-ER-7); a VPN gateway keeps its fixed 60/180, so below 60 s the router's hold timer expires between the gateway's keepalives and the session flaps (R-VPN-5).",
    ).optional(),
    bfd: describe(
      z.boolean(),
      'Run BFD toward the MSEEs (300 ms x 3, R-ER-7; MSEEs have it configured). Default true; false leaves a cut to the hold timer. VPN gateways run no BFD.',
    ).optional(),
    profile: describe(
      z.enum(GATEWAY_PROFILES),
      "Another cloud's edge, choosing routes as its vendor documents: aws-vgw, an AWS virtual private gateway (Direct Connect routes before VPN ones, then the shortest AS path, then the lowest MED; one path; its VPN attachments are its tunnels, its other sessions Direct Connect); aws-dxgw, an AWS Direct Connect gateway (the local preference communities 7224:7100/7200/7300, then the shortest AS path; equal paths share the traffic).",
    ).optional(),
    ...neighborPolicyFields,
    neighbors: describe(
      z.array(routerNeighbor),
      'Per-neighbour policy: an attachment or a customer link, overriding the router-level import, export, removePrivateAs and asOverride field by field.',
    ).optional(),
    transit: describe(
      z.boolean().default(false),
      'Re-advertise what it learns to its other neighbours, as any eBGP router does (RFC 4271 §9.1.3): an exchange router between circuits, customer links and another cloud. Default false: it advertises only its own and connected routes.',
    ),
  }),
  "ARSLab's built-in on-premises router (a site or another cloud): an ASN, routes, and its attachments to circuits and VPN sites; its sessions run in process.",
);

const customerLink = describe(
  z.strictObject({
    subnet: describe(
      ipv4Prefix,
      'The link subnet, a /30 or /31: `a` takes its first usable address, `b` the second (a /30: .1 and .2; a /31: .0 and .1).',
    ),
    a: describe(nodeName, 'A router or daemon node at one end.'),
    b: describe(nodeName, 'The router or daemon node at the other end (another AS: the session is eBGP).'),
  }),
  "A link between two customer-side speakers (routers or daemon nodes) and its eBGP session, outside Azure: an exchange router's cross-connect to another cloud's gateway, two routers of one site. A router announces the link subnet as a connected route; it stays while only the session is down.",
);

// ---------------------------------------------------------------------------
// The lab file

export const labFileSchema = z.strictObject({
  name: describe(labName, 'Lab name: names its state directory and appears in listings.'),
  subscriptionId: describe(
    z.guid({ error: (i) => `${quote(i.input)} is not a subscription id (a GUID)` }).default(DEFAULT_SUBSCRIPTION),
    'Subscription in every ARM id of the lab.',
  ),
  location: describe(
    location,
    'Default Azure region of the resource groups, e.g. uksouth. Needed when a group gives none.',
  ).optional(),
  systemRouteProfile: describe(
    z.enum(['current', 'seed-2021']).default('current'),
    'Which default system routes NICs show (R-NIC-1).',
    "Which default system routes NICs show (R-NIC-1): `current` (today's list) or `seed-2021` (the list in 2021-era captures, without 172.16.0.0/12).",
  ),
  settings,
  resourceGroups: describe(
    z.record(resourceGroupName, resourceGroup).default({}),
    'Resource groups by name, with the Azure resources of the lab. None: an empty lab, built at run time through the ARM API (`arslab up --empty`).',
  ),
  nodes: describe(
    z.record(nodeName, node).default({}),
    "What the lab runs, by node name: BGP daemons and speakers, each on a virtual machine's address (daemons may instead attach on premises), and HTTP servers on backend virtual machines.",
  ),
  routers: describe(
    z.record(nodeName, router).default({}),
    'Built-in on-premises routers by name, attached to ExpressRoute circuit links and VPN sites. Names are shared with nodes.',
  ),
  links: describe(
    z.record(nodeName, customerLink).default({}),
    'Links between customer-side speakers (routers, daemon nodes) by name, each with one eBGP session over its own subnet.',
  ),
});

export type LabFile = z.output<typeof labFileSchema>;
export type LabFileInput = z.input<typeof labFileSchema>;
export type LabFileResourceGroup = LabFile['resourceGroups'][string];
export type LabFileNode = LabFile['nodes'][string];
export type LabFileRouter = LabFile['routers'][string];
export type LabFileAttachment = LabFileRouter['attach'][number];
export type LabFileLink = LabFile['links'][string];

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
