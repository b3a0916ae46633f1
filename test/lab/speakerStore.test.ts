/**
 * The built-in NVA keeps what the route server sends it in a compact table (issue 12), yet
 * behaves as a BGP speaker whose RIB holds every received path: for a prefix it originates
 * itself, a better path from the route server wins its RIB and it stops advertising its own
 * (RFC 4271 §9.1: a speaker advertises its best path only; the built-in speaker does not
 * transit), and advertises it again when that path goes. `status` counts what each peering
 * was sent without walking the tables. Lab on 10.198.0.0/16 (route server 127.198.0.4/.5,
 * NVAs 127.198.1.4/.5).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server.js';
import type { SpeakerNode } from '../../src/lab/kinds/speaker.js';
import type { Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const yaml = `
name: speaker-store
location: westeurope
settings: { connectRetryTime: 1 }
resourceGroups:
  rg:
    virtualNetworks:
      hub:
        addressPrefixes: [10.198.0.0/16]
        subnets:
          RouteServerSubnet: { addressPrefix: 10.198.0.0/26 }
          nva: { addressPrefix: 10.198.1.0/24 }
    routeServers:
      rs:
        subnet: hub/RouteServerSubnet
        peerings:
          nva1: { peerIp: 10.198.1.4, peerAsn: 65001 }
          nva2: { peerIp: 10.198.1.5, peerAsn: 65002 }
    virtualMachines:
      nva1: { subnet: hub/nva, privateIPAddress: 10.198.1.4 }
      nva2: { subnet: hub/nva, privateIPAddress: 10.198.1.5 }
nodes:
  nva1: { kind: speaker, vm: nva1, asn: 65001, routes: [ { prefix: 11.1.0.0/24 } ] }
  nva2:
    kind: speaker
    vm: nva2
    asn: 65002
    # 12.0.0.0/24 is nva2's own with a long path ([65002] + 3 = 4 at the route server).
    routes: [ { prefix: 11.2.0.0/24 }, { prefix: 12.0.0.0/24, asPath: [65002, 65002, 65002] } ]
`;

let t: TestLab;
let lab: Lab;
before(async () => {
  t = await startTestLab('speaker-store', yaml);
  lab = t.lab;
});
after(async () => {
  await t?.stop();
});

const nva = (name: string) => lab.node(name) as SpeakerNode;
const rs = () => lab.routeServer(lab.model.routeServers[0]!)!;
/** What the route server learned from a peering on IN_0: "prefix asPath". */
const learned = (peering: string) =>
  rs()
    .learnedRoutes(peering)
    ['RouteServiceRole_IN_0']!.map((r) => `${r.network} ${r.asPath}`)
    .sort();

test('an NVA lists what both route-server instances sent it, one best per prefix', async () => {
  const got = await waitFor('nva1 holds nva2 routes from both instances', async () => {
    const r = (await nva('nva1').receivedRoutes()).filter((x) => x.prefix === '11.2.0.0/24');
    return r.length === 2 ? r : undefined;
  });
  assert.deepEqual(got.map((r) => r.peer).sort(), ['10.198.0.4', '10.198.0.5']);
  assert.deepEqual(
    got.map((r) => r.asPath),
    [
      [65515, 65002],
      [65515, 65002],
    ],
  );
  // Equal paths: the lower router id (10.198.0.4, RFC 4271 §9.1.2.2 (f)) is the best.
  assert.deepEqual(got.map((r) => `${r.peer} ${r.best}`).sort(), ['10.198.0.4 true', '10.198.0.5 false']);
  // Its own route never comes back (the route server does not send a peer its own path).
  assert.ok(!(await nva('nva1').receivedRoutes()).some((r) => r.prefix === '11.1.0.0/24'));
});

test('a better path for a prefix the NVA originates wins its RIB: it stops advertising its own, and advertises it again when that path goes', async () => {
  await waitFor("the route server holds nva2's 12.0.0.0/24", () =>
    learned('nva2').includes('12.0.0.0/24 65002-65002-65002-65002'),
  );
  // nva1 announces it with a short path: the route server's best ([65001]), sent to nva2 as
  // [65515, 65001] — shorter than nva2's own [65002 65002 65002].
  await nva('nva1').command('announce route 12.0.0.0/24 next-hop 10.198.1.4');
  await waitFor('nva2 withdraws its own 12.0.0.0/24', () => !learned('nva2').some((r) => r.startsWith('12.0.0.0/24')));
  const rows = (await nva('nva2').receivedRoutes()).filter((r) => r.prefix === '12.0.0.0/24');
  assert.deepEqual(rows.map((r) => `${r.peer} ${r.asPath.join(' ')} ${r.best}`).sort(), [
    '10.198.0.4 65515 65001 true',
    '10.198.0.5 65515 65001 false',
  ]);
  await nva('nva1').command('withdraw route 12.0.0.0/24');
  await waitFor('nva2 advertises 12.0.0.0/24 again', () =>
    learned('nva2').includes('12.0.0.0/24 65002-65002-65002-65002'),
  );
  assert.ok(!(await nva('nva2').receivedRoutes()).some((r) => r.prefix === '12.0.0.0/24'));
});

test('status: routes advertised to each peering are counted, equal to the Adj-RIB-Out they count', () => {
  const status = new ApiServer(lab).status() as {
    routeServers: { instances: { peerings: { name: string; routesAdvertised: number }[] }[] }[];
  };
  const inst = rs().instances;
  status.routeServers[0]!.instances.forEach((i, n) => {
    for (const p of i.peerings) {
      const id = inst[n]!.peerings.get(p.name)!.session.neighbor.source.id;
      assert.equal(p.routesAdvertised, [...inst[n]!.speaker.adjRibOut(id)].length, p.name);
      assert.ok(p.routesAdvertised > 0);
    }
  });
});

test("the lab graph counts what an NVA holds from each instance: its compact table's rows, as `node routes` lists them", async () => {
  const rows = await nva('nva1').receivedRoutes();
  const sides = lab.graph.sidesOf(lab.graph.speaker('nva1')!, { transport: 'tcp' });
  assert.equal(sides.length, 2);
  for (const { session, side, remote } of sides) {
    const want = rows.filter((r) => r.peer === remote.address).length;
    assert.ok(want > 0, remote.name);
    assert.equal(session.view(side).routesReceived, want, remote.name);
  }
});
