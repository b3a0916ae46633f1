// Issue 8, finding 6: the lab's API took any request — no credential, a foreign Origin, a
// text/plain "simple" POST, any Host, a 100 MB body, fields of the wrong type (500). ADR 0010:
// the lab's token as `Authorization: Bearer` (or the web page's session cookie), the lab's own
// Host and Origin only, JSON bodies only, at most ARM's 4 MB. Each refusal here is a raw HTTP
// request as curl would send it, answered with a clear 4xx in ARM's error envelope, and
// changes nothing: the model is the same after it, shutdown is not called. Codes are ARM's
// where ARM has the case (AuthenticationFailed, InvalidAuthenticationToken,
// UnsupportedMediaType, RequestContentTooLarge — their wording in src/azure/errors.ts).
// Addresses: 10.181.0.0/16 and 10.182.0.0/16 (127.181-182.x in loopback mode).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { ApiServer } from '../../src/api/server.js';
import { DEFAULT_SUBSCRIPTION } from '../../src/azure/index.js';
import { ApiClient } from '../../src/cli/client.js';
import { runCli } from '../helpers/inProcessCli.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

const yaml = `
name: robust-security
location: westeurope
resourceGroups:
  rg:
    virtualNetworks:
      hub:
        addressPrefixes: [10.181.0.0/16]
        subnets:
          default: { addressPrefix: 10.181.0.0/24, routeTable: rt }
          RouteServerSubnet: { addressPrefix: 10.181.1.0/26 }
      spoke:
        addressPrefixes: [10.182.0.0/16]
        subnets:
          default: { addressPrefix: 10.182.0.0/24 }
    routeTables:
      rt: {}
    routeServers:
      rs: { subnet: hub/RouteServerSubnet }
    virtualMachines:
      vm1: { subnet: hub/default, privateIPAddress: 10.181.0.4 }
`;

let t: TestLab;
let api: ApiServer;
let port: number;
let client: ApiClient;
let shutdowns = 0;
const SUB = DEFAULT_SUBSCRIPTION;
const RG = `/subscriptions/${SUB}/resourceGroups/rg/providers`;

before(async () => {
  t = await startTestLab('robust-security', yaml);
  api = new ApiServer(t.lab);
  api.onShutdown = () => shutdowns++;
  port = (await api.listen('127.0.0.1', 0)).port;
  client = new ApiClient('127.0.0.1', port, SUB, { token: api.token });
});
after(async () => {
  await api?.close();
  await t?.stop();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { error?: { code: string; message: string; target?: string } } & Record<string, unknown>;
}

/** One request exactly as given (curl-like: every header explicit, Host included). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { host: `127.0.0.1:${port}`, ...headers },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = () => ({ authorization: `Bearer ${api.token}` });
const json = { 'content-type': 'application/json' };

/** The request is refused with `status` and `code`, and the lab's model and life are untouched. */
async function refused(status: number, code: string, send: () => Promise<Answer>): Promise<Answer> {
  const before = JSON.stringify(t.lab.model);
  const stops = shutdowns;
  const a = await send();
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.equal(a.body.error?.code, code, JSON.stringify(a.body));
  assert.ok((a.body.error?.message ?? '').length > 20, 'a message that says what is wrong');
  assert.match(String(a.headers['content-type']), /^application\/json/);
  await new Promise((r) => setImmediate(r)); // shutdown runs on setImmediate when accepted
  assert.equal(shutdowns, stops, 'shutdown was not called');
  assert.equal(JSON.stringify(t.lab.model), before, 'the model did not change');
  return a;
}

const routePut = `${RG}/Microsoft.Network/routeTables/rt/routes/r1?api-version=2024-05-01`;
const routeBody = JSON.stringify({ properties: { addressPrefix: '10.99.0.0/16', nextHopType: 'None' } });

test('no token: 401 AuthenticationFailed with a Bearer challenge, on control, ARM writes and ARM reads', async () => {
  const a = await refused(401, 'AuthenticationFailed', () => raw('POST', '/arslab/shutdown', {}));
  assert.match(String(a.headers['www-authenticate']), /^Bearer /);
  assert.match(a.body.error!.message, /arslab token/);
  await refused(401, 'AuthenticationFailed', () => raw('PUT', routePut, json, routeBody));
  await refused(401, 'AuthenticationFailed', () => raw('GET', `${RG}/Microsoft.Network/virtualHubs/rs`, {}));
  await refused(401, 'AuthenticationFailed', () => raw('GET', '/arslab/status', {}));
  await refused(401, 'AuthenticationFailed', () =>
    raw('POST', '/arslab/nodes/any/command', json, JSON.stringify({ text: 'show' })),
  );
});

test('a wrong token or a header that is not Bearer: 401, nothing done', async () => {
  await refused(401, 'InvalidAuthenticationToken', () =>
    raw('POST', '/arslab/shutdown', { authorization: `Bearer ${api.token.slice(0, -4)}AAAA` }),
  );
  await refused(401, 'InvalidAuthenticationToken', () =>
    raw('PUT', routePut, { ...json, authorization: 'Bearer x' }, routeBody),
  );
  await refused(401, 'AuthenticationFailedInvalidHeader', () =>
    raw('POST', '/arslab/shutdown', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
  );
  await refused(401, 'AuthenticationFailedInvalidHeader', () =>
    raw('POST', '/arslab/shutdown', { authorization: api.token }),
  );
});

test('a foreign page: a foreign Origin or a cross-site fetch is refused, even with the token', async () => {
  for (const origin of ['http://evil.example', 'http://127.0.0.1:1', 'null']) {
    await refused(403, 'CrossOriginRequestRefused', () =>
      raw('POST', '/arslab/shutdown', { ...bearer(), origin, 'content-type': 'text/plain' }, 'x'),
    );
  }
  await refused(403, 'CrossOriginRequestRefused', () =>
    raw('GET', '/arslab/status', { ...bearer(), 'sec-fetch-site': 'cross-site' }),
  );
  // Another port of 127.0.0.1 is "same-site" for a browser, not same-origin.
  await refused(403, 'CrossOriginRequestRefused', () =>
    raw('GET', '/arslab/status', { ...bearer(), 'sec-fetch-site': 'same-site' }),
  );
  // No CORS grant is ever sent: a foreign page cannot read an answer either.
  const own = await raw('GET', '/arslab/status', { ...bearer(), origin: `http://127.0.0.1:${port}` });
  assert.equal(own.status, 200);
  assert.equal(own.headers['access-control-allow-origin'], undefined);
});

test('a Host that is not the lab (DNS rebinding): 400, even with the token', async () => {
  for (const host of [`attacker.example:${port}`, `127.0.0.1:${port + 1}`, `localhost.attacker.example:${port}`]) {
    await refused(400, 'InvalidHostHeader', () => raw('POST', '/arslab/shutdown', { ...bearer(), host }));
  }
  // The lab's own names are fine.
  assert.equal((await raw('GET', '/arslab/status', { ...bearer(), host: `localhost:${port}` })).status, 200);
});

test('a body that is not JSON: 415 UnsupportedMediaType; malformed JSON: 400', async () => {
  await refused(415, 'UnsupportedMediaType', () =>
    raw('PUT', routePut, { ...bearer(), 'content-type': 'text/plain' }, routeBody),
  );
  await refused(415, 'UnsupportedMediaType', () =>
    raw('PUT', routePut, { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'),
  );
  await refused(415, 'UnsupportedMediaType', () => raw('PUT', routePut, bearer(), routeBody));
  // The browser "simple request" shape of the finding: text/plain POST to shutdown.
  await refused(415, 'UnsupportedMediaType', () =>
    raw('POST', '/arslab/shutdown', { ...bearer(), 'content-type': 'text/plain' }, '{}'),
  );
  await refused(400, 'InvalidRequestContent', () => raw('PUT', routePut, { ...bearer(), ...json }, '{"properties":'));
});

/**
 * A 100 MB body, streamed as fast as the socket takes it, reading the answer meanwhile (as
 * curl does). The server must answer 413 without reading on: the client can then write no
 * more than what the kernel's socket buffers hold, far from 100 MB.
 */
async function streamHuge(
  headerLines: string[],
  chunked: boolean,
): Promise<{ head: string; written: number; ms: number }> {
  const total = 100 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const t0 = Date.now();
    let written = 0;
    let head = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ head, written, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => {
      done = true;
      s.destroy();
      reject(new Error(`no answer in 20 s (written ${written} bytes)`));
    }, 20_000);
    s.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}$/.test(head)) finish();
    });
    s.on('error', finish);
    s.on('close', finish);
    s.write(
      `PUT ${routePut} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${api.token}\r\nContent-Type: application/json\r\n${headerLines.join('\r\n')}\r\n\r\n`,
    );
    const pump = () => {
      while (!done && written < total) {
        const piece = chunked
          ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
          : chunk;
        written += chunk.length;
        if (!s.write(piece)) {
          s.once('drain', pump);
          return;
        }
      }
      if (!done && chunked) s.write('0\r\n\r\n');
    };
    pump();
  });
}

test('a 100 MB body: 413 RequestContentTooLarge at once, the rest never read (declared length, and chunked)', async (ctx) => {
  const before = JSON.stringify(t.lab.model);
  for (const [lines, chunked] of [
    [[`Content-Length: ${100 * 1024 * 1024}`], false],
    [['Transfer-Encoding: chunked'], true],
  ] as const) {
    const r = await streamHuge([...lines], chunked);
    ctx.diagnostic(
      `${chunked ? 'chunked' : 'Content-Length'}: answered in ${r.ms} ms, client could write ${r.written} bytes`,
    );
    assert.match(r.head, /^HTTP\/1\.1 413 /, r.head.slice(0, 200));
    assert.match(r.head, /"code":"RequestContentTooLarge"/);
    // Bounded by ARM's 4 MB the server reads plus socket buffers: a server reading on would
    // let all 100 MB through before answering.
    assert.ok(r.written < 32 * 1024 * 1024, `the client could write ${r.written} bytes: the server kept reading`);
    assert.ok(r.ms < 5000, `answered after ${r.ms} ms`);
  }
  assert.equal(JSON.stringify(t.lab.model), before);
  // The lab still answers.
  assert.equal((await raw('GET', '/arslab/status', bearer())).status, 200);
});

test('a field of the wrong type: 400 InvalidRequestFormat naming the field, never a 500, nothing changed', async () => {
  const peering = `${RG}/Microsoft.Network/virtualNetworks/hub/virtualNetworkPeerings/p1?api-version=2024-05-01`;
  const spokeId = `${RG}/Microsoft.Network/virtualNetworks/spoke`;
  const vmId = `${RG}/Microsoft.Compute/virtualMachines/vm1`;
  const cases: [string, string, unknown, string][] = [
    ['PUT', routePut, { properties: { addressPrefix: 5, nextHopType: 'None' } }, 'properties.addressPrefix'],
    [
      'PUT',
      routePut,
      { properties: { addressPrefix: '10.99.0.0/16', nextHopType: ['None'] } },
      'properties.nextHopType',
    ],
    [
      'PUT',
      routePut,
      { properties: { addressPrefix: '10.99.0.0/16', nextHopType: 'VirtualAppliance', nextHopIpAddress: 167772161 } },
      'properties.nextHopIpAddress',
    ],
    ['PUT', routePut, { properties: 'None' }, 'properties'],
    ['PUT', routePut, [1, 2], '(body)'],
    ['PUT', peering, { properties: { remoteVirtualNetwork: { id: 5 } } }, 'properties.remoteVirtualNetwork.id'],
    ['PUT', peering, { properties: { remoteVirtualNetwork: 'spoke' } }, 'properties.remoteVirtualNetwork'],
    [
      'PUT',
      peering,
      { properties: { remoteVirtualNetwork: { id: spokeId }, allowGatewayTransit: 'yes' } },
      'properties.allowGatewayTransit',
    ],
    [
      'PATCH',
      `${RG}/Microsoft.Network/virtualHubs/rs?api-version=2024-05-01`,
      { properties: { allowBranchToBranchTraffic: 'true' } },
      'properties.allowBranchToBranchTraffic',
    ],
    [
      'POST',
      `${RG}/Microsoft.Network/networkWatchers/nw/nextHop?api-version=2024-05-01`,
      { targetResourceId: 5, destinationIPAddress: '10.181.0.5' },
      'targetResourceId',
    ],
    [
      'POST',
      `${RG}/Microsoft.Network/networkWatchers/nw/nextHop?api-version=2024-05-01`,
      { targetResourceId: vmId, destinationIPAddress: { ip: '10.181.0.5' } },
      'destinationIPAddress',
    ],
    ['POST', '/arslab/nodes/none/command', { text: 5 }, 'text'],
    ['POST', '/arslab/links/down', { session: 5 }, 'session'],
    ['POST', '/arslab/links/down', { circuit: 'c', path: 0 }, 'path'],
    ['POST', '/arslab/probe', { from: 5, to: '10.181.0.5', port: 80, intervalMs: 100 }, 'from'],
    ['POST', '/arslab/probe', { from: 'vm1', to: '10.181.0.5', port: '80', intervalMs: 100 }, 'port'],
  ];
  for (const [method, path, body, fieldPath] of cases) {
    const a = await refused(400, 'InvalidRequestFormat', () =>
      raw(method, path, { ...bearer(), ...json }, JSON.stringify(body)),
    );
    assert.equal(a.body.error!.target, fieldPath, `${method} ${path} ${JSON.stringify(body)}`);
    assert.ok(a.body.error!.message.includes(`'${fieldPath}'`), a.body.error!.message);
  }
  await refused(400, 'InvalidParameter', () => raw('GET', '/arslab/events?since=abc', bearer()));
});

test('the CLI with the token keeps working; without it, it says why', async () => {
  const out = JSON.parse(
    await runCli(client, ['network', 'nic', 'show-effective-route-table', '-g', 'rg', '-n', 'vm1VMNic']),
  ) as { value: { addressPrefix: string[] }[] };
  assert.ok(out.value.some((r) => r.addressPrefix[0] === '10.181.0.0/16'));
  // A write through the CLI (route create), then back.
  const route = 'network route-table route CMD -g rg --route-table-name rt -n r9';
  await runCli(client, [
    ...route.replace('CMD', 'create').split(' '),
    '--address-prefix',
    '10.99.0.0/16',
    '--next-hop-type',
    'None',
  ]);
  assert.ok(t.lab.model.routeTables[0]!.routes.some((r) => r.name === 'r9'));
  await runCli(client, route.replace('CMD', 'delete').split(' '));
  const anonymous = new ApiClient('127.0.0.1', port, SUB);
  await assert.rejects(
    runCli(anonymous, ['status', '-o', 'json']),
    /AuthenticationFailed|Authorization' header is missing/,
  );
});

test('the web page signs in with a one-time link: HttpOnly SameSite=Strict cookie, same-origin writes only', async () => {
  const { url } = (await client.call('POST', '/arslab/ui/codes')) as { url: string };
  assert.ok(url.startsWith(`http://127.0.0.1:${port}/arslab/ui/login?code=`), url);
  const path = url.slice(url.indexOf('/arslab/'));
  const signIn = await raw('GET', path, {});
  assert.equal(signIn.status, 303);
  const setCookie = String(signIn.headers['set-cookie']);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.ok(!setCookie.includes(api.token), 'the cookie is not the API token');
  const cookie = setCookie.split(';')[0]!;
  // The link works once.
  await refused(401, 'InvalidAuthenticationToken', () => raw('GET', path, {}));
  // Reads with the cookie; writes only with the lab's own Origin (what a browser sends).
  assert.equal((await raw('GET', '/arslab/status', { cookie })).status, 200);
  await refused(403, 'CrossOriginRequestRefused', () => raw('POST', '/arslab/shutdown', { cookie }));
  await refused(403, 'CrossOriginRequestRefused', () =>
    raw('POST', '/arslab/shutdown', { cookie, origin: 'http://evil.example' }),
  );
  const own = await raw('POST', '/arslab/ui/codes', { cookie, origin: `http://127.0.0.1:${port}` });
  assert.equal(own.status, 200);
  // A made-up cookie is nothing.
  await refused(401, 'AuthenticationFailed', () =>
    raw('GET', '/arslab/status', { cookie: `arslab-${port}=${api.token}` }),
  );
});

test('shutdown with the token is accepted (and only then)', async () => {
  const r = await raw('POST', '/arslab/shutdown', bearer());
  assert.equal(r.status, 202);
  await new Promise((res) => setImmediate(res));
  assert.equal(shutdowns, 1);
});
