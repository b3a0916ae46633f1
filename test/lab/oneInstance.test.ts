/**
 * R-ARS-3: an NVA that peers with one route-server instance only is shown a warning, and its
 * routes still program (through that instance), as they do in Azure — inconsistently.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../src/lab/lab.js';
import { loadLabText } from '../../src/lab/topology/index.js';
import { ApiServer } from '../../src/api/server.js';

const N = 38;
const yaml = `
name: one-instance
location: westeurope
settings: { connectRetryTime: 1 }
resourceGroups:
  rg:
    virtualNetworks:
      hub:
        addressPrefixes: [10.${N}.0.0/16]
        subnets:
          RouteServerSubnet: { addressPrefix: 10.${N}.0.0/26 }
          nva: { addressPrefix: 10.${N}.1.0/24 }
    routeServers:
      rs: { subnet: hub/RouteServerSubnet, peerings: { half: { peerIp: 10.${N}.1.4, peerAsn: 65001 } } }
    virtualMachines:
      half: { subnet: hub/nva, privateIPAddress: 10.${N}.1.4 }
      client: { subnet: hub/nva, privateIPAddress: 10.${N}.1.10 }
nodes:
  half: { kind: speaker, vm: half, asn: 65001, peerWith: IN_0, routes: [ { prefix: 10.251.0.0/16 } ] }
`;

let dir = '';
let lab: Lab;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arslab-one-'));
  const r = loadLabText(yaml, join(dir, 'lab.yml'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  lab = await Lab.start(r.spec, { stateDir: join(dir, 'state') });
});
after(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('R-ARS-3: peering with one instance only is warned about', async () => {
  const rs = lab.routeServer(lab.model.routeServers[0]!)!;
  const end = Date.now() + 15_000;
  while (rs.warnings().length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  const w = rs.warnings();
  assert.equal(w.length, 1);
  assert.match(w[0]!, /Established with RouteServiceRole_IN_0 only/);
  assert.match(w[0]!, /R-ARS-3/);
  const status = new ApiServer(lab).status() as { warnings: string[] };
  assert.ok(status.warnings.some((x) => x.includes("peering 'half'")));
  const nic = lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!;
  assert.ok(lab.effectiveRoutes(nic).value.some((r) => r.addressPrefix[0] === '10.251.0.0/16' && r.nextHopIpAddress[0] === `10.${N}.1.4`));
});
