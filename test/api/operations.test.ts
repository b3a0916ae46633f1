// Issue 8, finding 4: results of ARM long-running operations (202 + Location) were kept for
// ever, so a 1 Hz `show-effective-route-table` loop grew the lab without end. ARM's contract
// (azure-resource-manager-rpc, async-api-reference.md) asks that the Location URL answer the
// result, the same each time it is read, and that an unknown operation id be a 404; it
// publishes no retention time. ARSLab's choice (src/api/operations.ts, docs/azure-differences.md):
// unread results stay 10 min, read ones 60 s more, at most 512 results / 64 MiB, oldest out
// first. Checked here over real HTTP with the CLI's own client, time stepped by a VirtualClock.
// Addresses: 10.180.0.0/16 (127.180.x in loopback mode).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server.js';
import { DEFAULT_OPERATION_LIMITS, type OperationStats } from '../../src/api/operations.js';
import { DEFAULT_SUBSCRIPTION } from '../../src/azure/index.js';
import { ARM_API_VERSION, ArmPaths } from '../../src/api/paths.js';
import { ApiClient } from '../../src/cli/client.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

const yaml = `
name: robust-operations
location: westeurope
resourceGroups:
  rg:
    virtualNetworks:
      vnet:
        addressPrefixes: [10.180.0.0/16]
        subnets:
          default: { addressPrefix: 10.180.0.0/24 }
    virtualMachines:
      vm1: { subnet: vnet/default, privateIPAddress: 10.180.0.4 }
`;

let t: TestLab;
let api: ApiServer;
let client: ApiClient;
const clock = new VirtualClock();

before(async () => {
  t = await startTestLab('robust-operations', yaml);
  api = new ApiServer(t.lab, { clock });
  const addr = await api.listen('127.0.0.1', 0);
  client = new ApiClient('127.0.0.1', addr.port, DEFAULT_SUBSCRIPTION, { token: api.token });
});
after(async () => {
  await api?.close();
  await t?.stop();
});

const effective = () =>
  client.arm(
    ArmPaths.effectiveRouteTable,
    { resourceGroupName: 'rg', networkInterfaceName: 'vm1VMNic' },
    { 'api-version': ARM_API_VERSION },
  );

/** One `show-effective-route-table` as az does it: POST, 202 + Location; the Location URL. */
async function post(): Promise<string> {
  const r = await client.request('POST', effective());
  assert.equal(r.status, 202);
  return String(r.headers['location']);
}

async function stats(): Promise<OperationStats> {
  return ((await client.call('GET', '/arslab/status')) as { api: { operations: OperationStats } }).api.operations;
}

test('a result stays readable after the 202, the same each time; unknown or foreign ids are 404 in ARM envelope', async () => {
  const loc = await post();
  const first = await client.request('GET', loc);
  const again = await client.request('GET', loc);
  assert.equal(first.status, 200);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, first.body);
  // The VNet's own range is one of the NIC's default routes (R-NIC-1).
  const rows = (first.body as { value: { addressPrefix: string[] }[] }).value;
  assert.ok(rows.some((r) => r.addressPrefix[0] === '10.180.0.0/16'));

  const unknown = loc.replace(/operationResults\/[^?]+/, 'operationResults/00000000-0000-0000-0000-000000000001');
  const u = await client.request('GET', unknown);
  assert.equal(u.status, 404);
  assert.equal((u.body as { error: { code: string } }).error.code, 'OperationNotFound');
  // RPC rule: an operation of another subscription does not exist there.
  const foreign = loc.replace(DEFAULT_SUBSCRIPTION, '11111111-1111-1111-1111-111111111111');
  assert.equal((await client.request('GET', foreign)).status, 404);
});

test('a show-effective-route-table loop leaves a bounded store: oldest evicted past the cap, read results expire', async () => {
  const { maxCount, readTtlMs } = DEFAULT_OPERATION_LIMITS;
  const n = maxCount + 300;
  const locations: string[] = [];
  for (let i = 0; i < n; i++) locations.push(await post());
  // The oldest unread result went first; the newest is still there.
  assert.equal((await client.request('GET', locations[0]!)).status, 404);
  assert.equal((await client.request('GET', locations[n - 1]!)).status, 200);
  const s = await stats();
  assert.ok(s.stored <= maxCount, `stored ${s.stored} > ${maxCount}`);
  assert.ok(s.evicted >= n - maxCount, `evicted ${s.evicted}`);

  // The loop as the CLI runs it (POST, then read the result once): once the read time has
  // passed, none of its results is held; only never-read ones of the burst above remain.
  for (let i = 0; i < 200; i++) await client.call('POST', effective());
  clock.advance(readTtlMs + 1);
  const left = (await stats()).stored;
  assert.ok(left <= maxCount - 200 - 1, `stored ${left}: read results were kept past their time`);
  clock.advance(DEFAULT_OPERATION_LIMITS.unreadTtlMs);
  const end = await stats();
  assert.equal(end.stored, 0);
  assert.equal(end.storedBytes, 0);
  assert.equal((await client.request('GET', locations[n - 1]!)).status, 404);
});
