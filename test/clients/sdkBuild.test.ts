// Issue 13, item 2: a lab built at run time through ARM by the official SDK, unchanged, from
// nothing — seed 000's environment (scenarios/next-hop-failover/lab.yml) — equals the lab
// built from the lab file.
//
// Two labs run side by side:
// - "sdk-built": a lab file with only `name` and `settings` (an empty lab: the issue's "lab
//   file with only settings"), then test/clients/sdkBuild.ts builds resource groups, the
//   VNet and its subnets, the route server (virtualHubs + ipConfigurations), the watcher
//   peering, the route table and its association, NICs (IP forwarding for ws1 and ws2) and
//   VMs, through @azure/arm-network with only what `arslab env` exports;
// - "file-built": seed 000's lab file with its nodes left out.
// watch1 (AS 65001) is not an Azure resource but a lab node; an empty lab has none, and the
// ARM API cannot make one. So watch1's part — the seed's ExaBGP, announcing the VIP
// 100.64.0.1/32 with ws1 10.10.0.4 as next hop (shared/seeds/000, docs/test-peers.md) — is an
// ExaBGP process this test runs for each lab, on the lab's loopback address for 10.10.0.7,
// with the same configuration; the comparison is then between the two labs' Azure sides only.
//
// Addresses: sdk-built lab 127.11.x, file-built lab 127.12.x (settings.loopbackAddresses),
// emulated 10.10.x as in the seed. BGP port 179 (root), one ExaBGP per lab.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isRoot, LabCli, ROOT, run } from '../lab/labCli.js';

const EXABGP = '/usr/sbin/exabgp';
const skip = !isRoot ? 'needs root (port 179)' : !existsSync(EXABGP) ? 'exabgp is not installed' : false;

const BOUND = ['10.10.1.4', '10.10.1.5', '10.10.0.4', '10.10.0.5', '10.10.0.6', '10.10.0.7'];
const loopback = (n: number) => BOUND.map((a) => `${a}: 127.${n}.${a.split('.').slice(2).join('.')}`).join(', ');

interface LabRun {
  readonly name: string;
  readonly n: number;
  readonly cli: LabCli;
  env: Record<string, string>;
  exabgp?: ChildProcess;
}
const sdkLab: LabRun = { name: 'sdk-built', n: 11, cli: new LabCli('crud-sdk'), env: {} };
const fileLab: LabRun = { name: 'next-hop-failover', n: 12, cli: new LabCli('crud-file'), env: {} };

/** watch1's ExaBGP for one lab: both route-server instances, the seed's VIP announcement. */
function startExabgp(l: LabRun): void {
  const dir = join(l.cli.stateDir, 'exabgp');
  mkdirSync(dir, { recursive: true });
  const neighbor = (i: number) => `
neighbor 127.${l.n}.1.${i} {
    router-id 10.10.0.7; local-address 127.${l.n}.0.7; local-as 65001; peer-as 65515;
    hold-time 30;
    family { ipv4 unicast; }
    static { route 100.64.0.1/32 next-hop 10.10.0.4; }
}`;
  writeFileSync(join(dir, 'exabgp.conf'), `${neighbor(4)}\n${neighbor(5)}\n`);
  l.exabgp = spawn('timeout', ['120', EXABGP, join(dir, 'exabgp.conf')], {
    env: {
      ...process.env,
      'exabgp.tcp.bind': `127.${l.n}.0.7`,
      'exabgp.tcp.port': '179',
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.drop': 'false',
      'exabgp.log.destination': join(dir, 'exabgp.log'),
      'exabgp.api.cli': 'false',
    },
    stdio: 'ignore',
  });
}

async function up(l: LabRun, file: string): Promise<void> {
  await l.cli.ok(['up', file, '--detach'], 90_000);
  l.cli.record(l.name);
  l.env = await l.cli.json<Record<string, string>>(['env']);
}

type Row = { addressPrefix: string[]; source: string; state: string; nextHopType: string; nextHopIpAddress: string[] };
interface Learned {
  network: string;
  nextHop: string;
  sourcePeer: string;
  asPath: string;
}
/** What test/clients/sdkBuild.ts prints (the SDK's objects, as JSON); each mode fills its part. */
interface SdkOut {
  hub: { virtualRouterAsn: number; virtualRouterIps: string[] };
  nics: {
    name: string;
    enableIPForwarding: boolean;
    ipConfigurations: { privateIPAddress: string }[];
    virtualMachine?: { id: string };
  }[];
  learned: Record<string, Learned[]>;
  effective: { value: Row[] };
  nextHop: { nextHopIpAddress: string; nextHopType: string };
  withRoute: Row[];
  noPropagation: Row[];
  peeringsAfterDelete: string[];
  withoutPeering: Row[];
  peeringAgain: Row[];
  refused: unknown;
  hubsAfterDelete: string[];
  ws1AfterDelete: Row[];
}

/** The SDK script, as its own process with only `arslab env`'s exports. */
async function sdk(l: LabRun, mode: 'build' | 'read' | 'change'): Promise<SdkOut> {
  const r = await run([process.execPath, join(ROOT, 'dist/test/clients/sdkBuild.js'), mode], {
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      ARSLAB_ARM_ENDPOINT: l.env['ARSLAB_ARM_ENDPOINT'],
      NODE_EXTRA_CA_CERTS: l.env['NODE_EXTRA_CA_CERTS'],
      IDENTITY_ENDPOINT: l.env['IDENTITY_ENDPOINT'],
      IDENTITY_HEADER: l.env['IDENTITY_HEADER'],
    },
    timeoutMs: 90_000,
  });
  assert.equal(r.code, 0, `sdk ${mode} failed:\n${r.stderr}${l.cli.logTail()}`);
  return JSON.parse(r.stdout) as SdkOut;
}

before(async () => {
  if (skip) return;
  // The empty lab: only a name and settings (its loopback addresses, away from other tests).
  const emptyDir = join(sdkLab.cli.stateDir, 'lab');
  mkdirSync(emptyDir);
  const emptyFile = join(emptyDir, 'lab.yml');
  writeFileSync(emptyFile, `name: ${sdkLab.name}\nsettings:\n  loopbackAddresses: { ${loopback(sdkLab.n)} }\n`);
  // Seed 000's lab file without its nodes (watch1's part is the test's ExaBGP, see above).
  const fileDir = join(fileLab.cli.stateDir, 'lab');
  mkdirSync(fileDir);
  const text = readFileSync(join(ROOT, 'scenarios/next-hop-failover/lab.yml'), 'utf8');
  const withoutNodes = text.slice(0, text.indexOf('\nnodes:\n') + 1);
  const fileFile = join(fileDir, 'lab.yml');
  writeFileSync(
    fileFile,
    withoutNodes.replace(
      /^location: uksouth$/m,
      `location: uksouth\nsettings:\n  loopbackAddresses: { ${loopback(fileLab.n)} }`,
    ),
  );
  await Promise.all([up(sdkLab, emptyFile), up(fileLab, fileFile)]);
  startExabgp(sdkLab);
  startExabgp(fileLab);
});

after(async () => {
  for (const l of [sdkLab, fileLab]) {
    if (l.exabgp?.pid) {
      try {
        process.kill(l.exabgp.pid, 'SIGTERM');
      } catch {}
    }
    await l.cli.arslab(['down'], 30_000).catch(() => undefined);
    await l.cli.cleanup([l.name]);
  }
});

const vipRows = (rows: Row[]) =>
  rows
    .filter((r) => r.addressPrefix[0] === '100.64.0.1/32')
    .map((r) => `${r.source} ${r.state} ${r.nextHopType} ${r.nextHopIpAddress.join(',')}`)
    .sort();

test('arslab up of a lab file with only name and settings starts an empty lab whose API answers', {
  skip,
}, async () => {
  const status = await sdkLab.cli.json<{ routeServers?: unknown[] }>(['status']).catch(() => undefined);
  assert.ok(status, 'status answers');
  const exported = parse(await sdkLab.cli.ok(['export'])) as Record<string, unknown>;
  // Nothing built yet (this test runs before the build below: node:test runs tests in order).
  assert.deepEqual(exported['resourceGroups'], {});
});

test('the SDK builds seed 000 from an empty lab: learned routes, effective routes and next hop equal the file-built lab', {
  skip,
  timeout: 240_000,
}, async () => {
  const built = await sdk(sdkLab, 'build');
  const file = await sdk(fileLab, 'read');

  // The route server came up from its two requests: ASN 65515 and the 4th and 5th addresses
  // of RouteServerSubnet 10.10.1.0/24 (R-ARS-1).
  assert.equal(built['hub'].virtualRouterAsn, 65515);
  assert.deepEqual(built['hub'].virtualRouterIps, ['10.10.1.4', '10.10.1.5']);
  assert.deepEqual(
    built.nics.map((n) => [
      n.name,
      n.ipConfigurations[0].privateIPAddress,
      n.enableIPForwarding,
      n.virtualMachine?.id.split('/').pop(),
    ]),
    [
      ['ws1VMNic', '10.10.0.4', true, 'ws1'],
      ['ws2VMNic', '10.10.0.5', true, 'ws2'],
      ['lt1VMNic', '10.10.0.6', false, 'lt1'],
      ['watch1VMNic', '10.10.0.7', false, 'watch1'],
    ],
  );
  // The instances accepted watch1 (R-ARS-3): the VIP learned on both, AS path 65001, ws1 next hop.
  for (const inst of ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1']) {
    assert.deepEqual(
      built.learned[inst]!.map((x) => [x.network, x.nextHop, x.sourcePeer, x.asPath]),
      [['100.64.0.1/32', '10.10.0.4', '10.10.0.7', '65001']],
      inst,
    );
  }
  // The same questions, the same answers, as the lab built from the file.
  assert.deepEqual(built['learned'], file['learned']);
  assert.deepEqual(built['effective'].value, file['effective'].value);
  assert.deepEqual(built['nextHop'], file['nextHop']);
  // R-ARS-8: the VIP programmed into lt1's NIC by the route server, through ws1.
  assert.deepEqual(vipRows(built['effective'].value), ['VirtualNetworkGateway Active VirtualNetworkGateway 10.10.0.4']);
  assert.equal(built['nextHop'].nextHopIpAddress, '10.10.0.4');

  // arslab export of both: the same lab file but for the name and the loopback addresses.
  const a = parse(await sdkLab.cli.ok(['export'])) as Record<string, unknown>;
  const b = parse(await fileLab.cli.ok(['export'])) as Record<string, unknown>;
  for (const x of [a, b]) {
    delete x['name'];
    delete x['settings'];
  }
  assert.deepEqual(a, b);
});

test('the SDK changes a route, the table’s propagation and the peering, then deletes; the lab follows', {
  skip,
  timeout: 120_000,
}, async () => {
  const o = await sdk(sdkLab, 'change');
  // R-NIC-3/R-NIC-4: a user route for the VIP wins; the route server's becomes Invalid.
  assert.deepEqual(vipRows(o['withRoute']), [
    'User Active VirtualAppliance 10.10.0.5',
    'VirtualNetworkGateway Invalid VirtualNetworkGateway 10.10.0.4',
  ]);
  // disableBgpRoutePropagation: the subnet's NICs get no gateway routes (R-NIC-2).
  assert.deepEqual(vipRows(o['noPropagation']), []);
  // The peering deleted: its sessions closed, the VIP withdrawn from the NICs; made again: back.
  assert.deepEqual(o['peeringsAfterDelete'], []);
  assert.deepEqual(vipRows(o['withoutPeering']), []);
  assert.deepEqual(vipRows(o['peeringAgain']), ['VirtualNetworkGateway Active VirtualNetworkGateway 10.10.0.4']);
  // Azure's code for a reserved peer ASN (R-ARS-3).
  assert.deepEqual(o['refused'], { code: 'BgpPeerAsnIsReserved', statusCode: 400 });
  // The route server deleted: gone from the list, and no gateway route left in ws1's NIC.
  assert.deepEqual(o['hubsAfterDelete'], []);
  assert.deepEqual(vipRows(o['ws1AfterDelete']), []);
  const status = await sdkLab.cli.ok(['status']);
  assert.doesNotMatch(status, /RouteServiceRole_IN_0/, 'no route-server instance left running');
  const exported = parse(await sdkLab.cli.ok(['export'])) as {
    resourceGroups: Record<string, { virtualMachines: Record<string, unknown> }>;
  };
  assert.deepEqual(Object.keys(exported.resourceGroups['next-hop-ip-vm-rg']!.virtualMachines).sort(), [
    'watch1',
    'ws1',
    'ws2',
  ]);
});
