/**
 * `arslab agent` against real BGP daemons standing in for the two Route Server instances:
 * BIRD 2 (AS 65515) as instance 0 and GoBGP (AS 65515) as instance 1, one agent peering
 * with both. Both receive the VIP with the healthy next hop, see it move, see it withdrawn,
 * and on SIGTERM drop it at once (withdraw + Cease/Administrative Shutdown, not the hold
 * timer). Addresses: 127.124.0.0/16 only. Daemons run under `timeout`, are killed by PID.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AgentProcess, WebServer, sleep } from './agentProcess.js';
import { waitFor } from '../helpers/waitFor.js';

const BIRD = '/usr/sbin/bird';
const BIRDC = '/usr/sbin/birdc';
const GOBGPD = '/usr/bin/gobgpd';
const GOBGP = '/usr/bin/gobgp';
const missing = [BIRD, BIRDC, GOBGPD, GOBGP].filter((p) => !existsSync(p));
const N = 124;
const PORT = 179;
const run = promisify(execFile);

function daemon(argv: string[], dir: string, name: string): { child: ChildProcess; output: () => string } {
  // `timeout` bounds the daemon even if this test process dies; the test kills it by PID first.
  const child = spawn('timeout', ['-s', 'KILL', '120', ...argv], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  child.once('exit', (c, s) => (out += `\n[${name} exited: ${c ?? s}]`));
  return { child, output: () => out.slice(-3000) };
}

async function killByPid(c: ChildProcess | undefined): Promise<void> {
  if (!c?.pid || c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  // SIGTERM to `timeout`, which passes it on to the daemon and exits with it; SIGKILL would
  // orphan the daemon. Then SIGKILL whatever is left, by PID.
  const daemonPid = childOf(c.pid);
  try {
    process.kill(c.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  await Promise.race([gone, sleep(3000)]);
  for (const pid of [c.pid, daemonPid]) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** The one child of `pid` (the daemon under `timeout`), from /proc. */
function childOf(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

test('BIRD and GoBGP as the two instances: VIP announced, moved, withdrawn; SIGTERM drops it at once', {
  timeout: 120_000,
  skip: missing.length ? `missing ${missing.join(', ')}` : false,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-interop-'));
  const ws1 = new WebServer('ws1', `127.${N}.0.4`, 8080);
  const ws2 = new WebServer('ws2', `127.${N}.0.5`, 8080);
  let bird: ReturnType<typeof daemon> | undefined;
  let gobgpd: ReturnType<typeof daemon> | undefined;
  let agent: AgentProcess | undefined;
  const birdCtl = join(dir, 'bird.ctl');
  const api = `127.${N}.1.5:50051`;
  try {
    await ws1.start();
    await ws2.start();
    writeFileSync(
      join(dir, 'bird.conf'),
      `router id 10.10.1.4;
protocol device { }
protocol static nh { ipv4; route 0.0.0.0/0 via "lo"; }
protocol bgp agent {
  local 127.${N}.1.4 port ${PORT} as 65515;
  neighbor 127.${N}.0.7 port ${PORT} as 65001;
  strict bind yes;
  multihop;
  hold time 9;
  connect retry time 1;
  ipv4 { import all; export none; };
}
`,
    );
    writeFileSync(
      join(dir, 'gobgpd.toml'),
      `[global.config]
  as = 65515
  router-id = "10.10.1.5"
  port = ${PORT}
  local-address-list = ["127.${N}.1.5"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.${N}.0.7"
    peer-as = 65001
  [neighbors.transport.config]
    local-address = "127.${N}.1.5"
    remote-port = ${PORT}
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 64
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
    idle-hold-time-after-reset = 1
`,
    );
    bird = daemon([BIRD, '-f', '-c', join(dir, 'bird.conf'), '-s', birdCtl], dir, 'bird');
    gobgpd = daemon(
      [GOBGPD, '-f', join(dir, 'gobgpd.toml'), '--api-hosts', api, '--pprof-disable', '-p'],
      dir,
      'gobgpd',
    );
    agent = AgentProcess.start(
      'interop',
      `asn: 65001
routerId: 10.10.0.7
localAddress: 127.${N}.0.7
listenPort: ${PORT}
connectRetry: 1s
neighbors:
  - { name: bird, address: 127.${N}.1.4, port: ${PORT}, holdTime: 9 }
  - { name: gobgp, address: 127.${N}.1.5, port: ${PORT}, holdTime: 9 }
vips:
  - prefix: 100.64.0.1/32
    pattern: watcher
    backends:
      - { name: ws1, nextHop: 10.10.0.4, check: { type: http, url: "${ws1.url}", body: "ok from ws1", interval: 1s, fastInterval: 100ms, timeout: 1s, rise: 2, fall: 2 } }
      - { name: ws2, nextHop: 10.10.0.5, check: { type: http, url: "${ws2.url}", bodyRegex: "^ok from ws[0-9]", interval: 1s, fastInterval: 100ms, timeout: 1s, rise: 2, fall: 2 } }
`,
    );
    const a = agent;
    const detail = () =>
      `last seen (bird|gobgp): ${last}\n${a.tail()}\n--- bird\n${bird!.output()}\n--- gobgpd\n${gobgpd!.output()}`;

    /** BIRD's BGP.next_hop for the VIP, '' when it has no route. */
    const birdNextHop = async (): Promise<string> => {
      // birdc exits non-zero on "Network not found": that is the answer "no route".
      const stdout = await run(BIRDC, ['-s', birdCtl, 'show', 'route', '100.64.0.1/32', 'all'], { timeout: 5000 }).then(
        (r) => r.stdout,
        (e: { stdout?: string; message: string }) => {
          if (e.stdout && /Network not found/.test(e.stdout)) return '';
          throw e;
        },
      );
      return /BGP\.next_hop:\s+(\S+)/.exec(stdout)?.[1] ?? '';
    };
    /** GoBGP's next hop for the VIP, '' when none. */
    const gobgpNextHop = async (): Promise<string> => {
      const { stdout } = await run(GOBGP, ['-u', `127.${N}.1.5`, '-p', '50051', 'global', 'rib', '-a', 'ipv4', '-j'], {
        timeout: 5000,
      });
      const rib = JSON.parse(stdout || '{}') as Record<
        string,
        { nexthop?: string; attrs?: { type: number; nexthop?: string }[] }[]
      >;
      const paths = rib['100.64.0.1/32'] ?? [];
      return paths.map((p) => p.attrs?.find((x) => x.type === 3)?.nexthop ?? p.nexthop ?? '?').join(',');
    };
    let last = '';
    const both = async (): Promise<string> =>
      (last = `${await birdNextHop().catch((e: Error) => `err ${e.message}`)}|${await gobgpNextHop().catch((e: Error) => `err ${e.message}`)}`);

    await waitFor('BIRD and GoBGP have the VIP via ws1', async () => (await both()) === '10.10.0.4|10.10.0.4', {
      timeoutMs: 40_000,
      intervalMs: 10,
      detail,
    });
    const { stdout: adj } = await run(GOBGP, ['-u', `127.${N}.1.5`, '-p', '50051', 'global', 'rib', '-a', 'ipv4'], {
      timeout: 5000,
    });
    assert.match(adj, /100\.64\.0\.1\/32\s+10\.10\.0\.4\s+65001\s/, 'GoBGP sees AS path 65001');
    const { stdout: birdAll } = await run(BIRDC, ['-s', birdCtl, 'show', 'route', '100.64.0.1/32', 'all'], {
      timeout: 5000,
    });
    assert.match(birdAll, /BGP\.as_path: 65001\s*$/m);
    assert.match(birdAll, /BGP\.origin: IGP/);

    const t0 = performance.now();
    await ws1.stop();
    await waitFor('both move to ws2', async () => (await both()) === '10.10.0.5|10.10.0.5', {
      timeoutMs: 10_000,
      intervalMs: 10,
      detail,
    });
    console.log(`BIRD+GoBGP: ws1 stopped → both peers on 10.10.0.5 after ${Math.round(performance.now() - t0)} ms`);
    await ws2.stop();
    await waitFor('both see the withdraw', async () => (await both()) === '|', {
      timeoutMs: 10_000,
      intervalMs: 10,
      detail,
    });
    await ws1.start();
    await waitFor('back on ws1', async () => (await both()) === '10.10.0.4|10.10.0.4', {
      timeoutMs: 10_000,
      intervalMs: 10,
      detail,
    });

    // SIGTERM: gone from both well before their 9 s hold time could expire.
    const t1 = performance.now();
    const exit = await a.signal('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });
    await waitFor('both dropped the VIP', async () => (await both()) === '|', {
      timeoutMs: 3_000,
      intervalMs: 10,
      detail,
    });
    const dropMs = Math.round(performance.now() - t1);
    console.log(`BIRD+GoBGP: SIGTERM → VIP gone on both after ${dropMs} ms (hold time 9 s)`);
    const { stdout: proto } = await run(BIRDC, ['-s', birdCtl, 'show', 'protocols', 'all', 'agent'], { timeout: 5000 });
    assert.match(proto, /Received: Administrative shutdown/, proto);
    const order = a.lines.map((l) => `${l.event}${l['neighbor'] ? `:${l['neighbor']}` : ''}`);
    const i = order.indexOf('agent-stopping');
    assert.deepEqual(
      order
        .slice(i)
        .filter((e) => /^(withdraw|withdraws-flushed)/.test(e))
        .sort(),
      ['withdraw:bird', 'withdraw:gobgp', 'withdraws-flushed'],
    );
  } finally {
    await agent?.kill();
    await killByPid(bird?.child);
    await killByPid(gobgpd?.child);
    await ws1.stop();
    await ws2.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
