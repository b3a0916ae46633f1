/**
 * Issue 10 item 4: the timers of the sessions a customer's router has with Azure, as Azure
 * runs them, stepped through on a virtual clock (one lab at 10.98.x; its route server
 * listens on 127.98.x):
 *
 * - R-ER-7: an MSEE offers 60/180 and takes the lower hold time a router asks for (RFC 4271
 *   §4.2; "the BGP session establishes using the lower time value", Configure BFD over
 *   ExpressRoute); BFD (300 ms x 3) runs when the router runs it.
 * - R-VPN-5: a VPN gateway keeps its fixed 60/180 ("Azure VPN Gateways use fixed timer values
 *   and do not support configurable keepalive or hold timers", VPN Gateway FAQ): a router that
 *   negotiated 30 s expects a keepalive within 30 s, gets one every 60 s, and its hold timer
 *   expires — the session flaps ("mismatched settings may result in BGP instability").
 *
 * Expected values come from those rules, not from ARSLab's output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient } from '../../src/cli/client.js';
import type { Lab } from '../../src/lab/lab.js';
import { mseeTimers, vpnTimers } from '../../src/lab/hybrid.js';
import { hubErLab } from '../fixtures/hubErLab.js';
import { runCli } from '../helpers/inProcessCli.js';
import { startVirtualClockLab, type VirtualClockLab } from '../helpers/virtualClockLab.js';

const N = 98;
const T = { timeout: 30_000 };
/** The hold time both routers ask for: below the VPN gateway's 60-s keepalive interval. */
const ASKED = 30;

let v: VirtualClockLab;
let lab: Lab;
let client: ApiClient;

before(async () => {
  const { model, routers } = hubErLab({ n: N, onpremRoutes: [{ prefix: '10.100.0.0/16', origin: 'igp' }], vpn: true });
  const timed = routers.map((r) =>
    r.name === 'onprem1' ? { ...r, holdTime: ASKED, bfd: false } : r.name === 'site1' ? { ...r, holdTime: ASKED } : r,
  );
  v = await startVirtualClockLab('hybrid-timers', model, timed);
  ({ lab, client } = v);
});

after(async () => {
  await v?.stop();
});

const arslab = (...argv: string[]) => runCli(client, argv);

interface LinkRow {
  name: string;
  state: string;
  detection: string;
}
const link = async (name: string): Promise<LinkRow> => {
  const rows = JSON.parse(await arslab('link', 'list', '-o', 'json')) as LinkRow[];
  const row = rows.find((r) => r.name === name);
  assert.ok(row, `no session ${name}`);
  return row;
};

test('R-ER-7: the MSEE negotiates the router hold time down (min of both); BFD only where the router runs it', () => {
  // RFC 4271 §4.2: hold = min(180, asked), keepalive at most a third of it (and at most 60).
  assert.deepEqual(mseeTimers({ holdTime: ASKED, bfd: false }), { holdTime: 30, keepaliveTime: 10 });
  assert.deepEqual(mseeTimers({ holdTime: 300, bfd: false }), { holdTime: 180, keepaliveTime: 60 });
  // The MSEE has BFD configured on every private peering: the router's side decides.
  assert.deepEqual(mseeTimers({}).bfd, { intervalMs: 300, multiplier: 3 });
  // R-VPN-5: a hold time the gateway's 60-s keepalives meet is no problem; 0 means no hold timer.
  assert.equal(vpnTimers({ holdTime: 90 }).flapAfter, undefined);
  assert.equal(vpnTimers({ holdTime: 0 }).flapAfter, undefined);
  assert.equal(vpnTimers({}).flapAfter, undefined);
  assert.equal(vpnTimers({ holdTime: ASKED }).flapAfter?.seconds, ASKED);
});

test(
  'R-ER-7: a router asking 30 s without BFD: a cut of its circuit link is noticed at 30 s, not 180 s',
  T,
  async () => {
    const name = 'onprem1<->c1/primary';
    assert.equal((await link(name)).detection, `hold timer ${ASKED} s`);
    assert.equal((await link(name)).state, 'Established');
    await arslab('link', 'down', '--session', name);
    await v.advance(ASKED * 1000 - 1);
    assert.equal((await link(name)).state, 'Cut', 'not noticed before the negotiated 30 s');
    await v.advance(1);
    assert.notEqual((await link(name)).state, 'Cut', 'noticed at the negotiated hold time');
    await arslab('link', 'up', '--session', name);
    await v.advance(1_000);
    assert.equal((await link(name)).state, 'Established');
  },
);

test(
  'R-VPN-5: a router asking 30 s of a VPN gateway flaps at every 30 s hold expiry; the gateway keeps 60/180',
  T,
  async () => {
    const name = 'site1<->vpn1/0';
    // The gateway's side does not negotiate down: its detection stays 180 s, no BFD (R-VPN-1).
    assert.equal((await link(name)).detection, 'hold timer 180 s');
    // Whatever the phase now, a 30-s life and a 1-s wait (FLAP_RETRY_SECONDS) repeat every 31 s.
    const from = lab.events.since(0).at(-1)?.seq ?? 0;
    for (let i = 0; i < 3; i++) {
      await v.advance(ASKED * 1000);
      await v.advance(1_000);
    }
    const flaps = lab.events
      .since(0)
      .filter((e) => e.seq > from && e.source === name && e.message.startsWith('Hold Timer Expired'));
    // Each session lives 30 s, then waits 1 s (FLAP_RETRY_SECONDS): three expiries in 93 s.
    assert.equal(flaps.length, 3, flaps.map((e) => e.message).join('\n'));
    assert.match(flaps[0]!.message, /negotiated 30 s, the VPN gateway sends keepalives every 60 s/);
    assert.equal((await link(name)).state, 'Established', 'up again after each flap');
  },
);
