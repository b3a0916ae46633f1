/**
 * @module lab/topology/schema
 * The lab file's one schema: what a lab file may contain, checked at load time by zod and
 * exported as JSON Schema for editors (jsonSchema.ts) and the reference (docs/lab-file.md).
 *
 * Shape: `resourceGroups` holds Azure resources under Azure's own resource and property
 * names (the ARM names, as `az ... show` prints them); `nodes` holds what the lab runs
 * (real daemons or the built-in speaker), each on a virtual machine's address.
 *
 * Every object is strict (an unknown key is an error: a typo must not silently become a
 * default), every field has a description, every closed set is an enum. This schema only
 * checks what one value can say on its own; checks that need the whole lab (references,
 * address plans, Azure's own rules) are in build.ts and src/azure/validate.ts.
 */
import { z } from 'zod';
import { DEFAULT_ROUTE_SERVER_SETTINGS, DEFAULT_SUBSCRIPTION } from '../../azure/index.js';
import { formatIpv4, maskV4, parseIpv4 } from '../../bgp/wire/index.js';
import { DAEMON_KINDS } from '../daemons/types.js';
import { DEFAULT_LAB_SETTINGS } from '../spec.js';

/** Attaches the description editors show on hover; `markdown` adds a richer variant. */
function describe<T extends z.ZodType>(schema: T, description: string, markdown?: string): T {
  return schema.meta(markdown ? { description, markdownDescription: markdown } : { description });
}

// ---------------------------------------------------------------------------
// Names. Azure's naming rules (Microsoft Learn, "Naming rules and restrictions for Azure
// resources"), so that a lab never holds a name Azure would refuse.

const NETWORK_NAME_RULE = "letters, digits, '_', '.' and '-', starting with a letter or digit and ending with a letter, digit or '_'";

/** Microsoft.Network child and top-level resource names. */
function networkName(what: string, max: number, min = 1) {
  const pattern = new RegExp(`^(?=.{${min},${max}}$)[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$`);
  return z
    .string()
    .regex(pattern, { error: (i) => `${quote(i.input)} is not a valid ${what} name: ${min}-${max} ${NETWORK_NAME_RULE}` });
}

const resourceGroupName = z
  .string()
  .regex(/^(?=.{1,90}$)[-\w.()]*[-\w()]$/, {
    error: (i) => `${quote(i.input)} is not a valid resource group name: 1-90 letters, digits, '_', '.', '-', '(' and ')', not ending with '.'`,
  });

/** Linux VM names: 1-64 characters; Azure refuses special characters and a trailing '.' or '-'. */
const virtualMachineName = z
  .string()
  .regex(/^(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/, {
    error: (i) => `${quote(i.input)} is not a valid virtual machine name: 1-64 ${NETWORK_NAME_RULE}`,
  });

/** Node names become directory, log and network-namespace names: keep them plain. */
const nodeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, {
    error: (i) => `${quote(i.input)} is not a valid node name: 1-63 letters, digits, '_' and '-', starting with a letter or digit`,
  });

const labName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: (i) => `${quote(i.input)} is not a valid lab name: 1-63 lower-case letters, digits and '-', not starting or ending with '-'`,
  });

const location = z
  .string()
  .regex(/^[a-z][a-z0-9]{1,39}$/, {
    error: (i) => `${quote(i.input)} is not an Azure region name: write it as 'az account list-locations' prints it, e.g. uksouth, westeurope, eastus2`,
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
  .regex(/^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/, { error: (i) => `${quote(i.input)} is not an IPv4 prefix (a.b.c.d/len)`, abort: true })
  .superRefine((text, ctx) => {
    const [addrText, lenText] = text.split('/') as [string, string];
    const addr = parseIpv4(addrText);
    const len = Number(lenText);
    if (addr === undefined || len > 32) {
      ctx.addIssue({ code: 'custom', input: text, message: `${quote(text)} is not an IPv4 prefix (a.b.c.d/len, len 0-32)` });
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
    error: (i) => `${quote(i.input)} is not a community: write ASN:VALUE (each 0-65535, e.g. 65002:1) or one of ${COMMUNITY_NAMES.join(', ')}`,
  });

const largeCommunity = z.string().refine((s) => isPairOf(s, 3, 0xffffffff), {
  error: (i) => `${quote(i.input)} is not a large community: write GLOBAL:DATA1:DATA2, each 0-4294967295 (e.g. 65002:0:1)`,
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
      maxRoutesTotal: describe(z.int().min(1).default(DEFAULT_ROUTE_SERVER_SETTINGS.maxRoutesTotal), 'Total routes a route-server instance holds (R-ARS-5).'),
      maxEcmpPaths: describe(
        z.int().min(1).max(64).default(DEFAULT_ROUTE_SERVER_SETTINGS.maxEcmpPaths),
        'Equal-cost next hops programmed per prefix (R-ARS-7). Azure documents no cap; 4 is observed.',
      ),
      holdTime: describe(holdTime.default(DEFAULT_ROUTE_SERVER_SETTINGS.holdTime), 'Hold time the route server offers, in seconds (R-ARS-4); the lower of both sides is used.'),
      keepaliveTime: describe(z.int().min(0).max(21845).default(DEFAULT_ROUTE_SERVER_SETTINGS.keepaliveTime), 'Keepalive interval in seconds (R-ARS-4).'),
      maxPeerings: describe(z.int().min(1).max(64).default(DEFAULT_ROUTE_SERVER_SETTINGS.maxPeerings), 'Peerings one Route Server accepts (R-ARS-3).'),
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
  'Route Server limits and timers. Defaults are Azure\'s as documented or observed.',
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
          .record(ipv4Address, describe(ipv4Address.refine((a) => a.startsWith('127.'), { error: (i) => `${quote(i.input)} is not a loopback address (127.0.0.0/8)` }), 'The 127.x address standing in for it.'))
          .default({ ...DEFAULT_LAB_SETTINGS.loopbackAddresses }),
        'Loopback mode: explicit emulated address → 127.x address mappings, for addresses a daemon configuration hard-codes. Others are derived automatically.',
      ),
      connectRetryTime: describe(
        z.int().min(1).max(65535).default(DEFAULT_LAB_SETTINGS.connectRetryTime),
        'Seconds between the route server\'s connection attempts to a peer (both sides try, R-ARS-3).',
      ),
      capture: describe(z.boolean().default(DEFAULT_LAB_SETTINGS.capture), "Record every BGP session to pcap files in the lab's state directory."),
      routeServer: routeServerSettings,
    })
    .prefault({}),
  'Lab settings; every key is optional.',
);

// ---------------------------------------------------------------------------
// Azure resources

const REFERENCE_FORMS = 'NAME (same resource group first, then the whole lab), RESOURCE-GROUP/NAME, or an ARM id';

const subnet = describe(
  z.strictObject({
    addressPrefix: describe(ipv4Prefix, 'The subnet\'s range, inside one of the VNet\'s addressPrefixes (ARM: properties.addressPrefix). Azure reserves its first four and last addresses.'),
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
    remoteVirtualNetwork: describe(z.string().min(1), `The VNet at the other end: ${REFERENCE_FORMS}. Traffic and routes flow once that VNet has a peering back (state Connected).`),
    allowVirtualNetworkAccess: describe(z.boolean().default(true), 'Whether the two VNets reach each other (Azure default true).'),
    allowForwardedTraffic: describe(z.boolean().default(false), 'Accept traffic forwarded by an NVA in the remote VNet.'),
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
    location: describe(location, 'Azure region; defaults to the resource group\'s.').optional(),
    addressPrefixes: describe(
      z.array(ipv4Prefix).min(1),
      'The VNet\'s address space (ARM: properties.addressSpace.addressPrefixes). IPv4 only: Route Server is IPv4.',
    ),
    subnets: describe(z.record(networkName('subnet', 80), subnet).default({}), 'Subnets by name. The Route Server lives in one named exactly RouteServerSubnet (R-ARS-2).'),
    virtualNetworkPeerings: describe(z.record(networkName('virtual network peering', 80), virtualNetworkPeering).default({}), 'Peerings from this VNet, by name.'),
  }),
  'A virtual network (ARM: Microsoft.Network/virtualNetworks).',
);

const NEXT_HOP_TYPES = ['VirtualAppliance', 'VirtualNetworkGateway', 'VnetLocal', 'Internet', 'None'] as const;

const route = describe(
  z.strictObject({
    addressPrefix: describe(ipv4Prefix, 'Destination prefix. Two routes of one table may not share it (RouteConflict).'),
    nextHopType: describe(
      z.enum(NEXT_HOP_TYPES),
      'Where matching traffic goes (R-NIC-3).',
      'Where matching traffic goes (R-NIC-3): `VirtualAppliance` (an NVA, give `nextHopIpAddress`), `VirtualNetworkGateway`, `VnetLocal`, `Internet` or `None` (drop).',
    ),
    nextHopIpAddress: describe(ipv4Address, 'The appliance\'s address; required with VirtualAppliance and allowed only with it.').optional(),
  }),
  'A user route (ARM: Microsoft.Network/routeTables/routes).',
);

const routeTable = describe(
  z.strictObject({
    location: describe(location, 'Azure region; defaults to the resource group\'s. Must be the region of the VNets whose subnets use it.').optional(),
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
    location: describe(location, 'Azure region; defaults to the resource group\'s.').optional(),
  }),
  'A network security group (ARM: Microsoft.Network/networkSecurityGroups), declared so subnets can reference it. Rules are not modelled.',
);

const bgpConnection = describe(
  z.strictObject({
    peerIp: describe(ipv4Address, 'The NVA\'s address (a VM\'s private IP where a node runs). Only configured peer IPs may connect (R-ARS-3).'),
    peerAsn: describe(
      asn,
      'The NVA\'s ASN: 16-bit and not reserved (R-ARS-3).',
      "The NVA's ASN (R-ARS-3): 16-bit (1-65534) and not one Azure reserves: 8074, 8075, 12076, 65515, 65517-65520, 23456, 64496-64511, 65535-65551.",
    ),
  }),
  'A Route Server peering (ARM: Microsoft.Network/virtualHubs/bgpConnections; az network routeserver peering).',
);

const routeServer = describe(
  z.strictObject({
    location: describe(location, 'Azure region; defaults to the resource group\'s. Must be its VNet\'s region.').optional(),
    subnet: describe(
      z.string().min(1),
      'The RouteServerSubnet it is deployed in (R-ARS-2): VNET/SUBNET (same resource group first, then the whole lab), RESOURCE-GROUP/VNET/SUBNET, or an ARM id. Its virtualRouterIps are that subnet\'s 4th and 5th addresses (R-ARS-1).',
    ),
    allowBranchToBranchTraffic: describe(z.boolean().default(false), 'Exchange routes with the VNet\'s ExpressRoute and VPN gateways (R-ARS-11).'),
    hubRoutingPreference: describe(
      z.enum(['ExpressRoute', 'VpnGateway', 'ASPath']).default('ExpressRoute'),
      'Which routes win before AS-path length when gateways are involved (R-ARS-7).',
      'Which routes win before AS-path length when gateways are involved (R-ARS-7): `ExpressRoute` (default: ExpressRoute-learned beat VPN and NVA routes), `VpnGateway` (VPN and NVA routes beat ExpressRoute), `ASPath` (no preference class).',
    ),
    peerings: describe(z.record(networkName('peering', 80), bgpConnection).default({}), 'Peerings by name; commands take this name, not the VM\'s (R-ARS-3). At most 8.'),
  }),
  'An Azure Route Server (ARM: Microsoft.Network/virtualHubs, kind RouteServer). Its ASN is 65515 (R-ARS-1).',
);

const virtualMachine = describe(
  z.strictObject({
    location: describe(location, 'Azure region; defaults to the resource group\'s. Must be its VNet\'s region.').optional(),
    subnet: describe(
      z.string().min(1),
      'Subnet of its network interface: VNET/SUBNET (same resource group first, then the whole lab), RESOURCE-GROUP/VNET/SUBNET, or an ARM id (az vm create --subnet).',
    ),
    privateIPAddress: describe(
      ipv4Address,
      'Static private IP of its NIC (az vm create --private-ip-address). When omitted, Azure\'s dynamic allocation: the lowest free address of the subnet.',
    ).optional(),
    enableIPForwarding: describe(z.boolean().default(false), 'IP forwarding on its NIC (az network nic update --ip-forwarding); NVAs need it.'),
    nicName: describe(networkName('network interface', 80), "Its network interface's name; default '<vm>VMNic', as az vm create names it.").optional(),
  }),
  'A virtual machine with one network interface (ARM: Microsoft.Compute/virtualMachines and Microsoft.Network/networkInterfaces), as az vm create makes it.',
);

const resourceGroup = describe(
  z.strictObject({
    location: describe(location, 'Azure region of the group and the default of its resources; defaults to the lab\'s location.').optional(),
    virtualNetworks: describe(z.record(networkName('virtual network', 64, 2), virtualNetwork).default({}), 'Virtual networks by name.'),
    routeTables: describe(z.record(networkName('route table', 80), routeTable).default({}), 'Route tables by name.'),
    networkSecurityGroups: describe(z.record(networkName('network security group', 80), networkSecurityGroup).default({}), 'Network security groups by name.'),
    routeServers: describe(z.record(networkName('route server', 80), routeServer).default({}), 'Route Servers by name.'),
    virtualMachines: describe(z.record(virtualMachineName, virtualMachine).default({}), 'Virtual machines by name; each gets one NIC.'),
  }),
  'A resource group and the resources in it.',
);

// ---------------------------------------------------------------------------
// Nodes

/** Node kinds: the daemon drivers of src/lab/daemons, then ARSLab's built-in speaker. */
export const NODE_KINDS = [...DAEMON_KINDS, 'speaker'] as const;

const vmReference = describe(
  z.string().min(1),
  'The virtual machine the node runs as: NAME (when unique in the lab), RESOURCE-GROUP/NAME, or an ARM id. The node uses its primary private IP.',
);

const daemonNode = describe(
  z.strictObject({
    kind: describe(
      z.enum(DAEMON_KINDS),
      'A real BGP daemon run from your own configuration.',
      'A real BGP daemon run from your own configuration: `bird` (BIRD 2), `frr` (FRR bgpd), `gobgp` (GoBGP), `exabgp` (ExaBGP).',
    ),
    vm: vmReference,
    config: describe(z.string().min(1), "The daemon's configuration file as on the VM; relative paths resolve against the lab file's folder."),
    loopbackConfig: describe(
      z.string().min(1),
      "Variant used in loopback addressing mode (neighbour addresses mapped to 127.x); defaults to config. Relative to the lab file's folder.",
    ).optional(),
    env: describe(
      z.record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (i) => `${quote(i.input)} is not an environment variable name` }),
        // Scalars as YAML types them (`exabgp_api_ack: false`); passed as their text.
        z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }),
      ),
      'Extra environment for the daemon, e.g. exabgp_api_ack: false. Numbers and booleans are passed as their text.',
    ).optional(),
  }),
  'A node running a real BGP daemon.',
);

const speakerRoute = describe(
  z.strictObject({
    prefix: describe(ipv4Prefix, 'The prefix announced.'),
    nextHop: describe(ipv4Address, "BGP next hop; defaults to the node's own address. Route Server keeps it as sent (R-ARS-6).").optional(),
    asPath: describe(
      z.array(z.int().min(0).max(4294967295)),
      "ASNs after the speaker's own, prepends included (e.g. [65002, 65002]). 65515 or 0 here makes the route server drop it (R-ARS-6).",
    ).optional(),
    origin: describe(z.enum(['igp', 'egp', 'incomplete']).default('igp'), 'ORIGIN attribute.'),
    med: describe(z.int().min(0).max(4294967295), 'MULTI_EXIT_DISC; Route Server ignores it when choosing (R-ARS-7).').optional(),
    communities: describe(z.array(community), "Communities: 'ASN:VALUE' or no-export, no-advertise, no-export-subconfed (no-advertise: programmed, never re-advertised, R-ARS-9).").optional(),
    largeCommunities: describe(z.array(largeCommunity), "Large communities, 'GLOBAL:DATA1:DATA2'.").optional(),
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

const node = z.discriminatedUnion('kind', [daemonNode, speakerNode], {
  // Only reached when `kind` is missing or unknown: the loader words that message itself.
  error: () => `expected kind: ${NODE_KINDS.join(', ')}`,
});

// ---------------------------------------------------------------------------
// The lab file

export const labFileSchema = z.strictObject({
  name: describe(labName, 'Lab name: names its state directory and appears in listings.'),
  subscriptionId: describe(
    z.guid({ error: (i) => `${quote(i.input)} is not a subscription id (a GUID)` }).default(DEFAULT_SUBSCRIPTION),
    'Subscription in every ARM id of the lab.',
  ),
  location: describe(location, 'Default Azure region of the resource groups, e.g. uksouth.'),
  systemRouteProfile: describe(
    z.enum(['current', 'seed-2021']).default('current'),
    'Which default system routes NICs show (R-NIC-1).',
    "Which default system routes NICs show (R-NIC-1): `current` (today's list) or `seed-2021` (the list in 2021-era captures, without 172.16.0.0/12).",
  ),
  settings,
  resourceGroups: describe(z.record(resourceGroupName, resourceGroup), 'Resource groups by name, with the Azure resources of the lab.'),
  nodes: describe(
    z.record(nodeName, node).default({}),
    'What the lab runs, by node name: BGP daemons and speakers, each on a virtual machine\'s address.',
  ),
});

export type LabFile = z.output<typeof labFileSchema>;
export type LabFileInput = z.input<typeof labFileSchema>;
export type LabFileResourceGroup = LabFile['resourceGroups'][string];
export type LabFileNode = LabFile['nodes'][string];

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
