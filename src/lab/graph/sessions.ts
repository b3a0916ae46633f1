/**
 * @module lab/graph/sessions
 * The two carriers of a lab session behind the graph's one Session interface:
 *
 * - TcpSession: a real BGP session over TCP (src/bgp/transport BgpPeer). ARSLab runs one end
 *   (a route-server instance) or both (a route-server instance and a built-in scripted
 *   speaker); the other end may be a real daemon, which ARSLab only sees through the wire.
 *   A cut stops reading and writing on ARSLab's sockets without closing them, so a daemon
 *   sees a silent link and notices only when its own hold timer expires (BgpPeer.cutLink).
 * - InProcessLink: a session between two of ARSLab's own speakers (src/lab/inprocess.ts).
 */
import type { Clock } from '../../bgp/clock.js';
import type { BgpNeighbor } from '../bgpNeighbor.js';
import type { InProcessSession } from '../inprocess.js';
import type { Detection, EndView, LabSpeaker, Session, SessionEndpoint, SessionState } from './types.js';

/** One end of a TCP session as its builder registers it. */
export interface TcpEnd {
  /** The end's half of the session name (a speaker name, or a peering name). */
  readonly name: string;
  readonly address: string;
  readonly asn: number;
  readonly speaker?: LabSpeaker;
  /** ARSLab's BGP session at this end, where ARSLab runs the end. */
  readonly bgp?: BgpNeighbor;
}

export class TcpSession implements Session {
  readonly transport = 'tcp' as const;
  private readonly e: [TcpEnd, TcpEnd];
  /** Ends ARSLab stopped (close, drop): started again by open(). */
  private readonly stopped = new Set<0 | 1>();

  constructor(
    readonly name: string,
    a: TcpEnd,
    b: TcpEnd,
    private readonly opts: { readonly clock: Clock; readonly holdTime: number; readonly keepaliveTime: number },
  ) {
    this.e = [a, b];
  }

  /** A builder registering later fills in an end: the node at the far address, its own BGP session. */
  attach(side: 0 | 1, more: { readonly speaker?: LabSpeaker; readonly bgp?: BgpNeighbor }): void {
    const cur = this.e[side];
    this.e[side] = {
      ...cur,
      ...(cur.speaker || !more.speaker ? {} : { speaker: more.speaker }),
      ...(cur.bgp || !more.bgp ? {} : { bgp: more.bgp }),
    };
  }

  /** The end of this session at `address`, if any. */
  sideAt(address: string): 0 | 1 | undefined {
    return this.e[0].address === address ? 0 : this.e[1].address === address ? 1 : undefined;
  }

  hasSpeaker(side: 0 | 1): boolean {
    return this.e[side].speaker !== undefined;
  }

  get ends(): readonly [SessionEndpoint, SessionEndpoint] {
    return [this.endpoint(0), this.endpoint(1)];
  }

  private endpoint(side: 0 | 1): SessionEndpoint {
    const x = this.e[side];
    const source = x.bgp?.neighbor.source;
    return { speaker: x.speaker, address: x.address, asn: x.asn, name: x.name, ...(source ? { source } : {}) };
  }

  /** ARSLab's BGP sessions on this link, first end first. */
  private peers(): { side: 0 | 1; bgp: BgpNeighbor }[] {
    const out: { side: 0 | 1; bgp: BgpNeighbor }[] = [];
    for (const side of [0, 1] as const) {
      const bgp = this.e[side].bgp;
      if (bgp) out.push({ side, bgp });
    }
    return out;
  }

  get state(): SessionState {
    const first = this.peers()[0]?.bgp.peer;
    if (!first) return 'Idle';
    if (first.isLinkCut && first.isEstablished) return 'Cut';
    return first.state;
  }

  get timers(): { holdTime: number; keepaliveTime: number } {
    const n = this.peers()[0]?.bgp.peer.negotiated;
    return n
      ? { holdTime: n.holdTime, keepaliveTime: n.keepaliveTime }
      : { holdTime: this.opts.holdTime, keepaliveTime: this.opts.keepaliveTime };
  }

  /** Route Server runs no BFD with NVAs: a cut is noticed at hold-timer expiry. */
  get detection(): Detection {
    return { kind: 'hold', seconds: this.timers.holdTime };
  }

  get active(): boolean {
    return true;
  }

  get capture(): string | undefined {
    const p = this.peers()[0]?.bgp.peer;
    const pcap = p?.options.pcap;
    // BgpPeer names its captures NAME-TIME-DIRECTION.pcap (src/bgp/transport/peer.ts).
    return pcap && p ? `${pcap.dir}/${p.name.replace(/[^\w.@-]+/g, '_')}-` : undefined;
  }

  view(side: 0 | 1): EndView {
    const own = this.e[side].bgp;
    if (own) return this.viewOf(own);
    // An end ARSLab does not run (a daemon): the mirror of what the other end sent and got.
    const otherSide = side === 0 ? 1 : 0;
    const other = this.e[otherSide].bgp;
    if (!other) return { state: 'Idle', routesReceived: 0, messagesSent: 0, messagesReceived: 0 };
    const v = this.viewOf(other);
    return {
      state: v.state,
      routesReceived: this.routesAdvertised(otherSide),
      messagesSent: v.messagesReceived,
      messagesReceived: v.messagesSent,
      ...(v.connectedMs !== undefined ? { connectedMs: v.connectedMs } : {}),
    };
  }

  routesAdvertised(side: 0 | 1): number {
    const bgp = this.e[side].bgp;
    const rib = this.e[side].speaker?.rib;
    if (bgp && rib) return rib.advertisedTo(bgp.neighbor.source.id);
    // A daemon's end: what ARSLab's end holds from it.
    const other = this.e[side === 0 ? 1 : 0];
    return other.bgp && other.speaker?.rib ? other.speaker.rib.heldFrom(other.bgp.neighbor.source.id) : 0;
  }

  routesNotSent(side: 0 | 1): number {
    const bgp = this.e[side].bgp;
    const rib = this.e[side].speaker?.rib;
    // A daemon's end: what it does not send is its own business.
    return bgp && rib ? [...rib.notSentTo(bgp.neighbor.source.id)].length : 0;
  }

  private viewOf(bgp: BgpNeighbor): EndView {
    const peer = bgp.peer;
    const c = peer.counters;
    const rib = this.speakerOf(bgp);
    return {
      state: peer.isLinkCut && peer.isEstablished ? 'Cut' : peer.state,
      routesReceived: rib?.heldFrom(bgp.neighbor.source.id) ?? 0,
      messagesSent: c.messagesSent,
      messagesReceived: c.messagesReceived,
      ...(c.establishedAt !== undefined ? { connectedMs: this.opts.clock.now() - c.establishedAt } : {}),
      ...(c.lastDown ? { lastDown: c.lastDown.reason } : {}),
      sendQueue: { bytes: peer.sendQueueBytes, peak: c.sendQueuePeak, blocked: c.sendBlocks },
    };
  }

  private speakerOf(bgp: BgpNeighbor) {
    for (const x of this.e) if (x.bgp === bgp) return x.speaker?.rib;
    return undefined;
  }

  cut(): void {
    for (const { bgp } of this.peers()) bgp.peer.cutLink();
  }

  close(_reason: string): void {
    // The first end ARSLab runs sends Cease/2 (Administrative Shutdown, RFC 4486) and stays
    // down; the other end drops the session on receiving it, and is refused until open().
    const first = this.peers()[0];
    if (!first) return;
    first.bgp.peer.restoreLink();
    first.bgp.peer.stop();
    this.stopped.add(first.side);
  }

  drop(side: 0 | 1, _reason: string): void {
    const bgp = this.e[side].bgp;
    if (!bgp) return;
    // Our side ends now (its speaker flushes); its NOTIFICATION and FIN never leave: the far
    // end hears nothing until its hold timer expires.
    bgp.peer.cutLink();
    bgp.peer.stop();
    this.stopped.add(side);
  }

  open(): void {
    for (const { side, bgp } of this.peers()) {
      bgp.peer.restoreLink();
      if (this.stopped.delete(side)) bgp.peer.start();
    }
  }

  release(): void {
    for (const { bgp } of this.peers()) bgp.peer.restoreLink();
  }
}

/** An in-process session (src/lab/inprocess.ts) as a graph Session. */
export class InProcessLink implements Session {
  readonly transport = 'in-process' as const;
  readonly ends: readonly [SessionEndpoint, SessionEndpoint];

  constructor(
    readonly session: InProcessSession,
    speakers: readonly [LabSpeaker, LabSpeaker],
    private readonly isActive: () => boolean,
  ) {
    const endpoint = (side: 0 | 1): SessionEndpoint => {
      // How the other end knows this one: this end's address and AS on the session.
      const seen = session.end(side === 0 ? 1 : 0).peer;
      return {
        speaker: speakers[side],
        address: seen.address,
        asn: seen.asn,
        name: speakers[side].name,
        source: session.end(side).peer,
      };
    };
    this.ends = [endpoint(0), endpoint(1)];
  }

  get name(): string {
    return this.session.label;
  }

  get state(): SessionState {
    return this.session.state;
  }

  get timers(): { holdTime: number; keepaliveTime: number } {
    const t = this.session.timers;
    return { holdTime: t.holdTime, keepaliveTime: t.keepaliveTime };
  }

  get detection(): Detection {
    const t = this.session.timers;
    return t.bfd
      ? { kind: 'bfd', intervalMs: t.bfd.intervalMs, multiplier: t.bfd.multiplier }
      : { kind: 'hold', seconds: t.holdTime };
  }

  get active(): boolean {
    return this.isActive();
  }

  view(side: 0 | 1): EndView {
    const v = this.session.view(side);
    return {
      state: v.state,
      routesReceived: v.routesReceived,
      messagesSent: v.messagesSent,
      messagesReceived: v.messagesReceived,
      ...(v.connectedMs !== undefined ? { connectedMs: v.connectedMs } : {}),
    };
  }

  routesAdvertised(side: 0 | 1): number {
    return this.session.end(side).speaker.advertisedTo(this.session.neighborId(side));
  }

  routesNotSent(side: 0 | 1): number {
    return [...this.session.end(side).speaker.notSentTo(this.session.neighborId(side))].length;
  }

  cut(): void {
    this.session.cut();
  }

  close(reason: string): void {
    this.session.close(reason);
  }

  drop(side: 0 | 1, reason: string): void {
    this.session.drop(side, reason);
  }

  open(): void {
    this.session.open();
  }

  release(): void {
    // In process: nothing is held open; the hybrid runtime closes its sessions at stop.
  }
}
