/**
 * The API the web page reads (issue 14), without a browser: GET /arslab/topology built from
 * the running lab, the event stream (server-sent events) with resume and a bound on slow
 * readers, and the page's files at /arslab/ui/ behind the sign-in link's cookie (ADR 0010).
 *
 * The lab is bench/web/scaleLab.ts at a small size (2 hubs with route servers and built-in
 * speakers over real TCP, an ExpressRoute gateway, circuit and on-premises router, spokes
 * with VMs), in process, on 127.241–127.245; the aggregation test's lab on 127.246. Expected figures come from the lab file: the
 * sessions the design implies, the spokes and VMs each group holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { ApiServer } from '../../src/api/server.js';
import { CHUNK_BYTES, eventStreamBacklogs } from '../../src/api/routes/events.js';
import type { LabEvent } from '../../src/lab/events.js';
import type { TopologyView } from '../../src/lab/topologyView.js';
import { idKey } from '../../src/azure/index.js';
import { startTestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { scaleLabYaml } from '../../bench/web/scaleLab.js';

const OPTS = { vnets: 12, vms: 40, hubs: 2, routesPerNva: 2 };

/**
 * The token of the lab API under test (ADR 0010: every request carries it, as the CLI's do).
 * One lab API at a time: the tests of this file run one after the other.
 */
let token = '';
const auth = (): Record<string, string> => ({ Authorization: `Bearer ${token}` });

async function withApi(body: (base: string, api: ApiServer) => Promise<void>): Promise<void> {
  const t = await startTestLab('web-api', scaleLabYaml(OPTS, 'web-api'), {}, { maxLifetimeSeconds: 120 });
  const api = new ApiServer(t.lab);
  token = api.token;
  try {
    const addr = await api.listen('127.0.0.1', 0);
    await body(`http://127.0.0.1:${addr.port}`, api);
  } finally {
    await api.close();
    await t.stop();
  }
}

const getJson = async <T>(url: string): Promise<T> => {
  const r = await fetch(url, { headers: auth() });
  assert.equal(r.status, 200, `${url}: ${r.status}`);
  return (await r.json()) as T;
};

/** An SSE reader: frames as they come; `pause()`/`resume()` stop and restart reading the socket. */
function sse(url: string, headers: Record<string, string> = {}) {
  const frames: { event: string; id?: string; data: string }[] = [];
  let buf = '';
  let ended = false;
  let res: http.IncomingMessage | undefined;
  const req = http.get(url, { headers: { Accept: 'text/event-stream', ...auth(), ...headers } }, (r) => {
    res = r;
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => {
      buf += chunk;
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const f: { event: string; id?: string; data: string } = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) f.event = line.slice(7);
          else if (line.startsWith('id: ')) f.id = line.slice(4);
          else if (line.startsWith('data: ')) f.data += line.slice(6);
        }
        if (f.data) frames.push(f);
      }
    });
    r.on('end', () => (ended = true));
    r.on('close', () => (ended = true));
  });
  req.on('error', () => (ended = true));
  return {
    frames,
    timeline: () => frames.filter((f) => f.event === 'timeline').map((f) => JSON.parse(f.data) as LabEvent),
    get ended() {
      return ended;
    },
    get response() {
      return res;
    },
    pause: () => res?.pause(),
    resume: () => res?.resume(),
    close: () => req.destroy(),
  };
}

test('GET /arslab/topology: every speaker and session the lab file implies, in the states the lab holds; groups of spokes and VMs with their counts', {
  timeout: 60_000,
}, async () => {
  await withApi(async (base, api) => {
    const lab = api.lab;
    // The speakers peer with both instances of their hub's route server over TCP.
    const v = await waitFor('the 8 route-server sessions Established', async () => {
      const t = await getJson<TopologyView>(`${base}/arslab/topology`);
      return t.edges.filter((e) => e.transport === 'tcp' && e.up).length === 8 ? t : undefined;
    });
    const kinds = (k: string) => v.nodes.filter((n) => n.kind === k);
    assert.equal(kinds('vnet').length, OPTS.vnets);
    assert.equal(kinds('vm').length, OPTS.vms);
    assert.deepEqual(
      kinds('route-server')
        .map((n) => n.name)
        .sort(),
      ['hub0rs/IN_0', 'hub0rs/IN_1', 'hub1rs/IN_0', 'hub1rs/IN_1'],
    );
    assert.deepEqual(
      kinds('gateway').map((n) => n.name),
      ['er1/0', 'er1/1'],
    );
    assert.deepEqual(
      kinds('msee').map((n) => n.name),
      ['er-circuit/primary', 'er-circuit/secondary'],
    );
    assert.deepEqual(
      kinds('router').map((n) => n.name),
      ['onprem'],
    );
    assert.deepEqual(
      kinds('vnet')
        .filter((n) => n.role === 'hub')
        .map((n) => n.name),
      ['hub0', 'hub1'],
    );
    // Sessions: 2 speakers × 2 instances per hub (TCP, 8); onprem ↔ each MSEE (2); each er1
    // instance ↔ each MSEE (4); hub0rs's instances ↔ er1's, branch-to-branch on (4, R-ARS-11);
    // hub1 has no gateway. 18, every one up.
    const bgp = v.edges.filter((e) => e.kind === 'bgp');
    assert.equal(bgp.length, 18);
    assert.equal(bgp.filter((e) => e.transport === 'in-process').length, 10);
    assert.ok(
      bgp.every((e) => e.up && e.state === 'Established'),
      JSON.stringify(bgp.map((e) => [e.label, e.state])),
    );
    assert.deepEqual(v.counts, { vnets: 12, vms: 40, sessions: 18, established: 18 });
    // Each TCP session ends at the VM whose NIC has the peering's peer IP.
    for (const e of bgp.filter((x) => x.transport === 'tcp')) {
      const vm = v.nodes.find((n) => n.id === e.target)!;
      assert.equal(vm.kind, 'vm');
      assert.ok(
        vm.ref?.type === 'vm' &&
          vm.ref.nics.some((nic) => e.details.some(([, val]) => val.startsWith(`${nic.address} `))),
      );
    }
    // Every session of the lab graph, drawn once, in its state.
    const sessions = lab.graph.sessions();
    assert.equal(sessions.length, bgp.length);
    for (const s of sessions) assert.equal(bgp.find((e) => e.label === s.name)?.state, s.state);
    // Peerings: each spoke with its hub, Connected (both halves).
    const peerings = v.edges.filter((e) => e.kind === 'peering');
    assert.equal(peerings.length, OPTS.vnets - OPTS.hubs);
    assert.ok(peerings.every((e) => e.state === 'Connected'));
    // Groups: each hub's spokes (5 each), and in each spoke its plain VMs; the counts are the lab file's.
    const m = lab.model;
    for (const hub of ['hub0', 'hub1']) {
      const hubVnet = m.virtualNetworks.find((x) => x.name === hub)!;
      const spokes = hubVnet.virtualNetworkPeerings.map((p) => idKey(p.remoteVirtualNetwork));
      const member = v.nodes.find((n) => n.kind === 'vnet' && idKey(n.id) === spokes[0]);
      const g = v.groups.find((x) => x.kind === 'spokes' && x.id === member?.group)!;
      assert.ok(g, `${hub}'s spokes form a group`);
      assert.equal(g.count, spokes.length);
      const vmsInSpokes = m.virtualMachines.filter((vm) => {
        const nic = m.networkInterfaces.find((n) => idKey(n.id) === idKey(vm.networkInterfaces[0]!))!;
        return spokes.some((s) => idKey(nic.ipConfigurations[0]!.subnet).startsWith(`${s}/`));
      }).length;
      assert.deepEqual(g.summary, [`${spokes.length} spoke VNets of ${hub}`, `${vmsInSpokes} VMs`]);
      for (const n of v.nodes.filter((x) => x.kind === 'vnet' && spokes.includes(idKey(x.id))))
        assert.equal(n.group, g.id);
    }
    const vmGroups = v.groups.filter((g) => g.kind === 'vms');
    assert.equal(
      vmGroups.reduce((a, g) => a + g.count, 0),
      OPTS.vms - 2 * OPTS.hubs,
      'every spoke VM (no node on it) is in its subnet group; the NVAs are not',
    );

    // A fault through the API the CLI uses: the primary link cut, then detected by BFD (R-ER-1).
    const r = await fetch(`${base}/arslab/links/down`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth() },
      body: JSON.stringify({ circuit: 'er-circuit', path: 'primary' }),
    });
    assert.equal(r.status, 200);
    const cut = await getJson<TopologyView>(`${base}/arslab/topology`);
    const link = cut.edges.find((e) => e.label === 'onprem<->er-circuit/primary')!;
    assert.equal(link.state, 'Cut');
    assert.equal(link.up, false);
    assert.equal(link.fault, 'link down');
    assert.equal(cut.structure, v.structure, 'a state change is not a structure change');
    await waitFor('BFD to take the cut session down (0.9 s)', async () => {
      const t = await getJson<TopologyView>(`${base}/arslab/topology`);
      return t.edges.find((e) => e.label === 'onprem<->er-circuit/primary')?.state === 'Idle';
    });
  });
});

test('GET /arslab/events/stream: the timeline live and resumable; the probes of every run; a reader that stops reading costs a chunk, not a copy, and loses nothing', {
  timeout: 60_000,
}, async () => {
  await withApi(async (base, api) => {
    const lab = api.lab;
    const a = sse(`${base}/arslab/events/stream?since=0`);
    try {
      // From since=0: the ring's past events first, in order, each with its sequence as id.
      await waitFor('the past events', () => a.timeline().some((e) => e.message === 'up'));
      const past = a.timeline();
      assert.deepEqual(
        past.map((e) => e.seq),
        lab.events
          .since(0)
          .slice(0, past.length)
          .map((e) => e.seq),
      );
      assert.ok(a.frames.filter((f) => f.event === 'timeline').every((f) => f.id === String(JSON.parse(f.data).seq)));
      assert.equal(a.response?.headers['content-type'], 'text/event-stream; charset=utf-8');
      // New ones as they happen.
      const e1 = lab.events.emit('lab', 'test', 'one');
      await waitFor('a live event', () => a.timeline().some((e) => e.seq === e1.seq));
      // The live channel: a probe run's start, results and summary (not kept in the timeline).
      lab.events.publish('probe', { run: 7, type: 'probe', result: { seq: 0 } });
      await waitFor('a probe message', () => a.frames.some((f) => f.event === 'probe' && JSON.parse(f.data).run === 7));
      assert.ok(!lab.events.since(0).some((e) => e.data?.['run'] === 7), 'live messages are not kept in the ring');
    } finally {
      a.close();
    }
    // Resume: Last-Event-ID (what EventSource sends on reconnect) replays what came after it.
    const mark = lab.events.emit('lab', 'test', 'before');
    const after = [lab.events.emit('lab', 'test', 'missed 1'), lab.events.emit('lab', 'test', 'missed 2')];
    const b = sse(`${base}/arslab/events/stream`, { 'Last-Event-ID': String(mark.seq) });
    try {
      await waitFor('the missed events', () => b.timeline().length >= 2);
      assert.deepEqual(
        b
          .timeline()
          .slice(0, 2)
          .map((e) => e.message),
        after.map((e) => e.message),
      );
    } finally {
      b.close();
    }
    // A reader that stops reading: the lab writes from the ring with the socket's backpressure,
    // so what waits for that reader stays about one chunk however much happens meanwhile (no
    // copy of the timeline per reader); once it reads again it gets every event, in order.
    const from = String(lab.events.since(0).at(-1)!.seq);
    const c = sse(`${base}/arslab/events/stream`, { 'Last-Event-ID': from });
    const BULK = 6000;
    const filler = 'x'.repeat(2000);
    let most = 0;
    try {
      await waitFor('connected', () => c.response !== undefined);
      c.pause();
      for (let i = 0; i < BULK; i++) {
        lab.events.emit('lab', 'test', `bulk ${i} ${filler}`);
        most = Math.max(most, ...eventStreamBacklogs());
        if (i % 64 === 0) await new Promise((r) => setImmediate(r));
      }
      assert.ok(BULK * filler.length > 40 * CHUNK_BYTES, 'the test writes far more than a chunk');
      assert.ok(most < 2 * CHUNK_BYTES + 16 * 1024, `at most about a chunk queued for the reader (${most} bytes)`);
      c.resume();
      await waitFor(
        'every event after the reader resumed',
        () => c.timeline().some((e) => e.message.startsWith(`bulk ${BULK - 1} `)),
        15_000,
      );
    } finally {
      c.close();
    }
    const got = c
      .timeline()
      .filter((e) => e.message.startsWith('bulk '))
      .map((e) => Number(e.message.split(' ')[1]));
    assert.deepEqual(
      got,
      Array.from({ length: BULK }, (_, i) => i),
      'every event once, in order',
    );
  });
});

test('GET /arslab/ui/: signed in by the one-time link only; the page and its bundled files, own-origin only, not frameable; nothing outside dist/web', {
  timeout: 60_000,
}, async () => {
  await withApi(async (base) => {
    // Without a credential, the page is refused like any other path (ADR 0010).
    assert.equal((await fetch(`${base}/arslab/ui/`)).status, 401);
    // The link `arslab ui` prints: asked for with the token, redeemed once by the browser.
    const codes = await fetch(`${base}/arslab/ui/codes`, { method: 'POST', headers: auth() });
    assert.equal(codes.status, 200);
    const { url } = (await codes.json()) as { url: string };
    const login = await fetch(url, { redirect: 'manual' });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/arslab/ui/');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /^arslab-\d+=\S+$/);
    assert.equal((await fetch(url, { redirect: 'manual' })).status, 401, 'the link works once');
    // With the cookie alone, as the browser sends it: the page, its files, the API it reads.
    const get = (path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, { ...init, headers: { Cookie: cookie, ...(init.headers ?? {}) } });
    const page = await get('/arslab/ui/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const html = await page.text();
    // Every asset the page loads is its own (no CDN), and is served.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1]!)
      .filter((u) => !u.startsWith('data:'));
    assert.deepEqual(assets.sort(), ['app.css', 'app.js']);
    for (const f of [...assets, 'elk-worker.min.js']) {
      const r = await get(`/arslab/ui/${f}`);
      assert.equal(r.status, 200, f);
      assert.ok((await r.arrayBuffer()).byteLength > 1000, `${f} has content`);
    }
    assert.equal((await get('/arslab/topology')).status, 200);
    const stream = await get('/arslab/events/stream?since=0', { headers: { Accept: 'text/event-stream' } });
    assert.equal(stream.status, 200, 'the event stream (EventSource sends no header but the cookie)');
    await stream.body?.cancel();
    for (const path of ['/ui', '/arslab/ui']) {
      const redirect = await get(path, { redirect: 'manual' });
      assert.equal(redirect.status, 302, path);
      assert.equal(redirect.headers.get('location'), '/arslab/ui/');
    }
    for (const bad of [
      '/arslab/ui/..%2fpackage.json',
      '/arslab/ui/%2e%2e%2f%2e%2e%2fpackage.json',
      '/arslab/ui/.hidden',
      '/arslab/ui/nothing.js',
      '/arslab/ui/%E0%A4%A',
    ]) {
      const r = await get(bad);
      assert.equal(r.status, 404, bad);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    }
  });
});

/** A hub whose route server peers with NVAs in two of its spokes (Azure allows peers in peered VNets). */
const SPOKE_NVAS = `
name: web-agg
location: westeurope
resourceGroups:
  agg:
    virtualNetworks:
      hub:
        addressPrefixes: [10.246.0.0/20]
        subnets: { RouteServerSubnet: { addressPrefix: 10.246.0.0/26 } }
        virtualNetworkPeerings:
${[1, 2, 3]
  .map(
    (i) =>
      `          hub-to-s${i}: { remoteVirtualNetwork: s${i}, allowGatewayTransit: true, allowForwardedTraffic: true }`,
  )
  .join('\n')}
${[1, 2, 3]
  .map(
    (i) => `      s${i}:
        addressPrefixes: [10.246.${16 + i}.0/24]
        subnets: { vm: { addressPrefix: 10.246.${16 + i}.0/24 } }
        virtualNetworkPeerings: { s${i}-to-hub: { remoteVirtualNetwork: hub, useRemoteGateways: true, allowForwardedTraffic: true } }`,
  )
  .join('\n')}
    routeServers:
      rs:
        subnet: hub/RouteServerSubnet
        peerings:
          nva1: { peerIp: 10.246.17.4, peerAsn: 65011 }
          nva2: { peerIp: 10.246.18.4, peerAsn: 65012 }
    virtualMachines:
      nva1: { subnet: s1/vm, privateIPAddress: 10.246.17.4, enableIPForwarding: true }
      nva2: { subnet: s2/vm, privateIPAddress: 10.246.18.4, enableIPForwarding: true }
      s3: { subnet: s3/vm, privateIPAddress: 10.246.19.4 }
      plain2: { subnet: s3/vm, privateIPAddress: 10.246.19.5 }
nodes:
  nva1: { kind: speaker, vm: nva1, asn: 65011, holdTime: 3, routes: [{ prefix: 10.246.101.0/24 }] }
  nva2: { kind: speaker, vm: nva2, asn: 65012, holdTime: 3, routes: [{ prefix: 10.246.102.0/24 }] }
`;

test('a collapsed group stands for its members: their sessions and peerings as one edge each, in the worst state, with counts by state; locate finds what it hides', {
  timeout: 60_000,
}, async () => {
  const t = await startTestLab('web-agg', SPOKE_NVAS, {}, { maxLifetimeSeconds: 120 });
  const api = new ApiServer(t.lab);
  token = api.token;
  try {
    const base = `http://127.0.0.1:${(await api.listen('127.0.0.1', 0)).port}`;
    // Three spokes: at most COLLAPSE_ABOVE.spokes, so expanded unless asked.
    const full = await waitFor('both NVAs Established with both instances', async () => {
      const v = await getJson<TopologyView>(`${base}/arslab/topology`);
      return v.edges.filter((e) => e.kind === 'bgp' && e.up).length === 4 ? v : undefined;
    });
    const group = full.groups.find((g) => g.kind === 'spokes')!;
    assert.equal(group.count, 3);
    assert.equal(group.collapsed, false);
    assert.ok(!full.nodes.some((n) => n.id === group.id), 'an expanded group is not drawn');
    const c = await getJson<TopologyView>(`${base}/arslab/topology?collapse=*spokes`);
    assert.equal(c.groups.find((g) => g.id === group.id)?.collapsed, true);
    assert.ok(c.nodes.some((n) => n.id === group.id && n.kind === 'group'));
    assert.deepEqual(
      c.nodes.filter((n) => n.kind === 'vnet').map((n) => n.name),
      ['hub'],
      'the spokes, and all inside them, are left out',
    );
    assert.ok(!c.nodes.some((n) => n.kind === 'vm' || (n.kind === 'subnet' && n.name.startsWith('s'))));
    // Peerings: one edge hub → group for the three; sessions: one per instance for the two NVAs.
    const peering = c.edges.filter((e) => e.kind === 'peering');
    assert.equal(peering.length, 1);
    assert.equal(peering[0]!.target, group.id);
    assert.deepEqual(peering[0]!.details, [
      ['VNet peerings', '3'],
      ['Connected', '3'],
    ]);
    const sessions = () => c.edges.filter((e) => e.kind === 'bgp');
    assert.equal(sessions().length, 2);
    for (const e of sessions()) {
      assert.equal(e.target, group.id);
      assert.equal(e.state, 'Established');
      assert.deepEqual(e.members?.map((m) => m.label.split('<->').at(-1)).sort(), ['nva1', 'nva2']);
    }
    // nva2 stopped (the CLI's call): each merged edge takes the worst state and counts them.
    assert.equal((await fetch(`${base}/arslab/nodes/nva2/stop`, { method: 'POST', headers: auth() })).status, 200);
    const after = await waitFor('nva2 sessions down in the collapsed view', async () => {
      const v = await getJson<TopologyView>(`${base}/arslab/topology?collapse=*spokes`);
      const bgp = v.edges.filter((e) => e.kind === 'bgp');
      return bgp.every((e) => e.members?.some((m) => m.label.endsWith('<->nva2') && m.state !== 'Established'))
        ? bgp
        : undefined;
    });
    for (const e of after) {
      const down = e.members!.find((m) => m.label.endsWith('<->nva2'))!.state;
      assert.equal(e.up, false);
      assert.equal(e.state, down, 'the worst state of the two');
      assert.deepEqual(e.details, [
        ['BGP sessions', '2'],
        ['Established', '1'],
        [down, '1'],
      ]);
    }
    // Plain VMs (no node) of s3 form a group of 2 (at most COLLAPSE_ABOVE.vms: expanded); the NVAs never.
    const vms = full.groups.filter((g) => g.kind === 'vms');
    assert.deepEqual(
      vms.map((g) => [g.count, g.collapsed]),
      [[2, false]],
    );
    // Where names are drawn: a VM of a collapsed spoke is drawn as the group; unknown names are left out.
    const located = await getJson<{ located: Record<string, string> }>(
      `${base}/arslab/topology/locate?collapse=*spokes&name=s3&name=nva1VMNic&name=rs/IN_0&name=nobody`,
    );
    const rsNode = full.nodes.find((n) => n.name === 'rs/IN_0')!;
    assert.deepEqual(located.located, { s3: group.id, nva1VMNic: group.id, 'rs/IN_0': rsNode.id });
    // Expanded, a name shared by a VM and its VNet (s3) means the VM, as trace hops do.
    const s3 = await getJson<{ located: Record<string, string> }>(`${base}/arslab/topology/locate?name=s3`);
    assert.equal(full.nodes.find((n) => n.id === s3.located['s3'])?.kind, 'vm');
  } finally {
    await api.close();
    await t.stop();
  }
});
