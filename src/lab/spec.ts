/**
 * @module lab/spec
 * A lab as the runtime needs it, once its file is loaded and checked: the Azure model,
 * the nodes to run and the lab settings. Produced by src/lab/topology, consumed by the
 * runtime; nothing here touches the system.
 */
import type { AzureModel, TimingProfileName } from '../azure/index.js';

export type AddressingMode = 'loopback' | 'netns';

export interface LabSettings {
  /**
   * TCP port the Azure side (route-server instances) listens on and connects to.
   * 'auto': 179 when the process may bind privileged ports (root), else 1179.
   */
  readonly bgpPort: number | 'auto';
  /** Default addressing mode for `up` (overridable on the command line). */
  readonly addressing: AddressingMode;
  /** Explicit emulated → loopback address mappings (loopback mode); others follow ADR 0001. */
  readonly loopbackAddresses: Readonly<Record<string, string>>;
  /** Azure side connect-retry timer (seconds); both sides try to connect (R-ARS-3). */
  readonly connectRetryTime: number;
  /** Record every BGP session to pcap files under the lab's state directory. */
  readonly capture: boolean;
  /** When changes reach NICs (R-TIME-1, R-TIME-2, ADR 0018); absent: `ideal`. */
  readonly timing?: TimingSettings;
}

/** The fabric's programming timing: a profile of src/azure/programmingTiming.ts and its seed. */
export interface TimingSettings {
  readonly profile: TimingProfileName;
  /** Seed of the delays' draws: the same seed, the same delays. */
  readonly seed: number;
}

export const DEFAULT_TIMING_SETTINGS: TimingSettings = Object.freeze({ profile: 'ideal', seed: 1 });

export const DEFAULT_LAB_SETTINGS: LabSettings = Object.freeze({
  bgpPort: 'auto',
  addressing: 'loopback',
  loopbackAddresses: {},
  connectRetryTime: 5,
  capture: false,
});

/** A route the built-in speaker announces (ExaBGP-like fields). */
export interface SpeakerRouteSpec {
  readonly prefix: string;
  /** Default: the node's own address. */
  readonly nextHop?: string;
  /** ASNs after the speaker's own (prepends included), e.g. [65001, 65001]. */
  readonly asPath?: readonly number[];
  readonly origin?: 'igp' | 'egp' | 'incomplete';
  readonly med?: number;
  /** "65535:65282", or the names no-export / no-advertise / no-export-subconfed. */
  readonly communities?: readonly string[];
  /** "65001:0:1" */
  readonly largeCommunities?: readonly string[];
}

interface NodeBase {
  readonly name: string;
  /** ARM id of the VM whose primary NIC address the node uses. */
  readonly vm: string;
  /** The node's emulated address (the VM's primary private IP). */
  readonly address: string;
}

/**
 * A real routing daemon run from the user's own configuration file: on an Azure VM (`vm`),
 * or on premises (`attach`), never both. Attached, `address` is the first
 * attachment's address.
 */
export interface DaemonNodeSpec extends Omit<NodeBase, 'vm'> {
  readonly kind: 'bird' | 'frr' | 'gobgp' | 'exabgp' | 'agent' | 'exec';
  /** `exec`: the daemon's command line ({config}, {address}, {port}, {workdir}, {name} filled in). */
  readonly command?: string;
  /** `exec`: a command whose output lists the daemon's routes (`node routes`). */
  readonly routesCommand?: string;
  /** ARM id of the VM whose primary NIC address the node uses; absent when attached on premises. */
  readonly vm?: string;
  /** On-premises attachments (ExpressRoute circuit links, VPN local network gateways) instead of a VM. */
  readonly attach?: readonly Attachment[];
  /** Absolute path of the daemon's configuration as on the VM (used verbatim in netns mode). */
  readonly config: string;
  /** Absolute path of the loopback-mode variant (neighbour addresses mapped); defaults to `config`. */
  readonly loopbackConfig?: string;
  /** Extra environment for the daemon (e.g. ExaBGP settings). */
  readonly env?: Readonly<Record<string, string>>;
  /** Its AS as its configuration says (a built-in router peering with it over a customer link needs it). */
  readonly asn?: number;
}

/** ARSLab's built-in scripted BGP speaker. */
export interface SpeakerNodeSpec extends NodeBase {
  readonly kind: 'speaker';
  readonly asn: number;
  readonly routerId?: string;
  readonly holdTime: number;
  /** Which route-server instances to peer with: both by default (as Azure asks). */
  readonly peerWith: 'both' | 'IN_0' | 'IN_1';
  readonly routes: readonly SpeakerRouteSpec[];
}

/**
 * Where an on-premises router (built-in or daemon) attaches on the Azure side: a link of an
 * ExpressRoute circuit's private peering (it is the customer edge: first host of the link
 * /30, R-ER-1), or a VPN connection's local network gateway (it is the device: the
 * gateway's BGP peering address). `circuit` and `localNetworkGateway` are ARM ids; `address`
 * is the router's own address on the attachment (always set by the lab-file loader).
 */
export type Attachment =
  | {
      readonly kind: 'expressRoute';
      readonly circuit: string;
      readonly link: 'primary' | 'secondary';
      readonly address?: string;
    }
  | { readonly kind: 'vpn'; readonly localNetworkGateway: string; readonly address?: string };

/** A route a built-in router originates, optionally on some attachments only. */
export interface RouterRouteSpec extends SpeakerRouteSpec {
  /** Only toward these attachments (by index in `attach`); all when absent. */
  readonly on?: readonly number[];
}

/** Communities a policy entry sets, removes or adds (text as in routes: 'ASN:VALUE', 'no-export', 'G:D1:D2'). */
export interface CommunityChangeSpec {
  readonly set?: readonly string[];
  readonly remove?: readonly string[];
  readonly add?: readonly string[];
}

/**
 * One entry of a router's import or export policy, FRR's route-map entry in the lab file's
 * words (ADR 0039): `match` clauses (all must hold), then permit with its sets, or deny.
 */
export interface RoutePolicyEntrySpec {
  readonly action: 'permit' | 'deny';
  readonly match?: {
    /** Prefix-list lines, FRR's syntax: "10.0.0.0/8", "10.0.0.0/8 le 24", "10.0.0.0/8 ge 16 le 24". */
    readonly prefix?: readonly string[];
    readonly community?: readonly string[];
    readonly largeCommunity?: readonly string[];
  };
  /** Prepend `count` times `asn` (export: its own ASN by default; import: the neighbour's). */
  readonly prepend?: { readonly count: number; readonly asn?: number };
  readonly communities?: CommunityChangeSpec;
  readonly largeCommunities?: CommunityChangeSpec;
  /** Import only: LOCAL_PREF is not sent to an eBGP neighbour (RFC 4271 §5.1.5). */
  readonly localPref?: number;
  readonly med?: number;
}

/** A router's policy toward its neighbours, or one neighbour's override of it. */
export interface NeighborPolicySpec {
  /** Route-map on what it takes; absent: everything (after importPrefixes). */
  readonly import?: readonly RoutePolicyEntrySpec[];
  /** Route-map on what it sends; absent: everything it would send. */
  readonly export?: readonly RoutePolicyEntrySpec[];
  /** FRR `remove-private-AS [all] [replace-AS]` on what it sends. */
  readonly removePrivateAs?: { readonly all: boolean; readonly replaceAs: boolean };
  /** FRR/Cisco `as-override` on what it sends: the neighbour's ASN in the path becomes its own. */
  readonly asOverride?: boolean;
}

/** One neighbour's policy: an attachment (by index in `attach`) or a customer link (by name). */
export type RouterNeighborSpec = NeighborPolicySpec &
  ({ readonly attach: number; readonly link?: undefined } | { readonly link: string; readonly attach?: undefined });

/** The gateway profiles a router may play (another cloud's edge, ADR 0039). */
export const GATEWAY_PROFILES = ['aws-vgw', 'aws-dxgw'] as const;
export type GatewayProfileName = (typeof GATEWAY_PROFILES)[number];

/**
 * ARSLab's built-in router for on-premises sites and remote clouds: an ASN,
 * originated prefixes (per attachment if needed), prepends, and simple policy; its BGP
 * sessions to the MSEEs or VPN gateway instances run in process.
 */
export interface RouterNodeSpec {
  readonly kind: 'router';
  readonly name: string;
  readonly asn: number;
  readonly routerId: string;
  readonly attach: readonly Attachment[];
  readonly routes: readonly RouterRouteSpec[];
  /** Accept only these prefixes (and longer) from Azure; all when absent. */
  readonly importPrefixes?: readonly string[];
  /** Prepend own ASN this many extra times toward Azure. */
  readonly prependToAzure?: number;
  /**
   * The hold time it offers on its sessions to Azure, seconds (0 or 3-65535); 180 when
   * absent. MSEEs negotiate down to it (R-ER-7); VPN gateways keep 60/180 (R-VPN-5).
   */
  readonly holdTime?: number;
  /** BFD toward the MSEEs (R-ER-7: MSEEs run it when the customer edge does); default true. */
  readonly bfd?: boolean;
  /** Re-advertise learned routes to its other neighbours (RFC 4271 §9.1.3); default: only its own and connected ones. */
  readonly transit?: boolean;
  /**
   * Another cloud's edge: route selection as its vendor documents it ('aws-vgw': AWS's
   * virtual private gateway; 'aws-dxgw': AWS's Direct Connect gateway).
   */
  readonly profile?: GatewayProfileName;
  /** Its policy toward every neighbour (import, export, AS-path rules), ADR 0039. */
  readonly policy?: NeighborPolicySpec;
  /** Per-neighbour overrides of `policy`, field by field (FRR's `neighbor X route-map … in|out`). */
  readonly neighbors?: readonly RouterNeighborSpec[];
}

/** One end of a customer link: a built-in router or a daemon node, its address on the link, its AS. */
export interface CustomerLinkEnd {
  readonly kind: 'router' | 'daemon';
  readonly name: string;
  readonly address: string;
  /** A router's asn, a daemon node's declared asn (absent when the lab file gives none). */
  readonly asn?: number;
}

/**
 * A link between two customer-side speakers and its eBGP session (lab file `links`): an
 * exchange router's cross-connect to another cloud's gateway, two routers of one site.
 */
export interface CustomerLinkSpec {
  readonly name: string;
  /** The link subnet ("10.215.0.0/30"). */
  readonly subnet: string;
  readonly ends: readonly [CustomerLinkEnd, CustomerLinkEnd];
}

/**
 * A real HTTP server process on a VM's address (a backend web server, as the seed's ws1 and
 * ws2): answers GET with 200 and `body`, so health checks and `arslab probe` hit something
 * real. It may share its VM with one BGP node (an agent on the backend).
 */
export interface HttpNodeSpec extends NodeBase {
  readonly kind: 'http';
  /** The port as the VM has it (what probes and health checks name), e.g. 80. */
  readonly port: number;
  /**
   * The port bound in loopback mode. Default: `port`, except without root a port below 1024
   * becomes `port + 1000` (80 → 1080), as BGP's 179 becomes 1179 (ADR 0001). Netns mode
   * (root) always binds `port`.
   */
  readonly loopbackPort?: number;
  /** What GET answers; default the node's name and a newline (the seed's hostname page). */
  readonly body?: string;
}

export type NodeSpec = DaemonNodeSpec | SpeakerNodeSpec | HttpNodeSpec;

/** Node kinds that speak BGP (every kind but `http`). */
export type BgpNodeSpec = DaemonNodeSpec | SpeakerNodeSpec;

/**
 * The port an http node binds: in netns mode its own `port` (the VM's); in loopback mode
 * `loopbackPort`, else `port`, moved up by 1000 when below 1024 and the lab may not bind
 * privileged ports (80 → 1080), as BGP's 179 becomes 1179 (ADR 0001).
 */
export function httpBoundPort(
  n: Pick<HttpNodeSpec, 'port' | 'loopbackPort'>,
  mode: AddressingMode,
  privileged: boolean,
): number {
  if (mode === 'netns') return n.port;
  if (n.loopbackPort !== undefined) return n.loopbackPort;
  return n.port < 1024 && !privileged ? n.port + 1000 : n.port;
}

export interface LabSpec {
  readonly name: string;
  /** Absolute path of the lab file; relative paths inside it resolve against its folder. */
  readonly file: string;
  readonly settings: LabSettings;
  readonly model: AzureModel;
  readonly nodes: readonly NodeSpec[];
  /** Built-in on-premises routers: attached to circuits and VPN connections, not VMs. */
  readonly routers: readonly RouterNodeSpec[];
  /** Links between customer-side speakers (absent: none). */
  readonly links?: readonly CustomerLinkSpec[];
  /** Non-fatal problems found while loading (file:line: field: message). */
  readonly warnings: readonly string[];
}
