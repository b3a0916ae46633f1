/**
 * @module lab/customerEdge
 * Real daemons on the customer side (`attach:` on a daemon node, docs/lab-file.md): the Azure
 * side peers with them over TCP, as it peers with built-in routers in process. For each
 * attachment of a daemon node:
 * - a circuit link: the link's MSEE (AS 12076) listens on its link address — the second host
 *   of the /30 (R-ER-1) — and peers with the customer edge's first host;
 * - a VPN site: each instance of every VPN gateway whose IPsec connection to the site
 *   enables BGP listens on its BGP peering address (R-VPN-1) and peers with the site's
 *   bgpPeeringAddress.
 * The Azure end is the same routing speaker (src/rib) and policy the in-process sessions
 * use, with the same neighbour roles ('customer', 'local-network-gateway'), prefix limits and
 * timers; only the carrier differs (src/lab/bgpNeighbor over src/bgp/transport). Every
 * session registers in the lab graph (ADR 0012). Differences from Azure
 * (docs/azure-differences.md): the MSEE runs no BFD toward a daemon (a cut is noticed at hold
 * expiry), and the tunnel is not modelled (the session runs directly between the addresses).
 */
import { BgpListener } from '../bgp/transport/index.js';
import { parseIpv4 } from '../bgp/wire/index.js';
import {
  customerPrefixLimit,
  MSEE_ASN,
  VPN_PEER_PREFIX_LIMIT,
  type PrefixLimit,
  type VirtualNetworkGateway,
} from '../azure/index.js';
import { newRouteSource, type Speaker } from '../rib/index.js';
import { createBgpNeighbor, type BgpNeighbor } from './bgpNeighbor.js';
import { TcpSession, type LabSpeaker } from './graph/index.js';
import type { HybridRuntime } from './hybrid.js';
import type { RouteServerContext } from './routeServer.js';
import type { DaemonNodeSpec } from './spec.js';

/** The route servers' TCP context (the same listeners and connectors), and netns mode's way to give the Azure namespace an address. */
export type CustomerEdgeContext = RouteServerContext & {
  readonly addAzureAddress?: (address: string) => Promise<void>;
};

/** R-ER-1 and R-VPN-1: 60 s keepalive, 180 s hold on both kinds of session. */
const HOLD_TIME = 180;
const KEEPALIVE_TIME = 60;

/** One Azure-side end of a daemon's attachment, before it is built. */
interface AzureEnd {
  readonly speaker: Speaker;
  /** The Azure end's name ("c1/primary", "vpn1/0") and address on the session. */
  readonly name: string;
  readonly address: string;
  readonly asn: number;
  /** The daemon's address on the attachment, and its AS as Azure knows it. */
  readonly peerAddress: string;
  readonly peerAsn: number;
  readonly role: 'customer' | 'local-network-gateway' | 'customer-peer';
  readonly prefixLimit?: PrefixLimit;
  /** The session's name when it is not DAEMON<->name (a speaker with several tunnels to one instance). */
  readonly label?: string;
  /** What the speaker's policy reads about the neighbour beyond its role (a router: its own link address). */
  readonly info?: Readonly<Record<string, unknown>>;
}

/** The TCP sessions between the Azure side and attached daemon nodes. */
export class CustomerEdges {
  /** One listener per Azure-side address (a VPN gateway instance may serve several sites). */
  private readonly listeners = new Map<string, BgpListener>();
  private readonly neighbors: BgpNeighbor[] = [];

  constructor(
    hybrid: HybridRuntime,
    daemons: readonly DaemonNodeSpec[],
    private readonly ctx: CustomerEdgeContext,
  ) {
    for (const d of daemons) {
      const speaker = ctx.graph.speaker(d.name);
      for (const end of hybrid.azureEndsOf(d)) this.build(d, speaker, end);
    }
  }

  /** Wires one session: the Azure speaker's neighbour, its listener, the graph's session. */
  private build(d: DaemonNodeSpec, daemon: LabSpeaker | undefined, e: AzureEnd): void {
    const c = this.ctx;
    const localReal = c.addresses.add(e.address);
    const peerReal = c.addresses.add(e.peerAddress);
    const label = e.label ?? `${d.name}<->${e.name}`;
    const bgp = createBgpNeighbor({
      speaker: e.speaker,
      source: newRouteSource({
        name: d.name,
        address: e.peerAddress,
        asn: e.peerAsn,
        kind: 'ebgp',
        routerId: parseIpv4(e.peerAddress) ?? 0,
        role: e.role,
      }),
      ...(e.prefixLimit ? { prefixLimit: e.prefixLimit } : {}),
      info: { role: e.role, ...e.info },
      label,
      addresses: c.addresses,
      events: c.events,
      peer: {
        name: label,
        remote: { address: peerReal, port: c.port },
        localAddress: localReal,
        clock: c.clock,
        logger: c.logger,
        ...(c.connector ? { connector: c.connector } : {}),
        ...(c.pcapDir
          ? {
              pcap: {
                dir: c.pcapDir,
                local: { address: e.address, port: 179 },
                remote: { address: e.peerAddress, port: 179 },
              },
            }
          : {}),
        fsm: {
          localAs: e.asn,
          localId: parseIpv4(e.address) ?? 0,
          peerAs: e.peerAsn,
          holdTime: HOLD_TIME,
          keepaliveTime: KEEPALIVE_TIME,
          // R-VPN-5: the VPN gateway keeps 60/180; an MSEE negotiates down (R-ER-7, RFC 4271 §4.2).
          ...(e.role === 'local-network-gateway' ? { fixedTimers: true } : {}),
          connectRetryTime: c.connectRetryTime,
          passive: false,
          families: ['ipv4-unicast'],
        },
      },
    });
    e.speaker.addNeighbor(bgp.neighbor);
    let listener = this.listeners.get(e.address);
    if (!listener) {
      listener = new BgpListener(localReal, c.port, { logger: c.logger, name: e.name });
      const l = listener;
      l.onRefused = (r) =>
        c.events.emit(
          'refused',
          e.name,
          `connection from unconfigured address ${c.addresses.display(r.remoteAddress)} refused (Cease/Connection Rejected)`,
          { remoteAddress: c.addresses.display(r.remoteAddress) },
        );
      this.listeners.set(e.address, l);
    }
    listener.register(peerReal, bgp.peer);
    this.neighbors.push(bgp);
    c.graph.addSession(
      new TcpSession(
        label,
        { name: d.name, address: e.peerAddress, asn: e.peerAsn, ...(daemon ? { speaker: daemon } : {}) },
        { name: e.name, address: e.address, asn: e.asn, speaker: c.graph.speakerOf(e.speaker)!, bgp },
        { clock: c.clock, holdTime: HOLD_TIME, keepaliveTime: KEEPALIVE_TIME },
      ),
    );
  }

  /** Listens on every Azure-side address and starts every session (both sides connect). */
  async start(): Promise<void> {
    const c = this.ctx;
    for (const [address, l] of this.listeners) {
      if (c.addAzureAddress) await c.addAzureAddress(address);
      if (c.listen) await c.listen(l);
      else await l.listen();
      c.events.emit('lab', l.name, `listening on ${c.addresses.real(address)}:${c.port} (emulated ${address})`);
    }
    for (const n of this.neighbors) n.peer.start();
  }

  async stop(): Promise<void> {
    for (const n of this.neighbors) {
      // A cut link is restored first, so that the daemon gets our Cease and no socket is left open.
      n.peer.restoreLink();
      n.peer.stop();
    }
    for (const l of this.listeners.values()) await l.close();
  }
}

export type { AzureEnd };

/** The Azure ends of an attachment's sessions (hybrid.ts resolves them against its runtimes). */
export function circuitEnd(
  speaker: Speaker,
  name: string,
  address: string,
  peerAddress: string,
  peerAsn: number,
  skuTier: Parameters<typeof customerPrefixLimit>[0],
): AzureEnd {
  return {
    speaker,
    name,
    address,
    asn: MSEE_ASN,
    peerAddress,
    peerAsn,
    role: 'customer',
    prefixLimit: customerPrefixLimit(skuTier),
  };
}

/** A VPN gateway instance's end of one tunnel (R-VPN-1): `label` is the session's whole name. */
export function vpnEnd(
  speaker: Speaker,
  label: string,
  gateway: VirtualNetworkGateway,
  address: string,
  peerAddress: string,
  peerAsn: number,
): AzureEnd {
  return {
    speaker,
    name: label.slice(label.indexOf('<->') + 3),
    label,
    address,
    asn: gateway.asn,
    peerAddress,
    peerAsn,
    role: 'local-network-gateway',
    prefixLimit: VPN_PEER_PREFIX_LIMIT,
    info: { localAddress: address },
  };
}

/**
 * A built-in router's end of a customer link with a daemon node (lab file `links`): the router
 * listens on its link address and peers with the daemon's, eBGP with the daemon's declared AS.
 */
export function linkEnd(
  speaker: Speaker,
  name: string,
  address: string,
  asn: number,
  peerAddress: string,
  peerAsn: number,
  link: string,
): AzureEnd {
  return {
    speaker,
    name,
    address,
    asn,
    peerAddress,
    peerAsn,
    role: 'customer-peer',
    info: { link, localAddress: address },
  };
}
