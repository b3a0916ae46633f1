/**
 * `arslab export` of a running lab, then `up` of what it wrote: the same lab, live.
 *
 * Lab A is seed 001's hybrid environment built in code (no lab file at all), at second
 * octet 226: route server hub1rs with the built-in NVA nva1 (10.226.1.4, AS 65001, real TCP
 * sessions), the ExpressRoute gateway er1 on circuit c1, the on-premises router onprem1
 * behind it, a spoke using hub1's gateways, and an empty route table on the spoke. While it
 * runs, a route is added through the API (`network route-table route create`), so only the
 * running model has it. `arslab export` (the command, over the API) writes A; lab B is
 * started from that text. B must be A: the same model, and once both have converged, the
 * same effective routes on every NIC — routes learned over BGP from the NVA and from
 * on premises included.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server.js';
import { DEFAULT_SUBSCRIPTION, resourceId, type AzureModel } from '../../src/azure/index.js';
import { ApiClient } from '../../src/cli/client.js';
import type { Lab } from '../../src/lab/lab.js';
import type { RouterNodeSpec } from '../../src/lab/spec.js';
import { seed001Model } from '../fixtures/seed001Lab.js';
import { runCli } from '../helpers/inProcessCli.js';
import { nvaSessionsEstablished, nvaSpeaker, startSpecLab, startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 226;
const C1 = resourceId(DEFAULT_SUBSCRIPTION, 'rg', 'expressRouteCircuits', 'c1');

/** onprem1 as the loader would hold it: circuit by ARM id, its address on each link (R-ER-1: first host of the /30). */
const ONPREM1: RouterNodeSpec = {
  kind: 'router',
  name: 'onprem1',
  asn: 133937,
  routerId: '169.254.1.89',
  attach: [
    { kind: 'expressRoute', circuit: C1, link: 'primary', address: '169.254.1.89' },
    { kind: 'expressRoute', circuit: C1, link: 'secondary', address: '169.254.1.93' },
  ],
  routes: [{ prefix: '1.2.3.0/24', origin: 'incomplete' }],
};

const labs: TestLab[] = [];
const apis: ApiServer[] = [];
after(
  async () => {
    for (const a of apis) await a.close();
    for (const t of labs) await t.stop();
  },
  { timeout: 30_000 },
);

/** Every NIC's effective routes, by NIC name, as `show-effective-route-table` has them. */
function effective(lab: Lab): Record<string, unknown> {
  return Object.fromEntries(lab.model.networkInterfaces.map((n) => [n.name, lab.effectiveRoutes(n).value]));
}

/** Both BGP sources have reached the spoke: the NVA's 10.99.0.0/16 and on-premises 1.2.3.0/24. */
async function converged(lab: Lab): Promise<void> {
  await nvaSessionsEstablished(lab);
  await waitFor(
    'the NVA and on-premises routes on the spoke VM',
    async () => {
      await lab.settled();
      const nic = lab.model.networkInterfaces.find((n) => n.name === 'spokevmVMNic')!;
      const prefixes = lab.effectiveRoutes(nic).value.flatMap((r) => r.addressPrefix);
      return prefixes.includes('10.99.0.0/16') && prefixes.includes('1.2.3.0/24');
    },
    30_000,
  );
}

test('export of a running lab built in code, changed at run time, starts as the same lab (model and effective routes)', {
  timeout: 120_000,
}, async () => {
  const a = await startSpecLab(`export-a`, {
    model: seed001Model({ n: N, spokeRouteTable: { name: 'spoke-rt', routes: [] } }),
    nodes: [nvaSpeaker('nva1', `10.${N}.1.4`, 65001, [{ prefix: '10.99.0.0/16', nextHop: `10.${N}.1.4` }])],
    routers: [ONPREM1],
  });
  labs.push(a);
  await converged(a.lab);

  const api = new ApiServer(a.lab);
  apis.push(api);
  const addr = await api.listen('127.0.0.1', 0);
  const client = new ApiClient('127.0.0.1', addr.port, DEFAULT_SUBSCRIPTION, { token: api.token });
  // A change only the running lab knows: a user route on the spoke's table.
  await runCli(client, [
    ...['network', 'route-table', 'route', 'create', '-g', 'rg', '--route-table-name', 'spoke-rt', '-n', 'to-onprem'],
    ...[
      '--address-prefix',
      '1.2.0.0/16',
      '--next-hop-type',
      'VirtualAppliance',
      '--next-hop-ip-address',
      `10.${N}.1.4`,
    ],
  ]);
  assert.equal(a.lab.model.routeTables[0]?.routes.length, 1, 'the route is in the running model');
  await a.lab.settled();

  const text = await runCli(client, ['export']);
  assert.match(
    text,
    /to-onprem: \{ addressPrefix: 1\.2\.0\.0\/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10\.226\.1\.4 \}/,
  );
  const modelA: AzureModel = a.lab.model;
  const routesA = effective(a.lab);
  // The user route (1.2.0.0/16) is shorter than the on-premises 1.2.3.0/24, which still wins
  // for its range (longest prefix, R-NIC-4): both rows are on the spoke.
  const spokeA = JSON.stringify(routesA['spokevmVMNic']);
  assert.ok(spokeA.includes('1.2.0.0/16') && spokeA.includes('1.2.3.0/24'), spokeA);

  // Lab B runs from the exported file; A stops first (both would bind 127.226.x.x).
  await api.close();
  await a.stop();
  labs.splice(labs.indexOf(a), 1);
  const b = await startTestLab('export-b', text);
  labs.push(b);
  assert.deepStrictEqual(b.lab.model, modelA, 'the same model');
  await converged(b.lab);
  // Converged means both BGP sources arrived; give the rest of the exchange its moment, then compare.
  await waitFor(
    'lab B has the effective routes of lab A',
    async () => {
      await b.lab.settled();
      return JSON.stringify(effective(b.lab)) === JSON.stringify(routesA);
    },
    10_000,
  ).catch(() => undefined);
  assert.deepStrictEqual(effective(b.lab), routesA);
});
