/**
 * @module bgp/fsm/types
 * The BGP session finite state machine of RFC 4271 §8, as pure data: states, the events
 * it consumes and the actions it asks its owner to carry out. It never touches a socket,
 * a timer or a clock (see ADR 0004); `src/bgp/transport` executes the actions.
 */
import type {
  BgpMessage,
  BgpWireError,
  Capability,
  NotificationMessage,
  OpenMessage,
  ReceivedUpdate,
  RouteRefreshMessage,
} from '../wire/index.js';

export type SessionState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'sendHold';

export type Family = 'ipv4-unicast' | 'ipv6-unicast';

/** What we are configured to do with this neighbour; fixed for the life of the FSM. */
export interface FsmConfig {
  readonly localAs: number;
  /** BGP Identifier, uint32. */
  readonly localId: number;
  /** The ASN we expect from the peer (RFC 4271 §6.2 Bad Peer AS otherwise). */
  readonly peerAs: number;
  /** Hold time we offer, seconds (0 = no keepalives; otherwise >= 3). */
  readonly holdTime: number;
  /** Upper bound of the keepalive interval; the negotiated one is min(this, hold / 3). */
  readonly keepaliveTime: number;
  /**
   * RFC 4271 §6.2: a peer's non-zero hold time below this is refused with OPEN Message
   * Error / Unacceptable Hold Time ("An implementation MAY reject connections on the basis
   * of the Hold Time"); absent or 0: any hold time is taken and the lower one used (§4.2).
   */
  readonly minHoldTime?: number;
  /**
   * Keep our own hold time and keepalive interval whatever the peer offers (a peer offering 0
   * still turns them off): Azure's VPN gateway "use[s] fixed timer values" (R-VPN-5). This
   * departs from RFC 4271 §4.2 on purpose; the peer, which does negotiate, may see its lower
   * hold time expire between our keepalives.
   */
  readonly fixedTimers?: boolean;
  readonly connectRetryTime: number;
  /** Only wait for the peer to connect (RFC 4271 §8.1.1 PassiveTcpEstablishment). */
  readonly passive: boolean;
  /** Families we offer with the Multiprotocol capability. */
  readonly families: readonly Family[];
  /** Capabilities sent besides multiprotocol/4-octet-AS/route-refresh (rarely needed). */
  readonly extraCapabilities?: readonly Capability[];
  /**
   * RFC 9687 SendHoldTime, seconds: how long an Established session may go without a message
   * of ours reaching the peer before it is dropped (a peer that stopped reading). 0 = off;
   * default: the greater of 8 minutes and twice the negotiated hold time (RFC 9687 §5).
   */
  readonly sendHoldTime?: number;
}

/** Session parameters fixed by the exchange of OPENs. */
export interface Negotiated {
  readonly peerAs: number;
  readonly peerId: number;
  /** 0 means no hold timer and no keepalives (RFC 4271 §4.2). */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly fourOctetAs: boolean;
  /** The peer accepts ROUTE-REFRESH (capability 2 or the pre-standard 128). */
  readonly peerRouteRefresh: boolean;
  readonly families: readonly Family[];
  readonly peerOpen: OpenMessage;
}

export interface FsmState {
  readonly state: SessionState;
  readonly config: FsmConfig;
  readonly connectRetryCounter: number;
  /** Set from OpenConfirm on. */
  readonly negotiated?: Negotiated;
  /** The peer's OPEN, once received (used for collision resolution, RFC 4271 §6.8). */
  readonly peerOpen?: OpenMessage;
}

/** Why the session left a state: readable in logs, typed for the API. */
export type DownReason =
  | { readonly kind: 'admin-stop'; readonly notification?: NotificationMessage }
  | { readonly kind: 'hold-timer-expired' }
  /** RFC 9687: nothing we sent got through for SendHoldTime (the peer stopped reading). */
  | { readonly kind: 'send-hold-timer-expired' }
  | { readonly kind: 'notification-received'; readonly notification: NotificationMessage }
  | { readonly kind: 'notification-sent'; readonly notification: NotificationMessage; readonly error?: BgpWireError }
  | { readonly kind: 'tcp-closed' }
  | { readonly kind: 'tcp-failed' }
  | { readonly kind: 'collision'; readonly notification: NotificationMessage };

/** RFC 4271 §8.1 events, grouped admin / timer / TCP / message (names follow the RFC). */
export type FsmEvent =
  // Administrative (§8.1.2)
  | { readonly type: 'ManualStart' }
  | { readonly type: 'AutomaticStart' }
  /** ManualStop; `notification` overrides the default Cease/Administrative Shutdown (e.g. Cease/1). */
  | { readonly type: 'ManualStop'; readonly notification?: NotificationMessage }
  // Timers (§8.1.3)
  | { readonly type: 'ConnectRetryTimerExpires' }
  | { readonly type: 'HoldTimerExpires' }
  | { readonly type: 'KeepaliveTimerExpires' }
  /** RFC 9687 Event 29. The owner restarts the SendHoldTimer each time a message of ours is sent. */
  | { readonly type: 'SendHoldTimerExpires' }
  // TCP (§8.1.4): Tcp_CR_Acked and TcpConnectionConfirmed are one event here: a connection is up
  | { readonly type: 'TcpConnectionConfirmed' }
  | { readonly type: 'TcpConnectionFails' }
  // Messages (§8.1.5)
  | { readonly type: 'BGPOpen'; readonly message: OpenMessage }
  | { readonly type: 'BGPHeaderErr'; readonly error: BgpWireError }
  | { readonly type: 'BGPOpenMsgErr'; readonly error: BgpWireError }
  | { readonly type: 'OpenCollisionDump' }
  | { readonly type: 'NotifMsg'; readonly message: NotificationMessage }
  | { readonly type: 'KeepAliveMsg' }
  | { readonly type: 'UpdateMsg'; readonly message: ReceivedUpdate }
  | { readonly type: 'UpdateMsgErr'; readonly error: BgpWireError }
  | { readonly type: 'RouteRefreshMsg'; readonly message: RouteRefreshMessage };

export type FsmAction =
  | { readonly type: 'connect' }
  | { readonly type: 'send'; readonly message: BgpMessage }
  /** Drop the TCP connection (after any queued sends). */
  | { readonly type: 'close' }
  | { readonly type: 'startTimer'; readonly timer: TimerName; readonly seconds: number }
  | { readonly type: 'stopTimer'; readonly timer: TimerName }
  | { readonly type: 'stateChanged'; readonly from: SessionState; readonly to: SessionState; readonly reason: string }
  | { readonly type: 'established'; readonly negotiated: Negotiated }
  /** Left Established (routes learned on the session must be flushed). */
  | { readonly type: 'down'; readonly reason: DownReason }
  /** A session attempt failed before Established (for logs and counters). */
  | { readonly type: 'failed'; readonly reason: DownReason }
  | { readonly type: 'update'; readonly message: ReceivedUpdate }
  | { readonly type: 'routeRefresh'; readonly message: RouteRefreshMessage };

export interface FsmResult {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
}
