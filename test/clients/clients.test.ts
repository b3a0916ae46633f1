// Issue 13, items 1 and 5: real Azure clients against a lab, the way a user points them at
// one. Seed 000's lab (scenarios/next-hop-failover/lab.yml: a route server peered with the
// agent on watch1, which announces the VIP 100.64.0.1/32 with ws1 10.10.0.4 as next hop
// while ws1 answers) is started with `arslab up --detach --api-port N`; `arslab env` gives the
// exports; then:
// - the API's HTTPS is checked with Node's own TLS client (the CA verifies it, nothing else
//   does), the identity endpoint's guard and the anonymous metadata endpoint;
// - test/clients/sdkClient.ts — @azure/arm-network 36 and @azure/identity 4.13, unchanged —
//   runs as its own process with only the endpoint, the CA file and the identity endpoint,
//   and what it reads is compared with the seed's expected routes and with arslab's own
//   output for the same question.
// Addresses: 127.201.x (seed 000's 10.10.x moved, test/clients/seed000Lab.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import { join } from 'node:path';
import { LabCli, ROOT, run } from '../lab/labCli.js';
import { waitFor } from '../helpers/waitFor.js';
import { writeSeed000Lab } from './seed000Lab.js';

const LAB = 'next-hop-failover';
const cli = new LabCli('clients-sdk');
let port = 0;
let env: Record<string, string> = {};

/** A port nobody listens on now (the kernel's choice), for `--api-port`. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

interface LearnedRoute {
  network: string;
  nextHop: string;
  sourcePeer: string;
  asPath: string;
}

const learned = () =>
  cli.json<Record<string, LearnedRoute[]>>([
    'network',
    'routeserver',
    'peering',
    'list-learned-routes',
    '-g',
    'next-hop-ip-rg',
    '--routeserver',
    'next-hop-ip-routeserver',
    '-n',
    'watcher',
  ]);

/** lt1VMNic's effective routes as arslab answers them (seed 000's `az network nic show-effective-route-table`). */
const lt1Routes = () =>
  cli.json<{ value: EffectiveRow[] }>([
    'network',
    'nic',
    'show-effective-route-table',
    '-g',
    'next-hop-ip-vm-rg',
    '-n',
    'lt1VMNic',
  ]);

before(async () => {
  const dir = join(cli.stateDir, 'lab');
  mkdirSync(dir);
  const file = writeSeed000Lab(dir, 201);
  port = await freePort();
  await cli.ok(['up', file, '--detach', '--api-port', String(port)], 90_000);
  cli.record(LAB);
  // The agent announces the VIP once ws1 passed `rise` (3) checks 200 ms apart.
  await waitFor(
    'the watcher VIP learned by both route-server instances',
    async () => {
      const l = await learned();
      return ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'].every((i) =>
        l[i]?.some((r) => r.network === '100.64.0.1/32'),
      );
    },
    { timeoutMs: 30_000, intervalMs: 300 },
  );
  env = await cli.json<Record<string, string>>(['env']);
});

after(async () => {
  await cli.arslab(['down'], 30_000).catch(() => undefined);
  await cli.cleanup([LAB]);
});

function get(
  path: string,
  opts: { ca?: Buffer; host?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: opts.host ?? '127.0.0.1',
        port,
        path,
        headers: opts.headers ?? {},
        ...(opts.ca ? { ca: opts.ca } : {}),
        // Name check as a client does it: against the host it dialled.
        servername: opts.host === 'localhost' ? 'localhost' : undefined,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
  });
}

test('`up --api-port` serves HTTPS verified by the machine CA, plain HTTP beside it; `arslab env` names what clients read', async () => {
  assert.equal(env['ARSLAB_ARM_ENDPOINT'], `https://127.0.0.1:${port}`);
  const caFile = env['REQUESTS_CA_BUNDLE']!;
  assert.equal(env['NODE_EXTRA_CA_CERTS'], caFile);
  assert.equal(caFile, join(cli.stateDir, '.tls', 'ca.pem'));
  // The CA's key and the server's key are the owner's only.
  for (const key of ['ca.key', 'server.key'])
    assert.equal(statSync(join(cli.stateDir, '.tls', key)).mode & 0o777, 0o600, key);
  assert.equal(env['IDENTITY_ENDPOINT'], `https://127.0.0.1:${port}/metadata/identity/oauth2/token`);
  assert.equal(env['MSI_ENDPOINT'], env['IDENTITY_ENDPOINT']);
  assert.ok((env['IDENTITY_HEADER'] ?? '').length >= 32, 'a secret of at least 192 bits');
  assert.equal(env['MSI_SECRET'], env['IDENTITY_HEADER']);

  const status = await cli.json<{ api: { url: string; endpoint: string; caFile: string } }>(['status']);
  assert.equal(status.api.endpoint, `https://127.0.0.1:${port}`);
  assert.equal(status.api.url, `http://127.0.0.1:${port}`);
  assert.equal(status.api.caFile, caFile);

  const ca = readFileSync(caFile);
  // Without the CA, Node's verifier refuses the certificate: it is not a public one.
  await assert.rejects(get('/metadata/endpoints'), /self[- ]signed|unable to (get|verify)/i);
  // With it, both names the certificate covers verify.
  for (const host of ['127.0.0.1', 'localhost']) {
    const r = await get('/metadata/endpoints?api-version=2015-01-01', { ca, host });
    assert.equal(r.status, 200, host);
    // az cloud register reads these two (msrestazure _populate_from_metadata_endpoint).
    const m = JSON.parse(r.body) as { authentication: { loginEndpoint: string; audiences: string[] } };
    assert.ok(m.authentication.audiences.length > 0 && typeof m.authentication.loginEndpoint === 'string');
  }
  // Anything else over HTTPS needs the token, as over HTTP.
  assert.equal((await get('/subscriptions', { ca })).status, 401);
});

test('the identity endpoint hands out the lab token only to a caller showing the identity secret', async () => {
  const ca = readFileSync(env['REQUESTS_CA_BUNDLE']!);
  const path =
    '/metadata/identity/oauth2/token?resource=https%3A%2F%2Fmanagement.core.windows.net%2F&api-version=2019-08-01';
  const none = await get(path, { ca });
  assert.equal(none.status, 401);
  assert.equal((JSON.parse(none.body) as { error: { code: string } }).error.code, 'IdentitySecretMissing');
  const wrong = await get(path, { ca, headers: { 'X-IDENTITY-HEADER': 'not-the-secret' } });
  assert.equal(wrong.status, 403);
  assert.ok(!wrong.body.includes('access_token'));
  // The ARM token is never an identity secret either.
  const token = (await cli.ok(['token'])).trim();
  assert.equal((await get(path, { ca, headers: { 'X-IDENTITY-HEADER': token } })).status, 403);
  // App Service's two header names (2019-08-01 X-IDENTITY-HEADER, 2017-09-01 secret).
  for (const h of ['X-IDENTITY-HEADER', 'secret']) {
    const ok = await get(path, { ca, headers: { [h]: env['IDENTITY_HEADER']! } });
    assert.equal(ok.status, 200, h);
    const t = JSON.parse(ok.body) as { access_token: string; token_type: string; expires_on: string };
    assert.equal(t.access_token, token);
    assert.equal(t.token_type, 'Bearer');
    assert.ok(Number(t.expires_on) > Date.now() / 1000, 'expires_on in epoch seconds, in the future');
  }
});

interface SdkOutput {
  subscriptionId: string;
  hub: { name: string; kind: string; virtualRouterAsn: number; virtualRouterIps: string[] };
  connections: { name: string; peerIp: string; peerAsn: number; connectionState: string }[];
  learned: Record<string, LearnedRoute[]>;
  advertised: Record<string, { network: string; nextHop: string; asPath: string }[]>;
  effective: { value: EffectiveRow[] };
  nextHop: { nextHopType: string; nextHopIpAddress: string };
  created: { name: string; addressPrefix: string; nextHopType: string; nextHopIpAddress: string };
  effectiveWithRoute: { value: EffectiveRow[] };
  routesAfterDelete: unknown[];
  effectiveAfterDelete: { value: EffectiveRow[] };
}
interface EffectiveRow {
  source: string;
  state: string;
  addressPrefix: string[];
  nextHopIpAddress: string[];
  nextHopType: string;
}

const vipRows = (rows: { value: EffectiveRow[] }) =>
  rows.value
    .filter((r) => r.addressPrefix[0] === '100.64.0.1/32')
    .map((r) => `${r.source} ${r.state} ${r.nextHopType} ${r.nextHopIpAddress.join(',')}`)
    .sort();

test('the official SDK, given only the endpoint, CA file and identity endpoint, reads seed 000 as arslab does, and changes a route', async () => {
  // Only what `arslab env` exports and a shell's basics: no ARSLAB_STATE_DIR, no token.
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    ARSLAB_ARM_ENDPOINT: env['ARSLAB_ARM_ENDPOINT'],
    NODE_EXTRA_CA_CERTS: env['NODE_EXTRA_CA_CERTS'],
    IDENTITY_ENDPOINT: env['IDENTITY_ENDPOINT'],
    IDENTITY_HEADER: env['IDENTITY_HEADER'],
  };
  const r = await run([process.execPath, join(ROOT, 'dist/test/clients/sdkClient.js')], {
    env: childEnv,
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, `sdk client failed:\n${r.stderr}${cli.logTail()}`);
  const o = JSON.parse(r.stdout) as SdkOutput;

  // The route server as the seed's lab file makes it: Azure's ASN 65515 (R-ARS-1), two
  // instances at the first usable addresses of RouteServerSubnet 10.10.1.0/24.
  assert.equal(o.hub.name, 'next-hop-ip-routeserver');
  assert.equal(o.hub.kind, 'RouteServer');
  assert.equal(o.hub.virtualRouterAsn, 65515);
  assert.deepEqual(o.hub.virtualRouterIps, ['10.10.1.4', '10.10.1.5']);
  assert.deepEqual(
    o.connections.map((c) => [c.name, c.peerIp, c.peerAsn, c.connectionState]),
    [['watcher', '10.10.0.7', 65001, 'Connected']],
  );

  // learnedRoutes (POST …/bgpConnections/watcher/learnedRoutes, 202 then Location): the VIP
  // from watch1 (AS 65001) with ws1 as next hop, on both instances.
  for (const inst of ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1']) {
    assert.deepEqual(
      o.learned[inst]?.map((x) => [x.network, x.nextHop, x.sourcePeer, x.asPath]),
      [['100.64.0.1/32', '10.10.0.4', '10.10.0.7', '65001']],
      inst,
    );
  }
  // advertisedRoutes: the route server sends the VNet's range with itself as next hop (R-ARS-9).
  assert.ok(o.advertised['RouteServiceRole_IN_0']?.some((x) => x.network === '10.10.0.0/16' && x.asPath === '65515'));
  assert.deepEqual(o.learned, await learned(), 'the SDK reads what arslab reads');

  // Effective routes equal arslab's own answer to the same question, row for row.
  assert.deepEqual(o.effective.value, (await lt1Routes()).value);
  // The VIP through ws1, programmed by the route server (R-ARS-8).
  assert.deepEqual(vipRows(o.effective), ['VirtualNetworkGateway Active VirtualNetworkGateway 10.10.0.4']);
  // Next hop from lt1 to the VIP: ws1.
  assert.equal(o.nextHop.nextHopIpAddress, '10.10.0.4');
  assert.equal(o.nextHop.nextHopType, 'VirtualNetworkGateway');

  // routes.beginCreateOrUpdateAndWait: a user route for the VIP through ws2 on the default
  // subnet's table; a user route beats a BGP route of the same prefix (R-NIC-3: User >
  // BGP > system), so the BGP row turns Invalid. Deleting it brings the BGP row back.
  assert.deepEqual(
    [o.created.name, o.created.addressPrefix, o.created.nextHopType, o.created.nextHopIpAddress],
    ['vip-via-ws2', '100.64.0.1/32', 'VirtualAppliance', '10.10.0.5'],
  );
  assert.deepEqual(vipRows(o.effectiveWithRoute), [
    'User Active VirtualAppliance 10.10.0.5',
    'VirtualNetworkGateway Invalid VirtualNetworkGateway 10.10.0.4',
  ]);
  assert.deepEqual(o.routesAfterDelete, []);
  assert.deepEqual(vipRows(o.effectiveAfterDelete), ['VirtualNetworkGateway Active VirtualNetworkGateway 10.10.0.4']);
});

test('the names ARSLab served before the spec (getLearnedRoutes, getAdvertisedRoutes) still answer, the same as the spec names', async () => {
  const token = (await cli.ok(['token'])).trim();
  const base = `http://127.0.0.1:${port}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/next-hop-ip-rg/providers/Microsoft.Network/virtualHubs/next-hop-ip-routeserver/bgpConnections/watcher`;
  const follow = async (op: string) => {
    const r = await fetch(`${base}/${op}?api-version=2024-05-01`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(r.status, 202, op);
    assert.equal(r.headers.get('azure-asyncoperation'), null, 'Location only (ADR 0027)');
    assert.equal(r.headers.get('retry-after'), '0');
    const loc = r.headers.get('location')!;
    assert.match(loc, /^http:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/operationResults\//);
    const res = await fetch(loc, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    return res.json();
  };
  assert.deepEqual(await follow('getLearnedRoutes'), await follow('learnedRoutes'));
  assert.deepEqual(await follow('getAdvertisedRoutes'), await follow('advertisedRoutes'));
});

// ---------------------------------------------------------------------------
// Debian's az (2.45, `apt-get install azure-cli`; scripts/setup installs it). Its
// `az network …` commands crash in every cloud profile before sending a request (the
// package ships azure-mgmt-network's models for each API version but operations for none:
// docs/azure-clients.md), so what az can do with a lab is what it does with any cloud:
// register it, log in with the managed identity, and `az rest`.

const AZ = '/usr/bin/az';
const noAz = existsSync(AZ) ? false : "Debian's azure-cli is not installed (scripts/setup installs it)";
const SUB = '00000000-0000-0000-0000-000000000000';
const RS = `/subscriptions/${SUB}/resourceGroups/next-hop-ip-rg/providers/Microsoft.Network/virtualHubs/next-hop-ip-routeserver`;

/** `az ARGS…` with the lab's exports and a private configuration folder; must succeed. */
async function az(args: readonly string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  const r = await run([AZ, ...args], {
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      AZURE_CONFIG_DIR: join(cli.stateDir, 'az'),
      AZURE_CORE_COLLECT_TELEMETRY: 'no',
      AZURE_CORE_NO_COLOR: 'true',
      AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
      ...env,
    },
    timeoutMs,
  });
  assert.equal(r.code, 0, `az ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * An ARM long-running POST the way az users run one: `az rest` sends it and prints the 202's
 * empty body (az rest does not poll), the Location is in `--debug`'s response headers, and
 * a second `az rest` reads the result there.
 */
async function azRestOperation(path: string): Promise<unknown> {
  const post = await az([
    'rest',
    '--method',
    'post',
    '--url',
    `${env['ARSLAB_ARM_ENDPOINT']}${path}?api-version=2024-05-01`,
    '--debug',
  ]);
  const loc = /'Location': '([^']+)'/.exec(post.stderr)?.[1];
  assert.ok(loc, `no Location in az's debug output:\n${post.stderr.slice(-2000)}`);
  return JSON.parse((await az(['rest', '--method', 'get', '--url', loc])).stdout);
}

test('az: `cloud register` with only the resource-manager endpoint, `login --identity`, `account show`', {
  skip: noAz,
}, async () => {
  // az reads the rest of the cloud from {endpoint}/metadata/endpoints (without a token).
  await az(['cloud', 'register', '-n', 'arslab', '--endpoint-resource-manager', `${env['ARSLAB_ARM_ENDPOINT']}/`]);
  await az(['cloud', 'set', '-n', 'arslab']);
  // msrestazure asks MSI_ENDPOINT with MSI_SECRET (App Service, 2017-09-01), decodes the
  // token for its tenant, then lists GET /subscriptions.
  const login = JSON.parse((await az(['login', '--identity'])).stdout) as {
    id: string;
    tenantId: string;
    environmentName: string;
    user: { assignedIdentityInfo: string; type: string };
  }[];
  assert.deepEqual(
    login.map((s) => [s.id, s.tenantId, s.environmentName, s.user.assignedIdentityInfo, s.user.type]),
    [[SUB, SUB, 'arslab', 'MSI', 'servicePrincipal']],
  );
  const account = JSON.parse((await az(['account', 'show'])).stdout) as { id: string; name: string; state: string };
  assert.deepEqual([account.id, account.name, account.state], [SUB, 'arslab next-hop-failover', 'Enabled']);
});

test('az rest: learned routes and effective routes, the same as arslab answers; the route server and its peerings', {
  skip: noAz,
}, async () => {
  // Logged in by the test above (same configuration folder).
  assert.deepEqual(await azRestOperation(`${RS}/bgpConnections/watcher/learnedRoutes`), await learned());
  const mine = await lt1Routes();
  const nic = `/subscriptions/${SUB}/resourceGroups/next-hop-ip-vm-rg/providers/Microsoft.Network/networkInterfaces/lt1VMNic`;
  assert.deepEqual(await azRestOperation(`${nic}/effectiveRouteTable`), mine);
  // What `az network routeserver show` and `… peering list` would print, through az rest.
  const show = JSON.parse(
    (await az(['rest', '--url', `${env['ARSLAB_ARM_ENDPOINT']}${RS}?api-version=2024-05-01`])).stdout,
  ) as {
    kind: string;
    properties: { virtualRouterIps: string[] };
  };
  assert.equal(show.kind, 'RouteServer');
  assert.deepEqual(show.properties.virtualRouterIps, ['10.10.1.4', '10.10.1.5']);
  const peerings = JSON.parse(
    (await az(['rest', '--url', `${env['ARSLAB_ARM_ENDPOINT']}${RS}/bgpConnections?api-version=2024-05-01`])).stdout,
  ) as { value: { name: string; properties: { peerIp: string; peerAsn: number } }[] };
  assert.deepEqual(
    peerings.value.map((p) => [p.name, p.properties.peerIp, p.properties.peerAsn]),
    [['watcher', '10.10.0.7', 65001]],
  );
});
