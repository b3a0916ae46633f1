// Issue 13 item 1 (ADR 0028): every ARM path and operation name ARSLab serves is the public
// REST specification's, with a method the spec gives that path. The spec's path keys are
// vendored in test/fixtures/arm-spec/paths.json (spec file and commit per path; CI has no
// network). Paths ARSLab serves outside the spec are named in api/paths (ArmExtraPaths,
// IdentityPaths) and are checked to be only those.
// Addresses: 10.202.x as data (no BGP speaker: a VNet and a VM).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArmExtraPaths, ArmPaths, IdentityPaths, PagePaths } from '../../src/api/paths.js';
import { compileTemplate } from '../../src/api/router.js';
import { ApiServer } from '../../src/api/server.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { ROOT } from '../lab/labCli.js';

interface SpecPath {
  readonly file: string;
  readonly commit: string;
  readonly methods: readonly string[];
}
const spec = (
  JSON.parse(readFileSync(join(ROOT, 'test/fixtures/arm-spec/paths.json'), 'utf8')) as {
    paths: Record<string, SpecPath>;
  }
).paths;

let t: TestLab;
let api: ApiServer;

before(async () => {
  t = await startTestLab(
    'arm-spec',
    `
name: arm-spec
location: westeurope
resourceGroups:
  rg:
    virtualNetworks:
      vnet:
        addressPrefixes: [10.202.0.0/16]
        subnets:
          default: { addressPrefix: 10.202.0.0/24 }
    virtualMachines:
      vm1: { subnet: vnet/default, privateIPAddress: 10.202.0.4 }
`,
  );
  api = new ApiServer(t.lab);
});
after(async () => {
  await t?.stop();
});

const armLike = (template: string) => template.startsWith('/subscriptions') || template.startsWith('/tenants');
const extra = new Set<string>(Object.values(ArmExtraPaths));

test('every ARM route served is a path of the REST specification, with a method the spec gives it', () => {
  const served = api.routes().filter((r) => armLike(r.template) && !extra.has(r.template));
  assert.ok(served.length >= 30, `only ${served.length} ARM routes found`);
  const wrong = served
    .filter((r) => !spec[r.template]?.methods.includes(r.method))
    .map(
      (r) =>
        `${r.method} ${r.template}${spec[r.template] ? ` (spec: ${spec[r.template]!.methods.join(', ')})` : ' (not in the spec)'}`,
    );
  assert.deepEqual(wrong, []);
});

test('every path the CLI builds (api/paths ArmPaths) is a spec path', () => {
  const missing = Object.entries(ArmPaths)
    .filter(([, p]) => !spec[p])
    .map(([k]) => k);
  assert.deepEqual(missing, []);
});

test('the routes outside the spec are only the named ones: the operation Location, the old aliases, identity and metadata', () => {
  const outside = api
    .routes()
    .filter((r) => !r.template.startsWith('/arslab/') && !spec[r.template])
    .map((r) => r.template);
  const named = new Set<string>([
    ...Object.values(ArmExtraPaths),
    ...Object.values(IdentityPaths),
    ...Object.values(PagePaths),
  ]);
  assert.deepEqual(
    outside.filter((p) => !named.has(p)),
    [],
  );
  // The aliases are what they say: names the spec does not have. (This is why the SDK's
  // beginListLearnedRoutes got 404 before: ARSLab served only getLearnedRoutes.)
  assert.equal(spec[ArmExtraPaths.bgpConnectionGetLearnedRoutes], undefined);
  assert.ok(spec[ArmPaths.bgpConnectionLearnedRoutes]?.methods.includes('POST'));
});

test('a served template matches the concrete paths clients send, parameters by name, case-insensitively as ARM', () => {
  const re = compileTemplate(ArmPaths.bgpConnectionLearnedRoutes);
  const m = re.exec(
    '/subscriptions/s1/resourcegroups/My%20RG/providers/microsoft.network/virtualHubs/hub1/bgpConnections/nva1/learnedRoutes',
  );
  assert.deepEqual(
    { ...m?.groups },
    {
      subscriptionId: 's1',
      resourceGroupName: 'My%20RG',
      hubName: 'hub1',
      connectionName: 'nva1',
    },
  );
  assert.equal(
    re.exec(
      '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualHubs/hub1/bgpConnections/nva1/learnedRoutes/x',
    ),
    null,
  );
});
