/**
 * R-ARS-21 (issue 10 item 5): each NIC is programmed by one route-server instance. Microsoft:
 * the two instances "share the responsibility of sending the routes to all other VMs"; an NVA
 * must peer with both "so that your VMs in the virtual network can get consistent routing
 * info" (https://learn.microsoft.com/azure/route-server/troubleshoot-route-server). ARSLab's
 * deterministic split: the lowest bit of the NIC's address (even: IN_0, odd: IN_1), the other
 * instance while one is under maintenance.
 *
 * One lab at 10.92 (route server 127.92.0.4/.5 in loopback mode): NVA `both` (10.92.1.4)
 * peers with both instances (the case that always worked), NVA `half` (10.92.1.5) with IN_0
 * only (before, its routes were merged into every NIC); two clients, 10.92.1.10 (even, IN_0)
 * and 10.92.1.11 (odd, IN_1).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../../src/bgp/wire/index.js';
import { nicRowLines } from '../../src/azure/explain.js';
import type { Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

const N = 92;
const T = { timeout: 60_000 };
const yaml = routeServerLabYaml({
  name: 'instance-programming',
  n: N,
  peers: [
    { name: 'both', host: 4, asn: 65001 },
    { name: 'half', host: 5, asn: 65002 },
  ],
  client: true,
  nodes:
    '  both: { kind: speaker, vm: both, asn: 65001, routes: [ { prefix: 10.250.0.0/16 } ] }\n' +
    '  half: { kind: speaker, vm: half, asn: 65002, peerWith: IN_0, routes: [ { prefix: 10.251.0.0/16 } ] }\n',
}).replace(
  `      client: { subnet: hub/nva, privateIPAddress: 10.${N}.1.10 }\n`,
  `      client: { subnet: hub/nva, privateIPAddress: 10.${N}.1.10 }\n      client2: { subnet: hub/nva, privateIPAddress: 10.${N}.1.11 }\n`,
);

let t: TestLab;
let lab: Lab;
before(async () => {
  assert.match(yaml, /client2/, 'the second client is in the lab file');
  t = await startTestLab('instance-programming', yaml);
  lab = t.lab;
  // Both NVAs' routes are held and programmed into the even client (IN_0's).
  await waitFor(
    'both routes programmed',
    () => rows('client').includes(`10.250.0.0/16 10.${N}.1.4`) && rows('client').includes(`10.251.0.0/16 10.${N}.1.5`),
    20_000,
  );
}, T);
after(async () => {
  await t?.stop();
}, T);

const nic = (name: string) => lab.model.networkInterfaces.find((n) => n.name === `${name}VMNic`)!;
/** The NIC's active gateway rows, "prefix nextHop". */
const rows = (name: string) =>
  lab
    .effectiveRoutes(nic(name))
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress.join(',')}`);

test('an NVA peered with both instances reaches every NIC (even and odd address)', T, () => {
  for (const c of ['client', 'client2']) assert.ok(rows(c).includes(`10.250.0.0/16 10.${N}.1.4`), `${c}: ${rows(c)}`);
});

test('an NVA peered with IN_0 only reaches the NICs IN_0 programs, and not the others', T, () => {
  assert.ok(rows('client').includes(`10.251.0.0/16 10.${N}.1.5`), `client (even, IN_0): ${rows('client')}`);
  assert.ok(!rows('client2').some((x) => x.startsWith('10.251.0.0/16')), `client2 (odd, IN_1): ${rows('client2')}`);
  // Explained per NIC: the row is there, not programmed, with the rule and the instance.
  const target = { prefix: parsePrefix('10.251.0.1/32')!, address: true };
  const lines = nicRowLines(lab.effectiveRoutes(nic('client2')).details, target).lines;
  const why = lines.find((l) => l.rule === 'R-ARS-21');
  assert.ok(why, lines.map((l) => `${l.text} ${l.rule ?? ''}`).join('\n'));
  assert.match(why.reason ?? why.text, /served by RouteServiceRole_IN_1.*never peered.*RouteServiceRole_IN_0 only/);
});

test('while IN_1 is under maintenance IN_0 programs every NIC; after it, the split is back', T, async () => {
  const in1 = lab.graph.speakers({ kind: 'route-server' }).find((s) => s.name === 'rs/IN_1')!;
  lab.graph.faults.startMaintenance(in1, { graceful: true });
  await lab.settled();
  assert.ok(rows('client2').includes(`10.251.0.0/16 10.${N}.1.5`), `client2 during maintenance: ${rows('client2')}`);
  lab.graph.faults.endMaintenance(in1);
  await lab.settled();
  assert.ok(!rows('client2').some((x) => x.startsWith('10.251.0.0/16')), `client2 after: ${rows('client2')}`);
});
