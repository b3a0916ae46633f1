/**
 * Gateway listings, MSEE route tables, route-server updates and faults through the API and
 * the CLI commands, on a seed-001-like lab built in code (as
 * test/lab/hybrid.test.ts): a hub with a route server, an NVA, an ExpressRoute gateway on a
 * circuit to an on-premises router, a spoke using the hub's gateways. Each CLI command runs
 * as `arslab` runs it (its own arguments, the API over HTTP, az's output formatting), in
 * process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, parsePrefix } from '../../src/bgp/wire/index.js';
import { DEFAULT_SUBSCRIPTION } from '../../src/azure/index.js';
import { ApiServer } from '../../src/api/server.js';
import { ArmPaths } from '../../src/api/paths.js';
import { ApiClient } from '../../src/cli/client.js';
import type { Lab } from '../../src/lab/lab.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import { nvaSessionsEstablished, nvaSpeaker, startSpecLab, type TestLab } from '../helpers/lab.js';
import { seed001Model, seed001Onprem1 } from '../fixtures/seed001Lab.js';
import { runCli } from '../helpers/inProcessCli.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 43;
const GW0 = `10.${N}.3.12`;
const GW1 = `10.${N}.3.13`;
const MSEE_P = `10.${N}.3.4`;
const MSEE_S = `10.${N}.3.5`;
const RS0 = `10.${N}.0.4`;
const RS1 = `10.${N}.0.5`;
const NVA = `10.${N}.1.4`;

// onprem1 also advertises 10.250.0.0/16, as the NVA does (R-ARS-7: hubRoutingPreference decides).
const routers = [seed001Onprem1([{ prefix: '10.250.0.0/16', origin: 'igp' }])];

let t: TestLab;
let lab: Lab;
/** Detection times (BFD, hold timers) pass only when a test says so. */
const clock = new VirtualClock();
let api: ApiServer;
let client: ApiClient;

before(async () => {
  t = await startSpecLab(
    'gateways',
    {
      model: seed001Model({ n: N }),
      nodes: [
        nvaSpeaker('nva1', NVA, 65001, [
          { prefix: '10.2.0.0/16', nextHop: NVA, asPath: [65002] },
          { prefix: '10.99.0.0/16', nextHop: NVA },
          // Path 65001 65001 65001: longer than the circuit's 12076 133937.
          { prefix: '10.250.0.0/16', nextHop: NVA, asPath: [65001, 65001] },
        ]),
      ],
      routers,
    },
    { clock },
  );
  lab = t.lab;
  api = new ApiServer(lab);
  const addr = await api.listen('127.0.0.1', 0);
  client = new ApiClient('127.0.0.1', addr.port, DEFAULT_SUBSCRIPTION, { token: api.token });
  await nvaSessionsEstablished(lab);
  await waitFor('the NVA routes at both gateway instances', async () => {
    await lab.settled();
    return lab
      .hybrid!.gateways.values()
      .next()
      .value!.instances.every((sp) => [...sp.locRib()].some((e) => formatPrefix(e.prefix) === '10.99.0.0/16'));
  });
});

after(async () => {
  await api?.close();
  await t?.stop();
});

/** `arslab ARGV…` in process: the command's own parsing and run, the API over HTTP, az's formatting; its stdout. */
async function arslab(...argv: string[]): Promise<string> {
  return runCli(client, argv);
}

async function json<T = unknown>(...argv: string[]): Promise<T> {
  return JSON.parse(await arslab(...argv, '-o', 'json')) as T;
}

interface Row {
  localAddress: string | null;
  network: string;
  nextHop: string | null;
  sourcePeer: string | null;
  origin: string;
  asPath: string;
  weight: number;
}
const learned = async (instance = '0') =>
  (
    await json<{ value: Row[] }>(
      'network',
      'vnet-gateway',
      'list-learned-routes',
      '-g',
      'rg',
      '-n',
      'er1',
      '--instance',
      instance,
    )
  ).value;
const line = (r: Row) => `${r.network} ${r.origin} ${r.sourcePeer} ${r.asPath || '-'} ${r.weight} ${r.nextHop ?? '-'}`;

const nicRows = (nicName: string) =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name === nicName)!)
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress[0]}`);

/** The table's header and dash lines, and its rows split on two or more spaces. */
function table(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trimEnd().split('\n');
  assert.match(lines[1]!, /^-+( +-+)*$/);
  return { header: lines[0]!.trim().split(/ +/), rows: lines.slice(2).map((l) => l.trim().split(/ {2,}/)) };
}

test('list-learned-routes: Network (32768), IBgp from the route server (32768) and EBgp from the MSEEs (32779 = 32769 + routingWeight 10), SDK shape', async () => {
  const rows = await learned('0');
  const lines = rows.map(line);
  assert.ok(lines.includes(`10.${N}.0.0/20 Network ${GW0} - 32768 -`), lines.join('\n'));
  assert.ok(lines.includes(`10.${N}.16.0/24 Network ${GW0} - 32768 -`));
  assert.ok(lines.includes(`10.${N}.0.0/20 IBgp ${RS0} - 32768 ${RS0}`));
  assert.ok(lines.includes(`10.${N}.0.0/20 IBgp ${RS1} - 32768 ${RS1}`));
  assert.ok(lines.includes(`10.2.0.0/16 IBgp ${RS0} 65001-65002 32768 ${NVA}`));
  assert.ok(lines.includes(`169.254.1.88/30 EBgp ${MSEE_P} 12076-133937 32779 ${MSEE_P}`));
  assert.ok(lines.includes(`1.2.3.0/24 EBgp ${MSEE_S} 12076-133937 32779 ${MSEE_S}`));
  assert.ok(
    lines.includes(`10.${N}.0.0/20 EBgp ${MSEE_S} 12076-12076 32779 ${GW1}`),
    "R-ER-2: the other instance's ranges reflected by the MSEE",
  );
  // az's JSON: every attribute of the SDK model, null where the REST row has none.
  const net = rows.find((r) => r.origin === 'Network')!;
  assert.deepEqual(net, {
    localAddress: GW0,
    network: `10.${N}.0.0/20`,
    nextHop: null,
    sourcePeer: GW0,
    origin: 'Network',
    asPath: '',
    weight: 32768,
  });
  assert.ok(rows.every((r) => r.localAddress === GW0));
});

test('list-learned-routes: rows grouped per (prefix, class) in arrival order; --instance 1 answers from the other instance', async () => {
  const one = (await learned('1')).map(line);
  assert.ok(one.includes(`10.${N}.0.0/20 Network ${GW1} - 32768 -`));
  assert.ok(one.includes(`10.${N}.0.0/20 EBgp ${MSEE_P} 12076-12076 32779 ${GW0}`));
  // Instance 1 gets the on-premises 1.2.3.0/24 back from the route server (instance 0's path is its best).
  const keyOf = (l: string) => `${l.split(' ')[0]} ${l.split(' ')[1] === 'EBgp' ? 'e' : 'i'}`;
  const keys = one.map(keyOf);
  const seen = new Set<string>();
  keys.forEach((k, i) => {
    if (i > 0 && keys[i - 1] === k) return;
    assert.ok(!seen.has(k), `group ${k} is split:\n${one.join('\n')}`);
    seen.add(k);
  });
  assert.deepEqual(keys.slice(0, 2), [`10.${N}.0.0/20 i`, `10.${N}.0.0/20 i`]);
  assert.ok(
    keys.indexOf('1.2.3.0/24 e') < keys.indexOf('1.2.3.0/24 i'),
    'learned from the MSEE before the route server reflected it',
  );
  await assert.rejects(
    arslab('network', 'vnet-gateway', 'list-learned-routes', '-g', 'rg', '-n', 'er1', '--instance', '2'),
    /--instance: invalid choice/,
  );
});

test("list-learned-routes -o table: az's columns (NextHop last when the first row is a Network row)", async () => {
  const t = table(
    await arslab('network', 'vnet-gateway', 'list-learned-routes', '-g', 'rg', '-n', 'er1', '-o', 'table'),
  );
  assert.deepEqual(t.header, ['Network', 'Origin', 'SourcePeer', 'AsPath', 'Weight', 'NextHop']);
  assert.deepEqual(t.rows[0], [`10.${N}.0.0/20`, 'Network', GW0, '32768']);
  assert.ok(t.rows.some((r) => r.join(' ') === `169.254.1.88/30 EBgp ${MSEE_P} 12076-133937 32779 ${MSEE_P}`));
});

test('list-advertised-routes --peer: to the route server, VNet ranges with the instance as next hop, on-premises routes with the MSEE', async () => {
  const text = await arslab(
    'network',
    'vnet-gateway',
    'list-advertised-routes',
    '-g',
    'rg',
    '-n',
    'er1',
    '--peer',
    RS0,
    '--instance',
    '1',
    '-o',
    'table',
  );
  const t = table(text);
  assert.deepEqual(t.header, ['Network', 'NextHop', 'Origin', 'AsPath', 'Weight']);
  const rows = t.rows.map((r) => r.join(' '));
  assert.ok(rows.includes(`10.${N}.0.0/20 ${GW1} Igp 0`), text);
  assert.ok(rows.includes(`10.${N}.16.0/24 ${GW1} Igp 0`));
  assert.ok(rows.includes(`169.254.1.88/30 ${MSEE_P} Incomplete 12076-133937 0`));
  assert.ok(rows.includes(`1.2.3.0/24 ${MSEE_S} Incomplete 12076-133937 0`));
  assert.ok(!rows.some((r) => r.startsWith('10.2.0.0/16')), 'learned over iBGP: not advertised back to iBGP');
  const j = await json<{ value: Record<string, unknown>[] }>(
    'network',
    'vnet-gateway',
    'list-advertised-routes',
    '-g',
    'rg',
    '-n',
    'er1',
    '--peer',
    RS0,
  );
  assert.deepEqual(j.value[0], {
    localAddress: GW0,
    network: `10.${N}.0.0/20`,
    nextHop: GW0,
    sourcePeer: null,
    origin: 'Igp',
    asPath: '',
    weight: 0,
  });
  // Toward the MSEE: 65515 prepended.
  const toMsee = await json<{ value: Row[] }>(
    'network',
    'vnet-gateway',
    'list-advertised-routes',
    '-g',
    'rg',
    '-n',
    'er1',
    '--peer',
    MSEE_P,
  );
  assert.ok(toMsee.value.some((r) => r.network === '10.99.0.0/16' && r.asPath === '65515-65001' && r.nextHop === GW0));
  await assert.rejects(
    arslab('network', 'vnet-gateway', 'list-advertised-routes', '-g', 'rg', '-n', 'er1', '--peer', '10.9.9.9'),
    /not a BGP peer of gateway 'er1' instance 0/,
  );
});

test('list-bgp-peer-status: the MSEEs (12076) then the route-server instances (65515), Connected, counts that only grow', async () => {
  const text = await arslab('network', 'vnet-gateway', 'list-bgp-peer-status', '-g', 'rg', '-n', 'er1', '-o', 'table');
  const t = table(text);
  assert.deepEqual(t.header, [
    'Neighbor',
    'ASN',
    'State',
    'ConnectedDuration',
    'RoutesReceived',
    'MessagesSent',
    'MessagesReceived',
  ]);
  assert.deepEqual(
    t.rows.map((r) => `${r[0]} ${r[1]} ${r[2]}`),
    [`${MSEE_P} 12076 Connected`, `${MSEE_S} 12076 Connected`, `${RS0} 65515 Connected`, `${RS1} 65515 Connected`],
  );
  for (const r of t.rows) assert.match(r[3]!, /^\d\d:\d\d:\d\d(\.\d{7})?$/);
  const one = await json<{
    value: { neighbor: string; routesReceived: number; messagesSent: number; messagesReceived: number }[];
  }>('network', 'vnet-gateway', 'list-bgp-peer-status', '-g', 'rg', '-n', 'er1', '--peer', MSEE_S);
  assert.equal(one.value.length, 1);
  // From the secondary MSEE: .88/30, .92/30, 1.2.3.0/24, 10.250.0.0/16 and the 2 reflected VNet ranges.
  assert.equal(one.value[0]!.routesReceived, 6);
  assert.ok(one.value[0]!.messagesSent >= 2 && one.value[0]!.messagesReceived > 2);
});

test("express-route list-route-tables: the MSEE's table of a link (* on the best path), az's `--query value -o table` columns; summary", async () => {
  const j = await json<{ value: { network: string; nextHop: string; locPrf: string; weight: number; path: string }[] }>(
    'network',
    'express-route',
    'list-route-tables',
    '-g',
    'rg',
    '-n',
    'c1',
    '--path',
    'primary',
    '--peering-name',
    'AzurePrivatePeering',
  );
  const rows = j.value.map((r) => `${r.network} ${r.nextHop} ${r.path}`);
  assert.ok(rows.includes(`10.${N}.0.0/20 ${GW0}* 65515`), rows.join('\n'));
  assert.ok(rows.includes(`10.${N}.0.0/20 ${GW1} 65515`));
  assert.ok(
    rows.includes(`10.99.0.0/16 ${GW0}* 65515 65001`),
    'NVA routes reach the MSEE through the route server (R-ARS-11)',
  );
  assert.ok(rows.includes('169.254.1.88/30 169.254.1.89* 133937'), 'the customer edge as next hop');
  assert.ok(!rows.some((r) => r.startsWith('1.2.3.0/24')), 'onprem1 advertises 1.2.3.0/24 on the secondary link only');
  const rest = (await client.call(
    'POST',
    client.arm(ArmPaths.circuitRouteTable, {
      resourceGroupName: 'rg',
      circuitName: 'c1',
      peeringName: 'AzurePrivatePeering',
      devicePath: 'primary',
    }),
  )) as { value: object[] };
  assert.deepEqual(
    Object.keys(rest.value[0]!),
    ['network', 'nextHop', 'locPrf', 'weight', 'path'],
    'the REST key order (what --query value -o table shows)',
  );
  const t = table(
    await arslab(
      'network',
      'express-route',
      'list-route-tables',
      '-g',
      'rg',
      '-n',
      'c1',
      '--path',
      'primary',
      '--peering-name',
      'AzurePrivatePeering',
      '--query',
      'value',
      '-o',
      'table',
    ),
  );
  assert.deepEqual(t.header, ['Network', 'NextHop', 'LocPrf', 'Weight', 'Path']);
  // Like az, -o table without --query value cannot show the {value: [...]} answer.
  assert.equal(
    await arslab(
      'network',
      'express-route',
      'list-route-tables',
      '-g',
      'rg',
      '-n',
      'c1',
      '--path',
      'secondary',
      '--peering-name',
      'AzurePrivatePeering',
      '-o',
      'table',
    ),
    '\n',
  );
  const sec = await json<{ value: { network: string; nextHop: string }[] }>(
    'network',
    'express-route',
    'list-route-tables',
    '-g',
    'rg',
    '-n',
    'c1',
    '--path',
    'secondary',
    '--peering-name',
    'AzurePrivatePeering',
  );
  assert.ok(sec.value.some((r) => r.network === '1.2.3.0/24' && r.nextHop === '169.254.1.93*'));
  const sum = await json<{ value: { neighbor: string; v: number; as: number; upDown: string; statePfxRcd: string }[] }>(
    'network',
    'express-route',
    'list-route-tables-summary',
    '-g',
    'rg',
    '-n',
    'c1',
    '--path',
    'primary',
    '--peering-name',
    'AzurePrivatePeering',
  );
  assert.deepEqual(
    sum.value.map((s) => `${s.neighbor} ${s.v} ${s.as} ${s.statePfxRcd}`),
    ['169.254.1.89 4 133937 3'],
  );
  await assert.rejects(
    arslab(
      'network',
      'express-route',
      'list-route-tables',
      '-g',
      'rg',
      '-n',
      'c1',
      '--path',
      'primary',
      '--peering-name',
      'MicrosoftPeering',
    ),
    /AzurePrivatePeering only/,
  );
});

test('vnet-gateway show and express-route show: the resources, flattened as az prints them', async () => {
  const gw = await json<{
    gatewayType: string;
    bgpSettings: { asn: number; bgpPeeringAddress: string };
    resourceGroup: string;
  }>('network', 'vnet-gateway', 'show', '-g', 'rg', '-n', 'er1');
  assert.equal(gw.gatewayType, 'ExpressRoute');
  assert.deepEqual(
    [gw.bgpSettings.asn, gw.bgpSettings.bgpPeeringAddress, gw.resourceGroup],
    [65515, `${GW0},${GW1}`, 'rg'],
  );
  const c = await json<{ peerings: { name: string; azureASN: number; peerASN: number; resourceGroup: string }[] }>(
    'network',
    'express-route',
    'show',
    '-g',
    'rg',
    '-n',
    'c1',
  );
  assert.deepEqual(
    c.peerings.map((p) => [p.name, p.azureASN, p.peerASN, p.resourceGroup]),
    [['AzurePrivatePeering', 12076, 133937, 'rg']],
  );
});

test("routeserver update --allow-b2b-traffic false/true: the gateway's IBgp rows go and come back (R-ARS-11); output as show", async () => {
  const off = await json<{ allowBranchToBranchTraffic: boolean; virtualRouterAsn: number }>(
    'network',
    'routeserver',
    'update',
    '-g',
    'rg',
    '-n',
    'hub1rs',
    '--allow-b2b-traffic',
    'false',
  );
  assert.equal(off.allowBranchToBranchTraffic, false);
  assert.equal(off.virtualRouterAsn, 65515);
  let rows = await learned('0');
  assert.ok(!rows.some((r) => r.origin === 'IBgp'), rows.map(line).join('\n'));
  assert.ok(rows.some((r) => r.origin === 'Network') && rows.some((r) => r.origin === 'EBgp'));
  const peers = (
    await json<{ value: { neighbor: string }[] }>(
      'network',
      'vnet-gateway',
      'list-bgp-peer-status',
      '-g',
      'rg',
      '-n',
      'er1',
    )
  ).value.map((p) => p.neighbor);
  assert.deepEqual(peers, [MSEE_P, MSEE_S], 'no iBGP sessions with the route server exist with branch-to-branch off');
  await json('network', 'routeserver', 'update', '-g', 'rg', '-n', 'hub1rs', '--allow-b2b-traffic');
  rows = await learned('0');
  assert.ok(rows.some((r) => r.origin === 'IBgp' && r.network === '10.99.0.0/16'));
  assert.equal(
    (await json<{ allowBranchToBranchTraffic: boolean }>('network', 'routeserver', 'show', '-g', 'rg', '-n', 'hub1rs'))
      .allowBranchToBranchTraffic,
    true,
  );
  const ev = lab.events.since(0).filter((e) => e.message.includes('route server hub1rs updated'));
  assert.equal(ev.length, 2);
});

test('routeserver update --hub-routing-preference: which route a NIC gets for a prefix both the NVA and the circuit advertise (R-ARS-7)', async () => {
  const nic = () => nicRows('clientVMNic').filter((r) => r.startsWith('10.250.0.0/16'));
  assert.deepEqual(nic(), ['10.250.0.0/16 10.2.146.35'], 'ExpressRoute (default): the circuit wins');
  await json('network', 'routeserver', 'update', '-g', 'rg', '-n', 'hub1rs', '--hub-routing-preference', 'VpnGateway');
  assert.deepEqual(nic(), [`10.250.0.0/16 ${NVA}`], 'VpnGateway: NVA and VPN routes win over ExpressRoute');
  await json('network', 'routeserver', 'update', '-g', 'rg', '-n', 'hub1rs', '--hub-routing-preference', 'aspath');
  assert.deepEqual(nic(), ['10.250.0.0/16 10.2.146.35'], 'ASPath: 12076 133937 is shorter than 65001 65001 65001');
  const show = await json<{ hubRoutingPreference: string }>(
    'network',
    'routeserver',
    'show',
    '-g',
    'rg',
    '-n',
    'hub1rs',
  );
  assert.equal(show.hubRoutingPreference, 'ASPath');
  await json(
    'network',
    'routeserver',
    'update',
    '-g',
    'rg',
    '-n',
    'hub1rs',
    '--hub-routing-preference',
    'ExpressRoute',
  );
  await assert.rejects(
    arslab('network', 'routeserver', 'update', '-g', 'rg', '-n', 'hub1rs', '--hub-routing-preference', 'Bogus'),
    /invalid choice: 'Bogus'/,
  );
});

test('link list: every in-process session with its state and detection', async () => {
  const rows = await json<{ name: string; state: string; detection: string; fault: string }[]>('link', 'list');
  const by = new Map(rows.map((r) => [r.name, r]));
  assert.equal(by.get('onprem1<->c1/secondary')?.detection, 'BFD 900 ms');
  assert.equal(by.get('er1/0<->c1/primary')?.state, 'Established');
  assert.equal(by.get('hub1rs/IN_0<->er1/0')?.detection, 'hold timer 180 s');
  const text = await arslab('link', 'list');
  assert.deepEqual(table(text).header, ['Name', 'State', 'Detection', 'Fault']);
});

test('link down --circuit --path (cut): the routes leave NICs only after BFD detection; link up: back', async () => {
  assert.ok(nicRows('spokevmVMNic').includes('1.2.3.0/24 10.2.146.35'));
  const out = await arslab('link', 'down', '--circuit', 'c1', '--path', 'secondary');
  assert.match(out, /onprem1<->c1\/secondary\s+Cut\s+BFD 900 ms\s+link down/);
  // On the virtual clock: detected exactly at BFD's 300 ms × 3 (R-ER-1), not a moment before.
  clock.advance(899);
  await lab.settled();
  assert.ok(nicRows('spokevmVMNic').includes('1.2.3.0/24 10.2.146.35'), 'not yet detected 899 ms after the cut');
  clock.advance(1);
  await lab.settled();
  assert.ok(!nicRows('spokevmVMNic').some((r) => r.startsWith('1.2.3.0/24')), 'detected at 900 ms');
  const st = (
    await json<{ value: { neighbor: string; state: string }[] }>(
      'network',
      'vnet-gateway',
      'list-bgp-peer-status',
      '-g',
      'rg',
      '-n',
      'er1',
    )
  ).value;
  assert.ok(
    st.every((p) => p.state === 'Connected'),
    'the gateway↔MSEE sessions do not ride on the customer link',
  );
  await arslab('link', 'up', '--circuit', 'c1', '--path', 'secondary');
  await waitFor(
    '1.2.3.0/24 back',
    async () => {
      await lab.settled();
      return nicRows('spokevmVMNic').includes('1.2.3.0/24 10.2.146.35');
    },
    3000,
  );
  const ev = lab.events
    .since(0)
    .filter((e) => e.source === 'onprem1<->c1/secondary')
    .map((e) => e.message);
  assert.ok(ev.some((m) => m.startsWith('fault: link down, cut')));
  assert.ok(ev.some((m) => m === 'down: BFD down'));
  assert.ok(ev.some((m) => m === 'fault cleared: link up'));
});

test('link down --graceful --session: closed with a NOTIFICATION, the routes leave at once; a cut healed before detection keeps the session', async () => {
  await arslab('link', 'down', '--session', 'c1/secondary<->onprem1', '--graceful');
  assert.ok(!nicRows('spokevmVMNic').some((r) => r.startsWith('1.2.3.0/24')));
  await arslab('link', 'up', '--session', 'onprem1<->c1/secondary');
  assert.ok(nicRows('spokevmVMNic').includes('1.2.3.0/24 10.2.146.35'));
  // A gateway↔MSEE session cut and restored within BFD's 0.9 s: no reset, nothing lost.
  const before = (await learned('1')).map(line).sort();
  await arslab('link', 'down', '--session', 'er1/1<->c1/secondary');
  await arslab('link', 'up', '--session', 'er1/1<->c1/secondary');
  assert.deepEqual((await learned('1')).map(line).sort(), before);
  assert.ok(!lab.events.since(0).some((e) => e.source === 'er1/1<->c1/secondary' && e.message.startsWith('down:')));
  // What changed while the link was cut crosses once it heals (TCP would retransmit it).
  const onprem = lab.hybrid!.routers.get('onprem1')!;
  await arslab('link', 'down', '--circuit', 'c1', '--path', 'primary');
  await arslab('link', 'down', '--circuit', 'c1', '--path', 'secondary');
  onprem.originate({ prefix: '1.2.4.0/24', origin: 'igp' });
  onprem.speaker.withdrawLocal(parsePrefix('1.2.3.0/24')!);
  await lab.settled();
  assert.ok(
    nicRows('spokevmVMNic').includes('1.2.3.0/24 10.2.146.35') &&
      !nicRows('spokevmVMNic').some((r) => r.startsWith('1.2.4.0/24')),
    'nothing crosses a cut link',
  );
  await arslab('link', 'up', '--circuit', 'c1', '--path', 'primary');
  await arslab('link', 'up', '--circuit', 'c1', '--path', 'secondary');
  await lab.settled();
  assert.ok(nicRows('spokevmVMNic').includes('1.2.4.0/24 10.2.146.35'));
  assert.ok(!nicRows('spokevmVMNic').some((r) => r.startsWith('1.2.3.0/24')));
  onprem.speaker.withdrawLocal(parsePrefix('1.2.4.0/24')!);
  onprem.originate(routers[0]!.routes[0]!);
  await lab.settled();
  assert.ok(nicRows('spokevmVMNic').includes('1.2.3.0/24 10.2.146.35'));
  await assert.rejects(
    arslab('link', 'down', '--session', 'nope<->nothing'),
    /no in-process BGP session 'nope<->nothing'/,
  );
});

test('node stop|start on a built-in on-premises router: NOTIFICATION (at once), --kill (BFD), start brings its routes back', async () => {
  const out = await arslab('node', 'stop', 'onprem1');
  assert.equal(out, 'onprem1: stopped\n');
  await lab.settled();
  assert.ok(
    !nicRows('clientVMNic').some((r) => r.startsWith('1.2.3.0/24') || r.startsWith('10.250.0.0/16 10.2.146.35')),
  );
  assert.ok(nicRows('clientVMNic').includes(`10.250.0.0/16 ${NVA}`), "the NVA's route takes over");
  const links = await json<{ name: string; fault: string }[]>('link', 'list');
  assert.equal(links.find((l) => l.name === 'onprem1<->c1/primary')?.fault, 'router onprem1 stopped');
  await assert.rejects(arslab('link', 'up', '--session', 'onprem1<->c1/primary'), /router onprem1, which is stopped/);
  assert.equal(await arslab('node', 'start', 'onprem1'), 'onprem1: running\n');
  await lab.settled();
  assert.ok(nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35'));
  await arslab('node', 'stop', '--kill', 'onprem1');
  await lab.settled();
  assert.ok(nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35'), 'killed: no NOTIFICATION, not yet detected');
  clock.advance(899);
  await lab.settled();
  assert.ok(nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35'), 'not yet detected 899 ms after the kill');
  clock.advance(1);
  await lab.settled();
  assert.ok(!nicRows('clientVMNic').some((r) => r.startsWith('1.2.3.0/24')), 'BFD detection at 900 ms');
  await arslab('node', 'start', 'onprem1');
  await lab.settled();
  assert.ok(nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35'));
  assert.ok(
    lab.events.since(0).some((e) => e.type === 'node' && e.source === 'onprem1' && e.message.startsWith('kill')),
  );
});
