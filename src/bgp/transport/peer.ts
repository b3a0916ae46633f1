/**
 * @module bgp/transport/peer
 * One BGP neighbour over real TCP: runs the pure FSM (../fsm) for each connection,
 * carries out its actions on sockets and timers, resolves connection collisions
 * (RFC 4271 §6.8) and restarts the session after it fails. The routing side sees only
 * the PeerHandlers callbacks and `send`.
 */
import * as net from 'node:net';
import { realClock, type Clock, type TimerHandle } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import {
  collisionWinner,
  describeDownReason,
  initialState,
  negotiate,
  sendHoldTimeOf,
  step,
  type ConnectionDirection,
  type DownReason,
  type FsmAction,
  type FsmConfig,
  type FsmEvent,
  type FsmState,
  type Negotiated,
  type SessionState,
  type TimerName,
} from '../fsm/index.js';
import {
  CONTEXT_4OCTET,
  CONTEXT_2OCTET,
  CeaseSubcode,
  ErrorCode,
  decodeMessage,
  describeNotification,
  encodeMessage,
  MessageType,
  type BgpMessage,
  type CodecContext,
  type NotificationMessage,
  type OpenMessage,
  type ReceivedUpdate,
  type RouteRefreshMessage,
} from '../wire/index.js';
import { decodeUpdateLazy } from '../wire/messages/update.js';
import { MessageReader } from './reader.js';
import { PcapRecorder } from './pcap.js';

export interface PeerHandlers {
  onEstablished?(peer: BgpPeer, negotiated: Negotiated): void;
  onUpdate?(peer: BgpPeer, update: ReceivedUpdate): void;
  onRouteRefresh?(peer: BgpPeer, message: RouteRefreshMessage): void;
  onDown?(peer: BgpPeer, reason: DownReason): void;
  onStateChange?(peer: BgpPeer, from: SessionState, to: SessionState, reason: string): void;
  /** The send queue drained after `sendBlocked` (the peer reads again): send what was held back. */
  onSendReady?(peer: BgpPeer): void;
}

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export type Connector = (opts: { remote: Endpoint; localAddress: string }) => Promise<net.Socket>;

export interface BgpPeerOptions {
  /** For logs and captures, e.g. "watcher@RouteServiceRole_IN_0". */
  readonly name: string;
  /** The peer's socket address (what TCP sees) and the port to connect to. */
  readonly remote: Endpoint;
  /** Our socket address for outgoing connections. */
  readonly localAddress: string;
  readonly fsm: FsmConfig;
  readonly handlers: PeerHandlers;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How outgoing connections are made (default: net.connect bound to localAddress). */
  readonly connector?: Connector;
  /** Seconds to wait in Idle before restarting after a failure; doubles on repeated failures, up to 60. */
  readonly idleHoldTime?: number;
  /** Record every connection of this peer to a pcap file in `dir`, with these addresses shown. */
  readonly pcap?: { readonly dir: string; readonly local: Endpoint; readonly remote: Endpoint };
  /**
   * Bytes queued in this process for the peer (taken from us, not yet by the kernel) at which
   * `sendBlocked` turns true and the routing side stops handing over UPDATEs (ADR 0014).
   * Default SEND_QUEUE_LIMIT; never below the socket's high-water mark (16 KiB).
   */
  readonly sendQueueLimit?: number;
}

/** Default `sendQueueLimit`: 256 KiB, some 60 full-size UPDATEs beyond what the kernel holds. */
export const SEND_QUEUE_LIMIT = 256 * 1024;

export interface PeerCounters {
  messagesSent: number;
  messagesReceived: number;
  updatesReceived: number;
  updatesSent: number;
  establishedTransitions: number;
  /** Clock time the current session became Established. */
  establishedAt?: number;
  lastDown?: { at: number; reason: string };
  lastNotificationSent?: NotificationMessage;
  lastNotificationReceived?: NotificationMessage;
  /** Most bytes ever queued in this process for the peer (see sendQueueLimit). */
  sendQueuePeak: number;
  /** Times the send queue reached sendQueueLimit (the routing side then held its changes). */
  sendBlocks: number;
}

interface Conn {
  readonly dir: ConnectionDirection | 'undecided';
  /**
   * Made for one connection the peer opened while ours was busy (a passive FSM, RFC 4271 §8
   * "one FSM per incoming connection"): it ends with that connection.
   */
  readonly accepted: boolean;
  fsm: FsmState;
  socket?: net.Socket;
  connecting?: boolean;
  readonly timers: Map<TimerName, ArmedTimer>;
  reader: MessageReader;
  pcap?: PcapRecorder;
  closed: boolean;
  /** The send queue reached the limit; a 'drain' listener is waiting. */
  blocked: boolean;
  /** RFC 9687 SendHoldTimer expired: close at once, the peer reads nothing anyway. */
  sendHoldExpired: boolean;
  /** Write callback: a message of ours reached the kernel (restarts the SendHoldTimer). */
  readonly sent: () => void;
  /** Bytes written while the link was cut, delivered when it is restored (TCP retransmits them). */
  held?: Uint8Array[];
  /** Their total: it counts toward the send queue's bound as a full kernel buffer would. */
  heldBytes: number;
  /** A 'drain' listener is waiting to lift `blocked` (not so for a block a cut link caused). */
  awaitingDrain: boolean;
}

/**
 * A running FSM timer. The hold timer is restarted by every UPDATE and KEEPALIVE (thousands a
 * second during a table transfer): a restart that only moves the deadline later just records
 * it, and the Clock timer, when it fires early, waits for the rest (no clear + set per message).
 */
interface ArmedTimer {
  handle: TimerHandle;
  /** Clock time at which the FSM event is due. */
  deadline: number;
  /** The timer's length, ms (a restart moves the deadline this far from now). */
  readonly ms: number;
}

const MAX_IDLE_HOLD = 60;

export class BgpPeer {
  readonly name: string;
  readonly counters: PeerCounters = {
    messagesSent: 0,
    messagesReceived: 0,
    updatesReceived: 0,
    updatesSent: 0,
    establishedTransitions: 0,
    sendQueuePeak: 0,
    sendBlocks: 0,
  };
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly connector: Connector;
  private conns: Conn[] = [];
  private adminDown = true;
  private restartTimer?: TimerHandle;
  private consecutiveFailures = 0;
  private established?: { conn: Conn; negotiated: Negotiated; ctx: CodecContext };
  private paused = false;
  private readonly sendQueueLimit: number;
  /** The link under the session is cut (cutLink): nothing is read or written. */
  private linkCut = false;
  /** Sockets our side closed while the link was cut: kept open, silent, until it is restored. */
  private severed: net.Socket[] = [];

  constructor(readonly options: BgpPeerOptions) {
    this.name = options.name;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    this.connector = options.connector ?? defaultConnector;
    this.sendQueueLimit = options.sendQueueLimit ?? SEND_QUEUE_LIMIT;
    this.conns = [this.newConn('undecided')];
  }

  /** The session state as users know it: the most advanced of its connections. */
  get state(): SessionState {
    const order: SessionState[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
    let best: SessionState = 'Idle';
    for (const c of this.conns) if (order.indexOf(c.fsm.state) > order.indexOf(best)) best = c.fsm.state;
    return best;
  }

  get negotiated(): Negotiated | undefined {
    return this.established?.negotiated;
  }

  get isEstablished(): boolean {
    return this.established !== undefined;
  }

  /** Enable the session: ManualStart (RFC 4271 §8.1.2). */
  start(): void {
    this.adminDown = false;
    this.consecutiveFailures = 0;
    for (const c of this.conns) this.dispatch(c, { type: 'ManualStart' });
  }

  /** Disable the session for good (until start()): Cease/Administrative Shutdown or the given NOTIFICATION. */
  stop(notification?: NotificationMessage): void {
    this.adminDown = true;
    if (this.restartTimer) this.clock.clearTimer(this.restartTimer);
    this.restartTimer = undefined;
    for (const c of [...this.conns])
      this.dispatch(c, notification ? { type: 'ManualStop', notification } : { type: 'ManualStop' });
  }

  /** Drop the session with this NOTIFICATION and let it come back after the idle hold time (e.g. RFC 4486 max prefixes). */
  reset(notification: NotificationMessage): void {
    for (const c of [...this.conns]) this.dispatch(c, { type: 'ManualStop', notification });
  }

  /**
   * Drop every connection at once, without a NOTIFICATION (a crash or a cut link, as the
   * peer sees it: detection by its hold timer or by the TCP reset), and stay down.
   */
  abort(): void {
    this.adminDown = true;
    if (this.restartTimer) this.clock.clearTimer(this.restartTimer);
    this.restartTimer = undefined;
    for (const c of [...this.conns]) {
      const s = c.socket;
      c.closed = true;
      s?.destroy();
      this.dispatch(c, { type: 'TcpConnectionFails' });
    }
  }

  /**
   * Freeze the session as a SIGSTOPped process would be: nothing read, no timer runs, no
   * KEEPALIVE sent. The peer notices only when its hold timer expires.
   */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const c of this.conns) {
      c.socket?.pause();
      for (const t of c.timers.values()) this.clock.clearTimer(t.handle);
      c.timers.clear();
    }
  }

  /** Thaw after pause(): read again, and run the keepalive and hold timers afresh. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const c of this.conns) {
      if (!this.linkCut) c.socket?.resume();
      const neg = c.fsm.negotiated;
      if ((c.fsm.state === 'Established' || c.fsm.state === 'OpenConfirm') && neg && neg.holdTime > 0) {
        this.execute(c, { type: 'startTimer', timer: 'keepalive', seconds: 0 });
        this.execute(c, { type: 'startTimer', timer: 'hold', seconds: neg.holdTime });
        const sendHold = sendHoldTimeOf(c.fsm.config, neg.holdTime);
        if (c.fsm.state === 'Established' && sendHold > 0)
          this.execute(c, { type: 'startTimer', timer: 'sendHold', seconds: sendHold });
      }
    }
  }

  /**
   * Cut the link under the session, as a failed path between the two speakers would: from now
   * on nothing is read from or written to its sockets and none is closed, so the peer sees
   * silence and notices only when its hold timer expires. Our timers run on: our hold timer
   * ends our side the same way (its NOTIFICATION is lost, the socket stays open and silent).
   * No new connection gets through while the link is cut: ours are not attempted, the peer's
   * are dropped.
   */
  cutLink(): void {
    if (this.linkCut) return;
    this.linkCut = true;
    for (const c of this.conns) c.socket?.pause();
  }

  /**
   * Restore a cut link. A connection neither side gave up carries on: what was written
   * meanwhile is delivered now, in order, as TCP would retransmit it. A socket our side closed
   * meanwhile is closed for real now, so the peer learns it then (if its hold timer has not
   * told it already).
   */
  restoreLink(): void {
    if (!this.linkCut) return;
    this.linkCut = false;
    for (const s of this.severed) s.destroy();
    this.severed = [];
    const ready: Conn[] = [];
    for (const c of this.conns) {
      const held = c.held;
      c.held = undefined;
      c.heldBytes = 0;
      if (c.socket && !c.closed) {
        // A block the cut caused has no 'drain' to wait for: lifted here, and set again by
        // write() if the socket cannot take what was held either.
        const cutBlock = c.blocked && !c.awaitingDrain;
        if (cutBlock) c.blocked = false;
        for (const bytes of held ?? []) this.write(c, bytes, 0, true, false);
        if (cutBlock && !c.blocked) ready.push(c);
        if (!this.paused) c.socket.resume();
      } else if (c.connecting && !c.socket) {
        // An attempt made while the link was cut never got an answer: try again now.
        c.connecting = false;
        this.connectOut(c);
      }
    }
    for (const c of ready) if (this.established?.conn === c) this.options.handlers.onSendReady?.(this);
  }

  get isLinkCut(): boolean {
    return this.linkCut;
  }

  /** Sends a message on the Established connection; false when there is none. */
  send(message: BgpMessage): boolean {
    const e = this.established;
    if (!e) return false;
    return this.write(e.conn, encodeMessage(message, e.ctx), message.type === 'UPDATE' ? 1 : 0, true);
  }

  /**
   * Resolves once everything sent so far on the Established connection has been handed
   * to the kernel (or at once when there is no such connection): a graceful shutdown
   * waits for its withdraws before it sends the NOTIFICATION. Bounded by `timeoutMs`.
   */
  flush(timeoutMs = 2000): Promise<void> {
    const s = this.established?.conn.socket;
    if (!s || s.destroyed || !s.writable) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      // Writes complete in order: the callback of an empty write runs after every earlier one.
      s.write(new Uint8Array(0), () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /**
   * Ask the peer to send its routes again (RFC 2918 ROUTE-REFRESH for each negotiated
   * family), or, when it did not negotiate route refresh, reset the session so that it does
   * (Cease / Other Configuration Change, RFC 4486). Returns what was done.
   */
  requestRefresh(): 'route-refresh' | 'reset' | 'not-established' {
    const e = this.established;
    if (!e) return 'not-established';
    if (!e.negotiated.peerRouteRefresh) {
      this.reset({
        type: 'NOTIFICATION',
        code: ErrorCode.Cease,
        subcode: CeaseSubcode.OtherConfigurationChange,
        data: new Uint8Array(0),
      });
      return 'reset';
    }
    for (const f of e.negotiated.families) {
      const afi = f === 'ipv4-unicast' ? 1 : 2;
      this.send({ type: 'ROUTE-REFRESH', afi, subtype: 0, safi: 1 });
    }
    return 'route-refresh';
  }

  /** Sends already-encoded UPDATE messages (see packUpdates); false when not Established. */
  sendEncodedUpdates(frames: readonly Uint8Array[]): boolean {
    const e = this.established;
    if (!e?.conn.socket) return false;
    e.conn.socket.cork();
    // Writes complete in order: one callback on the last frame tells when all of them went out.
    for (let i = 0; i < frames.length; i++) this.write(e.conn, frames[i]!, 1, i === frames.length - 1);
    e.conn.socket.uncork();
    return true;
  }

  /**
   * Bytes queued in this process for the Established connection that the kernel has not
   * taken yet (it takes them as fast as the peer reads).
   */
  get sendQueueBytes(): number {
    const c = this.established?.conn;
    return (c?.socket?.writableLength ?? 0) + (c?.heldBytes ?? 0);
  }

  /**
   * True while the send queue is at or over `sendQueueLimit`: a peer that reads slowly or
   * not at all. The routing side then keeps its changes for this peer (the latest state per
   * prefix) and sends them on `onSendReady` (ADR 0014).
   */
  get sendBlocked(): boolean {
    return this.established?.conn.blocked ?? false;
  }

  /** The Established connection's TCP endpoints and who opened it (status, tests). */
  get connection():
    | { localPort: number; remotePort: number; direction: ConnectionDirection | 'undecided' }
    | undefined {
    const e = this.established;
    const s = e?.conn.socket;
    if (!e || !s) return undefined;
    return { localPort: s.localPort ?? 0, remotePort: s.remotePort ?? 0, direction: e.conn.dir };
  }

  /** The codec context of the Established session (4-octet AS or not). */
  get codecContext(): CodecContext | undefined {
    return this.established?.ctx;
  }

  /** Hand over a connection the peer made to us (from a BgpListener). */
  acceptIncoming(socket: net.Socket): void {
    if (this.adminDown || this.linkCut) {
      socket.destroy();
      return;
    }
    if (this.conns.length === 1 && this.conns[0]!.fsm.state === 'Idle') {
      // RFC 4271 §8.2.2 Idle: refuse; we come back after the idle hold time.
      this.logger.log('debug', `${this.name}: incoming connection refused while Idle`);
      socket.destroy();
      return;
    }
    // A speaker runs one connection attempt of its own at a time (RFC 4271 §8.2.2: Connect
    // and Active hold one TCP connection), so a new connection from the peer means it gave up
    // the one it opened before. An earlier incoming connection still waiting for the peer's
    // OPEN is released; kept, a half-open one (the peer restarted) would lock the peer out
    // until the 4-minute OpenSent hold timer.
    for (const c of [...this.conns]) {
      if (c.dir === 'incoming' && c.fsm.state === 'OpenSent') {
        this.logger.log('debug', `${this.name}: a new connection from the peer replaces its earlier one`);
        this.closeConn(c);
        this.dispatch(c, { type: 'TcpConnectionFails' });
      }
    }
    const free = this.conns.find(
      (c) => (c.fsm.state === 'Active' || c.fsm.state === 'Connect') && !c.socket && !c.connecting,
    );
    if (free) {
      // Waiting for the peer with no attempt of our own under way: take its connection.
      this.attach(free, socket, 'incoming');
      this.dispatch(free, { type: 'TcpConnectionConfirmed' });
      return;
    }
    if (this.conns.length >= 2) {
      socket.destroy();
      return;
    }
    // A second connection (ours is under way or open): both run until an OPEN tells us the
    // peer's BGP Identifier, then §6.8 keeps one (collisionOnOpen). Dropping our own attempt
    // here instead would lose both when the peer did the same.
    const conn = this.newConn('incoming', { ...this.options.fsm, passive: true }, true);
    this.conns.push(conn);
    this.attach(conn, socket, 'incoming');
    this.dispatch(conn, { type: 'AutomaticStart' });
    this.dispatch(conn, { type: 'TcpConnectionConfirmed' });
  }

  // ---------------------------------------------------------------------------

  private newConn(dir: Conn['dir'], cfg: FsmConfig = this.options.fsm, accepted = false): Conn {
    const conn: Conn = {
      dir,
      accepted,
      fsm: initialState(cfg),
      timers: new Map(),
      reader: new MessageReader(),
      closed: false,
      blocked: false,
      heldBytes: 0,
      awaitingDrain: false,
      sendHoldExpired: false,
      sent: () => this.restartSendHold(conn),
    };
    return conn;
  }

  private attach(conn: Conn, socket: net.Socket, dir: ConnectionDirection): void {
    (conn as { dir: Conn['dir'] }).dir = dir;
    conn.socket = socket;
    conn.closed = false;
    conn.blocked = false;
    conn.awaitingDrain = false;
    socket.setNoDelay(true);
    if (this.options.pcap) {
      const p = this.options.pcap;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      conn.pcap = new PcapRecorder({
        file: `${p.dir}/${this.name.replace(/[^\w.@-]+/g, '_')}-${stamp}-${dir}.pcap`,
        local: p.local,
        remote: p.remote,
        initiator: dir === 'outgoing' ? 'local' : 'remote',
        onError: (err: Error) => this.logger.log('warn', `${this.name}: pcap: ${err.message}`),
      });
    }
    // A connection can carry a later socket once this one is closed (an incoming connection
    // taken over after ours failed, or one replacing the peer's earlier connection): the events
    // of a socket that is no longer the connection's own are ignored.
    socket.on('data', (chunk: Buffer) => {
      if (conn.socket === socket) this.onData(conn, chunk);
    });
    socket.on('error', (err) => this.logger.log('debug', `${this.name}: socket error: ${err.message}`));
    socket.on('close', () => {
      if (conn.closed || conn.socket !== socket) return;
      conn.closed = true;
      conn.pcap?.close('remote');
      this.dispatch(conn, { type: 'TcpConnectionFails' });
    });
  }

  private onData(conn: Conn, chunk: Buffer): void {
    conn.pcap?.received(chunk);
    for (const frame of conn.reader.push(chunk)) {
      if (conn.closed) return;
      if (!frame.ok) {
        this.dispatch(conn, { type: 'BGPHeaderErr', error: frame.error });
        return;
      }
      this.counters.messagesReceived++;
      const ctx = conn.fsm.negotiated?.fourOctetAs === false ? CONTEXT_2OCTET : CONTEXT_4OCTET;
      // UPDATEs keep their IPv4 NLRI in wire form until read (the RIB takes them so); the
      // reader has checked the header and cut the frame to its length, as decodeMessage would.
      const d =
        frame.type === MessageType.UPDATE
          ? decodeUpdateLazy(frame.bytes, frame.bytes.length, ctx)
          : decodeMessage(frame.bytes, ctx);
      if (!d.ok) {
        const e = d.error;
        if (frame.type === MessageType.OPEN) this.dispatch(conn, { type: 'BGPOpenMsgErr', error: e });
        else if (frame.type === MessageType.UPDATE) {
          // RFC 7606 §7.11 allows session reset where AFI/SAFI disable is named; we reset (docs/RFC_NOTES.md).
          this.dispatch(conn, { type: 'UpdateMsgErr', error: e });
        } else this.dispatch(conn, { type: 'BGPHeaderErr', error: e });
        return;
      }
      const m = d.value;
      switch (m.type) {
        case 'OPEN':
          this.dispatch(conn, { type: 'BGPOpen', message: m });
          break;
        case 'UPDATE':
          this.counters.updatesReceived++;
          this.dispatch(conn, { type: 'UpdateMsg', message: m });
          break;
        case 'NOTIFICATION':
          this.counters.lastNotificationReceived = m;
          this.logger.log('info', `${this.name}: NOTIFICATION received: ${describeNotification(m.code, m.subcode)}`);
          this.dispatch(conn, { type: 'NotifMsg', message: m });
          break;
        case 'KEEPALIVE':
          this.dispatch(conn, { type: 'KeepAliveMsg' });
          break;
        case 'ROUTE-REFRESH':
          this.dispatch(conn, { type: 'RouteRefreshMsg', message: m });
          break;
      }
    }
  }

  private dispatch(conn: Conn, event: FsmEvent): void {
    if (!this.conns.includes(conn)) return;
    if (event.type === 'BGPOpen' && conn.fsm.state === 'OpenSent' && !this.collisionOnOpen(conn, event.message)) return;
    if (event.type === 'SendHoldTimerExpires') conn.sendHoldExpired = true;
    const { state, actions } = step(conn.fsm, event);
    conn.fsm = state;
    for (const a of actions) this.execute(conn, a);
    if (state.state === 'Idle') this.onIdle(conn);
    // A connection accepted beside ours lost its TCP connection before the OPENs (OpenSent →
    // Active): it has nothing left to wait for. Kept, it would refuse the peer's next connection
    // (two connections already) and stand as a collision partner it can never be.
    else if (conn.accepted && state.state === 'Active' && !conn.socket) this.onIdle(conn);
  }

  private execute(conn: Conn, a: FsmAction): void {
    switch (a.type) {
      case 'connect':
        this.connectOut(conn);
        break;
      case 'send': {
        if (a.message.type === 'NOTIFICATION') {
          this.counters.lastNotificationSent = a.message;
          this.logger.log(
            'info',
            `${this.name}: NOTIFICATION sent: ${describeNotification(a.message.code, a.message.subcode)}`,
          );
        }
        const ctx = conn.fsm.negotiated?.fourOctetAs === false ? CONTEXT_2OCTET : CONTEXT_4OCTET;
        this.write(conn, encodeMessage(a.message, ctx), 0, true);
        break;
      }
      case 'close':
        this.closeConn(conn);
        break;
      case 'startTimer': {
        if (this.paused) break;
        const ms = a.seconds * 1000;
        const deadline = this.clock.now() + ms;
        const old = conn.timers.get(a.timer);
        if (old && a.timer === 'hold' && deadline >= old.deadline) {
          old.deadline = deadline; // restarted: the armed timer waits for the rest when it fires
          break;
        }
        if (old) this.clock.clearTimer(old.handle);
        const ev: FsmEvent = TIMER_EVENTS[a.timer];
        const t: ArmedTimer = { handle: { id: 0 }, deadline, ms };
        const fire = (): void => {
          if (conn.timers.get(a.timer) !== t) return;
          const left = t.deadline - this.clock.now();
          if (left > 0) {
            t.handle = this.clock.setTimer(left, fire);
            return;
          }
          conn.timers.delete(a.timer);
          this.dispatch(conn, ev);
        };
        t.handle = this.clock.setTimer(ms, fire);
        conn.timers.set(a.timer, t);
        break;
      }
      case 'stopTimer': {
        const t = conn.timers.get(a.timer);
        if (t) this.clock.clearTimer(t.handle);
        conn.timers.delete(a.timer);
        break;
      }
      case 'stateChanged':
        this.logger.log('debug', `${this.name}: ${a.from} -> ${a.to} (${a.reason})`);
        this.options.handlers.onStateChange?.(this, a.from, a.to, a.reason);
        break;
      case 'established': {
        this.consecutiveFailures = 0;
        this.counters.establishedTransitions++;
        this.counters.establishedAt = this.clock.now();
        this.established = {
          conn,
          negotiated: a.negotiated,
          ctx: a.negotiated.fourOctetAs ? CONTEXT_4OCTET : CONTEXT_2OCTET,
        };
        this.logger.log(
          'info',
          `${this.name}: Established (hold ${a.negotiated.holdTime}s, keepalive ${a.negotiated.keepaliveTime}s)`,
        );
        this.options.handlers.onEstablished?.(this, a.negotiated);
        break;
      }
      case 'down': {
        if (this.established?.conn === conn) this.established = undefined;
        this.counters.establishedAt = undefined;
        const reason = describeDownReason(a.reason);
        this.counters.lastDown = { at: this.clock.now(), reason };
        this.logger.log('info', `${this.name}: session down: ${reason}`);
        this.options.handlers.onDown?.(this, a.reason);
        break;
      }
      case 'failed':
        this.logger.log('debug', `${this.name}: attempt failed: ${describeDownReason(a.reason)}`);
        break;
      case 'update':
        this.options.handlers.onUpdate?.(this, a.message);
        break;
      case 'routeRefresh':
        this.options.handlers.onRouteRefresh?.(this, a.message);
        break;
    }
  }

  /**
   * Queues one message. Node keeps whatever the kernel does not take at once, without limit:
   * the queue is watched here (sendBlocked from sendQueueLimit on) and the routing side stops
   * handing over UPDATEs until 'drain' (ADR 0014). `track`: restart the SendHoldTimer when
   * this write reaches the kernel (RFC 9687: each message sent; writes complete in order).
   * `count`: false when delivering what a cut link held (counted when it was first written).
   */
  private write(conn: Conn, bytes: Uint8Array, updates: number, track: boolean, count = true): boolean {
    const s = conn.socket;
    if (!s || conn.closed || s.destroyed || this.paused) return false;
    if (count) {
      this.counters.messagesSent++;
      this.counters.updatesSent += updates;
    }
    if (this.linkCut) {
      // Nothing reaches the kernel over a cut link: the bytes wait here, under the same bound
      // (a real kernel's buffer would fill and hold the writes back just so).
      (conn.held ??= []).push(bytes);
      conn.heldBytes += bytes.length;
      this.watchQueue(conn, s, s.writableLength + conn.heldBytes, false);
      return true;
    }
    conn.pcap?.sent(bytes);
    if (track) s.write(bytes, conn.sent);
    else s.write(bytes);
    // writableNeedDrain: the queue is past Node's high-water mark too, so 'drain' will come.
    this.watchQueue(conn, s, s.writableLength, s.writableNeedDrain);
    return true;
  }

  /**
   * `queued` bytes wait in this process for the peer: from sendQueueLimit on the connection is
   * blocked (ADR 0014) until 'drain' (`drains`: Node will emit one), or over a cut link until
   * restoreLink.
   */
  private watchQueue(conn: Conn, s: net.Socket, queued: number, drains: boolean): void {
    if (queued > this.counters.sendQueuePeak) this.counters.sendQueuePeak = queued;
    if (queued < this.sendQueueLimit || conn.blocked || !(drains || this.linkCut)) return;
    conn.blocked = true;
    this.counters.sendBlocks++;
    this.logger.log('info', `${this.name}: ${queued} bytes queued, the peer is not reading: UPDATEs held`);
    if (this.linkCut) return;
    conn.awaitingDrain = true;
    // 'drain': everything queued went to the kernel.
    s.once('drain', () => {
      conn.awaitingDrain = false;
      if (conn.socket !== s) return;
      conn.blocked = false;
      if (this.established?.conn !== conn || conn.closed) return;
      this.logger.log('debug', `${this.name}: send queue drained`);
      this.options.handlers.onSendReady?.(this);
    });
  }

  /** RFC 9687 §3.3: each message sent restarts the SendHoldTimer (by moving its deadline). */
  private restartSendHold(conn: Conn): void {
    const t = conn.timers.get('sendHold');
    if (t) t.deadline = this.clock.now() + t.ms;
  }

  private connectOut(conn: Conn): void {
    if (conn.socket || conn.connecting) return;
    conn.connecting = true;
    // A cut link loses the SYN: the attempt hangs until ConnectRetry abandons it, or restoreLink.
    if (this.linkCut) return;
    this.connector({ remote: this.options.remote, localAddress: this.options.localAddress }).then(
      (socket) => {
        if (!conn.connecting || !this.conns.includes(conn) || conn.socket) {
          socket.destroy(); // the attempt was abandoned meanwhile (or the peer connected first)
          return;
        }
        conn.connecting = false;
        this.attach(conn, socket, 'outgoing');
        this.dispatch(conn, { type: 'TcpConnectionConfirmed' });
      },
      (err: Error) => {
        if (!conn.connecting) return;
        conn.connecting = false;
        this.logger.log(
          'debug',
          `${this.name}: connect to ${this.options.remote.address}:${this.options.remote.port} failed: ${err.message}`,
        );
        this.dispatch(conn, { type: 'TcpConnectionFails' });
      },
    );
  }

  private closeConn(conn: Conn): void {
    conn.connecting = false;
    const s = conn.socket;
    conn.socket = undefined;
    conn.reader = new MessageReader();
    conn.held = undefined;
    conn.heldBytes = 0;
    if (s && !conn.closed && this.linkCut) {
      // Nothing reaches the peer over a cut link, not even our FIN: keep the socket, silent.
      conn.closed = true;
      this.severed.push(s);
    } else if (s && !conn.closed) {
      conn.closed = true;
      conn.pcap?.close('local');
      if (conn.sendHoldExpired) {
        // RFC 9687 §3.3: the NOTIFICATION must not delay dropping the connection, and the peer
        // reads nothing: reset it (a FIN would wait behind the unread bytes, which the kernel
        // would keep holding).
        s.resetAndDestroy();
        void conn.pcap?.end();
        conn.pcap = undefined;
        return;
      }
      // end() flushes a NOTIFICATION queued just before; destroy if the peer never reads.
      s.end();
      const t = setTimeout(() => s.destroy(), 2000);
      t.unref();
      s.once('close', () => clearTimeout(t));
    }
    void conn.pcap?.end();
    conn.pcap = undefined;
  }

  /**
   * RFC 4271 §6.8, on receipt of an OPEN on `conn` (in OpenSent), before it is answered: "the
   * local system MUST examine all of its connections that are in the OpenConfirm state" —
   * the one opened by the higher BGP Identifier stays, the other is closed with Cease/7 — and
   * "a connection collision with an existing BGP connection that is in the Established state
   * causes closing of the newly created connection". Checked before the KEEPALIVE goes out (as
   * BIRD's bgp_rx_open does), so that a connection that loses is never confirmed to the peer:
   * answered first, it could reach Established there and then close that session instead.
   * "A connection collision cannot be detected with connections that are in Idle, Connect, or
   * Active states": such a connection (our own attempt still under way, or waiting to retry)
   * has exchanged nothing with the peer and is simply given up for the one that got the OPEN,
   * as BIRD stops its outgoing attempts. One in OpenSent is left to run until its own OPEN
   * (§6.8 examines OpenSent only when the Identifier is known by other means; we know none).
   * Returns false when `conn` itself was closed.
   */
  private collisionOnOpen(conn: Conn, open: OpenMessage): boolean {
    const n = negotiate(conn.fsm.config, open);
    if (!n.ok) return true; // the FSM refuses this OPEN itself: it settles nothing
    for (const other of [...this.conns]) {
      if (other === conn || !this.conns.includes(other)) continue;
      if (other.fsm.state === 'Established') {
        this.logger.log('info', `${this.name}: connection collision with the Established session: closing the new one`);
        this.dispatch(conn, { type: 'OpenCollisionDump' });
        return false;
      }
      if (other.fsm.state === 'OpenConfirm') {
        // Two connections from the same side (the peer gave up its first) are no collision: the newer one stays.
        const winnerDir =
          conn.dir === other.dir ? conn.dir : collisionWinner(this.options.fsm.localId, n.negotiated.peerId);
        const loser = conn.dir === winnerDir ? other : conn;
        this.logger.log('info', `${this.name}: connection collision: closing the ${loser.dir} connection`);
        this.dispatch(loser, { type: 'OpenCollisionDump' });
        if (loser === conn) return false;
      }
    }
    for (const other of [...this.conns]) {
      const st = other.fsm.state;
      if (other === conn || (st !== 'Idle' && st !== 'Connect' && st !== 'Active')) continue;
      this.logger.log('debug', `${this.name}: ${other.dir} attempt given up: the ${conn.dir} connection got the OPEN`);
      this.discard(other);
    }
    return true;
  }

  /** Forgets a connection that exchanged no OPEN, quietly: its timers, its socket or attempt. */
  private discard(conn: Conn): void {
    for (const t of conn.timers.values()) this.clock.clearTimer(t.handle);
    conn.timers.clear();
    this.closeConn(conn);
    this.conns = this.conns.filter((c) => c !== conn);
  }

  private onIdle(conn: Conn): void {
    for (const t of conn.timers.values()) this.clock.clearTimer(t.handle);
    conn.timers.clear();
    this.conns = this.conns.filter((c) => c !== conn);
    if (this.established?.conn === conn) this.established = undefined;
    if (this.conns.length > 0) return; // the other connection carries on
    const fresh = this.newConn('undecided');
    this.conns = [fresh];
    if (this.adminDown) return;
    // RFC 4271 §8.1.1 IdleHoldTimer with DampPeerOscillations: wait longer after each failure.
    this.consecutiveFailures++;
    const base = this.options.idleHoldTime ?? 1;
    const wait = Math.min(MAX_IDLE_HOLD, base * 2 ** Math.max(0, this.consecutiveFailures - 1));
    if (this.restartTimer) this.clock.clearTimer(this.restartTimer);
    this.restartTimer = this.clock.setTimer(wait * 1000, () => {
      this.restartTimer = undefined;
      if (!this.adminDown && this.conns[0] === fresh) this.dispatch(fresh, { type: 'AutomaticStart' });
    });
  }
}

const TIMER_EVENTS: Record<TimerName, FsmEvent> = {
  connectRetry: { type: 'ConnectRetryTimerExpires' },
  hold: { type: 'HoldTimerExpires' },
  keepalive: { type: 'KeepaliveTimerExpires' },
  sendHold: { type: 'SendHoldTimerExpires' },
};

export const defaultConnector: Connector = ({ remote, localAddress }) =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: remote.address, port: remote.port, localAddress });
    const onError = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });

/** The NOTIFICATION for RFC 4486 Cease / Maximum Number of Prefixes Reached (data: AFI, SAFI, limit). */
export function maxPrefixNotification(afi: number, safi: number, limit: number): NotificationMessage {
  const data = new Uint8Array(7);
  new DataView(data.buffer).setUint16(0, afi);
  data[2] = safi;
  new DataView(data.buffer).setUint32(3, limit);
  return { type: 'NOTIFICATION', code: ErrorCode.Cease, subcode: 1, data };
}
