import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initialState, step, OPEN_HOLD_TIME } from './step.js';
import type { FsmAction, FsmConfig, FsmEvent, FsmState } from './types.js';
import type { OpenMessage } from '../wire/types.js';

const config: FsmConfig = {
  localAs: 65515,
  localId: 0x0a0a0104, // 10.10.1.4
  peerAs: 65001,
  holdTime: 180,
  keepaliveTime: 60,
  connectRetryTime: 5,
  passive: false,
  families: ['ipv4-unicast'],
};

function open(over: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: 'OPEN',
    version: 4,
    myAs: 65001,
    holdTime: 90,
    bgpId: 0x0a0a0007,
    capabilities: [
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'four-octet-as', asn: 65001 },
      { kind: 'route-refresh' },
    ],
    otherParameters: [],
    ...over,
  };
}

function run(s: FsmState, ...events: FsmEvent[]): { state: FsmState; actions: FsmAction[] } {
  const actions: FsmAction[] = [];
  for (const e of events) {
    const r = step(s, e);
    s = r.state;
    actions.push(...r.actions);
  }
  return { state: s, actions };
}

const sent = (as: FsmAction[]) =>
  as.filter((a) => a.type === 'send').map((a) => (a as { message: { type: string } }).message);
const notifications = (as: FsmAction[]) =>
  sent(as).filter((m) => m.type === 'NOTIFICATION') as unknown as { code: number; subcode: number }[];

/** OpenConfirm: started, connected, the peer's OPEN (`message`) received. */
function openConfirm(cfg = config, message = open()): FsmState {
  return run(
    initialState(cfg),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message },
  ).state;
}

function established(cfg = config): FsmState {
  return step(openConfirm(cfg), { type: 'KeepAliveMsg' }).state;
}

test('Idle_ManualStart_connects', () => {
  const r = step(initialState(config), { type: 'ManualStart' });
  assert.equal(r.state.state, 'Connect');
  assert.ok(r.actions.some((a) => a.type === 'connect'));
  assert.ok(r.actions.some((a) => a.type === 'startTimer' && a.timer === 'connectRetry' && a.seconds === 5));
});

test('Idle_AutomaticStart_passive_waits_in_Active', () => {
  const r = step(initialState({ ...config, passive: true }), { type: 'AutomaticStart' });
  assert.equal(r.state.state, 'Active');
  assert.ok(!r.actions.some((a) => a.type === 'connect'));
});

test('Idle_TcpConnectionConfirmed_refuses', () => {
  const r = step(initialState(config), { type: 'TcpConnectionConfirmed' });
  assert.equal(r.state.state, 'Idle');
  assert.deepEqual(r.actions, [{ type: 'close' }]);
});

test('Connect_TcpConnectionConfirmed_sends_OPEN_with_capabilities', () => {
  const r = run(initialState(config), { type: 'ManualStart' }, { type: 'TcpConnectionConfirmed' });
  assert.equal(r.state.state, 'OpenSent');
  const o = sent(r.actions).find((m) => m.type === 'OPEN') as OpenMessage;
  assert.equal(o.myAs, 65515);
  assert.equal(o.holdTime, 180);
  assert.deepEqual(
    o.capabilities.map((c) => c.kind),
    ['multiprotocol', 'route-refresh', 'four-octet-as'],
  );
  assert.ok(r.actions.some((a) => a.type === 'startTimer' && a.timer === 'hold' && a.seconds === OPEN_HOLD_TIME));
});

test('Connect_TcpConnectionFails_goes_Active_and_retries', () => {
  const r = run(initialState(config), { type: 'ManualStart' }, { type: 'TcpConnectionFails' });
  assert.equal(r.state.state, 'Active');
  const r2 = step(r.state, { type: 'ConnectRetryTimerExpires' });
  assert.equal(r2.state.state, 'Connect');
  assert.ok(r2.actions.some((a) => a.type === 'connect'));
});

test('OpenSent_BGPOpen_negotiates_lower_hold_time', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ holdTime: 9 }) },
  );
  assert.equal(r.state.state, 'OpenConfirm');
  assert.equal(r.state.negotiated!.holdTime, 9);
  assert.equal(r.state.negotiated!.keepaliveTime, 3);
  assert.ok(r.actions.some((a) => a.type === 'startTimer' && a.timer === 'hold' && a.seconds === 9));
  assert.ok(r.actions.some((a) => a.type === 'startTimer' && a.timer === 'keepalive' && a.seconds === 3));
  assert.ok(sent(r.actions).some((m) => m.type === 'KEEPALIVE'));
});

test('OpenSent_BGPOpen_fixed_timers_keep_ours_against_a_lower_offer', () => {
  // R-VPN-5: Azure's VPN gateway keeps 60/180 when the device offers 30 (RFC 4271 §4.2 would
  // take 30 and a 10-s keepalive); an offer of 0 still means no timers.
  const r = run(
    initialState({ ...config, fixedTimers: true }),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ holdTime: 30 }) },
  );
  assert.equal(r.state.negotiated!.holdTime, 180);
  assert.equal(r.state.negotiated!.keepaliveTime, 60);
  assert.ok(r.actions.some((a) => a.type === 'startTimer' && a.timer === 'keepalive' && a.seconds === 60));
  const z = run(
    initialState({ ...config, fixedTimers: true }),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ holdTime: 0 }) },
  );
  assert.equal(z.state.negotiated!.holdTime, 0);
});

test('OpenSent_BGPOpen_keeps_our_hold_time_when_lower', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ holdTime: 240 }) },
  );
  assert.equal(r.state.negotiated!.holdTime, 180);
  assert.equal(r.state.negotiated!.keepaliveTime, 60);
});

test('OpenSent_BGPOpen_hold_time_zero_runs_no_timers', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ holdTime: 0 }) },
  );
  assert.equal(r.state.negotiated!.holdTime, 0);
  assert.ok(!r.actions.some((a) => a.type === 'startTimer' && a.timer === 'keepalive'));
});

test('OpenSent_BGPOpen_bad_peer_as_sends_2_2', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ myAs: 65002, capabilities: [{ kind: 'four-octet-as', asn: 65002 }] }) },
  );
  assert.equal(r.state.state, 'Idle');
  assert.deepEqual(
    notifications(r.actions).map((n) => [n.code, n.subcode]),
    [[2, 2]],
  );
  assert.ok(r.actions.some((a) => a.type === 'close'));
});

test('OpenSent_BGPOpen_uses_four_octet_capability_for_peer_as', () => {
  const cfg = { ...config, peerAs: 4200000001 };
  const r = run(
    initialState(cfg),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ myAs: 23456, capabilities: [{ kind: 'four-octet-as', asn: 4200000001 }] }) },
  );
  assert.equal(r.state.state, 'OpenConfirm');
  assert.equal(r.state.negotiated!.fourOctetAs, true);
});

test('OpenSent_BGPOpen_without_four_octet_capability_is_two_octet', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ capabilities: [] }) },
  );
  assert.equal(r.state.negotiated!.fourOctetAs, false);
  assert.deepEqual(r.state.negotiated!.families, ['ipv4-unicast']);
  assert.equal(r.state.negotiated!.peerRouteRefresh, false);
});

test('OpenSent_BGPOpen_other_optional_parameter_sends_2_4', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ otherParameters: [{ type: 1, value: new Uint8Array([1]) }] }) },
  );
  assert.deepEqual(
    notifications(r.actions).map((n) => [n.code, n.subcode]),
    [[2, 4]],
  );
});

test('OpenSent_KeepAliveMsg_is_fsm_error_5_1', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'KeepAliveMsg' },
  );
  assert.equal(r.state.state, 'Idle');
  assert.deepEqual(
    notifications(r.actions).map((n) => [n.code, n.subcode]),
    [[5, 1]],
  );
});

test('OpenSent_HoldTimerExpires_sends_4_0', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'HoldTimerExpires' },
  );
  assert.deepEqual(
    notifications(r.actions).map((n) => [n.code, n.subcode]),
    [[4, 0]],
  );
});

test('OpenSent_TcpConnectionFails_goes_Active', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'TcpConnectionFails' },
  );
  assert.equal(r.state.state, 'Active');
});

test('OpenConfirm_KeepAliveMsg_establishes', () => {
  const r = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open() },
    { type: 'KeepAliveMsg' },
  );
  assert.equal(r.state.state, 'Established');
  assert.ok(r.actions.some((a) => a.type === 'established'));
});

test('OpenConfirm_UpdateMsg_is_fsm_error_5_2', () => {
  const s = openConfirm();
  const r = step(s, {
    type: 'UpdateMsg',
    message: { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [], problems: [] },
  });
  assert.deepEqual(
    notifications([...r.actions]).map((n) => [n.code, n.subcode]),
    [[5, 2]],
  );
});

test('OpenConfirm_OpenCollisionDump_sends_cease_7', () => {
  const s = openConfirm();
  const r = step(s, { type: 'OpenCollisionDump' });
  assert.equal(r.state.state, 'Idle');
  assert.deepEqual(
    notifications([...r.actions]).map((n) => [n.code, n.subcode]),
    [[6, 7]],
  );
});

test('Established_UpdateMsg_delivers_and_restarts_hold_timer', () => {
  const r = step(established(), {
    type: 'UpdateMsg',
    message: { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [], problems: [] },
  });
  assert.equal(r.state.state, 'Established');
  assert.ok(r.actions.some((a) => a.type === 'update'));
  assert.ok(r.actions.some((a) => a.type === 'startTimer' && a.timer === 'hold'));
});

test('Established_HoldTimerExpires_sends_4_0_and_goes_down', () => {
  const r = step(established(), { type: 'HoldTimerExpires' });
  assert.equal(r.state.state, 'Idle');
  assert.deepEqual(
    notifications([...r.actions]).map((n) => [n.code, n.subcode]),
    [[4, 0]],
  );
  assert.ok(r.actions.some((a) => a.type === 'down' && a.reason.kind === 'hold-timer-expired'));
});

// RFC 9687 SendHoldTimer. Default SendHoldTime (§5): the greater of 8 minutes and twice the
// negotiated hold time — here min(180 offered, 90 received) = 90 s, so 480 s.
test('OpenConfirm_KeepAliveMsg_starts_the_send_hold_timer_RFC9687', () => {
  const s = openConfirm();
  const r = step(s, { type: 'KeepAliveMsg' });
  assert.equal(r.state.state, 'Established');
  assert.ok(r.actions.some((a) => a.type === 'startTimer' && a.timer === 'sendHold' && a.seconds === 480));
  // Twice a long hold time wins over 8 minutes: hold 300 s → 600 s.
  const long = run(
    initialState({ ...config, holdTime: 300 }),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ holdTime: 400 }) },
    { type: 'KeepAliveMsg' },
  );
  assert.ok(long.actions.some((a) => a.type === 'startTimer' && a.timer === 'sendHold' && a.seconds === 600));
});

test('no_send_hold_timer_with_hold_time_zero_or_configured_off_RFC9687', () => {
  const zero = run(
    initialState(config),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open({ holdTime: 0 }) },
    { type: 'KeepAliveMsg' },
  );
  assert.equal(zero.state.state, 'Established');
  assert.ok(!zero.actions.some((a) => a.type === 'startTimer' && a.timer === 'sendHold'));
  const off = run(
    initialState({ ...config, sendHoldTime: 0 }),
    { type: 'ManualStart' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'BGPOpen', message: open() },
    { type: 'KeepAliveMsg' },
  );
  assert.ok(!off.actions.some((a) => a.type === 'startTimer' && a.timer === 'sendHold'));
});

test('Established_SendHoldTimerExpires_sends_8_0_and_goes_down_RFC9687', () => {
  const r = step(established(), { type: 'SendHoldTimerExpires' });
  assert.equal(r.state.state, 'Idle');
  assert.deepEqual(
    notifications([...r.actions]).map((n) => [n.code, n.subcode]),
    [[8, 0]],
  );
  assert.ok(r.actions.some((a) => a.type === 'down' && a.reason.kind === 'send-hold-timer-expired'));
  assert.ok(r.actions.some((a) => a.type === 'stopTimer' && a.timer === 'sendHold'));
});

test('Established_KeepaliveTimerExpires_sends_keepalive', () => {
  const r = step(established(), { type: 'KeepaliveTimerExpires' });
  assert.equal(r.state.state, 'Established');
  assert.deepEqual(
    sent([...r.actions]).map((m) => m.type),
    ['KEEPALIVE'],
  );
});

test('Established_ManualStop_with_max_prefix_notification_sends_it', () => {
  const r = step(established(), {
    type: 'ManualStop',
    notification: { type: 'NOTIFICATION', code: 6, subcode: 1, data: new Uint8Array(0) },
  });
  assert.equal(r.state.state, 'Idle');
  assert.deepEqual(
    notifications([...r.actions]).map((n) => [n.code, n.subcode]),
    [[6, 1]],
  );
  assert.ok(r.actions.some((a) => a.type === 'down'));
});

test('Established_NotifMsg_goes_down_without_reply', () => {
  const r = step(established(), {
    type: 'NotifMsg',
    message: { type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) },
  });
  assert.equal(r.state.state, 'Idle');
  assert.equal(notifications([...r.actions]).length, 0);
});

test('Established_BGPOpen_is_fsm_error_5_3', () => {
  const r = step(established(), { type: 'BGPOpen', message: open() });
  assert.deepEqual(
    notifications([...r.actions]).map((n) => [n.code, n.subcode]),
    [[5, 3]],
  );
});

test('Established_UpdateMsgErr_sends_its_notification', () => {
  const r = step(established(), {
    type: 'UpdateMsgErr',
    error: {
      code: 3,
      subcode: 1,
      data: new Uint8Array(0),
      action: 'session-reset',
      message: 'malformed attribute list',
    },
  });
  assert.deepEqual(
    notifications([...r.actions]).map((n) => [n.code, n.subcode]),
    [[3, 1]],
  );
});

// Property: whatever the sequence of events, step never throws, every state is one of the
// six, and a NOTIFICATION is always followed by a close in the same step.
const eventArb: fc.Arbitrary<FsmEvent> = fc.oneof(
  fc.constantFrom<FsmEvent>(
    { type: 'ManualStart' },
    { type: 'AutomaticStart' },
    { type: 'ManualStop' },
    { type: 'ConnectRetryTimerExpires' },
    { type: 'HoldTimerExpires' },
    { type: 'KeepaliveTimerExpires' },
    { type: 'SendHoldTimerExpires' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'TcpConnectionFails' },
    { type: 'OpenCollisionDump' },
    { type: 'KeepAliveMsg' },
    { type: 'NotifMsg', message: { type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) } },
    { type: 'UpdateMsg', message: { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [], problems: [] } },
    { type: 'RouteRefreshMsg', message: { type: 'ROUTE-REFRESH', afi: 1, subtype: 0, safi: 1 } },
    {
      type: 'BGPHeaderErr',
      error: { code: 1, subcode: 2, data: new Uint8Array(2), action: 'session-reset', message: 'bad length' },
    },
  ),
  fc
    .record({ holdTime: fc.constantFrom(0, 3, 9, 90, 180, 65535), myAs: fc.constantFrom(65001, 65002) })
    .map((o): FsmEvent => ({ type: 'BGPOpen', message: open(o) })),
);

test('fsm_any_event_sequence_never_throws', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(eventArb, { maxLength: 40 }), (passive, events) => {
      let s = initialState({ ...config, passive });
      for (const e of events) {
        const r = step(s, e);
        s = r.state;
        assert.ok(['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'].includes(s.state));
        const iN = r.actions.findIndex((a) => a.type === 'send' && a.message.type === 'NOTIFICATION');
        if (iN >= 0)
          assert.ok(
            r.actions.slice(iN).some((a) => a.type === 'close'),
            `close after NOTIFICATION on ${e.type}`,
          );
        if (s.state === 'Established') assert.ok(s.negotiated);
        if (s.state === 'Idle') assert.equal(s.negotiated, undefined);
      }
    }),
    { numRuns: 2000 },
  );
});
