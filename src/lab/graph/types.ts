/**
 * @module lab/graph/types
 * The vocabulary of the lab graph (ADR 0012): speakers — every BGP speaker of a running lab,
 * whoever runs it — and the sessions between them, TCP or in-process behind one interface.
 * Builders (the route-server runtime, the hybrid runtime, the node kinds) register into the
 * graph; everything that lists, resolves or faults a speaker or a session reads it.
 */
import type { RouteSource, Speaker } from '../../rib/index.js';
import type { CircuitRuntime, GatewayRuntime, RouterRuntime } from '../hybrid.js';
import type { NodeRuntime } from '../kinds/types.js';
import type { RouteServerRuntime } from '../routeServer.js';

/**
 * What a speaker is. Azure's own: a route-server instance (R-ARS-1), an ExpressRoute or VPN
 * gateway instance, the MSEE of one circuit link; the customer's: a built-in router, a real
 * daemon node, the failover agent, a built-in scripted speaker.
 */
export type SpeakerKind =
  | 'route-server'
  | 'expressroute-gateway'
  | 'vpn-gateway'
  | 'msee'
  | 'router'
  | 'daemon'
  | 'agent'
  | 'speaker';

/** The kinds Azure runs itself (everything ARSLab models as Azure's side). */
export const AZURE_KINDS: readonly SpeakerKind[] = ['route-server', 'expressroute-gateway', 'vpn-gateway', 'msee'];

/** Who built a speaker and answers for it (its runtime, and where in it the speaker is). */
export type SpeakerOwner =
  | { readonly kind: 'route-server'; readonly runtime: RouteServerRuntime; readonly instance: 0 | 1 }
  | { readonly kind: 'gateway'; readonly runtime: GatewayRuntime; readonly instance: number }
  | { readonly kind: 'circuit'; readonly runtime: CircuitRuntime; readonly link: 0 | 1 }
  | { readonly kind: 'router'; readonly runtime: RouterRuntime }
  | { readonly kind: 'node'; readonly node: NodeRuntime };

/**
 * How an address belongs to a speaker, best first: where two speakers claim one address (a
 * router ID that is another router's link address, seed 003), the better claim wins.
 * - `own`: the speaker's own interface address (an instance's IP, an MSEE's link address, a
 *   node's address);
 * - `peer-facing`: the address a peer is told to use for it (a connection's mseePeerAddresses);
 * - `link`: a built-in router's address on one of its attachments;
 * - `router-id`: a BGP identifier that is also an address.
 */
export type AddressClaim = 'own' | 'peer-facing' | 'link' | 'router-id';

export interface SpeakerAddress {
  readonly address: string;
  readonly claim: AddressClaim;
}

export interface LabSpeaker {
  readonly kind: SpeakerKind;
  /** Unique in the graph: "hub1rs/IN_0", "er1/0", "c1/primary", "onprem1", a node's name. */
  readonly name: string;
  /** One line for humans: "route server hub1rs RouteServiceRole_IN_0 (10.1.0.4)". */
  readonly title: string;
  /** Where a route was dropped, for explain: "route-server instance hub1rs/IN_0". */
  readonly at: string;
  /** Lower-case names a user may give for it (resource, instance, address). */
  readonly aliases: readonly string[];
  /** Its BGP addresses (emulated, ADR 0001), own address first. */
  readonly addresses: readonly SpeakerAddress[];
  /** Its AS, where the lab knows it (a daemon's is its peering's). */
  readonly asn?: number;
  readonly owner: SpeakerOwner;
  /** ARSLab's routing speaker for it (src/rib), where ARSLab runs one: every kind but real daemons and the agent. */
  readonly rib?: Speaker;
}

/** A lab node that speaks no BGP but owns an address and a port (a web server, `kind: http`). */
export interface LabHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Where it really listens (loopback mode moves it, ADR 0001). */
  readonly realAddress: string;
  readonly realPort: number;
  /** ARM id of the VM it serves. */
  readonly vm: string;
  readonly node: NodeRuntime;
}

/**
 * A session's state as users see it: the RFC 4271 FSM states, plus `Cut` (the link under an
 * Established session is cut: nothing crosses, neither side noticed yet) and `AdminDown`
 * (closed by ARSLab: branch-to-branch off, lab stopping).
 */
export type SessionState =
  | 'Idle'
  | 'Connect'
  | 'Active'
  | 'OpenSent'
  | 'OpenConfirm'
  | 'Established'
  | 'Cut'
  | 'AdminDown';

/** How a side notices that a silent link is gone. */
export type Detection =
  | { readonly kind: 'bfd'; readonly intervalMs: number; readonly multiplier: number }
  | { readonly kind: 'hold'; readonly seconds: number };

/** One end of a session. */
export interface SessionEndpoint {
  /** The lab's speaker at this end; undefined where nothing of the lab runs there (an NVA without a node). */
  readonly speaker: LabSpeaker | undefined;
  /** This end's address on the session (emulated). */
  readonly address: string;
  readonly asn: number;
  /** This end's name for the session (its label's half): a speaker name, or a peering's. */
  readonly name: string;
  /** How this end's routing speaker sees the other end (its neighbour entry), where ARSLab runs the end. */
  readonly source?: RouteSource;
}

/** A session as one end sees it (list-bgp-peer-status, status). Message counts only grow. */
export interface EndView {
  readonly state: SessionState;
  /** Routes this end holds from the other (its Adj-RIB-In count; for an end ARSLab does not run, what the other end advertises). */
  readonly routesReceived: number;
  readonly messagesSent: number;
  readonly messagesReceived: number;
  /** Milliseconds since Established, or undefined. */
  readonly connectedMs?: number;
  /** Why the last session ended, when it did. */
  readonly lastDown?: string;
  /**
   * What waits in this process for the other end, where ARSLab runs this end over TCP
   * (ADR 0014): bytes now, the peak, and how often the bound held UPDATEs back.
   */
  readonly sendQueue?: { readonly bytes: number; readonly peak: number; readonly blocked: number };
}

export type Transport = 'tcp' | 'in-process';

/**
 * One BGP session of the lab, whatever carries it. `cut`, `close` and `open` are the faults
 * every session takes (src/lab/graph/faults.ts adds the bookkeeping and the timeline).
 */
export interface Session {
  /** "A<->B", unique in the graph: "er1/0<->c1/primary", "hub1rs/IN_0<->nva1". */
  readonly name: string;
  readonly transport: Transport;
  readonly ends: readonly [SessionEndpoint, SessionEndpoint];
  readonly state: SessionState;
  /** Hold and keepalive times: the negotiated ones while Established, else the configured ones. */
  readonly timers: { readonly holdTime: number; readonly keepaliveTime: number };
  /** How a cut is noticed: BFD where the link runs it (ExpressRoute, R-ER-1), else the hold timer. */
  readonly detection: Detection;
  /** Whether the session exists in Azure now (R-ARS-11 branch-to-branch, R-VPN-2 mesh paths). */
  readonly active: boolean;
  /** Where its packets are recorded (TCP with capture on): a pcap file prefix. */
  readonly capture?: string;
  view(side: 0 | 1): EndView;
  /** Routes end `side` advertises to the other (its Adj-RIB-Out, counted: O(routes)). */
  routesAdvertised(side: 0 | 1): number;
  /** Routes end `side` exports to the other that no UPDATE of at most 4,096 octets can carry (ADR 0013): not sent. */
  routesNotSent(side: 0 | 1): number;
  /** The link fails silently: no NOTIFICATION; each side notices by its own detection. */
  cut(): void;
  /** Closed with a NOTIFICATION (Cease/2, Administrative Shutdown, RFC 4486): both sides at once. */
  close(reason: string): void;
  /** Side `side` goes away at once (its speaker flushes now); the other notices by its detection. */
  drop(side: 0 | 1, reason: string): void;
  /** Undo cut/close/drop: a cut not yet noticed heals; anything else comes up afresh. */
  open(): void;
  /** The lab stops: nothing is kept silent any more (sockets held open by a cut are closed). */
  release(): void;
}

/** One session seen from one of its ends. */
export interface SessionSide {
  readonly session: Session;
  readonly side: 0 | 1;
  readonly local: SessionEndpoint;
  readonly remote: SessionEndpoint;
}

/** Why a session is held down by ARSLab (a fault), shown by `link list`. */
export type Fault =
  | { readonly kind: 'link' }
  | { readonly kind: 'router'; readonly router: string }
  | { readonly kind: 'maintenance'; readonly instance: string };

export const describeDetection = (d: Detection): string =>
  d.kind === 'bfd' ? `BFD ${d.intervalMs * d.multiplier} ms` : `hold timer ${d.seconds} s`;
