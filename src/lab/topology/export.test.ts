import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePrefix } from '../../bgp/wire/index.js';
import {
  effectiveRoutes,
  hubOf,
  servedByHub,
  type AzureModel,
  type GatewayRoutesOf,
  type NetworkInterface,
} from '../../azure/index.js';
import { buildModel, seed000Model } from '../../../test/helpers/model.js';
import { seed001Model } from '../../../test/fixtures/seed001Lab.js';
import { routeServerLabYaml } from '../../../test/fixtures/routeServerLab.js';
import { EVERY_POLICY_FIELD, transitLab } from '../../../test/fixtures/routerPolicyLab.js';
import { DEFAULT_TIMING_SETTINGS, DEFAULT_LAB_SETTINGS, type LabSpec } from '../spec.js';
import { exportLab, labDifferences, type LabSnapshot } from './export.js';
import { loadLabFile, loadLabText } from './load.js';
import { FIXTURE_FILES, formatted, LAB_PATH, SEED_000_LAB, SEED_001_LAB } from './testFixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const SCENARIOS = join(ROOT, 'scenarios');

/**
 * The same synthetic BGP route offered to every hub (as if its route server or gateway had
 * learned it), so effective routes also show which NICs a hub programs: that depends on
 * peerings, gateway transit, useRemoteGateways and disableBgpRoutePropagation (R-ARS-8,
 * R-NIC-2), all of which an export must keep.
 */
function gatewayRoutes(m: AzureModel): GatewayRoutesOf {
  return (vnet) => {
    const hub = hubOf(m, vnet);
    if (!hub) return { routes: [], servedPrefixes: [], dropped: [] };
    return {
      routes: [
        {
          prefix: parsePrefix('192.0.2.0/24')!,
          nextHops: ['198.51.100.1'],
          paths: [],
          origin: 'route-server',
          asPathLength: 1,
        },
      ],
      servedPrefixes: servedByHub(m, hub).flatMap((v) => v.prefixes),
      dropped: [],
    };
  };
}

/** Every NIC's effective routes, by NIC id: the key output of a lab's model. */
function allEffectiveRoutes(m: AzureModel): Record<string, unknown> {
  const gw = gatewayRoutes(m);
  return Object.fromEntries(
    m.networkInterfaces.map((nic: NetworkInterface) => [nic.id, effectiveRoutes(m, nic, gw).value]),
  );
}

/**
 * The round trip: export `spec`, load what was written (as `up` does, from a file in
 * `folder` so relative node files resolve), and require the same lab: the model exactly
 * (resources in the same order), nodes, routers, settings, and every NIC's effective
 * routes. Then export again: the text must be the same (the export is canonical).
 */
function roundTrip(spec: LabSnapshot, folder: string, checkFile?: (p: string) => 'file' | 'missing'): string {
  const exported = exportLab(spec, { relativeTo: folder });
  assert.deepEqual(exported.differences, [], `export of ${spec.name} reports differences:\n${exported.text}`);
  const again = loadLabText(exported.text, join(folder, 'exported.yml'), checkFile ? { checkFile } : {});
  assert.ok(again.ok, again.ok ? '' : `${formatted(again.errors)}\n${exported.text}`);
  assert.deepStrictEqual(again.spec.model, spec.model, `model of ${spec.name}`);
  assert.deepStrictEqual(again.spec.nodes, spec.nodes, `nodes of ${spec.name}`);
  assert.deepStrictEqual(again.spec.routers, spec.routers, `routers of ${spec.name}`);
  assert.deepStrictEqual(again.spec.links ?? [], spec.links ?? [], `links of ${spec.name}`);
  // A lab built in code may leave timing unset; the loader fills in its default (ADR 0018).
  const settings = { timing: DEFAULT_TIMING_SETTINGS, ...spec.settings };
  assert.deepStrictEqual(again.spec.settings, settings, `settings of ${spec.name}`);
  assert.equal(again.spec.name, spec.name);
  assert.deepStrictEqual(allEffectiveRoutes(again.spec.model), allEffectiveRoutes(spec.model));
  assert.equal(exportLab(again.spec, { relativeTo: folder }).text, exported.text, 'a second export is the same text');
  return exported.text;
}

function scenarioFiles(): string[] {
  return readdirSync(SCENARIOS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(SCENARIOS, d.name))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(SCENARIOS, d.name, f)),
    )
    .sort();
}

test('export → load round-trips every scenario lab file that loads', async () => {
  const files = scenarioFiles();
  assert.ok(files.length >= 8, `found scenarios: ${files.join(', ')}`);
  let loaded = 0;
  for (const file of files) {
    const result = await loadLabFile(file);
    if (!result.ok) {
      // The one scenario written to be refused (R-ER-6); covered below with the fix it names.
      assert.match(file, /lab\.global-reach\.yml$/, `${file} does not load:\n${formatted(result.errors)}`);
      continue;
    }
    loaded++;
    const text = roundTrip(result.spec, dirname(file));
    // Node files under the lab's folder stay relative to it, as the scenarios write them.
    for (const n of result.spec.nodes)
      if ('config' in n) assert.ok(!text.includes(n.config), `${file}: ${n.config} written relative`);
  }
  assert.equal(loaded, files.length - 1);
});

test('export round-trips Global Reach (the onprem-transit variant with its second circuit at Tokyo2)', async () => {
  const file = join(SCENARIOS, 'onprem-transit', 'lab.global-reach.yml');
  const text = (await readFile(file, 'utf8')).replace(
    /(er-circuit-site2:[\s\S]*?peeringLocation:) Tokyo\b/,
    '$1 Tokyo2',
  );
  const result = loadLabText(text, file);
  assert.ok(result.ok, result.ok ? '' : formatted(result.errors));
  assert.equal(result.spec.model.expressRouteCircuits.flatMap((c) => c.globalReachConnections).length, 1);
  const exported = roundTrip(result.spec, dirname(file));
  assert.match(exported, /globalReachConnections:\n\s+site1-to-site2: \{ peerCircuit: er-circuit-site2,/);
});

test('export round-trips the seed labs the tests use (seed 000, seed 001, the route-server test lab)', () => {
  const checkFile = (p: string) => (FIXTURE_FILES.has(p) ? 'file' : 'missing');
  for (const text of [SEED_000_LAB, SEED_001_LAB]) {
    const result = loadLabText(text, LAB_PATH, { checkFile });
    assert.ok(result.ok, result.ok ? '' : formatted(result.errors));
    roundTrip(result.spec, dirname(LAB_PATH), checkFile);
  }
  const rsLab = routeServerLabYaml({
    name: 'export-rs',
    n: 226,
    client: true,
    spoke: true,
    peers: [
      { name: 'nva1', host: 4, asn: 65001 },
      { name: 'nva2', host: 5, asn: 65002 },
    ],
    nodes: '  nva1: { kind: speaker, vm: nva1, asn: 65001, routes: [{ prefix: 10.100.0.0/16 }] }\n',
  });
  const result = loadLabText(rsLab, LAB_PATH);
  assert.ok(result.ok, result.ok ? '' : formatted(result.errors));
  roundTrip(result.spec, dirname(LAB_PATH));
});

/** A lab that was never a file: a model built in code, as runtime changes will build one. */
function snapshot(name: string, model: AzureModel): LabSpec {
  return { name, file: '', settings: DEFAULT_LAB_SETTINGS, model, nodes: [], routers: [], warnings: [] };
}

test('export writes labs built in code, not from a file (seed 000 and seed 001 models), and they load back equal', () => {
  roundTrip(snapshot('seed000', seed000Model()), '/labs');
  roundTrip(snapshot('seed001', seed001Model({ n: 226, hub2: { branchToBranch: true, nva: true } })), '/labs');
});

test('derived values are written only where the file would not derive them', () => {
  // Seed 000's model: ws1 .4, ws2 .5, lt1 .6, watch1 .7, in that order in one subnet. Moved
  // lt1 to .20. A file without addresses gives them in order, lowest free first (Azure's
  // dynamic allocation): lt1 .6 is wrong, so lt1 is written; then lt1's .20 is taken first
  // and watch1 gets .6, wrong too, so watch1 is written; ws1 and ws2 still get .4 and .5.
  const base = seed000Model();
  const moved: AzureModel = {
    ...base,
    networkInterfaces: base.networkInterfaces.map((n) =>
      n.name === 'lt1VMNic'
        ? { ...n, ipConfigurations: n.ipConfigurations.map((c) => ({ ...c, privateIPAddress: '10.10.0.20' })) }
        : n,
    ),
  };
  const exported = exportLab(snapshot('moved', moved));
  assert.deepEqual(exported.differences, []);
  const line = (vm: string) => exported.text.split('\n').find((l) => l.startsWith(`      ${vm}: {`)) ?? '';
  assert.match(line('lt1'), /privateIPAddress: 10\.10\.0\.20\b/);
  assert.match(line('watch1'), /privateIPAddress: 10\.10\.0\.7\b/);
  assert.doesNotMatch(line('ws1'), /privateIPAddress/, 'ws1 is left to allocation');
  assert.doesNotMatch(line('ws2'), /privateIPAddress/, 'ws2 is left to allocation');
});

test('what a lab file cannot say is reported, path by path, not dropped', () => {
  const base = seed000Model();
  // A second IP configuration on a NIC (a lab file gives each VM one NIC with one address).
  const twoIps: AzureModel = {
    ...base,
    networkInterfaces: base.networkInterfaces.map((n) =>
      n.name === 'ws1VMNic'
        ? {
            ...n,
            ipConfigurations: [
              ...n.ipConfigurations,
              {
                name: 'ipconfig2',
                privateIPAddress: '10.10.0.40',
                subnet: n.ipConfigurations[0]!.subnet,
                primary: false,
              },
            ],
          }
        : n,
    ),
  };
  const exported = exportLab(snapshot('two-ips', twoIps));
  assert.ok(
    exported.differences.some((d) => /networkInterfaces.*ws1vmnic.*ipConfigurations/i.test(d)),
    exported.differences.join('\n'),
  );
});

test('labDifferences names the path of each difference and is empty for equal labs', () => {
  const m = buildModel({
    vnets: [{ name: 'v', prefixes: ['10.226.0.0/16'], subnets: [{ name: 's', prefix: '10.226.0.0/24' }] }],
  });
  const a = snapshot('a', m);
  assert.deepEqual(labDifferences(a, a), []);
  const b = snapshot('a', {
    ...m,
    virtualNetworks: m.virtualNetworks.map((v) => ({ ...v, addressPrefixes: ['10.226.0.0/15'] })),
  });
  const d = labDifferences(a, b);
  assert.equal(d.length, 1, d.join('\n'));
  assert.match(
    d[0]!,
    /model\.virtualNetworks\[.*\/virtualnetworks\/v\]\.addressPrefixes\[0\]: "10\.226\.0\.0\/16" → "10\.226\.0\.0\/15"/,
  );
});

test('export round-trips a built-in router with every policy field (import, export, AS-path rules, neighbours, ADR 0039)', () => {
  const loaded = loadLabText(transitLab(EVERY_POLICY_FIELD), LAB_PATH);
  assert.ok(loaded.ok, loaded.ok ? '' : formatted(loaded.errors));
  const onprem = loaded.spec.routers.find((r) => r.name === 'onprem')!;
  assert.equal(onprem.policy?.import?.length, 3, 'the import policy is in the spec');
  assert.equal(onprem.neighbors?.length, 3, 'the per-neighbour policies are in the spec');
  const text = roundTrip(loaded.spec, dirname(LAB_PATH));
  for (const field of [
    'import:',
    'export:',
    'removePrivateAs:',
    'asOverride:',
    'neighbors:',
    'largeCommunities:',
    'prepend:',
  ])
    assert.ok(text.includes(field), `the export writes ${field}`);
});
