/**
 * @module lab/hybrid
 * The Azure-internal side of a lab beyond route servers: ExpressRoute and VPN
 * gateway instances, the MSEEs of each circuit link, built-in on-premises routers — all
 * speakers of src/rib with the policies of src/azure, joined by in-process BGP sessions
 * (src/lab/inprocess.ts). No table is computed by a special case: every listing reads a
 * speaker's Adj-RIB-In, Loc-RIB or Adj-RIB-Out.
 */
import type { Clock } from '../bgp/clock.js';
import { negotiateTimers } from '../bgp/fsm/index.js';
import { parseIpv4, parsePrefix, formatPrefix, type Prefix } from '../bgp/wire/index.js';
import {
  circuitsOf,
  erGatewayPolicy,
  gatewaysOfVnet,
  INSTANCE_NAMES,
  mseePolicy,
  MSEE_ASN,
  routeServerOfVnet,
  servedByHub,
  vpnBgpAddress,
  vpnGatewayPolicy,
  vpnNextHops,
  staticSites,
  byId,
  gatewayMeshPaths,
  customerPrefixLimit,
  isMseeTransit,
  VNET_TO_CIRCUIT_LIMIT,
  VPN_PEER_PREFIX_LIMIT,
  WEIGHT_LOCAL,
  ROUTE_SERVER_ASN,
  type AzureModel,
  type ExpressRouteCircuit,
  type GatewayRoute,
  type LocalNetworkGateway,
  type MeshBreak,
  type PrefixLimit,
  type VirtualNetworkGateway,
} from '../azure/index.js';
import { ArrivalOrder } from '../azure/gatewayListings.js';
import {
  formatCommunity,
  formatLargeCommunity,
  internAttrs,
  newRouteSource,
  pathAsns,
  rank,
  selectBest,
  Speaker,
  type Path,
  type RouteSource,
  type SpeakerPolicy,
} from '../rib/index.js';
import type { DaemonRoute } from './daemons/types.js';
import type { EventLog } from './events.js';
import { InProcessLink, type LabGraph, type LabSpeaker } from './graph/index.js';
import { type DeliveryQueue, InProcessSession, type SessionTimers } from './inprocess.js';
import { originatedRoute } from './kinds/speaker.js';
import { parseAnnounceCommand } from './announceCommand.js';
import type { Attachment, CustomerLinkSpec, DaemonNodeSpec, RouterNodeSpec } from './spec.js';
import { circuitEnd, linkEnd, vpnEnd, type AzureEnd } from './customerEdge.js';
import { routerPolicy } from './routerPolicy.js';

const ip = (t: string): number => parseIpv4(t) ?? 0;

/** R-ER-1/R-ER-7: the MSEE offers 60/180 and runs BFD (300 ms x 3) when the customer edge does. */
const MSEE_HOLD_TIME = 180;
const MSEE_KEEPALIVE_TIME = 60;
const MSEE_BFD = { intervalMs: 300, multiplier: 3 } as const;
/** The MSEE's sessions with the ExpressRoute gateway and over Global Reach: 60/180 and BFD (R-ER-1). */
const ER_TIMERS: SessionTimers = mseeTimers({});
/** R-VPN-1/R-VPN-5: fixed 60/180, not negotiated down, no BFD. */
const VPN_TIMERS: SessionTimers = { holdTime: 180, keepaliveTime: 60 };

/**
 * R-ER-7: an MSEE session's timers. "If the BGP timers are different between the two peering
 * devices, the BGP session establishes using the lower time value" (Configure BFD over
 * ExpressRoute) — RFC 4271 §4.2's negotiation: hold = min of both, keepalive at most a third
 * of it; BFD when the router runs it (the MSEE has it configured on every private peering).
 */
export function mseeTimers(router: Pick<RouterNodeSpec, 'holdTime' | 'bfd'>): SessionTimers {
  const { holdTime, keepaliveTime } = negotiateTimers(
    { holdTime: MSEE_HOLD_TIME, keepaliveTime: MSEE_KEEPALIVE_TIME },
    router.holdTime ?? MSEE_HOLD_TIME,
  );
  return { holdTime, keepaliveTime, ...(router.bfd === false ? {} : { bfd: MSEE_BFD }) };
}

/**
 * R-VPN-5: a VPN gateway's session with a router offering `holdTime`. The gateway keeps
 * 60/180 ("fixed timer values", VPN Gateway FAQ); a router that negotiated a hold time the
 * gateway's 60-s keepalives do not meet (RFC 4271 §4.2 takes the lower one on its side)
 * sees its hold timer expire first: `flapAfter` says when, and the session flaps.
 */
export function vpnTimers(router: Pick<RouterNodeSpec, 'holdTime'>): SessionTimers {
  const offered = router.holdTime;
  if (offered === undefined || offered === 0 || offered > VPN_TIMERS.keepaliveTime) return VPN_TIMERS;
  return {
    ...VPN_TIMERS,
    flapAfter: {
      seconds: offered,
      why: `hold timer expired at the router: it negotiated ${offered} s, the VPN gateway sends keepalives every ${VPN_TIMERS.keepaliveTime} s and does not negotiate down (R-VPN-5)`,
    },
  };
}
const IBGP_TIMERS: SessionTimers = { holdTime: 180, keepaliveTime: 60 };
/** Customer links: RFC 4271 §10's suggested 90 s hold, 30 s keepalive (a router's usual defaults). */
const LINK_TIMERS: SessionTimers = { holdTime: 90, keepaliveTime: 30 };

export interface HybridContext {
  readonly clock: Clock;
  readonly events: EventLog;
  readonly queue: DeliveryQueue;
  /** The lab graph: where the route-server instances are, and where these speakers and sessions register. */
  readonly graph: LabGraph;
  /** Links between customer-side speakers (lab file `links`). */
  readonly links?: readonly CustomerLinkSpec[];
}

/** One tunnel of a VPN site's connection: the gateway instance, and its BGP address on it. */
export interface VpnTunnel {
  readonly gateway: GatewayRuntime;
  readonly instance: 0 | 1;
  readonly connection: string;
  readonly bgpAddress: string;
}

/** A gateway (ER or VPN) running as one speaker per instance. */
export class GatewayRuntime {
  readonly instances: Speaker[] = [];
  /** Per instance: the order its route groups arrived in (learned-routes listing, azure/gatewayListings). */
  readonly arrival: ArrivalOrder[] = [];
  /** What its speakers were built from (gatewayBuildKey): a model change that alters it rebuilds the gateway. */
  readonly builtFrom: string;
  constructor(
    readonly resource: VirtualNetworkGateway,
    model: AzureModel,
  ) {
    this.builtFrom = gatewayBuildKey(resource, model);
    const vnet = byId(model.virtualNetworks, resource.virtualNetwork)!;
    const served = servedByHub(model, vnet).flatMap((v) => v.prefixes);
    const count = resource.gatewayType === 'ExpressRoute' || resource.activeActive ? 2 : 1;
    for (let i = 0 as 0 | 1; i < count; i = (i + 1) as 0 | 1) {
      const policy: SpeakerPolicy =
        resource.gatewayType === 'ExpressRoute'
          ? erGatewayPolicy({ gateway: resource, instance: i, vnetHasRouteServer: !!routeServerOfVnet(model, vnet) })
          : vpnGatewayPolicy({ gateway: resource, instance: i, vnetPrefixes: served });
      const sp = new Speaker(`${resource.name}/${i}`, resource.asn, ip(resource.instanceAddresses[i]), policy);
      // R-ER-3: the VNet ranges are the gateway's own "Network" routes, weight 32768.
      for (const p of served)
        sp.originate(p, internAttrs({ origin: 0, asPath: [], nextHop: resource.instanceAddresses[i] }), WEIGHT_LOCAL);
      const order = new ArrivalOrder();
      order.update(served, (p) => sp.candidates(p));
      this.instances.push(sp);
      this.arrival.push(order);
    }
    this.applyStaticSites(model);
  }

  get isExpressRoute(): boolean {
    return this.resource.gatewayType === 'ExpressRoute';
  }

  /** R-VPN-4: per instance, the static routes held, by connection: their source and prefixes. */
  private readonly statics = new Map<string, { source: RouteSource; prefixes: Map<string, Prefix> }>();

  /**
   * R-VPN-4: each instance carrying an IPsec connection without BGP holds its site's
   * addressPrefixes as static routes (origin Network, weight 32768, as Azure lists them),
   * from a source of the connection's own: programmed into NICs toward the gateway like a
   * tunnel-learned route (R-VPN-1), and advertised as the gateway's — to the route server
   * with branch-to-branch on, to the ExpressRoute gateway, to BGP sites. Called again when
   * the model changes (a connection or a site's prefixes put or deleted).
   */
  applyStaticSites(model: AzureModel): void {
    if (this.isExpressRoute) return;
    const want = new Map<string, { connection: string; prefixes: Map<string, Prefix> }>();
    for (const s of staticSites(model, this.resource))
      this.instances.forEach((_, i) => {
        if (s.instances && !s.instances.includes(i as 0 | 1)) return;
        want.set(`${i}/${s.connection}`, {
          connection: s.connection,
          prefixes: new Map(s.prefixes.map((p) => [formatPrefix(p), p])),
        });
      });
    for (const [k, held] of this.statics) {
      const sp = this.instances[Number(k.split('/')[0])]!;
      const next = want.get(k)?.prefixes;
      for (const [t, p] of held.prefixes) if (!next?.has(t)) sp.withdrawLocal(p, held.source);
      if (!next) this.statics.delete(k);
    }
    for (const [k, w] of want) {
      const i = Number(k.split('/')[0]) as 0 | 1;
      const sp = this.instances[i]!;
      let held = this.statics.get(k);
      if (!held) {
        const source = newRouteSource({
          name: `${sp.name}:${w.connection}`,
          address: '',
          asn: this.resource.asn,
          kind: 'local',
          routerId: sp.routerId,
          role: 'local-network-gateway',
        });
        this.statics.set(k, (held = { source, prefixes: new Map() }));
      }
      const attrs = internAttrs({ origin: 0, asPath: [], nextHop: this.resource.instanceAddresses[i] });
      for (const [t, p] of w.prefixes) if (!held.prefixes.has(t)) sp.originate(p, attrs, WEIGHT_LOCAL, held.source);
      held.prefixes = w.prefixes;
    }
  }
}

/**
 * What a gateway's speakers are built from: the resource, the VNet ranges it originates (its
 * own and its spokes', R-ER-3) and whether a route server shares its VNet (R-ER-4's policy).
 */
function gatewayBuildKey(resource: VirtualNetworkGateway, model: AzureModel): string {
  const vnet = byId(model.virtualNetworks, resource.virtualNetwork);
  const served = vnet ? servedByHub(model, vnet).flatMap((v) => v.prefixes.map(formatPrefix)) : [];
  return JSON.stringify([resource, served, !!(vnet && routeServerOfVnet(model, vnet))]);
}

/** What a circuit's MSEEs are built from: the circuit without its Global Reach links (sessions, not policy). */
function circuitBuildKey(resource: ExpressRouteCircuit): string {
  const { globalReachConnections: _, ...rest } = resource;
  return JSON.stringify(rest);
}

/** A circuit's two MSEEs (primary, secondary), AS 12076. */
export class CircuitRuntime {
  readonly msees: [Speaker, Speaker];
  /** Replaced when only its Global Reach links change (sessions, not the MSEEs' policy). */
  resource: ExpressRouteCircuit;
  constructor(resource: ExpressRouteCircuit) {
    this.resource = resource;
    this.msees = [0, 1].map(
      (link) =>
        new Speaker(
          `${resource.name}/${link === 0 ? 'primary' : 'secondary'}`,
          MSEE_ASN,
          ip(this.mseeLinkAddress(link as 0 | 1)),
          mseePolicy({ circuit: resource, link: link as 0 | 1 }),
        ),
    ) as [Speaker, Speaker];
  }

  /** R-ER-1: the MSEE's address on link `link`: the second host of the /30. */
  mseeLinkAddress(link: 0 | 1): string {
    const pr = this.resource.peerings[0];
    const p = parsePrefix(
      (link === 0 ? pr?.primaryPeerAddressPrefix : pr?.secondaryPeerAddressPrefix) ?? '0.0.0.0/30',
    )!;
    const a = ((p.addr as number) + 2) >>> 0;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }

  /** The customer edge's address on link `link`: the first host of the /30. */
  customerLinkAddress(link: 0 | 1): string {
    const pr = this.resource.peerings[0];
    const p = parsePrefix(
      (link === 0 ? pr?.primaryPeerAddressPrefix : pr?.secondaryPeerAddressPrefix) ?? '0.0.0.0/30',
    )!;
    const a = ((p.addr as number) + 1) >>> 0;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
}

export class RouterRuntime {
  readonly speaker: Speaker;
  readonly sessions: InProcessSession[] = [];
  /** Its customer links' subnets (lab file `links`), announced as connected routes. */
  readonly connected: string[] = [];
  /** Changed by `arslab node stop|start|pause|resume` (SessionFaults.routerAction). */
  state: 'running' | 'stopped' | 'paused' = 'running';
  constructor(readonly spec: RouterNodeSpec) {
    this.speaker = new Speaker(spec.name, spec.asn, ip(spec.routerId), routerPolicy(spec));
  }

  /** Originates the spec's routes (origin, AS path, communities; `on` restricts attachments). */
  originateAll(): void {
    for (const r of this.spec.routes) this.originate(r);
    // A link's subnet is a connected route (`redistribute connected`: origin INCOMPLETE); it
    // stays whatever the session over the link does, as long as the interface is up.
    for (const prefix of this.connected) this.originate({ prefix, origin: 'incomplete' });
  }

  /**
   * Originates one route (a lab-file route, or `arslab node cmd ROUTER announce route …`);
   * returns what is wrong with it instead, changing nothing.
   */
  originate(r: RouterNodeSpec['routes'][number]): string | undefined {
    const o = originatedRoute(r, this.spec.routerId);
    if ('error' in o) return o.error;
    this.speaker.originate(o.prefix, o.attrs);
    return undefined;
  }

  /**
   * `arslab node cmd ROUTER announce|withdraw route …` (ExaBGP's text API, as for the built-in
   * speaker): the router originates or withdraws a route at run time, toward every attachment.
   */
  command(text: string): string {
    const r = parseAnnounceCommand(text);
    if (!r.ok) throw new Error(r.error);
    if (r.command.action === 'withdraw') {
      const p = parsePrefix(r.command.prefix)!;
      if (!this.speaker.candidates(p).some((x) => x.source.kind === 'local'))
        throw new Error(`router ${this.spec.name} does not originate ${formatPrefix(p)}`);
      this.speaker.withdrawLocal(p);
      return 'done';
    }
    const err = this.originate(r.command.route);
    if (err) throw new Error(err);
    return 'done';
  }

  /**
   * The router's BGP table, as `show bgp` prints it (`arslab node routes ROUTER`): every
   * path it holds, prefixes in address order, best first — its own routes with next hop
   * 0.0.0.0 and weight 32768 (what a Cisco or FRR router shows for what it originates),
   * and the paths its MSEEs and VPN gateways sent, with the neighbour they came from.
   * Paths it refused (its own AS in the path) are not in a router's table.
   */
  table(): RouterTableRow[] {
    const sp = this.speaker;
    const rows: RouterTableRow[] = [];
    const prefixes = [...sp.locRib()]
      .map((e) => e.prefix)
      .sort((a, b) => a.afi - b.afi || (a.addr as number) - (b.addr as number) || a.len - b.len);
    for (const prefix of prefixes) {
      const ranked = rank(sp.candidates(prefix), sp.bestPathConfig).filter((p) => !p.rejected);
      const best = new Set(selectBest(ranked, sp.bestPathConfig));
      for (const path of ranked) {
        const local = path.source.kind === 'local';
        const a = path.attrs;
        rows.push({
          prefix: formatPrefix(prefix),
          nextHop: local ? '0.0.0.0' : a.nextHop,
          asPath: pathAsns(a),
          origin: (['IGP', 'EGP', 'INCOMPLETE'] as const)[a.origin] ?? 'INCOMPLETE',
          communities: (a.communities ?? []).map(formatCommunity),
          largeCommunities: (a.largeCommunities ?? []).map(formatLargeCommunity),
          ...(a.med !== undefined ? { med: a.med } : {}),
          ...(a.localPref !== undefined ? { localPref: a.localPref } : {}),
          ...(local ? {} : { peer: path.source.address }),
          best: best.has(path),
          weight: local ? WEIGHT_LOCAL : path.weight,
          local,
        });
      }
    }
    return rows;
  }
}

/** One path of a built-in router's table: a DaemonRoute (the shape `arslab node routes` prints for daemons) with Cisco's weight and whether the router originates it. */
export interface RouterTableRow extends DaemonRoute {
  readonly weight: number;
  readonly local: boolean;
}

/** What a VPN gateway instance whose best paths for `prefix` are `best` programs into NICs (R-VPN-1). */
function vpnRouteOf(gw: GatewayRuntime, prefix: Prefix, best: readonly Path[]): GatewayRoute | undefined {
  const tunnel = best.filter((p) => p.source.role === 'local-network-gateway');
  if (tunnel.length === 0) return undefined;
  return {
    prefix,
    nextHops: vpnNextHops(gw.resource),
    paths: tunnel,
    origin: 'vpn',
    asPathLength: tunnel[0]!.attrs.asPathLength,
  };
}

/** Every hybrid speaker of a lab and the sessions between them. */
export class HybridRuntime {
  readonly gateways = new Map<string, GatewayRuntime>();
  readonly circuits = new Map<string, CircuitRuntime>();
  readonly routers = new Map<string, RouterRuntime>();
  /** Every in-process session, by label. */
  readonly sessions = new Map<string, InProcessSession>();
  /** Route-server ↔ gateway sessions (R-ARS-11), opened only with branch-to-branch on. */
  private readonly b2b: { rs: string; session: InProcessSession }[] = [];
  /**
   * The gateways' iBGP mesh of each VNet (R-VPN-2): route-server ↔ gateway and ER ↔ VPN
   * gateway sessions, with the addresses of both ends (matched against azure/gatewayMesh).
   */
  private readonly mesh: { vnet: string; session: InProcessSession; ends: [string, string] }[] = [];
  /** Mesh sessions whose path GatewaySubnet's route table breaks now, and why (R-VPN-2). */
  private readonly meshBroken = new Map<InProcessSession, MeshBreak>();

  constructor(
    private model: AzureModel,
    routers: readonly RouterNodeSpec[],
    private readonly ctx: HybridContext,
  ) {
    for (const g of model.virtualNetworkGateways) this.gateways.set(g.id.toLowerCase(), new GatewayRuntime(g, model));
    for (const c of model.expressRouteCircuits) this.circuits.set(c.id.toLowerCase(), new CircuitRuntime(c));
    for (const r of routers) this.routers.set(r.name.toLowerCase(), new RouterRuntime(r));
    for (const l of ctx.links ?? [])
      for (const e of l.ends) if (e.kind === 'router') this.routers.get(e.name.toLowerCase())?.connected.push(l.subnet);
    for (const gw of this.gateways.values()) gw.instances.forEach((sp, i) => this.arrival.set(sp, gw.arrival[i]!));
    this.wire();
    this.register();
    this.fresh = [];
  }

  /** Per session label: what it was built from (its ends' sources, info, limits, timers). */
  private readonly built = new Map<string, string>();
  /** The labels the running wire() asked for (a model change: the others are removed). */
  private wanted?: Set<string>;
  /** Sessions the running wire() created (a model change: registered and opened after it). */
  private fresh: InProcessSession[] = [];
  /** Each session's entry in the lab graph. */
  private readonly links = new Map<InProcessSession, InProcessLink>();

  /** Gateway instances' arrival orders (listings), by speaker. */
  private readonly arrival = new Map<Speaker, ArrivalOrder>();

  /**
   * Registers every speaker — gateway instances, MSEEs, routers, in that order — and then
   * every session, in wiring order, in the lab graph.
   */
  private register(): void {
    for (const gw of this.gateways.values()) this.registerGateway(gw);
    for (const c of this.circuits.values()) this.registerCircuit(c);
    for (const r of this.routers.values()) this.registerRouter(r);
    for (const s of this.sessions.values()) this.registerSession(s);
  }

  private registerGateway(gw: GatewayRuntime): void {
    const g = this.ctx.graph;
    const m = this.model;
    {
      const r = gw.resource;
      const what = gw.isExpressRoute ? 'ExpressRoute gateway' : 'VPN gateway';
      gw.instances.forEach((sp, i) => {
        const own = r.instanceAddresses[i];
        g.addSpeaker({
          kind: gw.isExpressRoute ? 'expressroute-gateway' : 'vpn-gateway',
          name: `${r.name}/${i}`,
          title: `${what} ${r.name} instance ${i} (${own})`,
          at: `${what} ${r.name}/${i}`,
          aliases: [r.name, sp.name, own ?? ''].filter(Boolean).map((x) => x.toLowerCase()),
          addresses: [
            ...(own ? [{ address: own, claim: 'own' as const }] : []),
            // R-VPN-1: the BGP peering address the tunnels use (an APIPA address, or the instance's),
            // and its addresses on connections that give it one (gatewayCustomBgpIpAddresses).
            ...(gw.isExpressRoute
              ? []
              : [
                  vpnBgpAddress(r, i as 0 | 1),
                  ...m.connections
                    .filter((c) => c.virtualNetworkGateway1.toLowerCase() === r.id.toLowerCase())
                    .map((c) => c.gatewayCustomBgpIpAddresses?.[i] ?? ''),
                ]
                  .filter((a, k, all) => a && all.indexOf(a) === k)
                  .map((address) => ({ address, claim: 'own' as const }))),
          ],
          asn: r.asn,
          owner: { kind: 'gateway', runtime: gw, instance: i },
          rib: sp,
        });
      });
    }
  }

  /** An MSEE's addresses: its own on the link, and where the gateways see it (their connections' mseePeerAddresses). */
  private mseeAddresses(c: CircuitRuntime, l: 0 | 1): LabSpeaker['addresses'] {
    const facing = this.model.connections
      .filter((x) => x.peer?.toLowerCase() === c.resource.id.toLowerCase())
      .map((x) => x.mseePeerAddresses?.[l])
      .filter((a): a is string => !!a);
    return [
      { address: c.mseeLinkAddress(l), claim: 'own' },
      ...facing.map((address) => ({ address, claim: 'peer-facing' as const })),
    ];
  }

  private registerCircuit(c: CircuitRuntime): void {
    const g = this.ctx.graph;
    c.msees.forEach((sp, link) => {
      const l = link as 0 | 1;
      g.addSpeaker({
        kind: 'msee',
        name: sp.name,
        title: `MSEE ${sp.name} of circuit ${c.resource.name} (${c.mseeLinkAddress(l)}, AS 12076)`,
        at: `MSEE ${sp.name}`,
        aliases: [c.resource.name, sp.name, c.mseeLinkAddress(l)].map((x) => x.toLowerCase()),
        addresses: this.mseeAddresses(c, l),
        asn: MSEE_ASN,
        owner: { kind: 'circuit', runtime: c, link: l },
        rib: sp,
      });
    });
  }

  private registerRouter(r: RouterRuntime): void {
    const g = this.ctx.graph;
    {
      // The router's address on each of its sessions (its attachments), then its router ID.
      const links: string[] = [];
      for (const s of r.sessions) {
        const side = s.end(0).speaker === r.speaker ? 0 : 1;
        const a = String(s.end(side).info?.['localAddress'] ?? '');
        if (a && !links.includes(a)) links.push(a);
      }
      // Its customer links' addresses, sessions with daemons included (customerEdge.ts).
      for (const l of this.ctx.links ?? [])
        for (const e of l.ends)
          if (e.kind === 'router' && e.name === r.spec.name && !links.includes(e.address)) links.push(e.address);
      g.addSpeaker({
        kind: 'router',
        name: r.spec.name,
        title: `on-premises router ${r.spec.name} (AS ${r.spec.asn})`,
        at: `router ${r.spec.name}`,
        aliases: [r.spec.name, r.spec.routerId].map((x) => x.toLowerCase()),
        addresses: [
          ...links.map((address) => ({ address, claim: 'link' as const })),
          { address: r.spec.routerId, claim: 'router-id' },
        ],
        asn: r.spec.asn,
        owner: { kind: 'router', runtime: r },
        rib: r.speaker,
      });
    }
  }

  private registerSession(s: InProcessSession): void {
    const g = this.ctx.graph;
    const a = g.speakerOf(s.end(0).speaker);
    const b = g.speakerOf(s.end(1).speaker);
    if (!a || !b) return;
    const link = new InProcessLink(s, [a, b], () => this.isActiveSession(s));
    this.links.set(s, link);
    g.addSession(link);
  }

  /** A session the model no longer has (or has differently): closed (Cease), its routes withdrawn, gone from the graph. */
  private removeSession(label: string, s: InProcessSession): void {
    s.remove();
    const link = this.links.get(s);
    if (link) this.ctx.graph.removeSession(link);
    this.links.delete(s);
    this.sessions.delete(label);
    this.built.delete(label);
    this.meshBroken.delete(s);
  }

  private session(
    label: string,
    a: { speaker: Speaker; peer: Omit<RouteSource, 'id'>; info?: Record<string, unknown>; prefixLimit?: PrefixLimit },
    b: typeof a,
    timers: SessionTimers,
  ): InProcessSession {
    // A model change runs wire() again: an equal session (same speakers, same ends) is kept,
    // a changed one (a new routingWeight, a rebuilt gateway) is replaced.
    const key = JSON.stringify([
      a.peer,
      a.info ?? null,
      a.prefixLimit ?? null,
      b.peer,
      b.info ?? null,
      b.prefixLimit ?? null,
      timers,
    ]);
    this.wanted?.add(label);
    const had = this.sessions.get(label);
    if (had) {
      if (had.end(0).speaker === a.speaker && had.end(1).speaker === b.speaker && this.built.get(label) === key)
        return had;
      this.removeSession(label, had);
    }
    const end = (x: typeof a) => {
      const order = this.arrivalOf(x.speaker);
      return {
        speaker: x.speaker,
        peer: newRouteSource(x.peer),
        ...(x.info ? { info: x.info } : {}),
        ...(x.prefixLimit ? { prefixLimit: x.prefixLimit } : {}),
        // Gateway instances keep the arrival order of their route groups (listings).
        ...(order
          ? {
              onChange: (
                ch: 'down' | { readonly withdrawn: readonly Prefix[]; readonly announced: readonly Prefix[] },
              ) =>
                ch === 'down'
                  ? order.prune((p) => x.speaker.candidates(p))
                  : order.update([...ch.withdrawn, ...ch.announced], (p) => x.speaker.candidates(p)),
            }
          : {}),
      };
    };
    const s = new InProcessSession(label, end(a), end(b), {
      clock: this.ctx.clock,
      events: this.ctx.events,
      queue: this.ctx.queue,
      timers,
    });
    this.sessions.set(label, s);
    this.built.set(label, key);
    this.fresh.push(s);
    return s;
  }

  /** Creates every session; the order is the bring-up order (see start()). */
  private wire(): void {
    const m = this.model;
    // 1. On-premises routers ↔ MSEEs (the customer edge on each link), and ↔ VPN gateways.
    for (const r of this.routers.values()) {
      r.spec.attach.forEach((att, idx) => {
        const at = this.landing(att);
        if (at?.kind === 'msee') {
          const { circuit: c, link } = at;
          const linkName = link === 0 ? 'primary' : 'secondary';
          const ce = c.customerLinkAddress(link);
          const msee = c.mseeLinkAddress(link);
          r.sessions.push(
            this.session(
              `${r.spec.name}<->${c.resource.name}/${linkName}`,
              {
                speaker: r.speaker,
                peer: {
                  name: `${c.resource.name}/${linkName}`,
                  address: msee,
                  asn: MSEE_ASN,
                  kind: 'ebgp',
                  routerId: ip(msee),
                  role: 'msee',
                },
                info: { role: 'msee', attachment: idx, localAddress: ce },
              },
              {
                speaker: c.msees[link],
                peer: {
                  name: r.spec.name,
                  address: ce,
                  asn: r.spec.asn,
                  kind: 'ebgp',
                  routerId: ip(r.spec.routerId),
                  role: 'customer',
                },
                info: { role: 'customer' },
                prefixLimit: customerPrefixLimit(c.resource.skuTier),
              },
              mseeTimers(r.spec),
            ),
          );
        } else if (at?.kind === 'vpn') {
          const bgp = at.site.bgpSettings!;
          for (const tunnel of at.tunnels) {
            const { gateway: gw, instance: i } = tunnel;
            const inst = gw.instances[i]!;
            const gwAddr = tunnel.bgpAddress;
            r.sessions.push(
              this.session(
                this.tunnelLabel(r.spec.name, r.spec.attach, tunnel),
                {
                  speaker: r.speaker,
                  peer: {
                    name: `${gw.resource.name}/${i}`,
                    address: gwAddr,
                    asn: gw.resource.asn,
                    kind: 'ebgp',
                    routerId: ip(gw.resource.instanceAddresses[i]!),
                    role: 'vpn-gateway',
                  },
                  info: { role: 'vpn-gateway', attachment: idx, localAddress: bgp.bgpPeeringAddress },
                },
                {
                  speaker: inst,
                  peer: {
                    name: at.site.name,
                    address: bgp.bgpPeeringAddress,
                    asn: bgp.asn,
                    kind: 'ebgp',
                    routerId: ip(r.spec.routerId),
                    role: 'local-network-gateway',
                  },
                  info: { role: 'local-network-gateway', localAddress: gwAddr },
                  prefixLimit: VPN_PEER_PREFIX_LIMIT,
                },
                vpnTimers(r.spec),
              ),
            );
          }
        }
      });
    }
    // 1b. Customer links between two built-in routers (eBGP, each from its link address).
    for (const l of this.ctx.links ?? []) {
      const [a, b] = l.ends;
      const ra = this.routers.get(a.name.toLowerCase());
      const rb = this.routers.get(b.name.toLowerCase());
      if (a.kind !== 'router' || b.kind !== 'router' || !ra || !rb) continue;
      const end = (r: RouterRuntime, self: typeof a, other: typeof a, peer: RouterRuntime) => ({
        speaker: r.speaker,
        peer: {
          name: other.name,
          address: other.address,
          asn: peer.spec.asn,
          kind: 'ebgp' as const,
          routerId: ip(peer.spec.routerId),
          role: 'customer-peer',
        },
        info: { role: 'customer-peer', link: l.name, localAddress: self.address },
      });
      const s = this.session(`${a.name}<->${b.name}`, end(ra, a, b, rb), end(rb, b, a, ra), LINK_TIMERS);
      ra.sessions.push(s);
      rb.sessions.push(s);
    }
    // 2. ER gateway instances ↔ MSEEs: instance 0 with the primary first, instance 1 with the
    //    secondary, then the crossed pairs — an MSEE keeps the oldest of equal paths, so each
    //    MSEE prefers the instance that reached it first (seed 001's reflections).
    for (const gw of this.gateways.values()) {
      if (!gw.isExpressRoute) continue;
      for (const { connection, circuit } of circuitsOf(m, gw.resource.id)) {
        const c = this.circuits.get(circuit.id.toLowerCase());
        if (!c) continue;
        const peerAddrs = connection.mseePeerAddresses ?? [c.mseeLinkAddress(0), c.mseeLinkAddress(1)];
        for (const [i, link] of [
          [0, 0],
          [1, 1],
          [0, 1],
          [1, 0],
        ] as const) {
          const inst = gw.instances[i];
          if (!inst) continue;
          const linkName = link === 0 ? 'primary' : 'secondary';
          this.session(
            `${gw.resource.name}/${i}<->${c.resource.name}/${linkName}`,
            {
              speaker: inst,
              peer: {
                name: `${c.resource.name}/${linkName}`,
                address: peerAddrs[link]!,
                asn: MSEE_ASN,
                kind: 'ebgp',
                routerId: ip(c.mseeLinkAddress(link)),
                role: 'msee',
              },
              info: { role: 'msee', routingWeight: connection.routingWeight, circuit: c.resource.name, link },
            },
            {
              speaker: c.msees[link],
              peer: {
                name: `${gw.resource.name}/${i}`,
                address: gw.resource.instanceAddresses[i]!,
                asn: gw.resource.asn,
                kind: 'ebgp',
                routerId: ip(gw.resource.instanceAddresses[i]!),
                role: 'gateway',
              },
              info: { role: 'gateway', mseeAddress: peerAddrs[link] },
              prefixLimit: VNET_TO_CIRCUIT_LIMIT,
            },
            ER_TIMERS,
          );
        }
      }
    }
    // 3. Global Reach between circuits' MSEEs, link by link (R-ER-6). A connection is declared
    //    on one circuit of the pair (or on both): one session per pair and link either way.
    const linked = new Set<string>();
    for (const c of this.circuits.values()) {
      for (const gr of c.resource.globalReachConnections) {
        const other = this.circuits.get(gr.peerCircuit.toLowerCase());
        if (!other || other === c) continue;
        const pair = [c.resource.id.toLowerCase(), other.resource.id.toLowerCase()].sort().join(' ');
        if (linked.has(pair)) continue;
        linked.add(pair);
        for (const link of [0, 1] as const) {
          this.session(
            `${c.resource.name}/${link}<->${other.resource.name}/${link} (Global Reach)`,
            {
              speaker: c.msees[link],
              peer: {
                name: other.resource.name,
                address: other.mseeLinkAddress(link),
                asn: MSEE_ASN,
                kind: 'ebgp',
                routerId: ip(other.mseeLinkAddress(link)),
                role: 'global-reach',
              },
              info: { role: 'global-reach' },
            },
            {
              speaker: other.msees[link],
              peer: {
                name: c.resource.name,
                address: c.mseeLinkAddress(link),
                asn: MSEE_ASN,
                kind: 'ebgp',
                routerId: ip(c.mseeLinkAddress(link)),
                role: 'global-reach',
              },
              info: { role: 'global-reach' },
            },
            ER_TIMERS,
          );
        }
      }
    }
    // 4. ER ↔ VPN gateway of the same VNet (iBGP, R-VPN-2).
    for (const vnet of m.virtualNetworks) {
      const gws = gatewaysOfVnet(m, vnet)
        .map((g) => this.gateways.get(g.id.toLowerCase())!)
        .filter(Boolean);
      const er = gws.find((g) => g.isExpressRoute);
      const vpn = gws.find((g) => !g.isExpressRoute);
      if (!er || !vpn) continue;
      er.instances.forEach((e, i) =>
        vpn.instances.forEach((v, j) => {
          const s = this.session(
            `${er.resource.name}/${i}<->${vpn.resource.name}/${j}`,
            {
              speaker: e,
              peer: {
                name: `${vpn.resource.name}/${j}`,
                address: vpn.resource.instanceAddresses[j]!,
                asn: vpn.resource.asn,
                kind: 'ibgp',
                routerId: ip(vpn.resource.instanceAddresses[j]!),
                role: 'vpn-gateway',
              },
              info: { role: 'vpn-gateway' },
            },
            {
              speaker: v,
              peer: {
                name: `${er.resource.name}/${i}`,
                address: er.resource.instanceAddresses[i]!,
                asn: er.resource.asn,
                kind: 'ibgp',
                routerId: ip(er.resource.instanceAddresses[i]!),
                role: 'expressroute-gateway',
              },
              info: { role: 'expressroute-gateway' },
            },
            IBGP_TIMERS,
          );
          this.mesh.push({
            vnet: vnet.id.toLowerCase(),
            session: s,
            ends: [er.resource.instanceAddresses[i]!, vpn.resource.instanceAddresses[j]!],
          });
        }),
      );
    }
    // 5. Route-server instances ↔ gateway instances (R-ARS-11), iBGP, not listed as peerings.
    const g0 = this.ctx.graph;
    for (const rt of g0.routeServers()) {
      const rsKey = rt.resource.id.toLowerCase();
      const vnet = byId(m.virtualNetworks, rt.resource.virtualNetwork);
      if (!vnet) continue;
      const rsInstances = g0
        .speakers({ kind: 'route-server' })
        .filter((x) => x.owner.kind === 'route-server' && x.owner.runtime === rt);
      for (const g of gatewaysOfVnet(m, vnet)) {
        const gw = this.gateways.get(g.id.toLowerCase());
        if (!gw) continue;
        const gwRole = gw.isExpressRoute ? 'expressroute-gateway' : 'vpn-gateway';
        rsInstances.forEach((ri) =>
          gw.instances.forEach((gi, j) => {
            const index = ri.owner.kind === 'route-server' ? ri.owner.instance : 0;
            const riIp = ri.addresses[0]!.address;
            const s = this.session(
              `${ri.name}<->${g.name}/${j}`,
              {
                speaker: ri.rib!,
                peer: {
                  name: `${g.name}/${j}`,
                  address: g.instanceAddresses[j]!,
                  asn: g.asn,
                  kind: 'ibgp',
                  routerId: ip(g.instanceAddresses[j]!),
                  role: gwRole,
                },
                info: { role: gwRole },
              },
              {
                speaker: gi,
                peer: {
                  name: `${rt.resource.name}/${INSTANCE_NAMES[index]}`,
                  address: riIp,
                  asn: ROUTE_SERVER_ASN,
                  kind: 'ibgp',
                  routerId: ip(riIp),
                  role: 'route-server',
                },
                // No limit of its own: R-ER-8's 1,000 counts the Route Server's routes with the
                // VNet's where they reach the circuit (the gateway ↔ MSEE sessions).
                info: { role: 'route-server' },
              },
              IBGP_TIMERS,
            );
            this.b2b.push({ rs: rsKey, session: s });
            this.mesh.push({ vnet: vnet.id.toLowerCase(), session: s, ends: [g.instanceAddresses[j]!, riIp] });
          }),
        );
      }
    }
  }

  /**
   * Where an attachment lands on the Azure side: a circuit link's MSEE (R-ER-1), or the
   * instances of every VPN gateway whose BGP-enabled IPsec connection reaches the site
   * (R-VPN-1). Undefined when the lab has no such circuit or site (the loader reported it).
   */
  private landing(att: Attachment):
    | { readonly kind: 'msee'; readonly circuit: CircuitRuntime; readonly link: 0 | 1 }
    | {
        readonly kind: 'vpn';
        readonly site: LocalNetworkGateway;
        readonly tunnels: readonly VpnTunnel[];
      }
    | undefined {
    const m = this.model;
    if (att.kind === 'expressRoute') {
      const key = att.circuit.toLowerCase();
      const c =
        this.circuits.get(key) ?? [...this.circuits.values()].find((x) => x.resource.name.toLowerCase() === key);
      return c ? { kind: 'msee', circuit: c, link: att.link === 'primary' ? 0 : 1 } : undefined;
    }
    const key = att.localNetworkGateway.toLowerCase();
    const site = m.localNetworkGateways.find((l) => l.name.toLowerCase() === key || l.id.toLowerCase() === key);
    if (!site?.bgpSettings) return undefined;
    const tunnels: VpnTunnel[] = [];
    for (const conn of m.connections) {
      if (conn.connectionType !== 'IPsec' || !conn.enableBgp) continue;
      if ((conn.localNetworkGateway2 ?? '').toLowerCase() !== site.id.toLowerCase()) continue;
      const gw = this.gateways.get(conn.virtualNetworkGateway1.toLowerCase());
      if (!gw) continue;
      gw.instances.forEach((_, i) => {
        const instance = i as 0 | 1;
        // A connection bound to some instances brings up their tunnels only.
        if (conn.gatewayInstances && !conn.gatewayInstances.includes(instance)) return;
        tunnels.push({
          gateway: gw,
          instance,
          connection: conn.name,
          // R-VPN-1: the instance's BGP address on this connection (gatewayCustomBgpIpAddresses), else its own.
          bgpAddress: conn.gatewayCustomBgpIpAddresses?.[instance] ?? vpnBgpAddress(gw.resource, instance),
        });
      });
    }
    return { kind: 'vpn', site, tunnels };
  }

  /**
   * The name of each VPN session of a speaker (a router or a daemon): `SPEAKER<->GATEWAY/i`,
   * or, where the speaker has several tunnels to one instance (two sites, two connections),
   * `SPEAKER<->GATEWAY/i (CONNECTION)` for each of them, so that no tunnel's session replaces
   * another's.
   */
  private tunnelLabel(speaker: string, attach: readonly Attachment[], t: VpnTunnel): string {
    const base = `${speaker}<->${t.gateway.resource.name}/${t.instance}`;
    let same = 0;
    for (const att of attach) {
      const at = this.landing(att);
      if (at?.kind === 'vpn')
        for (const x of at.tunnels) if (x.gateway === t.gateway && x.instance === t.instance) same++;
    }
    return same > 1 ? `${base} (${t.connection})` : base;
  }

  /**
   * The Azure ends a daemon node's attachments peer with (src/lab/customerEdge.ts wires them
   * over TCP): a circuit link's MSEE, with the circuit's peerASN for the daemon; each VPN
   * gateway instance serving a site, with the site's bgpSettings.asn.
   */
  azureEndsOf(d: DaemonNodeSpec): AzureEnd[] {
    const out: AzureEnd[] = [];
    for (const att of d.attach ?? []) {
      const at = this.landing(att);
      if (at?.kind === 'msee') {
        const c = at.circuit;
        const linkName = at.link === 0 ? 'primary' : 'secondary';
        out.push(
          circuitEnd(
            c.msees[at.link],
            `${c.resource.name}/${linkName}`,
            c.mseeLinkAddress(at.link),
            c.customerLinkAddress(at.link),
            c.resource.peerings[0]?.peerASN ?? 0,
            c.resource.skuTier,
          ),
        );
      } else if (at?.kind === 'vpn') {
        const bgp = at.site.bgpSettings!;
        for (const tunnel of at.tunnels)
          out.push(
            vpnEnd(
              tunnel.gateway.instances[tunnel.instance]!,
              this.tunnelLabel(d.name, d.attach ?? [], tunnel),
              tunnel.gateway.resource,
              tunnel.bgpAddress,
              bgp.bgpPeeringAddress,
              bgp.asn,
            ),
          );
      }
    }
    for (const l of this.ctx.links ?? []) {
      const [a, b] = l.ends;
      for (const [self, other] of [
        [a, b],
        [b, a],
      ] as const) {
        if (self.name !== d.name || other.kind !== 'router' || self.asn === undefined) continue;
        const r = this.routers.get(other.name.toLowerCase());
        if (r) out.push(linkEnd(r.speaker, other.name, other.address, r.spec.asn, self.address, self.asn, l.name));
      }
    }
    return out;
  }

  /** The arrival order kept for a gateway instance's speaker, if it is one. */
  private arrivalOf(sp: Speaker): ArrivalOrder | undefined {
    return this.arrival.get(sp);
  }

  /** Originates every router's routes and opens every session, in wiring order. */
  start(): void {
    for (const r of this.routers.values()) r.originateAll();
    this.applyMeshPaths();
    for (const s of this.sessions.values())
      if (!this.b2b.some((x) => x.session === s) && !this.meshBroken.has(s)) s.open();
    this.applyBranchToBranch();
  }

  /**
   * R-VPN-2: mesh sessions follow GatewaySubnet's route table. A session whose path the
   * table breaks does not come up; an Established one is cut — the NVA drops the packets
   * silently, so no NOTIFICATION gets through and each side notices at hold expiry (the
   * mesh runs no BFD); a session whose path is restored opens again (a cut not yet detected
   * heals without a reset). docs/azure-differences.md.
   */
  private applyMeshPaths(): void {
    const key = (a: string, b: string) => [a, b].sort().join(' ');
    const now = new Map<InProcessSession, MeshBreak>();
    /** Sessions that are part of a mesh now (route-server ones only with branch-to-branch on). */
    const present = new Set<InProcessSession>();
    for (const vnet of this.model.virtualNetworks) {
      const v = vnet.id.toLowerCase();
      const sessions = this.mesh.filter((x) => x.vnet === v);
      if (sessions.length === 0) continue;
      const paths = new Map(gatewayMeshPaths(this.model, vnet).map((p) => [key(p.a.address, p.b.address), p] as const));
      for (const x of sessions) {
        const path = paths.get(key(...x.ends));
        if (path) present.add(x.session);
        if (path?.broken) now.set(x.session, path.broken);
      }
    }
    for (const [s, b] of now) {
      const was = this.meshBroken.get(s);
      this.meshBroken.set(s, b);
      if (was?.reason === b.reason) continue;
      if (s.state === 'Established') {
        this.ctx.events.emit(
          'session',
          s.label,
          `path broken (${b.rule}): ${b.reason}; no NOTIFICATION gets through, each side notices at hold expiry`,
        );
        s.cut();
      } else this.ctx.events.emit('session', s.label, `not established (${b.rule}): ${b.reason}`);
    }
    for (const s of [...this.meshBroken.keys()]) {
      if (now.has(s)) continue;
      this.meshBroken.delete(s);
      // Out of the mesh altogether (branch-to-branch turned off): applyBranchToBranch closes it.
      if (!present.has(s)) continue;
      this.ctx.events.emit('session', s.label, 'path restored (R-VPN-2): GatewaySubnet routes carry the iBGP again');
      if (!this.isHeld(s) && this.isActiveSession(s)) s.open();
    }
  }

  /**
   * R-VPN-2: the mesh sessions of a hub that its GatewaySubnet route table broke and that
   * are down (never up, or their loss detected), with why. Non-empty: the hub's gateway and
   * route-server routes are withdrawn from NICs (Lab.gatewayRoutes).
   */
  meshDown(hubId: string): { label: string; broken: MeshBreak }[] {
    const v = hubId.toLowerCase();
    const out: { label: string; broken: MeshBreak }[] = [];
    for (const x of this.mesh) {
      if (x.vnet !== v) continue;
      const b = this.meshBroken.get(x.session);
      if (b && x.session.state !== 'Established' && x.session.state !== 'Cut')
        out.push({ label: x.session.label, broken: b });
    }
    return out;
  }

  /** R-ARS-11: route-server ↔ gateway sessions follow allowBranchToBranchTraffic (a session held down by a fault stays down). */
  applyBranchToBranch(): void {
    for (const { rs, session } of this.b2b) {
      const rt = this.ctx.graph.routeServer(rs);
      if (rt?.resource.allowBranchToBranchTraffic) {
        if (!this.isHeld(session) && !this.meshBroken.has(session)) session.open();
      } else session.close('branch-to-branch traffic off', true);
    }
  }

  /** Whether a route-server ↔ gateway session exists in Azure now (branch-to-branch on). */
  isActiveSession(s: InProcessSession): boolean {
    if (this.meshBroken.has(s)) return false; // R-VPN-2: its path is broken
    const b = this.b2b.find((x) => x.session === s);
    return !b || !!this.ctx.graph.routeServer(b.rs)?.resource.allowBranchToBranchTraffic;
  }

  /** Whether a fault (src/lab/graph/faults.ts) holds the session down. */
  private isHeld(s: InProcessSession): boolean {
    return this.ctx.graph.faults.isHeld(s.label);
  }

  /**
   * Follows a model change (Lab.applyModel, ADR 0034) the way Azure does: a gateway created
   * gets its instances, which peer with the route server, the other gateway and the circuits
   * its connections name; a gateway deleted or changed (its VNet ranges, a route server
   * beside it) is rebuilt or removed with its sessions; a connection created or deleted
   * opens or closes its sessions (MSEE, tunnels), a changed routingWeight replaces them so
   * the gateway ranks the circuit's routes again (R-ER-3); a circuit's private peering and
   * Global Reach links likewise. The sessions are those wire() makes from the model — the
   * builder of the boot — kept where equal. Returns the hubs whose gateways came, went or
   * were rebuilt (their NICs' gateway routes are recomputed).
   */
  setModel(model: AzureModel): Set<string> {
    this.model = model;
    const g = this.ctx.graph;
    const hubs = new Set<string>();
    const owned = (owner: GatewayRuntime | CircuitRuntime) =>
      g
        .speakers()
        .filter((s) => (s.owner.kind === 'gateway' || s.owner.kind === 'circuit') && s.owner.runtime === owner);
    const dropSpeakers = (owner: GatewayRuntime | CircuitRuntime) => {
      for (const s of owned(owner)) g.removeSpeaker(s);
    };
    // Daemon nodes' TCP sessions (customerEdge.ts) are wired to these speakers at boot: a
    // rebuild would leave them on speakers the lab no longer has. Kept, and said (ADR 0042).
    const keptForDaemons = (owner: GatewayRuntime | CircuitRuntime, name: string) => {
      if (!owned(owner).some((s) => g.sessions({ speaker: s }).some((x) => x.transport === 'tcp'))) return false;
      this.ctx.events.emit(
        'warning',
        name,
        'changed, but daemon nodes are attached to it over TCP (wired at start): its speakers are kept as they were; restart the lab (arslab export, then up) to apply the change',
      );
      return true;
    };
    for (const [k, gw] of [...this.gateways]) {
      const next = byId(model.virtualNetworkGateways, gw.resource.id);
      if (next && gatewayBuildKey(next, model) === gw.builtFrom) continue;
      if (next && keptForDaemons(gw, gw.resource.name)) continue;
      this.gateways.delete(k);
      for (const sp of gw.instances) this.arrival.delete(sp);
      dropSpeakers(gw);
      hubs.add(gw.resource.virtualNetwork.toLowerCase());
      this.ctx.events.emit(
        'lab',
        gw.resource.name,
        next ? 'gateway changed: its instances are rebuilt' : 'gateway deleted: its instances stop',
      );
    }
    for (const r of model.virtualNetworkGateways) {
      const k = r.id.toLowerCase();
      if (this.gateways.has(k) || !byId(model.virtualNetworks, r.virtualNetwork)) continue;
      const gw = new GatewayRuntime(r, model);
      this.gateways.set(k, gw);
      gw.instances.forEach((sp, i) => this.arrival.set(sp, gw.arrival[i]!));
      this.registerGateway(gw);
      hubs.add(r.virtualNetwork.toLowerCase());
      this.ctx.events.emit('lab', r.name, 'gateway created: its instances come up');
    }
    for (const [k, c] of [...this.circuits]) {
      const next = byId(model.expressRouteCircuits, c.resource.id);
      if (next && circuitBuildKey(next) === circuitBuildKey(c.resource)) {
        // Global Reach links are sessions (wire), not the MSEEs' policy: the same MSEEs.
        c.resource = next;
        c.msees.forEach((sp, l) => {
          const s = g.speakerOf(sp);
          if (s) g.setAddresses(s, this.mseeAddresses(c, l as 0 | 1));
        });
        continue;
      }
      if (next && keptForDaemons(c, c.resource.name)) continue;
      this.circuits.delete(k);
      dropSpeakers(c);
      this.ctx.events.emit('lab', c.resource.name, next ? 'circuit changed: its MSEEs are rebuilt' : 'circuit deleted');
    }
    for (const r of model.expressRouteCircuits) {
      const k = r.id.toLowerCase();
      if (this.circuits.has(k)) continue;
      const c = new CircuitRuntime(r);
      this.circuits.set(k, c);
      this.registerCircuit(c);
    }
    // The sessions: wire() again, keeping the equal ones.
    this.wanted = new Set();
    this.fresh = [];
    this.mesh.length = 0;
    this.b2b.length = 0;
    for (const r of this.routers.values()) r.sessions.length = 0;
    this.wire();
    for (const [label, s] of [...this.sessions]) if (!this.wanted.has(label)) this.removeSession(label, s);
    const fresh = this.fresh;
    this.wanted = undefined;
    this.fresh = [];
    for (const s of fresh) this.registerSession(s);
    for (const gw of this.gateways.values()) gw.applyStaticSites(model);
    this.applyMeshPaths();
    for (const s of fresh)
      if (!this.b2b.some((x) => x.session === s) && !this.meshBroken.has(s) && !this.isHeld(s)) s.open();
    this.applyBranchToBranch();
    return hubs;
  }

  stop(): void {
    for (const s of this.sessions.values()) s.close('lab stopping', true);
  }

  // -------------------------------------------------------------------------
  // What NICs get (R-ER-4, R-VPN-1)

  /** ExpressRoute routes a gateway programs: its best MSEE-learned paths, toward the circuits' MSEE addresses. */
  expressRouteRoutes(gw: GatewayRuntime): GatewayRoute[] {
    const collapse = this.collapsesExpressRoute(gw);
    const byPrefix = new Map<string, GatewayRoute>();
    for (const inst of gw.instances) {
      for (const { prefix, best } of inst.locRib()) {
        const k = formatPrefix(prefix);
        if (byPrefix.has(k)) continue;
        const r = this.expressRouteRouteOf(prefix, best, collapse);
        if (r) byPrefix.set(k, r);
      }
    }
    return [...byPrefix.values()];
  }

  /** The ExpressRoute route a gateway programs for one prefix (the first instance's that has one), if any. */
  expressRouteRouteFor(gw: GatewayRuntime, prefix: Prefix): GatewayRoute | undefined {
    const collapse = this.collapsesExpressRoute(gw);
    for (const inst of gw.instances) {
      const best = selectBest(inst.candidates(prefix), inst.bestPathConfig);
      const r = best.length > 0 ? this.expressRouteRouteOf(prefix, best, collapse) : undefined;
      if (r) return r;
    }
    return undefined;
  }

  /** R-ER-4: with a route server in the VNet, one next hop. */
  private collapsesExpressRoute(gw: GatewayRuntime): boolean {
    const vnet = byId(this.model.virtualNetworks, gw.resource.virtualNetwork);
    return !!(vnet && routeServerOfVnet(this.model, vnet));
  }

  /** What an ER gateway instance whose best paths for `prefix` are `best` programs into NICs. */
  private expressRouteRouteOf(prefix: Prefix, best: readonly Path[], collapse: boolean): GatewayRoute | undefined {
    const msee = best.filter((p) => p.source.role === 'msee');
    if (msee.length === 0 || msee.length !== best.length) return undefined;
    // R-ER-4: the MSEE link subnets are never programmed.
    if (isMseeTransit(prefix)) return undefined;
    // R-ER-4: a circuit's routes point at its two MSEE-side addresses (ECMP across the
    // links, whichever link the route came on: seed 001 shows .35 for a route learned on
    // the secondary only), and across circuits tied on weight and AS path.
    const nextHops: string[] = [];
    for (const p of msee) {
      for (const nh of this.mseeAddressesOf(p)) if (!nextHops.includes(nh)) nextHops.push(nh);
    }
    if (collapse) nextHops.splice(1);
    return { prefix, nextHops, paths: msee, origin: 'expressroute', asPathLength: msee[0]!.attrs.asPathLength };
  }

  /** R-ER-4: the MSEE-side addresses of the circuit a path came from (its MSEE speaker, in the lab graph). */
  mseeAddressesOf(p: Path): readonly string[] {
    const o = this.ctx.graph.speaker(p.source.name)?.owner;
    return o?.kind === 'circuit' ? o.runtime.resource.mseeAddresses : [];
  }

  /** VPN routes a gateway programs: best tunnel-learned paths, toward its instances (R-VPN-1). */
  vpnRoutes(gw: GatewayRuntime): GatewayRoute[] {
    const out = new Map<string, GatewayRoute>();
    for (const inst of gw.instances) {
      for (const { prefix, best } of inst.locRib()) {
        const k = formatPrefix(prefix);
        if (out.has(k)) continue;
        const r = vpnRouteOf(gw, prefix, best);
        if (r) out.set(k, r);
      }
    }
    return [...out.values()];
  }

  /** The VPN route a gateway programs for one prefix (the first instance's that has one), if any. */
  vpnRouteFor(gw: GatewayRuntime, prefix: Prefix): GatewayRoute | undefined {
    for (const inst of gw.instances) {
      const best = selectBest(inst.candidates(prefix), inst.bestPathConfig);
      const r = best.length > 0 ? vpnRouteOf(gw, prefix, best) : undefined;
      if (r) return r;
    }
    return undefined;
  }

  /** Waits until every in-process delivery posted so far has run (tests, listings). */
  settled(): Promise<void> {
    return this.ctx.queue.settled();
  }
}
