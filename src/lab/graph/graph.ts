/**
 * @module lab/graph/graph
 * The lab graph (ADR 0012): the one index of a running lab's BGP speakers and the sessions
 * between them. Builders register into it as they build — the route-server runtime its two
 * instances and their TCP peerings, the hybrid runtime its gateway instances, MSEEs,
 * built-in routers and in-process sessions, the lab its nodes — and every reader (status,
 * link list and faults, explain, trace, probe, node verbs, gateway and circuit listings, the
 * API) asks it, instead of walking the builders' own containers.
 *
 * Registration order is kept: listings and explanations come out in the order the builders
 * registered (route servers, gateways, circuits, routers; sessions in wiring order).
 */
import type { Clock } from '../../bgp/clock.js';
import type { Speaker } from '../../rib/index.js';
import type { BgpNeighbor } from '../bgpNeighbor.js';
import type { EventLog } from '../events.js';
import type { CircuitRuntime } from '../hybrid.js';
import type { NodeRuntime } from '../kinds/types.js';
import type { RouteServerRuntime } from '../routeServer.js';
import { SessionFaults } from './faults.js';
import { TcpSession } from './sessions.js';
import type {
  AddressClaim,
  LabHost,
  LabSpeaker,
  Session,
  SessionEndpoint,
  SessionSide,
  SpeakerKind,
  Transport,
} from './types.js';

const CLAIM_RANK: Record<AddressClaim, number> = { own: 0, 'peer-facing': 1, link: 2, 'router-id': 3 };
/** Kinds a lab node registers as (its BGP speaker). */
const NODE_KINDS: readonly SpeakerKind[] = ['daemon', 'agent', 'speaker'];

export interface SpeakerFilter {
  readonly kind?: SpeakerKind | readonly SpeakerKind[];
}

export interface SessionFilter {
  readonly transport?: Transport;
  /** Only sessions one end of which is this speaker. */
  readonly speaker?: LabSpeaker;
  /** Only sessions that exist in Azure now (Session.active). */
  readonly active?: boolean;
}

const kinds = (k: SpeakerFilter['kind']): readonly SpeakerKind[] | undefined =>
  k === undefined ? undefined : typeof k === 'string' ? [k] : k;

/** "A <-> B" compared without spaces or case. */
const squash = (t: string): string => t.replace(/\s+/g, '').toLowerCase();

export class LabGraph {
  private readonly speakerList: LabSpeaker[] = [];
  private readonly speakerByName = new Map<string, LabSpeaker>();
  private readonly speakerByRib = new Map<Speaker, LabSpeaker>();
  private readonly sessionList: Session[] = [];
  private readonly sessionByName = new Map<string, Session>();
  private readonly hostList: LabHost[] = [];
  private readonly nodeByName = new Map<string, NodeRuntime>();
  private readonly routeServerById = new Map<string, RouteServerRuntime>();
  /** Faults held on sessions: link down/up, router stop/start, route-server maintenance. */
  readonly faults: SessionFaults;

  constructor(
    readonly clock: Clock,
    readonly events: EventLog,
  ) {
    this.faults = new SessionFaults(this, clock, events);
  }

  // -------------------------------------------------------------------------
  // Registration (builders)

  addSpeaker(s: LabSpeaker): LabSpeaker {
    const key = s.name.toLowerCase();
    this.speakerList.push(s);
    // Two route servers of one name in two resource groups: the name finds the first.
    if (!this.speakerByName.has(key)) this.speakerByName.set(key, s);
    if (s.rib) this.speakerByRib.set(s.rib, s);
    // A node on a peering's address is the far end of that peering's sessions.
    if (NODE_KINDS.includes(s.kind)) {
      const own = s.addresses.filter((a) => a.claim === 'own').map((a) => a.address);
      for (const x of this.sessionList) {
        if (!(x instanceof TcpSession)) continue;
        for (const side of [0, 1] as const)
          if (!x.hasSpeaker(side) && own.includes(x.ends[side].address)) x.attach(side, { speaker: s });
      }
    }
    return s;
  }

  addSession<S extends Session>(s: S): S {
    const key = squash(s.name);
    // A session added after the nodes (a bgpConnection put at run time): the node on its
    // far address is its other end, as addSpeaker does for sessions registered first.
    if (s instanceof TcpSession) {
      for (const side of [0, 1] as const) {
        if (s.hasSpeaker(side)) continue;
        const node = this.speakerList.find(
          (x) =>
            NODE_KINDS.includes(x.kind) &&
            x.addresses.some((a) => a.claim === 'own' && a.address === s.ends[side].address),
        );
        if (node) s.attach(side, { speaker: node });
      }
    }
    this.sessionList.push(s);
    // Two sessions of one name (two route servers of one name): the name finds the first.
    if (!this.sessionByName.has(key)) this.sessionByName.set(key, s);
    return s;
  }

  /**
   * ARSLab's own BGP session from `localAddress` to `remoteAddress` (a built-in scripted
   * speaker's, toward a route-server instance): joined to the session already registered
   * between those addresses, as its other end; a new session when there is none.
   */
  attachTcp(
    local: { readonly speaker: LabSpeaker; readonly address: string; readonly name: string },
    remote: { readonly address: string; readonly asn: number; readonly name: string },
    bgp: BgpNeighbor,
  ): Session {
    for (const x of this.sessionList) {
      if (!(x instanceof TcpSession)) continue;
      const side = x.sideAt(local.address);
      if (side === undefined || x.ends[side === 0 ? 1 : 0].address !== remote.address) continue;
      x.attach(side, { speaker: local.speaker, bgp });
      return x;
    }
    return this.addSession(
      new TcpSession(
        `${local.name}<->${remote.name}`,
        { name: local.name, address: local.address, asn: local.speaker.asn ?? 0, speaker: local.speaker, bgp },
        { name: remote.name, address: remote.address, asn: remote.asn },
        {
          clock: this.clock,
          holdTime: bgp.peer.options.fsm.holdTime,
          keepaliveTime: bgp.peer.options.fsm.keepaliveTime,
        },
      ),
    );
  }

  addHost(h: LabHost): void {
    this.hostList.push(h);
  }

  /** A lab node (a process or a built-in speaker), in the lab file's order. */
  addNode(n: NodeRuntime): void {
    this.nodeByName.set(n.spec.name.toLowerCase(), n);
  }

  addRouteServer(id: string, rt: RouteServerRuntime): void {
    this.routeServerById.set(id.toLowerCase(), rt);
  }

  // -------------------------------------------------------------------------
  // Removal (run-time changes through the ARM API, issue 13 item 2)

  /** A session that no longer exists (a deleted bgpConnection's, per instance). */
  removeSession(s: Session): void {
    const i = this.sessionList.indexOf(s);
    if (i < 0) return;
    this.sessionList.splice(i, 1);
    const key = squash(s.name);
    if (this.sessionByName.get(key) === s) {
      this.sessionByName.delete(key);
      const next = this.sessionList.find((x) => squash(x.name) === key);
      if (next) this.sessionByName.set(key, next);
    }
  }

  /**
   * A speaker's addresses changed at run time (an MSEE a new connection faces from one more
   * GatewaySubnet address): the same speaker, so that its sessions keep their ends.
   */
  setAddresses(s: LabSpeaker, addresses: LabSpeaker['addresses']): void {
    (s as { addresses: LabSpeaker['addresses'] }).addresses = addresses;
  }

  /** A speaker that no longer exists (a deleted gateway's instance), with its sessions. */
  removeSpeaker(s: LabSpeaker): void {
    for (const x of this.sessions({ speaker: s })) this.removeSession(x);
    const i = this.speakerList.indexOf(s);
    if (i >= 0) this.speakerList.splice(i, 1);
    const key = s.name.toLowerCase();
    if (this.speakerByName.get(key) === s) {
      this.speakerByName.delete(key);
      const next = this.speakerList.find((x) => x.name.toLowerCase() === key);
      if (next) this.speakerByName.set(key, next);
    }
    if (s.rib) this.speakerByRib.delete(s.rib);
  }

  /** A deleted route server: its runtime, its two instances and their sessions leave the graph. */
  removeRouteServer(id: string): void {
    const rt = this.routeServer(id);
    if (!rt) return;
    this.routeServerById.delete(id.toLowerCase());
    for (const s of [...this.speakerList])
      if (s.owner.kind === 'route-server' && s.owner.runtime === rt) this.removeSpeaker(s);
  }

  // -------------------------------------------------------------------------
  // Speakers

  /** Every speaker (of these kinds), in registration order. */
  speakers(filter: SpeakerFilter = {}): readonly LabSpeaker[] {
    const k = kinds(filter.kind);
    return k ? this.speakerList.filter((s) => k.includes(s.kind)) : this.speakerList;
  }

  /** The speaker of this name (case-insensitive). */
  speaker(name: string): LabSpeaker | undefined {
    return this.speakerByName.get(name.toLowerCase());
  }

  /** The lab speaker running routing speaker `rib`. */
  speakerOf(rib: Speaker): LabSpeaker | undefined {
    return this.speakerByRib.get(rib);
  }

  /**
   * The speaker (of these kinds) an address belongs to, by the best claim (AddressClaim),
   * then registration order.
   */
  speakerAt(address: string, filter: SpeakerFilter = {}): LabSpeaker | undefined {
    let best: { s: LabSpeaker; rank: number } | undefined;
    for (const s of this.speakers(filter)) {
      for (const a of s.addresses) {
        if (a.address !== address) continue;
        const rank = CLAIM_RANK[a.claim];
        if (!best || rank < best.rank) best = { s, rank };
      }
    }
    return best?.s;
  }

  /** The first of a speaker's addresses that is its (speakerAt among the same kinds gives it back). */
  addressOf(s: LabSpeaker, filter: SpeakerFilter = {}): string {
    return s.addresses.find((a) => this.speakerAt(a.address, filter) === s)?.address ?? '';
  }

  /** The name of the lab node on an address: its BGP speaker's, else a host's (web server). */
  nodeAt(address: string): string | undefined {
    const s = this.speakerAt(address, { kind: NODE_KINDS });
    return s?.name ?? this.hostList.find((h) => h.address === address)?.name;
  }

  // -------------------------------------------------------------------------
  // Nodes, hosts, owners

  /** Every lab node, in the lab file's order. */
  nodes(): readonly NodeRuntime[] {
    return [...this.nodeByName.values()];
  }

  node(name: string): NodeRuntime | undefined {
    return this.nodeByName.get(name.toLowerCase());
  }

  hosts(): readonly LabHost[] {
    return this.hostList;
  }

  /** Every circuit (the owners of the MSEEs), in the model's order. */
  circuits(): readonly CircuitRuntime[] {
    const out: CircuitRuntime[] = [];
    for (const s of this.speakerList)
      if (s.owner.kind === 'circuit' && !out.includes(s.owner.runtime)) out.push(s.owner.runtime);
    return out;
  }

  routeServer(id: string): RouteServerRuntime | undefined {
    return this.routeServerById.get(id.toLowerCase());
  }

  /** Every route-server runtime, in the model's order. */
  routeServers(): readonly RouteServerRuntime[] {
    return [...this.routeServerById.values()];
  }

  // -------------------------------------------------------------------------
  // Sessions

  /** Every session (matching the filter), in registration order. */
  sessions(filter: SessionFilter = {}): readonly Session[] {
    const { transport, speaker, active } = filter;
    if (transport === undefined && speaker === undefined && active === undefined) return this.sessionList;
    return this.sessionList.filter(
      (s) =>
        (transport === undefined || s.transport === transport) &&
        (speaker === undefined || s.ends[0].speaker === speaker || s.ends[1].speaker === speaker) &&
        (active === undefined || s.active === active),
    );
  }

  /** A session by its name, its two halves in either order ("er1/0<->c1/primary" = "c1/primary<->er1/0"). */
  session(name: string): Session | undefined {
    const want = squash(name);
    const exact = this.sessionByName.get(want);
    if (exact) return exact;
    const [a, b] = want.split('<->');
    return b === undefined ? undefined : this.sessionByName.get(`${b}<->${a}`);
  }

  /**
   * The sessions a user names "A<->B": by name (either order), else every session whose ends
   * A and B name — an end named by its speaker's name or alias, its half of the session name,
   * or its address.
   */
  findSessions(text: string): Session[] {
    const exact = this.session(text);
    if (exact) return [exact];
    const [a, b] = squash(text).split('<->');
    if (!a || !b) return [];
    const names = (e: SessionEndpoint, want: string): boolean =>
      e.name.toLowerCase() === want ||
      e.address === want ||
      e.speaker?.name.toLowerCase() === want ||
      (e.speaker?.aliases.includes(want) ?? false);
    return this.sessionList.filter(
      (s) => (names(s.ends[0], a) && names(s.ends[1], b)) || (names(s.ends[0], b) && names(s.ends[1], a)),
    );
  }

  /** The sessions of a speaker, each from that speaker's side. */
  sidesOf(s: LabSpeaker, filter: Omit<SessionFilter, 'speaker'> = {}): SessionSide[] {
    const out: SessionSide[] = [];
    for (const session of this.sessions({ ...filter, speaker: s })) {
      for (const side of [0, 1] as const) {
        if (session.ends[side].speaker !== s) continue;
        out.push({ session, side, local: session.ends[side], remote: session.ends[side === 0 ? 1 : 0] });
      }
    }
    return out;
  }

  /** The sessions riding on a circuit link: its customer edges ↔ the link's MSEE (R-ER-1). */
  sessionsOfCircuitLink(circuit: CircuitRuntime, link: 0 | 1): SessionSide[] {
    const msee = this.speakerOf(circuit.msees[link]);
    if (!msee) return [];
    return this.sidesOf(msee).filter((x) => x.local.source?.role === 'customer');
  }

  /** A route-server peering's sessions, one per instance (R-ARS-3), instance 0 first. */
  peeringSessions(routeServerId: string, peering: string): SessionSide[] {
    const rt = this.routeServer(routeServerId);
    if (!rt) return [];
    const out: SessionSide[] = [];
    for (const s of this.speakers({ kind: 'route-server' })) {
      if (s.owner.kind !== 'route-server' || s.owner.runtime !== rt) continue;
      for (const x of this.sidesOf(s, { transport: 'tcp' }))
        if (x.remote.name.toLowerCase() === peering.toLowerCase()) out.push(x);
    }
    return out;
  }
}
