/**
 * R-ARS-3: an NVA that peers with one route-server instance only is shown a warning, and its
 * routes still program (through that instance), as they do in Azure — inconsistently.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';
import { ApiServer } from '../../src/api/server.js';

const N = 38;
const yaml = routeServerLabYaml({
  name: 'one-instance',
  n: N,
  peers: [{ name: 'half', host: 4, asn: 65001 }],
  client: true,
  nodes: '  half: { kind: speaker, vm: half, asn: 65001, peerWith: IN_0, routes: [ { prefix: 10.251.0.0/16 } ] }\n',
});

let t: TestLab;
let lab: Lab;
before(async () => {
  t = await startTestLab('one-instance', yaml);
  lab = t.lab;
});
after(async () => {
  await t?.stop();
});

test('R-ARS-3: peering with one instance only is warned about', async () => {
  const rs = lab.routeServer(lab.model.routeServers[0]!)!;
  const w = await waitFor('the warning', () => (rs.warnings().length ? rs.warnings() : undefined), 15_000);
  assert.equal(w.length, 1);
  assert.match(w[0]!, /Established with RouteServiceRole_IN_0 only/);
  assert.match(w[0]!, /R-ARS-3/);
  const status = new ApiServer(lab).status() as { warnings: string[] };
  assert.ok(status.warnings.some((x) => x.includes("peering 'half'")));
  const nic = lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!;
  // The warning can come before the NVA's UPDATE: wait for the route, through IN_0.
  await waitFor('the NVA route programmed', () =>
    lab
      .effectiveRoutes(nic)
      .value.some((r) => r.addressPrefix[0] === '10.251.0.0/16' && r.nextHopIpAddress[0] === `10.${N}.1.4`),
  );
});
