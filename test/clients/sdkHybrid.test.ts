// Issue 13, items 2 and 4: the hybrid part of a hub built at run time by the official SDK
// (@azure/arm-network, unchanged; test/clients/sdkHybrid.ts as its own process with only
// `arslab env`'s exports) — route server, ExpressRoute and VPN gateways, their connections,
// a static site, a circuit with its private peering and Global Reach — equals the same design
// loaded from a lab file (the models the two files load to), and follows a routingWeight
// change and a deleted connection through the SDK's own calls.
//
// Expected values from Microsoft's documented rules (shared/azure-routing.md):
// - R-ER-3 ("Optimize ExpressRoute routing"): for one prefix from two circuits the
//   connection with the higher routing weight wins: 192.168.0.0/16, which both circuits'
//   routers announce with equal AS paths, goes to c2 (weight 100 against 0), then to c1 once
//   er1-c1 weighs 200;
// - R-ER-4: ExpressRoute routes point at the circuit's MSEE addresses (the file gives them:
//   c1 10.2.101.35/.36, c2 10.2.101.45/.46);
// - a deleted connection's routes leave the NICs: 172.16.1.0/24, which only c1 offers.
//
// Addresses: the lab process binds the route server's 127.101.0.4/.5 (emulated 10.101.x);
// 10.2.101.x are in-process MSEEs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLabText } from '../../src/lab/topology/index.js';
import { hybridHubFull, hybridHubSmall } from '../fixtures/hybridHubLab.js';
import { LabCli, ROOT, run } from '../lab/labCli.js';

const N = 101;
const cli = new LabCli('arm-verbs-sdk');
const LAB = `hybrid-hub-${N}`;
let env: Record<string, string> = {};

type Row = { addressPrefix: string[]; nextHopType: string; nextHopIpAddress: string[] };
interface SdkOut {
  effective: Row[];
  gateways: { name: string; gatewayType: string; activeActive: boolean }[];
  globalReach: { addressPrefix: string };
  weighted: Row[];
  deleted: Row[];
  connections: string[];
}

async function sdk(mode: 'build' | 'change'): Promise<SdkOut> {
  const r = await run([process.execPath, join(ROOT, 'dist/test/clients/sdkHybrid.js'), mode, 'rg'], {
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      ARSLAB_ARM_ENDPOINT: env['ARSLAB_ARM_ENDPOINT'],
      NODE_EXTRA_CA_CERTS: env['NODE_EXTRA_CA_CERTS'],
      IDENTITY_ENDPOINT: env['IDENTITY_ENDPOINT'],
      IDENTITY_HEADER: env['IDENTITY_HEADER'],
    },
    timeoutMs: 90_000,
  });
  assert.equal(r.code, 0, `sdk ${mode} failed:\n${r.stderr}${cli.logTail()}`);
  return JSON.parse(r.stdout) as SdkOut;
}

before(async () => {
  const dir = join(cli.stateDir, 'lab');
  mkdirSync(dir);
  const file = join(dir, 'lab.yml');
  writeFileSync(file, hybridHubSmall(N));
  await cli.ok(['up', file, '--detach'], 90_000);
  cli.record(LAB);
  env = await cli.json<Record<string, string>>(['env']);
});

after(async () => {
  await cli.arslab(['down'], 30_000).catch(() => undefined);
  await cli.cleanup([LAB]);
});

const row = (rows: Row[], prefix: string) => rows.find((r) => r.addressPrefix.includes(prefix));
const via = (rows: Row[], prefix: string, msee: readonly string[]) => {
  const r = row(rows, prefix);
  return !!r && r.nextHopType === 'VirtualNetworkGateway' && r.nextHopIpAddress.every((h) => msee.includes(h));
};
const C1 = [`10.2.${N}.35`, `10.2.${N}.36`];
const C2 = [`10.2.${N}.45`, `10.2.${N}.46`];

test('the SDK builds the hybrid hub at run time: the lab equals the lab file, and routingWeight and a deleted connection follow', {
  timeout: 180_000,
}, async () => {
  const built = await sdk('build');
  assert.deepEqual(
    built.gateways.map((g) => [g.name, g.gatewayType, g.activeActive]),
    [
      ['er1', 'ExpressRoute', true],
      ['vpn1', 'Vpn', true],
    ],
  );
  assert.equal(built.globalReach.addressPrefix, '192.0.2.0/29');
  // The SDK's answers come after the change is applied; the routes converge in process at once.
  assert.ok(via(built.effective, '192.168.0.0/16', C2), JSON.stringify(row(built.effective, '192.168.0.0/16')));
  for (const p of ['172.16.1.0/24', '172.16.2.0/24', '10.120.0.0/16', '10.130.0.0/16'])
    assert.equal(row(built.effective, p)?.nextHopType, 'VirtualNetworkGateway', p);

  // The same design in a lab file loads to the model the SDK-built lab exports.
  const exported = await cli.ok(['export']);
  const fromExport = loadLabText(exported, join(cli.stateDir, 'export.yml'));
  const fromFile = loadLabText(hybridHubFull(N), join(cli.stateDir, 'full.yml'));
  assert.ok(fromExport.ok && fromFile.ok, 'both load');
  if (fromExport.ok && fromFile.ok) assert.deepStrictEqual(fromExport.spec.model, fromFile.spec.model);

  const changed = await sdk('change');
  assert.ok(via(changed.weighted, '192.168.0.0/16', C1), JSON.stringify(row(changed.weighted, '192.168.0.0/16')));
  assert.equal(row(changed.deleted, '172.16.1.0/24'), undefined, "c1's own route left with its connection");
  assert.ok(via(changed.deleted, '192.168.0.0/16', C2));
  assert.deepEqual(changed.connections.sort(), ['er1-c2', 'vpn1-site1', 'vpn1-site2']);
});
