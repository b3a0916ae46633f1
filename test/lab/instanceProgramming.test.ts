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
 * and 10.92.1.11 (odd, IN_1). Every path to a NIC's routes must say the same (ADR 0029):
 * explain (computed from scratch), `show-effective-route-table` (the incremental layers, ADR
 * 0015), next hop, and what changed since a version. A second lab at 10.95, the same design
 * with the `azure` timing profile (ADR 0018), checks the fabric's programming: the odd client
 * never gets `half`'s route, however long one waits past the 5.4 s programming delay.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../../src/bgp/wire/index.js';
import { nicRowLines } from '../../src/azure/explain.js';
import type { EffectiveRoute } from '../../src/azure/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

const N = 92;
const T = { timeout: 60_000 };
const labYaml = (n: number, settings?: string) =>
  routeServerLabYaml({
    name: `instance-programming-${n}`,
    n,
    ...(settings ? { settings } : {}),
    peers: [
      { name: 'both', host: 4, asn: 65001 },
      { name: 'half', host: 5, asn: 65002 },
    ],
    client: true,
    nodes:
      '  both: { kind: speaker, vm: both, asn: 65001, routes: [ { prefix: 10.250.0.0/16 } ] }\n' +
      '  half: { kind: speaker, vm: half, asn: 65002, peerWith: IN_0, routes: [ { prefix: 10.251.0.0/16 } ] }\n',
  }).replace(
    `      client: { subnet: hub/nva, privateIPAddress: 10.${n}.1.10 }\n`,
    `      client: { subnet: hub/nva, privateIPAddress: 10.${n}.1.10 }\n      client2: { subnet: hub/nva, privateIPAddress: 10.${n}.1.11 }\n`,
  );
const yaml = labYaml(N);

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

const nicOf = (l: Lab, name: string) => l.model.networkInterfaces.find((n) => n.name === `${name}VMNic`)!;
const nic = (name: string) => nicOf(lab, name);
/** Active gateway rows, "prefix nextHop". */
const active = (value: readonly EffectiveRoute[]) =>
  value
    .filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress.join(',')}`);
/** The NIC's active gateway rows as explain computes them (from scratch). */
const rows = (name: string) => active(lab.effectiveRoutes(nic(name)).value);
/** What the NIC's `show-effective-route-table` answers (the incremental layers, or the fabric). */
const tableRows = (l: Lab, name: string) => active(l.effectiveRouteTable(nicOf(l, name)).value);

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

test('the incremental table, next hop and explain agree per NIC (one rule for every path)', T, () => {
  for (const c of ['client', 'client2']) assert.deepEqual(tableRows(lab, c), rows(c), `${c}: layers vs explain`);
  assert.ok(tableRows(lab, 'client').includes(`10.251.0.0/16 10.${N}.1.5`));
  assert.ok(!tableRows(lab, 'client2').some((x) => x.startsWith('10.251.0.0/16')), `${tableRows(lab, 'client2')}`);
  const dst = parsePrefix('10.251.0.1/32')!;
  assert.deepEqual(lab.nextHop(nic('client'), dst).nextHopIpAddress, `10.${N}.1.5`);
  // The odd client has no route to half's prefix: it falls in the default None range
  // 10.0.0.0/8 (R-NIC-1), so the traffic is dropped.
  assert.equal(lab.nextHop(nic('client2'), dst).nextHopType, 'None');
});

test('while IN_1 is under maintenance IN_0 programs every NIC; after it, the split is back', T, async () => {
  const in1 = lab.graph.speakers({ kind: 'route-server' }).find((s) => s.name === 'rs/IN_1')!;
  const before = lab.effectiveRouteTable(nic('client2'));
  lab.graph.faults.startMaintenance(in1, { graceful: true });
  await lab.settled();
  assert.ok(rows('client2').includes(`10.251.0.0/16 10.${N}.1.5`), `client2 during maintenance: ${rows('client2')}`);
  assert.deepEqual(tableRows(lab, 'client2'), rows('client2'), 'layers vs explain during maintenance');
  // The NIC changed view (no layer changed for it): a new version, and the changes since the
  // old one turn the old table into the new.
  const during = lab.effectiveRouteTable(nic('client2'));
  assert.ok(during.version > before.version, `version ${before.version} -> ${during.version}`);
  const ch = lab.effectiveRouteChanges(nic('client2'), before.version);
  assert.ok(ch.full || ch.prefixes.includes('10.251.0.0/16'), JSON.stringify(ch));
  assert.ok(active(ch.value).includes(`10.251.0.0/16 10.${N}.1.5`));
  lab.graph.faults.endMaintenance(in1);
  await lab.settled();
  assert.ok(!rows('client2').some((x) => x.startsWith('10.251.0.0/16')), `client2 after: ${rows('client2')}`);
  assert.deepEqual(tableRows(lab, 'client2'), rows('client2'), 'layers vs explain after maintenance');
});

test("with the azure timing profile the fabric programs each NIC its own instance's routes", T, async () => {
  const M = 95;
  const timed = await startTestLab(
    'instance-programming-timed',
    labYaml(M, '{ connectRetryTime: 1, timing: { profile: azure, seed: 7 } }'),
  );
  try {
    const l = timed.lab;
    // Both NVAs' routes reach the even client once the fabric programs them (0.9–5.4 s, R-TIME-1).
    await waitFor(
      'the even client programmed',
      () =>
        tableRows(l, 'client').includes(`10.250.0.0/16 10.${M}.1.4`) &&
        tableRows(l, 'client').includes(`10.251.0.0/16 10.${M}.1.5`),
      20_000,
    );
    // Past the longest delay after that, the odd client has both's route and never half's.
    await new Promise((r) => setTimeout(r, 6_000));
    assert.ok(tableRows(l, 'client2').includes(`10.250.0.0/16 10.${M}.1.4`), `${tableRows(l, 'client2')}`);
    assert.ok(!tableRows(l, 'client2').some((x) => x.startsWith('10.251.0.0/16')), `${tableRows(l, 'client2')}`);
    assert.deepEqual(tableRows(l, 'client2'), active(l.effectiveRoutes(nicOf(l, 'client2')).value));
  } finally {
    await timed.stop();
  }
});
