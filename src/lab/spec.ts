/**
 * @module lab/spec
 * A lab as the runtime needs it, once its file is loaded and checked: the Azure model,
 * the nodes to run and the lab settings. Produced by src/lab/topology, consumed by the
 * runtime; nothing here touches the system.
 */
import type { AzureModel } from '../azure/index.js';

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
}

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

/** A real routing daemon run from the user's own configuration file. */
export interface DaemonNodeSpec extends NodeBase {
  readonly kind: 'bird' | 'frr' | 'gobgp' | 'exabgp';
  /** Absolute path of the daemon's configuration as on the VM (used verbatim in netns mode). */
  readonly config: string;
  /** Absolute path of the loopback-mode variant (neighbour addresses mapped); defaults to `config`. */
  readonly loopbackConfig?: string;
  /** Extra environment for the daemon (e.g. ExaBGP settings). */
  readonly env?: Readonly<Record<string, string>>;
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

export type NodeSpec = DaemonNodeSpec | SpeakerNodeSpec;

export interface LabSpec {
  readonly name: string;
  /** Absolute path of the lab file; relative paths inside it resolve against its folder. */
  readonly file: string;
  readonly settings: LabSettings;
  readonly model: AzureModel;
  readonly nodes: readonly NodeSpec[];
  /** Non-fatal problems found while loading (file:line: field: message). */
  readonly warnings: readonly string[];
}
