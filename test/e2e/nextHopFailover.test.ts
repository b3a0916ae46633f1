// The seed's own set-up end to end, as a user runs it: `arslab up` the seed-000 ExaBGP lab
// (scenarios/next-hop-failover/lab.exabgp.yml), the seed's own queries with `az` replaced by `arslab`, the
// seed's `echo "announce route …" > PIPE` through ExaBGP's command pipe, the effective route
// of lt1VMNic moving from ws1 (10.10.0.4) to ws2 (10.10.0.5), then `arslab down` leaving no
// process and no namespace. In loopback mode (default), and as root in network-namespace
// mode with the seed's ExaBGP configuration verbatim, and with the built-in speaker.
//
// The scenario binds 10.10.x (127.10.x in loopback mode) and can run once at a time on a
// machine: its tests are here, one after the other. Each uses its own ARSLAB_STATE_DIR,
// bounds its time, and kills by PID whatever it started in `finally`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectWithdrawThenCease, lastEventSeq } from '../helpers/sigtermEvents.js';
import {
  binUsable,
  isRoot,
  LabCli,
  labNamespaces,
  LT1_EFFECTIVE_ROUTES,
  missingBinaries,
  ROOT,
  run,
} from '../lab/labCli.js';
import { waitFor } from '../helpers/waitFor.js';

const LAB = join(ROOT, 'scenarios/next-hop-failover/lab.exabgp.yml');
const AGENT_LAB_DIR = join(ROOT, 'scenarios/next-hop-failover');
const AGENT_NAME = 'next-hop-failover';
const PER_BACKEND_LAB = join(ROOT, 'scenarios/next-hop-failover/lab.per-backend.yml');
const PER_BACKEND_NAME = 'next-hop-failover-per-backend';
const SPEAKER_LAB = join(ROOT, 'scenarios/next-hop-failover/lab.speaker.yml');
const NAME = 'next-hop-failover-exabgp';
const SPEAKER_NAME = 'next-hop-failover-speaker';
const noExabgp =
  missingBinaries(['/usr/sbin/exabgp']).length > 0 ? 'exabgp is not installed (scripts/setup --daemons all)' : false;
const noRoot = isRoot ? false : 'netns mode needs root';

// The seed's commands (shared/seeds/000), `az` → `arslab`.
const LEARNED = [
  'network',
  'routeserver',
  'peering',
  'list-learned-routes',
  '--name',
  'watcher',
  '--routeserver',
  'next-hop-ip-routeserver',
  '--resource-group',
  'next-hop-ip-rg',
];

interface LearnedRoute {
  network: string;
  nextHop: string;
  sourcePeer: string;
  asPath: string;
  localAddress: string;
}

/** Both instances learned 100.64.0.1/32 from watch1 with next hop `nextHop`. */
async function learnedOnBoth(cli: LabCli, nextHop: string): Promise<Record<string, LearnedRoute[]>> {
  return waitFor(
    `100.64.0.1/32 via ${nextHop} learned by both instances`,
    async () => {
      const r = JSON.parse(await cli.ok(LEARNED)) as Record<string, LearnedRoute[]>;
      const ok = ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'].every((i) =>
        r[i]?.some(
          (x) =>
            x.network === '100.64.0.1/32' &&
            x.nextHop === nextHop &&
            x.sourcePeer === '10.10.0.7' &&
            x.asPath === '65001',
        ),
      );
      return ok ? r : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 150 },
  );
}

/** The table row of 100.64.0.1/32 in `show-effective-route-table -o table`, split into columns. */
function vipRow(table: string): string[] | undefined {
  const line = table.split('\n').find((l) => /\s100\.64\.0\.1\/32\s/.test(l));
  return line?.trim().split(/\s+/);
}

async function effectiveVia(cli: LabCli, nextHop: string): Promise<string> {
  return waitFor(
    `lt1VMNic's route to 100.64.0.1/32 via ${nextHop}`,
    async () => {
      const table = await cli.ok(LT1_EFFECTIVE_ROUTES);
      const row = vipRow(table);
      return row && row.join(' ') === `VirtualNetworkGateway Active 100.64.0.1/32 VirtualNetworkGateway ${nextHop}`
        ? table
        : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 150 },
  );
}

/** The seed's `echo "announce route …" >/var/run/exabgp.cmd`, to the node's pipe as `arslab status -o json` shows it. */
async function seedEcho(cli: LabCli, nextHop: string): Promise<void> {
  const status = await cli.json<{ nodes: { name: string; commandPipe?: string }[] }>(['status']);
  const pipe = status.nodes.find((n) => n.name === 'watch1')?.commandPipe;
  assert.ok(pipe && existsSync(pipe), `status -o json shows watch1's command pipe (${pipe})`);
  const r = await cli.sh(`echo "announce route 100.64.0.1/32 next-hop ${nextHop}" > '${pipe}'`, 10_000);
  assert.equal(r.code, 0, `echo > ${pipe}: ${r.stderr}`);
}

async function down(cli: LabCli, name: string): Promise<void> {
  const out = await cli.ok(['down'], 60_000);
  assert.match(out, new RegExp(`lab '${name}' is down`));
  await cli.waitClean(name, 5000);
  assert.equal(cli.state(name), undefined, 'state file removed');
  const st = await cli.arslab(['status']);
  assert.notEqual(st.code, 0, 'no lab answers after down');
}

/**
 * A test on one lab: `body` with a fresh LabCli (own state dir), then `arslab down` checked
 * to leave nothing behind; on failure the lab's log tail joins the message; whatever was
 * started is killed by PID in any case.
 */
async function withLab(id: string, name: string, body: (cli: LabCli) => Promise<void>): Promise<void> {
  const cli = new LabCli(id, binUsable());
  try {
    await body(cli);
    cli.record(name);
    await down(cli, name);
  } catch (e) {
    (e as Error).message += cli.logTail();
    throw e;
  } finally {
    await cli.cleanup([name]);
  }
}

test("seed 000 as a user, loopback mode: up, the seed queries, echo > pipe moves lt1VMNic's route, down", {
  skip: noExabgp,
  timeout: 60_000,
}, async () => {
  await withLab('e2e-lo', NAME, async (cli) => {
    const up = await cli.ok(['up', LAB, '--detach'], 45_000);
    assert.match(up, /lab 'next-hop-failover-exabgp' is up \(loopback mode/);
    const s = cli.record(NAME);
    assert.equal(s.mode, 'loopback');
    assert.ok(s.pids.length >= 1, 'the daemon is recorded');

    const learned = await learnedOnBoth(cli, '10.10.0.4');
    assert.equal(learned['RouteServiceRole_IN_0']![0]!.localAddress, '10.10.1.4');
    assert.equal(learned['RouteServiceRole_IN_1']![0]!.localAddress, '10.10.1.5');
    const before = await effectiveVia(cli, '10.10.0.4');

    await seedEcho(cli, '10.10.0.5');
    const after = await effectiveVia(cli, '10.10.0.5');
    // Only the VIP's row changed.
    const diff = before.split('\n').filter((l, i) => l !== after.split('\n')[i]);
    assert.deepEqual(
      diff.map((l) => vipRow(l)?.[4]),
      ['10.10.0.4'],
    );
    await learnedOnBoth(cli, '10.10.0.5');
  });
});

test("seed 000 in netns mode: the seed's ExaBGP config verbatim, peering from 10.10.0.7 with 10.10.1.4/.5", {
  skip: noExabgp || noRoot,
  timeout: 60_000,
}, async () => {
  await withLab('e2e-ns', NAME, async (cli) => {
    const up = await cli.ok(['up', LAB, '--netns', '--detach'], 45_000);
    assert.match(up, /lab 'next-hop-failover-exabgp' is up \(netns mode, BGP port 179/);
    const s = cli.record(NAME);
    assert.equal(s.mode, 'netns');
    assert.deepEqual([...s.namespaces].sort(), labNamespaces(NAME).sort());
    assert.equal(s.namespaces.length, 2, "the Azure namespace and watch1's");
    const ns = s.namespaces.find((n) => n.endsWith('-watch1'))!;

    await learnedOnBoth(cli, '10.10.0.4');
    await effectiveVia(cli, '10.10.0.4');

    // ExaBGP sees the emulated addresses themselves: 10.10.0.7 on eth0, listening on :179,
    // sessions with 10.10.1.4:179 and 10.10.1.5:179.
    const addr = await run(['ip', '-n', ns, '-o', 'addr', 'show', 'dev', 'eth0'], { timeoutMs: 10_000 });
    assert.match(addr.stdout, /inet 10\.10\.0\.7\/32/);
    const ss = await run(['ss', '-N', ns, '-tn'], { timeoutMs: 10_000 });
    for (const peer of ['10.10.1.4', '10.10.1.5'])
      assert.match(
        ss.stdout,
        new RegExp(`ESTAB.*10\\.10\\.0\\.7:\\d+\\s+${peer.replace(/\./g, '\\.')}:\\d+`),
        ss.stdout,
      );
    const listen = await run(['ss', '-N', ns, '-tln'], { timeoutMs: 10_000 });
    assert.match(listen.stdout, /10\.10\.0\.7:179/);

    // `arslab node cmd` (ExaBGP's CLI FIFOs, from outside the namespace) moves the route…
    await cli.ok(['node', 'cmd', 'watch1', 'announce', 'route', '100.64.0.1/32', 'next-hop', '10.10.0.5']);
    await effectiveVia(cli, '10.10.0.5');
    await learnedOnBoth(cli, '10.10.0.5');
    // …and so does the seed's own mechanism, the command pipe.
    await seedEcho(cli, '10.10.0.4');
    await effectiveVia(cli, '10.10.0.4');
  });
});

test("seed 000 in netns mode with the built-in speaker: it speaks from watch1's namespace", {
  skip: noRoot,
  timeout: 60_000,
}, async () => {
  await withLab('e2e-sp', SPEAKER_NAME, async (cli) => {
    await cli.ok(['up', SPEAKER_LAB, '--netns', '--detach'], 45_000);
    const s = cli.record(SPEAKER_NAME);
    assert.equal(s.namespaces.length, 2);
    const ns = s.namespaces.find((n) => n.endsWith('-watch1'))!;
    await learnedOnBoth(cli, '10.10.0.4');
    await effectiveVia(cli, '10.10.0.4');
    // The sessions' sockets live in watch1's namespace (made there by its helper, used by the lab).
    const ss = await run(['ss', '-N', ns, '-tn'], { timeoutMs: 10_000 });
    assert.match(ss.stdout, /10\.10\.0\.7:\d+\s+10\.10\.1\.4:179|10\.10\.0\.7:179\s+10\.10\.1\.4:\d+/, ss.stdout);
    await cli.ok(['node', 'cmd', 'watch1', 'announce', 'route', '100.64.0.1/32', 'next-hop', '10.10.0.5']);
    await effectiveVia(cli, '10.10.0.5');
    await learnedOnBoth(cli, '10.10.0.5');
  });
});

// ---- The scenario as shipped (lab.yml): real web servers on ws1 and ws2, `arslab agent` on
// watch1: what the README's first command gives a user.

interface ProbeOut {
  probes: { seq: number; result: string; vm?: string; labT: number }[];
  summary: {
    sent: number;
    received: number;
    longestGapMs: number | null;
    longestGap?: { fromSeq: number; toSeq: number; lost: number };
  };
}

/** lt1VMNic has no row for 100.64.0.1/32 (withdrawn: traffic falls to 100.64.0.0/10, None). */
async function noVipRow(cli: LabCli): Promise<void> {
  await waitFor('lt1VMNic without a route to 100.64.0.1/32', async () => !vipRow(await cli.ok(LT1_EFFECTIVE_ROUTES)), {
    timeoutMs: 15_000,
    intervalMs: 150,
  });
}

/** The seed's curl loop as a probe: lt1 → VIP:80 every `interval`, for `duration`, as JSON. */
function probe(cli: LabCli, interval: string, duration: string): Promise<ProbeOut> {
  return cli.probe<ProbeOut>(
    ['--from', 'lt1', '--to', '100.64.0.1', '--port', '80', '--interval', interval, '--duration', duration],
    60_000,
  );
}

test('seed 000 with arslab agent (loopback): ws1 down → the VIP moves to ws2 with a probe gap under 1.5 s; back after rise; both down → withdrawn; SIGTERM withdraws first; failback off stays', {
  timeout: 120_000,
}, async () => {
  await withLab('e2e-agent', AGENT_NAME, async (cli) => {
    // A copy, so that the test can switch failback off in the agent's config.
    const dir = join(cli.stateDir, 'scenario');
    cpSync(AGENT_LAB_DIR, dir, { recursive: true });
    const up = await cli.ok(['up', join(dir, 'lab.yml'), '--detach'], 45_000);
    assert.match(up, /lab 'next-hop-failover' is up \(loopback mode/);
    const s = cli.record(AGENT_NAME);
    assert.equal(s.pids.length, 3, 'the agent and two web servers are recorded');
    await learnedOnBoth(cli, '10.10.0.4');
    await effectiveVia(cli, '10.10.0.4');

    // ws1's web server stops (its checks fail: connection refused); the agent moves the VIP
    // after `fall` 3 checks 200 ms apart, and back after `rise` 3 once it answers again. The
    // probe watches it as a user of lt1 would.
    // 12 s: the failover and the failback take about 5 s; the rest is room for a slow machine,
    // so that the last probes still see the failback (the probe's window is fixed).
    const watching = probe(cli, '100ms', '12s');
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    assert.match(await cli.ok(['node', 'stop', 'ws1']), /ws1: stopped/);
    await effectiveVia(cli, '10.10.0.5');
    const moved = Date.now() - t0;
    await learnedOnBoth(cli, '10.10.0.5');
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(await cli.ok(['node', 'start', 'ws1']), /ws1: running/);
    await effectiveVia(cli, '10.10.0.4');
    const p = await watching;
    const gap = p.summary.longestGapMs;
    console.log(
      `# agent failover: lt1's route moved ${moved} ms after ws1 stopped (as seen by polling); probe every 100 ms: longest gap ${gap} ms, ${p.summary.sent - p.summary.received} of ${p.summary.sent} lost`,
    );
    assert.ok(gap !== null && gap < 1500, `longest gap ${gap} ms, want < 1500 ms (interval 200 ms, fall 3)`);
    const reached = p.probes.filter((x) => x.result === 'ok').map((x) => x.vm);
    assert.equal(reached[0], 'ws1');
    assert.ok(reached.includes('ws2'), 'probes reached ws2 during the failover');
    assert.equal(reached.at(-1), 'ws1', 'failback: probes end on ws1');
    assert.ok(
      p.probes.some((x) => x.result === 'unreachable' && x.vm === 'ws1'),
      'the outage shows as refused connections to ws1',
    );

    // Both down: withdrawn on both instances; the probe says there is no route.
    await cli.ok(['node', 'stop', 'ws1']);
    await cli.ok(['node', 'stop', 'ws2']);
    await noVipRow(cli);
    const none = await probe(cli, '100ms', '300ms');
    assert.ok(none.probes.length > 0 && none.probes.every((x) => x.result === 'no route'), JSON.stringify(none.probes));
    await cli.ok(['node', 'start', 'ws2']);
    await effectiveVia(cli, '10.10.0.5');
    await cli.ok(['node', 'start', 'ws1']);
    await effectiveVia(cli, '10.10.0.4');

    // SIGTERM (`node stop`): each instance sees the withdraw, then Cease/2 (RFC 4486).
    const before = await lastEventSeq(cli);
    assert.match(await cli.ok(['node', 'stop', 'watch1']), /watch1: stopped/);
    await expectWithdrawThenCease(cli, before, 'watcher');
    await noVipRow(cli);

    // failback: false — after ws1 recovers the VIP stays on ws2.
    const conf = join(dir, 'watch1', 'agent.loopback.yaml');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(/failback: true/, 'failback: false'));
    assert.match(await cli.ok(['node', 'start', 'watch1']), /watch1: running/);
    cli.record(AGENT_NAME);
    await effectiveVia(cli, '10.10.0.4');
    await cli.ok(['node', 'stop', 'ws1']);
    await effectiveVia(cli, '10.10.0.5');
    await cli.ok(['node', 'start', 'ws1']);
    // rise 3 × 200 ms = 0.6 s; wait well past it, then it must still be on ws2.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(vipRow(await cli.ok(LT1_EFFECTIVE_ROUTES))?.[4], '10.10.0.5', 'failback off: stays on ws2');
    const st = JSON.parse(await cli.ok(['node', 'cmd', 'watch1', 'status'])) as {
      backends: { name: string; state: string }[];
    };
    assert.equal(st.backends.find((b) => b.name === 'ws1')?.state, 'up', 'ws1 is healthy again, yet not preferred');
  });
});

test('seed 000 with arslab agent in netns mode: the agent config verbatim, web servers on port 80 in their namespaces', {
  skip: noRoot,
  timeout: 60_000,
}, async () => {
  await withLab('e2e-agent-ns', AGENT_NAME, async (cli) => {
    await cli.ok(['up', join(AGENT_LAB_DIR, 'lab.yml'), '--netns', '--detach'], 45_000);
    const s = cli.record(AGENT_NAME);
    assert.deepEqual([...s.namespaces].sort(), labNamespaces(AGENT_NAME).sort());
    await learnedOnBoth(cli, '10.10.0.4');
    await effectiveVia(cli, '10.10.0.4');
    const ok = await probe(cli, '100ms', '300ms');
    assert.ok(
      ok.probes.every((x) => x.result === 'ok' && x.vm === 'ws1'),
      JSON.stringify(ok.probes),
    );
    await cli.ok(['node', 'stop', 'ws1']);
    await effectiveVia(cli, '10.10.0.5');
  });
});

/** lt1VMNic's next hops for 100.64.0.1/32 (one per ECMP row), sorted. */
async function vipRows(cli: LabCli, want: string[]): Promise<void> {
  const w = [...want].sort().join(' ');
  let last = '';
  await waitFor(
    `lt1VMNic's rows for 100.64.0.1/32: ${w || 'none'}`,
    async () => {
      const rows = (await cli.ok(LT1_EFFECTIVE_ROUTES))
        .split('\n')
        .filter((l) => /\s100\.64\.0\.1\/32\s/.test(l))
        .map((l) => l.trim().split(/\s+/)[4]!);
      last = rows.sort().join(' ');
      return last === w;
    },
    { timeoutMs: 15_000, intervalMs: 150 },
  ).catch((e: Error) => {
    e.message += ` (last: ${last || 'none'})`;
    throw e;
  });
}

for (const mode of ['loopback', 'netns'] as const) {
  test(`seed 000 per backend (${mode}): an agent beside each web server → two ECMP rows; one unhealthy → one row; back → two`, {
    skip: mode === 'netns' ? noRoot : false,
    timeout: 60_000,
  }, async () => {
    await withLab(`e2e-pb-${mode}`, PER_BACKEND_NAME, async (cli) => {
      await cli.ok(['up', PER_BACKEND_LAB, ...(mode === 'netns' ? ['--netns'] : []), '--detach'], 45_000);
      cli.record(PER_BACKEND_NAME);
      await vipRows(cli, ['10.10.0.4', '10.10.0.5']);
      // Flows spread over both rows (a new source port per probe: a new flow).
      const both = await probe(cli, '50ms', '1s');
      assert.deepEqual(
        [...new Set(both.probes.filter((x) => x.result === 'ok').map((x) => x.vm))].sort(),
        ['ws1', 'ws2'],
        JSON.stringify(both.summary),
      );
      await cli.ok(['node', 'stop', 'ws1']);
      await vipRows(cli, ['10.10.0.5']);
      const one = await probe(cli, '50ms', '500ms');
      assert.ok(
        one.probes.every((x) => x.result === 'ok' && x.vm === 'ws2'),
        JSON.stringify(one.probes),
      );
      await cli.ok(['node', 'start', 'ws1']);
      await vipRows(cli, ['10.10.0.4', '10.10.0.5']);
    });
  });
}
