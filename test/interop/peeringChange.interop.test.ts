/**
 * R-ARS-13: creating a hub–spoke VNet peering (with gateway transit / remote gateways)
 * makes the Route Server ask every NVA for its routes again — ROUTE-REFRESH where the NVA
 * negotiated it (the built-in speaker), a hard reset where it did not (BIRD with route
 * refresh off) — and the spoke's range is then advertised to the NVAs and the NVAs'
 * routes reach the spoke's NICs. Driven through the lab's REST API, as az would.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';
import { ApiServer } from '../../src/api/server.js';
import { ArmPaths } from '../../src/api/paths.js';
import { ApiClient } from '../../src/cli/client.js';
import type { DaemonNode } from '../../src/lab/kinds/index.js';

const N = 37;
const root = process.getuid?.() === 0;
const skip = root ? false : 'binds port 179 on 127.x: run as root (CI does)';

const yaml = routeServerLabYaml({
  name: 'peering-change',
  n: N,
  vnetPrefix: `10.${N}.0.0/20`,
  peers: [
    { name: 'bird', host: 4, asn: 65001 },
    { name: 'speaker', host: 5, asn: 65002 },
  ],
  spoke: true,
  nodes: `  bird: { kind: bird, vm: bird, config: bird.conf }
  speaker:
    kind: speaker
    vm: speaker
    asn: 65002
    routes: [ { prefix: 10.250.0.0/16, nextHop: 10.${N}.1.5 } ]
`,
});

const birdConf = `
router id 10.${N}.1.4;
protocol device { }
protocol static nh { ipv4; route 0.0.0.0/0 via "lo"; }
template bgp rsbase {
  local 127.${N}.1.4 as 65001;
  strict bind yes;
  multihop;
  enable route refresh off;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import all; export none; };
}
protocol bgp rs0 from rsbase { neighbor 127.${N}.0.4 as 65515; }
protocol bgp rs1 from rsbase { neighbor 127.${N}.0.5 as 65515; }
`;

let t: TestLab;
let lab: Lab;
let api: ApiServer;
let client: ApiClient;

before(async () => {
  if (skip) return;
  t = await startTestLab('peering-change', yaml, { 'bird.conf': birdConf });
  lab = t.lab;
  api = new ApiServer(lab);
  const a = await api.listen();
  client = new ApiClient(a.address, a.port, lab.model.subscriptionId, { token: api.token });
});

after(async () => {
  if (skip) return;
  await api?.close();
  await t?.stop();
});

const rs = () => lab.routeServer(lab.model.routeServers[0]!)!;
const established = () =>
  rs().instances.every((i) => [...i.peerings.values()].every((p) => p.session.peer.isEstablished));

test('R-ARS-13: a hub–spoke peering makes the route server refresh every NVA, and the spoke is served', {
  skip,
}, async () => {
  await waitFor('all sessions Established', established, 30_000);
  const birdPeers = rs().instances.map((i) => i.peerings.get('bird')!.session.peer);
  const birdUps = birdPeers.map((p) => p.counters.establishedTransitions);
  const spokeRange = `10.${N}.16.0/24`;
  const advertisedToBird = () =>
    rs()
      .advertisedRoutes('bird')
      ['RouteServiceRole_IN_0']!.map((r) => r.network);
  assert.ok(!advertisedToBird().includes(spokeRange));

  const base = client.arm(ArmPaths.virtualNetworks, { resourceGroupName: 'rg' });
  await client.call('PUT', `${base}/hub/virtualNetworkPeerings/hub-to-spoke`, {
    properties: {
      remoteVirtualNetwork: { id: lab.model.virtualNetworks.find((v) => v.name === 'spoke')!.id },
      allowGatewayTransit: true,
    },
  });
  await client.call('PUT', `${base}/spoke/virtualNetworkPeerings/spoke-to-hub`, {
    properties: {
      remoteVirtualNetwork: { id: lab.model.virtualNetworks.find((v) => v.name === 'hub')!.id },
      useRemoteGateways: true,
    },
  });

  const events = () => lab.events.since(0).filter((e) => /R-ARS-13/.test(e.message));
  await waitFor('refresh events', () => events().length >= 4);
  assert.ok(
    events().some((e) => e.source.endsWith('/speaker') && /ROUTE-REFRESH sent/.test(e.message)),
    'the speaker negotiated route refresh',
  );
  assert.ok(
    events().some((e) => e.source.endsWith('/bird') && /session reset/.test(e.message)),
    'BIRD did not: hard reset',
  );
  await waitFor(
    'BIRD back up after the reset',
    () => birdPeers.every((p, i) => p.isEstablished && p.counters.establishedTransitions > birdUps[i]!),
    30_000,
  );

  // The spoke range is now advertised to the NVAs (R-ARS-9), and NVA routes reach the spoke (R-ARS-8).
  await waitFor('spoke range advertised to BIRD', () => advertisedToBird().includes(spokeRange));
  const bird = lab.node('bird') as DaemonNode;
  await waitFor('BIRD holds the spoke range', async () =>
    (await bird.receivedRoutes()).some((r) => r.prefix === spokeRange),
  );
  const eff = (await client.call(
    'POST',
    client.arm(ArmPaths.effectiveRouteTable, { resourceGroupName: 'rg', networkInterfaceName: 'spokevmVMNic' }),
  )) as { value: { addressPrefix: string[]; nextHopIpAddress: string[]; nextHopType: string }[] };
  assert.ok(
    eff.value.some(
      (r) =>
        r.addressPrefix[0] === '10.250.0.0/16' &&
        r.nextHopIpAddress[0] === `10.${N}.1.5` &&
        r.nextHopType === 'VirtualNetworkGateway',
    ),
  );
  assert.ok(eff.value.some((r) => r.addressPrefix[0] === `10.${N}.0.0/20` && r.nextHopType === 'VNetPeering'));
});

test('a peering change Azure refuses is refused with its error and changes nothing', { skip }, async () => {
  const base = client.arm(ArmPaths.virtualNetworks, { resourceGroupName: 'rg' });
  const before = lab.model;
  await assert.rejects(
    client.call('PUT', `${base}/hub/virtualNetworkPeerings/bad`, {
      properties: {
        remoteVirtualNetwork: { id: lab.model.virtualNetworks.find((v) => v.name === 'spoke')!.id },
        useRemoteGateways: true,
      },
    }),
    (e: Error & { code?: string }) => /already peered|own Route Server/.test(e.message),
  );
  assert.equal(lab.model, before);
});
