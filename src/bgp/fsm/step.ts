/**
 * @module bgp/fsm/step
 * `step(state, event) => { state, actions }`: the RFC 4271 §8.2.2 transitions for one
 * connection. Pure and total: every (state, event) pair has an outcome, nothing throws.
 *
 * Options of §8.1.1 in effect: no DelayOpen, no peer-oscillation damping (the owner may
 * delay AutomaticStart), CollisionDetectEstablishedState on (a collision can dump an
 * Established session when the owner decides so, §6.8), passive per config.
 */
import { CeaseSubcode, ErrorCode, FsmSubcode, type BgpWireError, type NotificationMessage } from '../wire/index.js';
import { buildOpen, negotiate } from './negotiate.js';
import type { DownReason, FsmAction, FsmConfig, FsmEvent, FsmResult, FsmState, SessionState } from './types.js';

/** RFC 4271 §8.2.2: "a large value" for the hold timer while waiting for the OPEN; 4 minutes suggested. */
export const OPEN_HOLD_TIME = 240;

export function initialState(config: FsmConfig): FsmState {
  return { state: 'Idle', config, connectRetryCounter: 0 };
}

function notification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  return { type: 'NOTIFICATION', code, subcode, data };
}

function fromError(e: BgpWireError): NotificationMessage {
  return notification(e.code, e.subcode, e.data);
}

const ADMIN_SHUTDOWN = notification(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown);
const COLLISION = notification(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution);
const HOLD_EXPIRED = notification(ErrorCode.HoldTimerExpired, 0);
/** RFC 9687 §5: code 8, subcode 0, no data. */
const SEND_HOLD_EXPIRED = notification(ErrorCode.SendHoldTimerExpired, 0);

/** RFC 9687 §5: the default SendHoldTime is the greater of 8 minutes and twice the hold time. */
export const DEFAULT_MIN_SEND_HOLD_TIME = 480;

/**
 * The SendHoldTime of a session, seconds; 0 = no SendHoldTimer (configured off, or a
 * negotiated hold time of 0: RFC 9687 §3.3 stops the timer then).
 */
export function sendHoldTimeOf(config: FsmConfig, negotiatedHoldTime: number): number {
  if (negotiatedHoldTime === 0) return 0;
  return config.sendHoldTime ?? Math.max(DEFAULT_MIN_SEND_HOLD_TIME, 2 * negotiatedHoldTime);
}

const FSM_ERROR_SUBCODE: Partial<Record<SessionState, number>> = {
  OpenSent: FsmSubcode.UnexpectedMessageInOpenSent,
  OpenConfirm: FsmSubcode.UnexpectedMessageInOpenConfirm,
  Established: FsmSubcode.UnexpectedMessageInEstablished,
};

const ALL_TIMERS = ['connectRetry', 'hold', 'keepalive', 'sendHold'] as const;

class Transition {
  readonly actions: FsmAction[] = [];
  constructor(private s: FsmState) {}

  act(a: FsmAction): this {
    this.actions.push(a);
    return this;
  }
  send(n: NotificationMessage): this {
    return this.act({ type: 'send', message: n });
  }
  stopAllTimers(): this {
    for (const t of ALL_TIMERS) this.act({ type: 'stopTimer', timer: t });
    return this;
  }
  with(patch: Partial<FsmState>): this {
    this.s = { ...this.s, ...patch };
    return this;
  }
  to(next: SessionState, reason: string): FsmResult {
    const from = this.s.state;
    if (from !== next) this.actions.push({ type: 'stateChanged', from, to: next, reason });
    const state: FsmState =
      next === 'Idle'
        ? { state: 'Idle', config: this.s.config, connectRetryCounter: this.s.connectRetryCounter }
        : { ...this.s, state: next };
    return { state, actions: this.actions };
  }
  /** Release the connection and go to Idle; report `down` if we were Established, else `failed`. */
  drop(reason: DownReason, why: string): FsmResult {
    const wasUp = this.s.state === 'Established';
    this.stopAllTimers().act({ type: 'close' });
    this.act(wasUp ? { type: 'down', reason } : { type: 'failed', reason });
    this.s = { ...this.s, connectRetryCounter: this.s.connectRetryCounter + 1 };
    return this.to('Idle', why);
  }
  /** Send a NOTIFICATION, then drop. */
  notifyAndDrop(n: NotificationMessage, why: string, error?: BgpWireError): FsmResult {
    this.send(n);
    const reason: DownReason = error
      ? { kind: 'notification-sent', notification: n, error }
      : { kind: 'notification-sent', notification: n };
    return this.drop(reason, why);
  }
  stay(): FsmResult {
    return { state: this.s, actions: this.actions };
  }
}

/** The RFC 4271 §8.2.2 transition for one event. */
export function step(s: FsmState, e: FsmEvent): FsmResult {
  const t = new Transition(s);
  const c = s.config;
  switch (s.state) {
    case 'Idle':
      if (e.type === 'ManualStart' || e.type === 'AutomaticStart') {
        t.with({ connectRetryCounter: 0 }).act({
          type: 'startTimer',
          timer: 'connectRetry',
          seconds: c.connectRetryTime,
        });
        if (c.passive) return t.to('Active', `${e.type} (passive)`);
        return t.act({ type: 'connect' }).to('Connect', e.type);
      }
      // A connection offered while Idle is refused: we are not ready to run a session.
      if (e.type === 'TcpConnectionConfirmed') return t.act({ type: 'close' }).stay();
      return t.stay(); // §8.2.2 Idle: other events are ignored

    case 'Connect':
    case 'Active':
      switch (e.type) {
        case 'ManualStart':
        case 'AutomaticStart':
        case 'SendHoldTimerExpires': // runs in Established only (RFC 9687 §3.3); a late one is stale
          return t.stay();
        case 'ManualStop':
          return t.stopAllTimers().act({ type: 'close' }).with({ connectRetryCounter: 0 }).to('Idle', 'ManualStop');
        case 'ConnectRetryTimerExpires':
          t.act({ type: 'startTimer', timer: 'connectRetry', seconds: c.connectRetryTime });
          if (c.passive) return t.stay();
          if (s.state === 'Connect') t.act({ type: 'close' }); // abandon the attempt in progress
          return t.act({ type: 'connect' }).to('Connect', 'ConnectRetryTimer expired');
        case 'TcpConnectionConfirmed':
          return t
            .act({ type: 'stopTimer', timer: 'connectRetry' })
            .act({ type: 'send', message: buildOpen(c) })
            .act({ type: 'startTimer', timer: 'hold', seconds: OPEN_HOLD_TIME })
            .to('OpenSent', 'TCP connection established');
        case 'TcpConnectionFails':
          if (s.state === 'Connect') {
            // §8.2.2 Connect: keep listening for the peer; retry on ConnectRetryTimer.
            return t
              .act({ type: 'close' })
              .act({ type: 'startTimer', timer: 'connectRetry', seconds: c.connectRetryTime })
              .to('Active', 'TCP connection failed');
          }
          return t.drop({ kind: 'tcp-failed' }, 'TCP connection failed');
        default:
          // §8.2.2: any other event in Connect/Active releases resources and goes to Idle.
          return t.drop({ kind: 'tcp-failed' }, `unexpected ${e.type} in ${s.state}`);
      }

    case 'OpenSent':
      switch (e.type) {
        case 'ManualStart':
        case 'AutomaticStart':
        case 'TcpConnectionConfirmed':
        case 'SendHoldTimerExpires':
          return t.stay();
        case 'ManualStop':
          return t
            .send(e.notification ?? ADMIN_SHUTDOWN)
            .drop({ kind: 'admin-stop', notification: e.notification ?? ADMIN_SHUTDOWN }, 'ManualStop');
        case 'HoldTimerExpires':
          return t.notifyAndDrop(HOLD_EXPIRED, 'hold timer expired waiting for OPEN');
        case 'TcpConnectionFails':
          // §8.2.2 OpenSent: keep listening; the peer may connect to us.
          return t
            .act({ type: 'close' })
            .act({ type: 'stopTimer', timer: 'hold' })
            .act({ type: 'startTimer', timer: 'connectRetry', seconds: c.connectRetryTime })
            .act({ type: 'failed', reason: { kind: 'tcp-closed' } })
            .to('Active', 'TCP connection closed in OpenSent');
        case 'BGPOpen': {
          const n = negotiate(c, e.message);
          if (!n.ok) return t.notifyAndDrop(fromError(n.error), n.error.message, n.error);
          const neg = n.negotiated;
          t.act({ type: 'stopTimer', timer: 'connectRetry' }).act({ type: 'send', message: { type: 'KEEPALIVE' } });
          if (neg.holdTime > 0) {
            t.act({ type: 'startTimer', timer: 'keepalive', seconds: neg.keepaliveTime });
            t.act({ type: 'startTimer', timer: 'hold', seconds: neg.holdTime });
          } else {
            t.act({ type: 'stopTimer', timer: 'hold' });
          }
          return t.with({ negotiated: neg, peerOpen: e.message }).to('OpenConfirm', 'OPEN received');
        }
        case 'BGPHeaderErr':
        case 'BGPOpenMsgErr':
          return t.notifyAndDrop(fromError(e.error), e.error.message, e.error);
        case 'OpenCollisionDump':
          return t.send(COLLISION).drop({ kind: 'collision', notification: COLLISION }, 'connection collision');
        case 'NotifMsg':
          return t.drop({ kind: 'notification-received', notification: e.message }, 'NOTIFICATION received');
        default:
          return t.notifyAndDrop(
            notification(ErrorCode.FsmError, FSM_ERROR_SUBCODE.OpenSent!),
            `unexpected ${e.type} in OpenSent`,
          );
      }

    case 'OpenConfirm':
      switch (e.type) {
        case 'ManualStart':
        case 'AutomaticStart':
        case 'TcpConnectionConfirmed':
        case 'SendHoldTimerExpires':
          return t.stay();
        case 'ManualStop':
          return t
            .send(e.notification ?? ADMIN_SHUTDOWN)
            .drop({ kind: 'admin-stop', notification: e.notification ?? ADMIN_SHUTDOWN }, 'ManualStop');
        case 'HoldTimerExpires':
          return t.notifyAndDrop(HOLD_EXPIRED, 'hold timer expired in OpenConfirm');
        case 'KeepaliveTimerExpires':
          return t
            .act({ type: 'send', message: { type: 'KEEPALIVE' } })
            .act({ type: 'startTimer', timer: 'keepalive', seconds: s.negotiated!.keepaliveTime })
            .stay();
        case 'TcpConnectionFails':
          return t.drop({ kind: 'tcp-closed' }, 'TCP connection closed in OpenConfirm');
        case 'NotifMsg':
          return t.drop({ kind: 'notification-received', notification: e.message }, 'NOTIFICATION received');
        case 'OpenCollisionDump':
          return t.send(COLLISION).drop({ kind: 'collision', notification: COLLISION }, 'connection collision');
        case 'BGPHeaderErr':
        case 'BGPOpenMsgErr':
          return t.notifyAndDrop(fromError(e.error), e.error.message, e.error);
        case 'KeepAliveMsg': {
          const neg = s.negotiated!;
          if (neg.holdTime > 0) t.act({ type: 'startTimer', timer: 'hold', seconds: neg.holdTime });
          // RFC 9687 §3.3: the SendHoldTimer starts with Established (unless the time is zero).
          const sendHold = sendHoldTimeOf(c, neg.holdTime);
          if (sendHold > 0) t.act({ type: 'startTimer', timer: 'sendHold', seconds: sendHold });
          t.act({ type: 'established', negotiated: neg });
          return t.to('Established', 'KEEPALIVE received');
        }
        default:
          return t.notifyAndDrop(
            notification(ErrorCode.FsmError, FSM_ERROR_SUBCODE.OpenConfirm!),
            `unexpected ${e.type} in OpenConfirm`,
          );
      }

    case 'Established': {
      const neg = s.negotiated!;
      const restartHold = (): void => {
        if (neg.holdTime > 0) t.act({ type: 'startTimer', timer: 'hold', seconds: neg.holdTime });
      };
      switch (e.type) {
        case 'ManualStart':
        case 'AutomaticStart':
        case 'TcpConnectionConfirmed':
          return t.stay();
        case 'ManualStop': {
          const n = e.notification ?? ADMIN_SHUTDOWN;
          return t.send(n).drop({ kind: 'admin-stop', notification: n }, 'ManualStop');
        }
        case 'HoldTimerExpires':
          return t.send(HOLD_EXPIRED).drop({ kind: 'hold-timer-expired' }, 'hold timer expired');
        case 'SendHoldTimerExpires':
          // RFC 9687 §3.3: try the NOTIFICATION (the owner does not let it delay the close), drop.
          return t
            .send(SEND_HOLD_EXPIRED)
            .drop({ kind: 'send-hold-timer-expired' }, 'send hold timer expired: the peer is not reading');
        case 'KeepaliveTimerExpires':
          return t
            .act({ type: 'send', message: { type: 'KEEPALIVE' } })
            .act({ type: 'startTimer', timer: 'keepalive', seconds: neg.keepaliveTime })
            .stay();
        case 'TcpConnectionFails':
          return t.drop({ kind: 'tcp-closed' }, 'TCP connection closed');
        case 'NotifMsg':
          return t.drop({ kind: 'notification-received', notification: e.message }, 'NOTIFICATION received');
        case 'KeepAliveMsg':
          restartHold();
          return t.stay();
        case 'UpdateMsg':
          restartHold();
          return t.act({ type: 'update', message: e.message }).stay();
        case 'RouteRefreshMsg':
          restartHold();
          return t.act({ type: 'routeRefresh', message: e.message }).stay();
        case 'UpdateMsgErr':
        case 'BGPHeaderErr':
        case 'BGPOpenMsgErr':
          return t.notifyAndDrop(fromError(e.error), e.error.message, e.error);
        case 'OpenCollisionDump':
          return t.send(COLLISION).drop({ kind: 'collision', notification: COLLISION }, 'connection collision');
        default:
          return t.notifyAndDrop(
            notification(ErrorCode.FsmError, FSM_ERROR_SUBCODE.Established!),
            `unexpected ${e.type} in Established`,
          );
      }
    }
  }
}

/** A readable one-liner for a DownReason (logs, `arslab status`). */
export function describeDownReason(r: DownReason): string {
  switch (r.kind) {
    case 'admin-stop':
      return 'stopped by administrator';
    case 'hold-timer-expired':
      return 'hold timer expired';
    case 'send-hold-timer-expired':
      return 'send hold timer expired (RFC 9687): the peer stopped reading';
    case 'notification-received':
      return `NOTIFICATION received ${r.notification.code}/${r.notification.subcode}`;
    case 'notification-sent':
      return `NOTIFICATION sent ${r.notification.code}/${r.notification.subcode}${r.error ? `: ${r.error.message}` : ''}`;
    case 'tcp-closed':
      return 'TCP connection closed by peer';
    case 'tcp-failed':
      return 'TCP connection failed';
    case 'collision':
      return 'connection collision resolution';
  }
}
