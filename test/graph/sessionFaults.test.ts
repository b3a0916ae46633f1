/**
 * Issue 9 (scope 3): faults on every kind of in-process session of the lab graph, a built-in
 * router's run-time announce/withdraw, and the in-process side of a route-server instance's
 * maintenance — on a virtual clock, so that Azure's real detection times (180 s hold, 0.9 s
 * BFD) are stepped through exactly. One lab (10.224.x, loopback 127.224.x where the route
 * server listens):
 *
 *   hub (10.224.0.0/20): route server hubrs (branch-to-branch on, one NVA peering without a
 *   node), ExpressRoute gateway er1 on circuit c1, active-active VPN gateway vpn1 (AS 65515,
 *   R-ARS-11) to site1; onprem1 (AS 65100) is c1's customer edge on both links.
 *
 * Expected values come from the rules each test names, not from ARSLab's output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../../src/bgp/wire/index.js';
import type { ApiClient } from '../../src/cli/client.js';
import type { Lab } from '../../src/lab/lab.js';
import { hubErLab, hubErMsee } from '../fixtures/hubErLab.js';
import { formatCommunity, type Speaker } from '../../src/rib/index.js';
import { runCli } from '../helpers/inProcessCli.js';
import { startVirtualClockLab, type VirtualClockLab } from '../helpers/virtualClockLab.js';

const N = 224;
const MSEE_NH = hubErMsee(N);
const T = { timeout: 30_000 };

let v: VirtualClockLab;
let lab: Lab;
let client: ApiClient;

before(async () => {
  const { model, routers } = hubErLab({ n: N, onpremRoutes: [{ prefix: '10.100.0.0/16', origin: 'igp' }], vpn: true });
  v = await startVirtualClockLab('graph-faults', model, routers);
  ({ lab, client } = v);
});

after(async () => {
  await v?.stop();
});

const arslab = (...argv: string[]) => runCli(client, argv);
const json = async <X>(...argv: string[]) => JSON.parse(await arslab(...argv, '-o', 'json')) as X;

const advance = (ms: number) => v.advance(ms);

const rsInstance = (i: 0 | 1): Speaker => lab.routeServer(lab.model.routeServers[0]!)!.instances[i].speaker;
const gatewayInstance = (name: string, i: number): Speaker =>
  [...lab.hybrid!.gateways.values()].find((g) => g.resource.name === name)!.instances[i]!;
/** Who `sp` holds `prefix` from (paths not rejected), by the neighbour's name. */
const heldFrom = (sp: Speaker, prefix: string): string[] =>
  sp
    .candidates(parsePrefix(prefix)!)
    .filter((p) => !p.rejected)
    .map((p) => p.source.name)
    .sort();

const nicRows = () =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!)
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress.join(',')}`);

interface LinkRow {
  name: string;
  state: string;
  detection: string;
  fault: string;
}

test('link list and status: every session of the graph, TCP and in-process, derived from the model', T, async () => {
  // R-ARS-3: the NVA peering with each route-server instance (TCP); R-ARS-11: each instance
  // with each gateway instance (iBGP, branch-to-branch on); R-VPN-2: ER ↔ VPN instances;
  // R-ER-3: each ER instance with both MSEE links; R-ER-1: the customer edge on each link;
  // R-VPN-1: the site with each active-active VPN instance.
  const expected = [
    'hubrs/IN_0<->nva',
    'hubrs/IN_1<->nva',
    ...['er1/0', 'er1/1', 'vpn1/0', 'vpn1/1'].flatMap((g) => [`hubrs/IN_0<->${g}`, `hubrs/IN_1<->${g}`]),
    'er1/0<->vpn1/0',
    'er1/0<->vpn1/1',
    'er1/1<->vpn1/0',
    'er1/1<->vpn1/1',
    'er1/0<->c1/primary',
    'er1/0<->c1/secondary',
    'er1/1<->c1/primary',
    'er1/1<->c1/secondary',
    'onprem1<->c1/primary',
    'onprem1<->c1/secondary',
    'site1<->vpn1/0',
    'site1<->vpn1/1',
  ].sort();
  const rows = await json<LinkRow[]>('link', 'list');
  assert.deepEqual(rows.map((r) => r.name).sort(), expected);
  const by = new Map(rows.map((r) => [r.name, r]));
  // The NVA has no node: its TCP sessions never come up; detection is the route server's hold time (R-ARS: 180 s).
  assert.equal(by.get('hubrs/IN_0<->nva')?.detection, 'hold timer 180 s');
  assert.notEqual(by.get('hubrs/IN_0<->nva')?.state, 'Established');
  assert.equal(by.get('er1/0<->c1/primary')?.detection, 'BFD 900 ms'); // R-ER-1: 300 ms × 3
  assert.equal(by.get('site1<->vpn1/0')?.detection, 'hold timer 180 s'); // R-VPN-1: no BFD
  const status = await json<{ api?: { url: string }; sessions: { name: string; transport: string }[] }>('status');
  assert.equal(status.api?.url, `http://127.0.0.1:${client.port}`);
  assert.deepEqual(
    status.sessions.filter((s) => s.transport === 'tcp').map((s) => s.name),
    ['hubrs/IN_0<->nva', 'hubrs/IN_1<->nva'],
  );
  assert.equal(status.sessions.length, expected.length);
  const text = await arslab('status');
  assert.match(text.split('\n')[1]!, new RegExp(`^API http://127\\.0\\.0\\.1:${client.port} `));
  assert.match(text, /\nSESSION\s+TRANSPORT\s+STATE\s+DETECTION\s+FAULT\n/);
  assert.match(text, /er1\/0<->c1\/primary\s+in-process\s+Established\s+BFD 900 ms\s+-/);
});

test('gateway iBGP (route server ↔ ER gateway) cut: each side notices at its 180 s hold timer', T, async () => {
  // R-ARS-11: each route-server instance learns the on-premises range from both ER instances.
  assert.deepEqual(heldFrom(rsInstance(0), '10.100.0.0/16'), ['er1/0', 'er1/1']);
  const out = await arslab('link', 'down', '--session', 'er1/0<->hubrs/IN_0');
  assert.match(out, /hubrs\/IN_0<->er1\/0\s+Cut\s+hold timer 180 s\s+link down/);
  await advance(179_999);
  assert.deepEqual(heldFrom(rsInstance(0), '10.100.0.0/16'), ['er1/0', 'er1/1'], 'not noticed before 180 s');
  await advance(1);
  assert.deepEqual(heldFrom(rsInstance(0), '10.100.0.0/16'), ['er1/1'], 'noticed at 180 s: er1/0 flushed');
  await arslab('link', 'up', '--session', 'hubrs/IN_0<->er1/0');
  assert.deepEqual(heldFrom(rsInstance(0), '10.100.0.0/16'), ['er1/0', 'er1/1']);
});

test('MSEE session (ER gateway ↔ MSEE) cut: BFD notices in 0.9 s (R-ER-1)', T, async () => {
  assert.deepEqual(heldFrom(gatewayInstance('er1', 0), '10.100.0.0/16'), ['c1/primary', 'c1/secondary']);
  await arslab('link', 'down', '--session', 'er1/0<->c1/primary');
  await advance(899);
  assert.deepEqual(heldFrom(gatewayInstance('er1', 0), '10.100.0.0/16'), ['c1/primary', 'c1/secondary']);
  await advance(1);
  assert.deepEqual(heldFrom(gatewayInstance('er1', 0), '10.100.0.0/16'), ['c1/secondary']);
  // The route still reaches NICs over the secondary link (R-ER-4).
  assert.ok(nicRows().includes(`10.100.0.0/16 ${MSEE_NH[0]}`), nicRows().join('; '));
  await arslab('link', 'up', '--session', 'er1/0<->c1/primary');
  assert.deepEqual(heldFrom(gatewayInstance('er1', 0), '10.100.0.0/16'), ['c1/primary', 'c1/secondary']);
});

test('VPN tunnel session cut: no BFD, the gateway notices at 180 s (R-VPN-1); graceful: at once', T, async () => {
  // The path vpn1/0 holds from the site (its local network gateway); others (reflected by
  // the route server, R-ARS-11) are not this session's.
  const fromSite = () => heldFrom(gatewayInstance('vpn1', 0), '10.120.0.0/16').includes('lng1');
  assert.ok(fromSite());
  await arslab('link', 'down', '--session', 'site1<->vpn1/0');
  await advance(179_999);
  assert.ok(fromSite(), 'not noticed before 180 s');
  await advance(1);
  assert.ok(!fromSite(), 'noticed at 180 s');
  await arslab('link', 'up', '--session', 'site1<->vpn1/0');
  assert.ok(fromSite());
  // Graceful: a NOTIFICATION, both sides flush with no time passing.
  await arslab('link', 'down', '--graceful', '--session', 'site1<->vpn1/0');
  assert.ok(!fromSite());
  await arslab('link', 'up', '--session', 'site1<->vpn1/0');
  assert.ok(fromSite());
});

test(
  'node cmd on a built-in router: announce and withdraw at run time, bad input refused and nothing changed',
  T,
  async () => {
    const nh = MSEE_NH[0];
    assert.ok(!nicRows().some((r) => r.startsWith('10.101.0.0/16')));
    assert.equal(
      await arslab('node', 'cmd', 'onprem1', 'announce', 'route', '10.101.0.0/16', 'community', '[65100:1]'),
      'done\n',
    );
    // R-ER-4: an on-premises prefix reaches NICs toward the circuit's MSEE-side address; beside
    // a route server ER's ECMP collapses to one next hop.
    assert.ok(nicRows().includes(`10.101.0.0/16 ${nh}`), nicRows().join('; '));
    // R-ER-2: the MSEE learns it with the router's AS, and the community as announced.
    const msee = [...lab.hybrid!.circuits.values()][0]!.msees[0];
    const path = msee.candidates(parsePrefix('10.101.0.0/16')!)[0]!;
    assert.deepEqual(
      path.attrs.asPath.flatMap((s) => s.asns),
      [65100],
    );
    assert.deepEqual((path.attrs.communities ?? []).map(formatCommunity), ['65100:1']);
    // node routes shows it as the router's own (next hop 0.0.0.0, weight 32768).
    const own = (await json<{ prefix: string; nextHop: string; local: boolean }[]>('node', 'routes', 'onprem1')).find(
      (r) => r.prefix === '10.101.0.0/16',
    );
    assert.deepEqual(own && [own.nextHop, own.local], ['0.0.0.0', true]);
    assert.equal(await arslab('node', 'cmd', 'onprem1', 'withdraw', 'route', '10.101.0.0/16'), 'done\n');
    assert.ok(!nicRows().some((r) => r.startsWith('10.101.0.0/16')));
    const before = nicRows().sort();
    await assert.rejects(
      arslab('node', 'cmd', 'onprem1', 'announce', 'route', '10.101.0.0/33'),
      /not a prefix: 10\.101\.0\.0\/33/,
    );
    await assert.rejects(
      arslab('node', 'cmd', 'onprem1', 'withdraw', 'route', '10.250.0.0/16'),
      /onprem1 does not originate 10\.250\.0\.0\/16/,
    );
    await assert.rejects(
      arslab('node', 'cmd', 'onprem1', 'announce', 'route', '10.101.0.0/16', 'community', '[bad]'),
      /not a community: bad/,
    );
    assert.deepEqual(nicRows().sort(), before, 'nothing changed');
    // node cmd and node routes agree on names: an unknown one lists the routers too.
    await assert.rejects(arslab('node', 'cmd', 'nosuch', 'announce', 'route', '10.9.0.0/16'), /nodes: .*onprem1/);
  },
);

test(
  'maintenance of IN_0 (in-process side): its gateway sessions drop at once there, the gateways notice at 180 s',
  T,
  async () => {
    const peerState = async (gw: string) =>
      (
        await json<{ value: { neighbor: string; state: string }[] }>(
          'network',
          'vnet-gateway',
          'list-bgp-peer-status',
          '-g',
          'rg',
          '-n',
          gw,
        )
      ).value.find((p) => p.neighbor === `10.${N}.0.4`)?.state;
    assert.equal(await peerState('er1'), 'Connected');
    const out = await arslab('routeserver', 'maintenance', 'start', '--instance', 'IN_0');
    // Every session of IN_0: the NVA peering and its four gateway sessions (R-ARS-11).
    assert.match(out, /^hubrs\/IN_0: under maintenance, gone \(5 session\(s\)/);
    // The instance is gone: it holds nothing from the gateways any more, at once.
    assert.deepEqual(heldFrom(rsInstance(0), '10.100.0.0/16'), []);
    assert.deepEqual(heldFrom(rsInstance(1), '10.100.0.0/16'), ['er1/0', 'er1/1']);
    // er1 has heard nothing: it still counts IN_0 as Connected until its hold timer (180 s, no BFD).
    await advance(179_999);
    assert.equal(await peerState('er1'), 'Connected');
    await advance(1);
    assert.equal(await peerState('er1'), 'Connecting');
    const links = await json<LinkRow[]>('link', 'list');
    assert.equal(links.find((l) => l.name === 'hubrs/IN_0<->er1/0')?.fault, 'maintenance of hubrs/IN_0');
    await assert.rejects(
      arslab('link', 'up', '--session', 'hubrs/IN_0<->er1/0'),
      /hubrs\/IN_0, which is under maintenance/,
    );
    await assert.rejects(
      arslab('routeserver', 'maintenance', 'start', '--instance', 'IN_0'),
      /already under maintenance/,
    );
    assert.match(await arslab('routeserver', 'maintenance', 'list'), /hubrs\/IN_0/);
    assert.match(await arslab('routeserver', 'maintenance', 'end', '--instance', 'IN_0'), /maintenance over/);
    assert.deepEqual(heldFrom(rsInstance(0), '10.100.0.0/16'), ['er1/0', 'er1/1']);
    assert.equal(await peerState('er1'), 'Connected');
    await assert.rejects(arslab('routeserver', 'maintenance', 'end', '--instance', 'IN_0'), /not under maintenance/);
    await assert.rejects(arslab('routeserver', 'maintenance', 'start', '--instance', 'IN_2'), /expected IN_0 or IN_1/);
  },
);

test('maintenance with a duration ends by itself on the lab clock', T, async () => {
  await arslab('routeserver', 'maintenance', 'start', '-n', 'hubrs', '--instance', 'IN_1', '--duration', '90s');
  assert.deepEqual(heldFrom(rsInstance(1), '10.100.0.0/16'), []);
  await advance(89_999);
  assert.deepEqual(heldFrom(rsInstance(1), '10.100.0.0/16'), []);
  await advance(1);
  assert.deepEqual(heldFrom(rsInstance(1), '10.100.0.0/16'), ['er1/0', 'er1/1']);
  assert.ok(lab.events.since(0).some((e) => e.source === 'hubrs/IN_1' && e.message.startsWith('maintenance over')));
});
