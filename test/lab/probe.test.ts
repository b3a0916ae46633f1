// `arslab probe` and the http node kind, end to end as a user runs them: a real lab up
// through the CLI (the seed-000 shape of scenarios/next-hop-failover with the built-in
// speaker on watch1 announcing the VIP 100.64.0.1/32), real web server processes on ws1 and
// ws2, probes from lt1 following the announcement, a stopped or frozen web server, a
// withdrawn route, a live failover measured by the longest gap, and ECMP over two
// announcements. Addresses are 10.132.x and 10.133.x, so loopback mode binds only
// 127.132.x and 127.133.x (ADR 0001; other tests use other ranges). Each test bounds its
// time, uses its own state folder and kills by PID whatever it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowHash } from '../../src/azure/dataPath.js';
import type { ProbeInfo, ProbeResult, ProbeSummary } from '../../src/lab/probe.js';
import { isRoot, LabCli, processAlive, procStat, ROOT, sleep } from './labCli.js';
import { waitFor } from '../helpers/waitFor.js';

/** The port web servers bind in loopback mode: 80 as root, else 1080 (ADR 0001). */
const HTTP_PORT = isRoot ? 80 : 1080;

function labYaml(name: string, n: number, ecmp: boolean): string {
  return `name: ${name}
location: uksouth
settings: { connectRetryTime: 1 }
resourceGroups:
  next-hop-ip-rg:
    virtualNetworks:
      next-hop-ip-vnet:
        addressPrefixes: [10.${n}.0.0/16]
        subnets:
          default: { addressPrefix: 10.${n}.0.0/24, routeTable: next-hop-ip-rt }
          RouteServerSubnet: { addressPrefix: 10.${n}.1.0/24 }
    routeTables:
      next-hop-ip-rt: { disableBgpRoutePropagation: false }
    routeServers:
      next-hop-ip-routeserver:
        subnet: next-hop-ip-vnet/RouteServerSubnet
        peerings:
          watcher: { peerIp: 10.${n}.0.7, peerAsn: 65001 }
${ecmp ? `          watcher2: { peerIp: 10.${n}.0.8, peerAsn: 65002 }\n` : ''}  next-hop-ip-vm-rg:
    virtualMachines:
      ws1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.${n}.0.4, enableIPForwarding: true }
      ws2: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.${n}.0.5, enableIPForwarding: true }
      lt1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.${n}.0.6 }
      watch1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.${n}.0.7 }
${ecmp ? `      watch2: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.${n}.0.8 }\n` : ''}nodes:
  watch1:
    kind: speaker
    vm: watch1
    asn: 65001
    routes: [{ prefix: 100.64.0.1/32, nextHop: 10.${n}.0.4 }]
${ecmp ? `  watch2:\n    kind: speaker\n    vm: watch2\n    asn: 65002\n    routes: [{ prefix: 100.64.0.1/32, nextHop: 10.${n}.0.5 }]\n` : ''}  ws1: { kind: http, vm: ws1 }
  ws2: { kind: http, vm: ws2 }
`;
}

interface ProbeRun {
  info: ProbeInfo;
  probes: ProbeResult[];
  summary: ProbeSummary;
}

interface NodeRow {
  name: string;
  kind: string;
  address: string;
  realAddress: string;
  port?: number;
  realPort?: number;
  state: string;
  pid?: number;
}

/** A probe run's JSON (LabCli.probe checks the exit status). */
const probe = (cli: LabCli, extra: readonly string[]): Promise<ProbeRun> =>
  cli.probe<ProbeRun>(['--from', 'lt1', '--to', '100.64.0.1', '--port', '80', ...extra]);

/** Probes until every one of a short run reaches `vm` (the route server has moved the VIP). */
async function routedTo(cli: LabCli, vm: string): Promise<ProbeRun> {
  return waitFor(
    `probes from lt1 reach ${vm}`,
    async () => {
      const r = await probe(cli, ['--count', '3', '--interval', '50ms']);
      return r.probes.every((p) => p.result === 'ok' && p.vm === vm) ? r : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 150 },
  );
}

async function up(cli: LabCli, name: string, yaml: string): Promise<void> {
  const file = join(cli.stateDir, `${name}.yml`);
  writeFileSync(file, yaml);
  await cli.ok(['up', file, '--detach'], 60_000);
  cli.record(name);
}

test('probe follows the announcement to ws1, then ws2; a stopped or frozen web server fails; a withdrawn VIP has no route; a failover gap is measured', {
  timeout: 120_000,
}, async () => {
  const NAME = 'probe-failover';
  const N = 132;
  const cli = new LabCli('probe');
  try {
    await up(cli, NAME, labYaml(NAME, N, false));

    // status lists the web servers: kind, address:port, the bound address, a live PID.
    const status = await cli.json<{ nodes: NodeRow[] }>(['status']);
    const web = status.nodes.filter((n) => n.kind === 'http').sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(
      web.map((n) => [n.name, n.address, n.port, n.realAddress, n.realPort, n.state]),
      [
        ['ws1', `10.${N}.0.4`, 80, `127.${N}.0.4`, HTTP_PORT, 'running'],
        ['ws2', `10.${N}.0.5`, 80, `127.${N}.0.5`, HTTP_PORT, 'running'],
      ],
    );
    for (const n of web) assert.ok(n.pid && processAlive(n.pid), `${n.name}'s server runs (pid ${n.pid})`);
    const text = await cli.ok(['status']);
    assert.match(
      text,
      new RegExp(`ws1\\s+http\\s+10\\.${N}\\.0\\.4:80\\s+127\\.${N}\\.0\\.4:${HTTP_PORT}\\s+running\\s+${web[0]!.pid}`),
    );
    cli.record(NAME);

    // Routed to ws1: every probe reaches ws1's real server, which answers its name.
    const first = await routedTo(cli, 'ws1');
    assert.deepEqual(first.info.from, 'lt1');
    assert.equal(first.info.source, `10.${N}.0.6`);
    for (const p of first.probes) {
      assert.deepEqual(
        [p.prefix, p.nextHopType, p.nextHopIp, p.vm, p.target, p.status, p.body],
        ['100.64.0.1/32', 'VirtualNetworkGateway', `10.${N}.0.4`, 'ws1', `127.${N}.0.4:${HTTP_PORT}`, 200, 'ws1'],
      );
      assert.ok(p.rttMs! > 0 && p.rttMs! < 50, `rtt ${p.rttMs} ms`);
    }
    assert.deepEqual([first.summary.sent, first.summary.received, first.summary.lost], [3, 3, 0]);

    // The seed's failover: announce the VIP with next hop ws2.
    await cli.ok(['node', 'cmd', 'watch1', 'announce', 'route', '100.64.0.1/32', 'next-hop', `10.${N}.0.5`]);
    const second = await routedTo(cli, 'ws2');
    assert.ok(second.probes.every((p) => p.body === 'ws2' && p.nextHopIp === `10.${N}.0.5`));

    // Back to ws1, whose web server is then stopped: refused, on the route to ws1; by PID it is gone.
    await cli.ok(['node', 'cmd', 'watch1', 'announce', 'route', '100.64.0.1/32', 'next-hop', `10.${N}.0.4`]);
    await routedTo(cli, 'ws1');
    const pid = web[0]!.pid!;
    const start = procStat(pid)?.start;
    assert.match(await cli.ok(['node', 'stop', 'ws1']), /^ws1: stopped$/m);
    assert.ok(!processAlive(pid, start), `ws1's server (pid ${pid}) is gone`);
    const stopped = await probe(cli, ['--count', '3', '--interval', '50ms']);
    for (const p of stopped.probes)
      assert.deepEqual([p.vm, p.result, p.detail], ['ws1', 'unreachable', 'connection refused']);
    assert.deepEqual(
      [stopped.summary.received, stopped.summary.lossPercent, stopped.summary.failingSinceSeq],
      [0, 100, 0],
    );
    const st = (await cli.json<{ nodes: NodeRow[] }>(['status'])).nodes.find((n) => n.name === 'ws1')!;
    assert.deepEqual([st.state, st.pid], ['stopped', undefined]);

    // Started again: a new process, and probes get answers.
    assert.match(await cli.ok(['node', 'start', 'ws1']), /^ws1: running$/m);
    cli.record(NAME);
    await routedTo(cli, 'ws1');

    // Frozen (SIGSTOP): the kernel accepts the connection, nobody answers: timeout.
    await cli.ok(['node', 'pause', 'ws1']);
    const frozen = await probe(cli, ['--count', '2', '--interval', '100ms', '--timeout', '80ms']);
    for (const p of frozen.probes)
      assert.deepEqual([p.result, p.detail], ['timeout', 'connected, no answer within 80 ms']);
    await cli.ok(['node', 'resume', 'ws1']);
    await routedTo(cli, 'ws1');

    // Withdrawn: the VIP falls into 100.64.0.0/10, next hop None.
    await cli.ok(['node', 'cmd', 'watch1', 'withdraw', 'route', '100.64.0.1/32']);
    const gone = await waitFor(
      'no route to the VIP',
      async () => {
        const r = await probe(cli, ['--count', '2', '--interval', '50ms']);
        return r.probes.every((p) => p.result === 'no route') ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 150 },
    );
    assert.deepEqual(
      [gone.probes[0]!.prefix, gone.probes[0]!.nextHopType, gone.probes[0]!.vm],
      ['100.64.0.0/10', 'None', undefined],
    );

    // A failover while probing (text output, as a user reads it): ws1 dies at ~1 s, the
    // watcher moves the VIP to ws2 at ~1.5 s; the longest gap between replies measures it.
    await cli.ok(['node', 'cmd', 'watch1', 'announce', 'route', '100.64.0.1/32', 'next-hop', `10.${N}.0.4`]);
    await routedTo(cli, 'ws1');
    const running = cli.arslab(
      ['probe', '--from', 'lt1', '--to', '100.64.0.1', '--interval', '50ms', '--duration', '3s'],
      30_000,
    );
    await sleep(1000);
    await cli.ok(['node', 'stop', 'ws1', '--kill']);
    await sleep(500);
    await cli.ok(['node', 'cmd', 'watch1', 'announce', 'route', '100.64.0.1/32', 'next-hop', `10.${N}.0.5`]);
    const out = await running;
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.split('\n');
    assert.match(
      lines[0]!,
      /^PROBE 100\.64\.0\.1:80 from lt1 \(10\.132\.0\.6, lt1VMNic\): every 50 ms, timeout 50 ms, source port 40000\+seq/,
    );
    assert.ok(lines.some((l) => /-> ws1: 200 "ws1" rtt=/.test(l)));
    assert.ok(lines.some((l) => /-> ws1: unreachable \(connection refused\)/.test(l)));
    assert.ok(lines.some((l) => /-> ws2: 200 "ws2" rtt=/.test(l)));
    assert.match(out.stdout, /^--- 100\.64\.0\.1:80 probe statistics \(from lt1\) ---$/m);
    const sent = Number(/^(\d+) probes sent, (\d+) received/m.exec(out.stdout)?.[1]);
    assert.ok(sent >= 55 && sent <= 61, `${sent} probes in 3 s at 50 ms`);
    const gap = /^longest gap between replies = ([\d.]+) ms \(seq (\d+) -> (\d+), (\d+) lost\)$/m.exec(out.stdout);
    assert.ok(gap, out.stdout);
    const gapMs = Number(gap[1]);
    // ~500 ms without a server, plus the start of the `arslab node cmd` process that moves the
    // VIP (its time is the machine's: 0.1–1 s), plus one interval. Below 2 s, or the 3-s run
    // could not also show ws2's replies; the exact check is against the timeline below.
    assert.ok(gapMs > 350 && gapMs < 2000, `failover gap ${gapMs} ms`);
    assert.match(out.stdout, /^replies from: ws1 \d+, ws2 \d+$/m);
    // The gap matches the outage on the lab's timeline (same clock): from ws1's server
    // killed to the route servers' best path moving to ws2, within about one interval.
    const events = await cli.json<{ t: number; type: string; source: string; message: string }[]>(['events']);
    const killed = events
      .filter((e) => e.type === 'node' && e.source === 'ws1' && /http server killed/.test(e.message))
      .at(-1)!;
    const moved = events.find(
      (e) =>
        e.t > killed.t &&
        e.type === 'route' &&
        new RegExp(`100\\.64\\.0\\.1/32 -> \\[10\\.${N}\\.0\\.5\\]`).test(e.message),
    )!;
    assert.ok(killed && moved, 'the kill and the route change are on the timeline');
    const outage = moved.t - killed.t;
    // The last reply went out at most one interval before the kill, the first after the move
    // at most one after; the kill's event is written once the process is reaped (a few ms
    // after it stopped answering), hence the slack.
    assert.ok(
      gapMs >= outage - 25 && gapMs <= outage + 2 * 50 + 100,
      `gap ${gapMs} ms vs outage on the timeline ${outage.toFixed(1)} ms`,
    );
    process.stdout.write(
      `# failover (kill ws1, then announce ws2): probe gap ${gapMs} ms, ${gap[4]} lost at 50 ms; timeline outage ${outage.toFixed(1)} ms\n`,
    );

    // down: the lab and both web servers are gone, by PID.
    await cli.ok(['node', 'start', 'ws1']);
    cli.record(NAME);
    assert.match(await cli.ok(['down'], 60_000), /lab 'probe-failover' is down/);
    await cli.waitClean(NAME, 5000);
  } finally {
    await cli.cleanup([NAME]);
  }
});

test('ECMP: two announcements give two rows; varying source ports spread flows by the 5-tuple hash, a fixed one stays on one path', {
  timeout: 90_000,
}, async () => {
  const NAME = 'probe-ecmp';
  const N = 133;
  const cli = new LabCli('probe-ecmp');
  try {
    await up(cli, NAME, labYaml(NAME, N, true));
    const rows = await waitFor(
      'two rows for the VIP',
      async () => {
        const t = await cli.json<{ addressPrefix: string[]; nextHopIpAddress: string[] }[]>([
          'network',
          'nic',
          'show-effective-route-table',
          '-g',
          'next-hop-ip-vm-rg',
          '-n',
          'lt1VMNic',
          '--query',
          'value',
        ]);
        const vip = t.filter((r) => r.addressPrefix[0] === '100.64.0.1/32');
        return vip.length === 2 ? vip : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 150 },
    );
    assert.deepEqual(rows.map((r) => r.nextHopIpAddress[0]).sort(), [`10.${N}.0.4`, `10.${N}.0.5`]);

    // 50 ms apart (each probe's timeout is its interval): a reply slower than 20 ms on a
    // loaded machine is not what this test is about, the spread by hash is.
    const run = await probe(cli, ['--count', '40', '--interval', '50ms']);
    assert.equal(run.summary.received, 40, JSON.stringify(run.summary));
    const byHash = (sport: number) =>
      flowHash({
        source: `10.${N}.0.6`,
        destination: '100.64.0.1',
        protocol: 6,
        sourcePort: sport,
        destinationPort: 80,
      }) %
        2 ===
      0
        ? 'ws1'
        : 'ws2';
    for (const p of run.probes) {
      assert.equal(p.sourcePort, 40000 + p.seq);
      assert.deepEqual(
        [p.paths, p.vm, p.body],
        [2, byHash(p.sourcePort), p.vm],
        `seq ${p.seq}: the hash of its 5-tuple picks ${byHash(p.sourcePort)}`,
      );
    }
    const reached = run.summary.reached;
    assert.ok((reached['ws1'] ?? 0) >= 8 && (reached['ws2'] ?? 0) >= 8, `spread over both: ${JSON.stringify(reached)}`);
    // The same flows again: the same paths.
    const again = await probe(cli, ['--count', '40', '--interval', '50ms']);
    assert.deepEqual(
      again.probes.map((p) => p.vm),
      run.probes.map((p) => p.vm),
    );

    // One flow (hping -k): one path for every probe.
    for (const sport of [40000, 40001]) {
      const one = await probe(cli, ['--count', '5', '--interval', '50ms', '--source-port', String(sport)]);
      assert.deepEqual(
        one.probes.map((p) => p.vm),
        Array(5).fill(byHash(sport)),
      );
    }

    // Bad requests are refused before anything is sent.
    const unknown = await cli.arslab(['probe', '--from', 'lt9', '--to', '100.64.0.1', '--count', '1']);
    assert.equal(unknown.code, 3, unknown.stderr);
    assert.match(
      unknown.stderr,
      /no virtual machine or NIC 'lt9' in this lab \(virtual machines: ws1, ws2, lt1, watch1, watch2\)/,
    );
    const slow = await cli.arslab([
      'probe',
      '--from',
      'lt1',
      '--to',
      '100.64.0.1',
      '--interval',
      '50ms',
      '--timeout',
      '100ms',
    ]);
    assert.equal(slow.code, 1, slow.stderr);
    assert.match(slow.stderr, /timeout: 100 ms is longer than the interval \(50 ms\): one probe at a time/);

    await cli.ok(['down'], 60_000);
    await cli.waitClean(NAME, 5000);
  } finally {
    await cli.cleanup([NAME]);
  }
});

test("netns mode: web servers run in their VMs' namespaces on port 80, one beside the watcher's speaker; probes reach them over the bridge", {
  skip: isRoot ? false : 'netns mode needs root',
  timeout: 90_000,
}, async () => {
  const NAME = 'probe-netns';
  const N = 135;
  const cli = new LabCli('probe-netns');
  try {
    const yaml = `${labYaml(NAME, N, false)}  agent: { kind: http, vm: watch1, port: 8080, body: "watch1 agent\\n" }\n`;
    const file = join(cli.stateDir, `${NAME}.yml`);
    writeFileSync(file, yaml);
    await cli.ok(['up', file, '--netns', '--detach'], 60_000);
    const s = cli.record(NAME);
    // One namespace per VM address: the Azure side, watch1 (speaker and agent), ws1, ws2.
    assert.deepEqual(s.namespaces.map((n) => n.replace(/^arslab-[0-9a-f]+-/, '')).sort(), [
      'azure',
      'watch1',
      'ws1',
      'ws2',
    ]);
    const status = await cli.json<{ nodes: NodeRow[] }>(['status']);
    for (const [name, ns, address, port] of [
      ['ws1', 'ws1', `10.${N}.0.4`, 80],
      ['agent', 'watch1', `10.${N}.0.7`, 8080],
    ] as const) {
      const n = status.nodes.find((x) => x.name === name)!;
      assert.deepEqual([n.realAddress, n.realPort, n.state], [address, port, 'running']);
      const where = execFileSync('ip', ['netns', 'identify', String(n.pid)], { encoding: 'utf8' }).trim();
      assert.ok(where.endsWith(`-${ns}`), `${name}'s server (pid ${n.pid}) runs in namespace ${where}`);
    }
    const run = await routedTo(cli, 'ws1');
    assert.equal(run.probes[0]!.target, `10.${N}.0.4:80`);
    // VnetLocal to the agent beside the speaker, on its own port.
    const agent = await cli.json<ProbeRun>([
      'probe',
      '--from',
      'lt1',
      '--to',
      `10.${N}.0.7`,
      '--port',
      '8080',
      '--count',
      '2',
      '--interval',
      '50ms',
    ]);
    for (const p of agent.probes)
      assert.deepEqual(
        [p.nextHopType, p.vm, p.result, p.body, p.target],
        ['VnetLocal', 'watch1', 'ok', 'watch1 agent', `10.${N}.0.7:8080`],
      );
    // The speaker shares the namespace and still peers.
    assert.match(await cli.ok(['status']), /watcher\s+10\.135\.0\.7\s+65001\s+Established/);
    await cli.ok(['node', 'stop', 'ws1']);
    const refused = await probe(cli, ['--count', '2', '--interval', '50ms']);
    assert.ok(
      refused.probes.every((p) => p.result === 'unreachable' && p.detail === 'connection refused'),
      JSON.stringify(refused.probes),
    );
    await cli.ok(['down'], 60_000);
    await cli.waitClean(NAME, 10_000);
  } finally {
    await cli.cleanup([NAME]);
  }
});

test('lab file errors for http nodes (bad port, unknown VM) name the field and line; bad probe arguments are usage errors', {
  timeout: 60_000,
}, async () => {
  const cli = new LabCli('probe-errors');
  try {
    const file = join(cli.stateDir, 'bad.yml');
    const good = labYaml('probe-errors', 134, false);
    writeFileSync(
      file,
      good
        .replace('  ws2: { kind: http, vm: ws2 }', '  ws2: { kind: http, vm: ws2, port: 70000 }')
        .replace('  ws1: { kind: http, vm: ws1 }', '  ws1: { kind: http, vm: ws9 }'),
    );
    const lines = good.split('\n');
    const line = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix)) + 1;
    const v = await cli.arslab(['validate', file]);
    assert.equal(v.code, 1);
    assert.match(
      v.stderr + v.stdout,
      new RegExp(`bad\\.yml:${line('  ws2: ')}:\\d+: nodes\\.ws2\\.port: must be at most 65535, got 70000`),
    );
    assert.match(
      v.stderr + v.stdout,
      new RegExp(`bad\\.yml:${line('  ws1: ')}:\\d+: nodes\\.ws1\\.vm: no virtual machine 'ws9'`),
    );
    // The scenario's probe lab (127.10.x when up: only validated here).
    const scenario = await cli.ok(['validate', join(ROOT, 'scenarios/next-hop-failover/lab.probe.yml')]);
    assert.match(
      scenario,
      /valid — lab 'next-hop-failover-probe': 1 VNet\(s\), 1 route server\(s\), 4 VM\(s\), 3 node\(s\)/,
    );
    const noLab = await cli.arslab(['probe', '--from', 'lt1', '--to', '100.64.0.1', '--interval', 'fast']);
    assert.equal(noLab.code, 2);
    assert.match(noLab.stderr, /argument --interval\/-i: expected a duration such as 100ms, 1s or 2m, got 'fast'/);
  } finally {
    await cli.cleanup([]);
  }
});
