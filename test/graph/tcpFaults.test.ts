/**
 * Issue 9 (scope 3): faults on the route server's TCP sessions with a real daemon, and the
 * planned maintenance of one route-server instance, as the daemon and the NICs see them.
 *
 * Lab (10.225.x, loopback 127.225.x, BGP port 179 as root): route server hubrs (hold 6 s,
 * keepalive 2 s, so that a test waits seconds, not minutes); BIRD 2 as NVA `bird` (AS 65001,
 * 10.101.0.0/16, hold 6 s, peering with both instances as Azure asks, R-ARS-3); the built-in
 * speaker `half` (AS 65002, 10.102.0.0/16) peering with IN_0 only; a client VM.
 *
 * What a cut must look like to a daemon: a silent link. ARSLab stops reading and writing on
 * its socket without closing it, so BIRD keeps its session until its own hold timer expires.
 * Since BIRD's last KEEPALIVE from the instance arrived at most one keepalive interval (2 s)
 * before the cut, its hold timer (6 s) fires between 4 s and 6 s after it: BIRD must still
 * be Established 3.5 s after the cut and down by 6 s plus polling slack.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SUBSCRIPTION } from '../../src/azure/index.js';
import { ApiServer } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/client.js';
import type { DaemonNode } from '../../src/lab/kinds/index.js';
import { runCli } from '../helpers/inProcessCli.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 225;
const HOLD = 6;
const KEEPALIVE = 2;
const IN0 = `10.${N}.0.4`;
const IN1 = `10.${N}.0.5`;
const root = process.getuid?.() === 0;
const skip = root ? false : 'binds port 179 on 127.225.x addresses and runs BIRD: run as root (CI does)';
const T = { timeout: 90_000, skip };

const yaml = `
name: graph-tcp
location: westeurope
settings:
  connectRetryTime: 1
  routeServer: { holdTime: ${HOLD}, keepaliveTime: ${KEEPALIVE} }
resourceGroups:
  rg:
    virtualNetworks:
      hub:
        addressPrefixes: [10.${N}.0.0/16]
        subnets:
          RouteServerSubnet: { addressPrefix: 10.${N}.0.0/26 }
          nva: { addressPrefix: 10.${N}.1.0/24 }
          default: { addressPrefix: 10.${N}.2.0/24 }
    routeServers:
      hubrs:
        subnet: hub/RouteServerSubnet
        peerings:
          bird: { peerIp: 10.${N}.1.4, peerAsn: 65001 }
          half: { peerIp: 10.${N}.1.5, peerAsn: 65002 }
    virtualMachines:
      bird: { subnet: hub/nva, privateIPAddress: 10.${N}.1.4 }
      half: { subnet: hub/nva, privateIPAddress: 10.${N}.1.5 }
      client: { subnet: hub/default, privateIPAddress: 10.${N}.2.10 }
nodes:
  bird: { kind: bird, vm: bird, config: bird.conf }
  half:
    kind: speaker
    vm: half
    asn: 65002
    holdTime: ${HOLD}
    peerWith: IN_0
    routes:
      - { prefix: 10.102.0.0/16, nextHop: 10.${N}.1.5 }
`;

// As the interop suite's BIRD (test/interop/bird.interop.test.ts): its own routes only,
// next hops kept; short timers so that the test waits seconds.
const birdConf = `
router id 10.${N}.1.4;
protocol device { }
protocol static nh { ipv4; route 0.0.0.0/0 via "lo"; }
filter to_rs {
  if proto !~ "arslab_*" then reject;
  accept;
}
template bgp rsbase {
  local 127.${N}.1.4 as 65001;
  strict bind yes;
  multihop;
  hold time ${HOLD};
  keepalive time ${KEEPALIVE};
  connect retry time 2;
  error wait time 1, 4;
  ipv4 { import all; export filter to_rs; next hop keep; };
}
protocol bgp rs0 from rsbase { neighbor 127.${N}.0.4 as 65515; }
protocol bgp rs1 from rsbase { neighbor 127.${N}.0.5 as 65515; }
`;

let t: TestLab | undefined;
let api: ApiServer;
let client: ApiClient;
let bird: DaemonNode;

before(async () => {
  if (skip) return;
  t = await startTestLab('graph-tcp', yaml, { 'bird.conf': birdConf });
  api = new ApiServer(t.lab);
  client = new ApiClient('127.0.0.1', (await api.listen('127.0.0.1', 0)).port, DEFAULT_SUBSCRIPTION, {
    token: api.token,
  });
  bird = t.lab.node('bird') as DaemonNode;
  await bird.daemon!.announce({ prefix: '10.101.0.0/16', nextHop: `10.${N}.1.4` });
  await waitFor('the three TCP sessions and both routes in the NIC', async () => {
    const rows = nicRows();
    return (
      (await birdUp(IN0)) &&
      (await birdUp(IN1)) &&
      rows.includes(`10.101.0.0/16 10.${N}.1.4`) &&
      rows.includes(`10.102.0.0/16 10.${N}.1.5`)
    );
  });
});

after(async () => {
  await api?.close();
  await t?.stop();
});

const arslab = (...argv: string[]) => runCli(client, argv);
const json = async <X>(...argv: string[]) => JSON.parse(await arslab(...argv, '-o', 'json')) as X;

/** Whether BIRD itself (birdc) says its session with `instance` is Established. */
async function birdUp(instance: string): Promise<boolean> {
  return (await bird.sessions()).some((s) => s.neighbor === instance && s.established);
}

const nicRows = () =>
  t!.lab
    .effectiveRoutes(t!.lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!)
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress.join(',')}`);

/** What an instance learned from a peering (R-ARS-10), as "prefix nextHop". */
async function learned(peering: string, instance: 0 | 1): Promise<string[]> {
  const r = await json<Record<string, { network: string; nextHop: string }[]>>(
    'network',
    'routeserver',
    'peering',
    'list-learned-routes',
    '-g',
    'rg',
    '--routeserver',
    'hubrs',
    '-n',
    peering,
  );
  return (r[`RouteServiceRole_IN_${instance}`] ?? []).map((x) => `${x.network} ${x.nextHop}`);
}

/**
 * Polls until BIRD's session with `instance` is down; returns when (ms after `t0`). Fails
 * if it went down before `notBeforeMs` — a silent link must not be noticed early — or not
 * by `byMs`.
 */
async function birdNotices(instance: string, t0: number, notBeforeMs: number, byMs: number): Promise<number> {
  for (;;) {
    const up = await birdUp(instance);
    const at = Date.now() - t0;
    if (!up) {
      assert.ok(
        at >= notBeforeMs,
        `BIRD noticed after ${at} ms: before its hold timer could expire (${notBeforeMs} ms)`,
      );
      return at;
    }
    assert.ok(at <= byMs, `BIRD still Established ${at} ms after the fault (its hold time is ${HOLD} s)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('link down (cut) on a route-server ↔ BIRD session: BIRD notices only at its hold-timer expiry', T, async () => {
  const t0 = Date.now();
  const out = await arslab('link', 'down', '--session', 'hubrs/IN_0<->bird');
  assert.match(out, /hubrs\/IN_0<->bird\s+Cut\s+hold timer 6 s\s+link down/);
  const at = await birdNotices(IN0, t0, (HOLD - KEEPALIVE) * 1000 - 500, HOLD * 1000 + 2500);
  console.log(`# BIRD noticed the cut after ${at} ms (hold ${HOLD} s, keepalive ${KEEPALIVE} s)`);
  assert.ok(await birdUp(IN1), 'the session with IN_1 is not on the cut link');
  // The instance noticed too, by its own hold timer: it dropped what BIRD sent; the NIC keeps
  // the route through IN_1 (R-ARS-8 programs every instance's best routes).
  await waitFor('IN_0 flushes bird', async () => (await learned('bird', 0)).length === 0, 5000);
  assert.deepEqual(await learned('bird', 1), [`10.101.0.0/16 10.${N}.1.4`]);
  assert.ok(nicRows().includes(`10.101.0.0/16 10.${N}.1.4`));
  await arslab('link', 'up', '--session', 'bird<->hubrs/IN_0');
  await waitFor('BIRD back with IN_0', () => birdUp(IN0), 20_000);
  await waitFor('IN_0 learns again', async () => (await learned('bird', 0)).length === 1, 5000);
  const ev = t!.lab.events.since(0).filter((e) => e.source === 'hubrs/IN_0<->bird');
  assert.ok(ev.some((e) => e.message === 'fault: link down, cut (no NOTIFICATION; detection by hold timer in 6 s)'));
  assert.ok(ev.some((e) => e.message === 'fault cleared: link up'));
});

test(
  'link down --graceful on a route-server ↔ BIRD session: Cease/2 (Administrative Shutdown), BIRD drops at once',
  T,
  async () => {
    const t0 = Date.now();
    await arslab('link', 'down', '--graceful', '--session', 'hubrs/IN_0<->bird');
    const at = await birdNotices(IN0, t0, 0, 1500);
    console.log(`# BIRD closed the session ${at} ms after the NOTIFICATION`);
    // RFC 4486 §4: Cease subcode 2 for a session an operator shuts; BIRD reports it so.
    assert.match(await bird.daemon!.command!('show protocols all rs0'), /Administrative shutdown/i);
    assert.deepEqual(await learned('bird', 0), []);
    // Held down: BIRD's reconnections are refused until link up.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await birdUp(IN0), false);
    await arslab('link', 'up', '--session', 'hubrs/IN_0<->bird');
    await waitFor('BIRD back with IN_0', () => birdUp(IN0), 20_000);
  },
);

test(
  'link down (cut) on a route-server ↔ built-in speaker session: both ends are ARSLab, each notices at its hold timer',
  T,
  async () => {
    const t0 = Date.now();
    await arslab('link', 'down', '--session', 'hubrs/IN_0<->half');
    await waitFor('IN_0 flushes half', async () => (await learned('half', 0)).length === 0, HOLD * 1000 + 3000);
    const at = Date.now() - t0;
    assert.ok(at >= (HOLD - KEEPALIVE) * 1000 - 500, `IN_0 noticed after ${at} ms: before its hold timer could expire`);
    // R-ARS-3: half peers with IN_0 only, so its route leaves the NIC with that session.
    assert.ok(!nicRows().some((r) => r.startsWith('10.102.0.0/16')));
    await arslab('link', 'up', '--session', 'hubrs/IN_0<->half');
    await waitFor('half back', async () => (await learned('half', 0)).length === 1, 20_000);
    assert.ok(nicRows().includes(`10.102.0.0/16 10.${N}.1.5`));
  },
);

test(
  'route-server maintenance of IN_0: all its sessions drop; the NICs keep what IN_1 programs (R-ARS-8); BIRD hears nothing until its hold timer',
  T,
  async () => {
    await waitFor('steady state', async () => nicRows().includes(`10.102.0.0/16 10.${N}.1.5`) && birdUp(IN0), 20_000);
    const t0 = Date.now();
    const out = await arslab('routeserver', 'maintenance', 'start', '--instance', 'IN_0');
    assert.match(out, /hubrs\/IN_0: under maintenance, gone \(2 session\(s\)/);
    // The instance is gone at once: it holds nothing from its peers.
    assert.deepEqual(await learned('bird', 0), []);
    assert.deepEqual(await learned('half', 0), []);
    // Expected NIC rows, from the rules: R-ARS-8 programs every best route of either instance
    // (ADR 0007 merges them), so bird's 10.101.0.0/16 stays through IN_1, next hop unchanged;
    // half peers with IN_0 only (R-ARS-3: an NVA must peer with both), so 10.102.0.0/16 goes.
    const rows = nicRows();
    assert.ok(rows.includes(`10.101.0.0/16 10.${N}.1.4`), rows.join('; '));
    assert.ok(!rows.some((r) => r.startsWith('10.102.0.0/16')), rows.join('; '));
    // BIRD is told nothing: its IN_0 session lasts until its hold timer; IN_1's stays up.
    const at = await birdNotices(IN0, t0, (HOLD - KEEPALIVE) * 1000 - 500, HOLD * 1000 + 2500);
    console.log(`# BIRD noticed the maintenance after ${at} ms`);
    assert.ok(await birdUp(IN1));
    assert.ok(nicRows().includes(`10.101.0.0/16 10.${N}.1.4`));
    await assert.rejects(arslab('link', 'up', '--session', 'hubrs/IN_0<->bird'), /under maintenance/);
    await arslab('routeserver', 'maintenance', 'end', '--instance', 'IN_0');
    await waitFor(
      'BIRD and half back with IN_0',
      async () => (await birdUp(IN0)) && (await learned('half', 0)).length === 1,
      20_000,
    );
    assert.ok(nicRows().includes(`10.102.0.0/16 10.${N}.1.5`));
  },
);

test(
  'route-server maintenance --graceful: the instance sends Cease/2 first, BIRD drops its session at once',
  T,
  async () => {
    await waitFor('steady state', () => birdUp(IN0), 20_000);
    const t0 = Date.now();
    await arslab('routeserver', 'maintenance', 'start', '--instance', 'IN_0', '--graceful');
    await birdNotices(IN0, t0, 0, 1500);
    assert.ok(nicRows().includes(`10.101.0.0/16 10.${N}.1.4`));
    await arslab('routeserver', 'maintenance', 'end', '--instance', 'IN_0');
    await waitFor('BIRD back with IN_0', () => birdUp(IN0), 20_000);
  },
);
