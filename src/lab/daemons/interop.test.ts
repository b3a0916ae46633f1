// The four drivers against each other, on loopback, port 179, each daemon on its own
// 127.77.x.y address (a range no other test of the repository uses): GoBGP <-> BIRD,
// FRR <-> ExaBGP, BIRD <-> FRR, run concurrently. Needs root (port 179) and the Debian
// packages bird2, frr, gobgpd, exabgp; skipped otherwise.
//
// Next hops are documentation addresses, never 127.x (GoBGP treats a loopback next hop as a
// withdraw, FRR resets the session), and both senders are configured to keep the announced
// next hop (BIRD `next hop keep`, FRR `attribute-unchanged next-hop`).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type DaemonHandle, type DaemonKind, type DaemonRoute, type ExabgpHandle } from './index.js';
import { readProcStat, runCommand, sleep } from './process.js';
import { helpersDir } from './common.js';
import { waitFor } from '../../../test/helpers/waitFor.js';

const BINARIES = [
  '/usr/sbin/bird',
  '/usr/lib/frr/bgpd',
  '/usr/bin/gobgpd',
  '/usr/sbin/exabgp',
  '/usr/bin/vtysh',
  '/usr/bin/gobgp',
];
const missing = BINARIES.filter((b) => !existsSync(b));
const skip =
  process.getuid?.() !== 0
    ? 'needs root (BGP port 179)'
    : missing.length > 0
      ? `missing ${missing.join(', ')} (scripts/setup --daemons all)`
      : false;

const root = mkdtempSync(join(tmpdir(), 'arslab-d-'));
const started: DaemonHandle[] = [];
const verbose = process.env['ARSLAB_DAEMON_LOG'] === '1';

after(async () => {
  // Whatever happened, every daemon goes, by PID.
  await Promise.allSettled(started.map((d) => d.kill()));
  rmSync(root, { recursive: true, force: true });
});

async function start(
  kind: DaemonKind,
  name: string,
  address: string,
  config: string,
  ext = 'conf',
): Promise<DaemonHandle> {
  const dir = join(root, name);
  const configFile = join(root, `${name}.${ext}`);
  writeFileSync(configFile, config);
  const d = await startDaemon(kind, {
    name,
    workDir: dir,
    configFile,
    listenAddress: address,
    listenPort: 179,
    maxLifetimeSeconds: 120,
    log: verbose ? (l) => console.log(`[${name}] ${l}`) : undefined,
  });
  started.push(d);
  await d.ready();
  return d;
}

async function established(d: DaemonHandle, neighbor: string, want = true, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    `${d.name}: session with ${neighbor} ${want ? 'up' : 'down'}`,
    async () => {
      const s = (await d.sessions()).find((x) => x.neighbor === neighbor);
      assert.ok(s, `no session with ${neighbor}`);
      assert.equal(s.established, want, `state ${s.state}`);
      return true;
    },
    { timeoutMs: timeoutMs, intervalMs: 150 },
  );
}

async function route(
  d: DaemonHandle,
  prefix: string,
  timeoutMs = 10_000,
  check?: (r: DaemonRoute) => void,
): Promise<DaemonRoute> {
  return waitFor(
    `${d.name}: route ${prefix}`,
    async () => {
      const found = (await d.receivedRoutes()).filter((r) => r.prefix === prefix);
      assert.equal(found.length, 1, `${found.length} paths for ${prefix}`);
      check?.(found[0]!);
      return found[0]!;
    },
    { timeoutMs: timeoutMs, intervalMs: 150 },
  );
}

async function noRoute(d: DaemonHandle, prefix: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `${d.name}: ${prefix} withdrawn`,
    async () => {
      assert.deepEqual(
        (await d.receivedRoutes()).filter((r) => r.prefix === prefix),
        [],
      );
      return true;
    },
    { timeoutMs: timeoutMs, intervalMs: 150 },
  );
}

/** stop() and check by PID that nothing of the instance survives. */
async function stopAndCheck(d: DaemonHandle): Promise<void> {
  const pids = d.pids();
  assert.ok(pids.includes(d.pid));
  await d.stop({ graceMs: 3000 });
  assert.ok(d.exited);
  assert.deepEqual(d.pids(), []);
  for (const pid of pids) {
    const st = readProcStat(pid);
    assert.ok(st === undefined || st.state === 'Z', `pid ${pid} survived stop()`);
  }
}

const birdConfig = (me: string, asn: number, peer: string, peerAs: number, hold = 9) => `
router id ${me.replace(/^127\./, '10.')};
protocol device { }
# Received next hops are documentation addresses: make them resolvable through "lo".
protocol static nh4 { ipv4; route 0.0.0.0/0 via "lo"; }
protocol static nh6 { ipv6; route ::/0 via "lo"; }
protocol bgp peer {
  local ${me} as ${asn};
  neighbor ${peer} as ${peerAs};
  strict bind yes;
  multihop;
  hold time ${hold};
  connect delay time 1;
  connect retry time 2;
  ipv4 { import all; export where proto ~ "arslab_*"; next hop keep; };
  ipv6 { import all; export where proto ~ "arslab_*"; next hop keep; };
}
`;

const gobgpConfig = (me: string, asn: number, peer: string, peerAs: number) => `
[global.config]
  as = ${asn}
  router-id = "${me.replace(/^127\./, '10.')}"
  port = 179
  local-address-list = ["${me}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${peer}"
    peer-as = ${peerAs}
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
  [neighbors.transport.config]
    local-address = "${me}"
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 64
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
`;

const frrConfig = (me: string, asn: number, peer: string, peerAs: number, timers: string) => `
frr defaults traditional
router bgp ${asn}
 bgp router-id ${me.replace(/^127\./, '10.')}
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${peer} remote-as ${peerAs}
 neighbor ${peer} update-source ${me}
 neighbor ${peer} disable-connected-check
 neighbor ${peer} timers ${timers}
 neighbor ${peer} timers connect 1
 address-family ipv4 unicast
  neighbor ${peer} attribute-unchanged next-hop
 exit-address-family
 address-family ipv6 unicast
  neighbor ${peer} activate
  neighbor ${peer} attribute-unchanged next-hop
 exit-address-family
`;

describe('daemon drivers, paired on loopback', { skip, concurrency: true }, () => {
  test('GoBGP <-> BIRD: communities, large communities, prepend, IPv6, withdraw, pause, stop', async () => {
    const [b, g] = await Promise.all([
      start('bird', 'bird-a', '127.77.1.1', birdConfig('127.77.1.1', 65001, '127.77.1.2', 65002)),
      start('gobgp', 'gobgp-a', '127.77.1.2', gobgpConfig('127.77.1.2', 65002, '127.77.1.1', 65001), 'toml'),
    ]);
    await established(b, '127.77.1.2');
    await established(g, '127.77.1.1');

    await g.announce({
      prefix: '198.18.1.0/24',
      nextHop: '198.51.100.2',
      communities: ['65002:1', '65517:65517', 'no-advertise'],
      largeCommunities: ['65002:0:1'],
      asPathPrepend: [65002],
      med: 30,
    });
    await g.announce({ prefix: '2001:db8:1::/48', nextHop: '2001:db8::2', communities: ['65002:6'] });
    const r = await route(b, '198.18.1.0/24');
    assert.deepEqual(
      {
        nextHop: r.nextHop,
        asPath: r.asPath,
        origin: r.origin,
        communities: r.communities,
        large: r.largeCommunities,
        med: r.med,
        peer: r.peer,
        best: r.best,
      },
      {
        nextHop: '198.51.100.2',
        asPath: [65002, 65002],
        origin: 'IGP',
        communities: ['65002:1', '65517:65517', '65535:65282'],
        large: ['65002:0:1'],
        med: 30,
        peer: '127.77.1.2',
        best: true,
      },
    );
    const r6 = await route(b, '2001:db8:1::/48');
    assert.equal(r6.nextHop, '2001:db8::2');
    assert.deepEqual(r6.communities, ['65002:6']);
    assert.deepEqual(await b.receivedRoutes('ipv6'), [r6]);

    // (No MED from BIRD: it sends a MED to an eBGP neighbour only when an export filter sets it.)
    await b.announce({
      prefix: '198.18.11.0/24',
      nextHop: '198.51.100.1',
      communities: ['65001:7'],
      largeCommunities: ['65001:0:7'],
      asPathPrepend: [65001, 65001],
    });
    await route(g, '198.18.11.0/24', 10_000, (x) => {
      assert.equal(x.nextHop, '198.51.100.1');
      assert.deepEqual(x.asPath, [65001, 65001, 65001]);
      assert.deepEqual(x.communities, ['65001:7']);
      assert.deepEqual(x.largeCommunities, ['65001:0:7']);
    });

    await g.withdraw('198.18.1.0/24');
    await noRoute(b, '198.18.1.0/24');
    await b.withdraw('198.18.11.0/24');
    await noRoute(g, '198.18.11.0/24');

    // A pause shorter than the hold time: the session survives, and what was announced to the
    // paused daemon is there once it runs again.
    b.pause();
    await g.announce({ prefix: '198.18.12.0/24', nextHop: '198.51.100.2' });
    await sleep(1500);
    b.resume();
    await route(b, '198.18.12.0/24');
    await established(g, '127.77.1.1');

    // stop(): BIRD sends Cease, GoBGP drops the session at once (not after 9 s of hold time).
    const t0 = Date.now();
    await stopAndCheck(b);
    await established(g, '127.77.1.1', false, 3000);
    assert.ok(Date.now() - t0 < 6000);
    await stopAndCheck(g);
  });

  test('FRR <-> ExaBGP: the seed command pipe, attributes both ways, hold-timer expiry on pause, kill', async () => {
    const exaConfig = `
process cmd-pipe {
    run /usr/bin/python3 ${join(helpersDir(), 'exabgp-cmd-pipe.py')};
    encoder text;
}
neighbor 127.77.2.3 {
    router-id 10.77.2.4; local-address 127.77.2.4; local-as 65004; peer-as 65003;
    hold-time 3;
    family { ipv4 unicast; ipv6 unicast; }
    api { processes [ cmd-pipe ]; }
}
`;
    const [f, e] = (await Promise.all([
      start('frr', 'frr-b', '127.77.2.3', frrConfig('127.77.2.3', 65003, '127.77.2.4', 65004, '1 3')),
      start('exabgp', 'exabgp-b', '127.77.2.4', exaConfig),
    ])) as [DaemonHandle, ExabgpHandle];
    await established(f, '127.77.2.4');
    await established(e, '127.77.2.3');
    assert.ok(e.pids().length >= 2, 'ExaBGP and its helper processes are tracked');

    // The seed lab's own mechanism: echo "announce route ..." > the command pipe.
    const echo = (line: string) => {
      const fd = openSync(e.commandPipe, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(fd, line + '\n');
      closeSync(fd);
    };
    echo('announce route 100.64.0.1/32 next-hop 10.10.0.4');
    await route(f, '100.64.0.1/32', 10_000, (x) => assert.equal(x.nextHop, '10.10.0.4'));
    echo('announce route 100.64.0.1/32 next-hop 10.10.0.5');
    await route(f, '100.64.0.1/32', 10_000, (x) => assert.equal(x.nextHop, '10.10.0.5'));
    assert.deepEqual((await route(f, '100.64.0.1/32')).asPath, [65004]);

    await f.announce({
      prefix: '198.18.3.0/24',
      nextHop: '198.51.100.3',
      communities: ['65003:1', '65535:0'],
      largeCommunities: ['65003:0:1'],
      asPathPrepend: [65003],
      med: 7,
    });
    await route(e, '198.18.3.0/24', 10_000, (x) => {
      assert.deepEqual(
        {
          nextHop: x.nextHop,
          asPath: x.asPath,
          communities: x.communities,
          large: x.largeCommunities,
          med: x.med,
          peer: x.peer,
        },
        {
          nextHop: '198.51.100.3',
          asPath: [65003, 65003],
          communities: ['65003:1', '65535:0'],
          large: ['65003:0:1'],
          med: 7,
          peer: '127.77.2.3',
        },
      );
    });
    await e.announce({
      prefix: '198.18.4.0/24',
      nextHop: '198.51.100.4',
      communities: ['65004:1', 'no-export'],
      largeCommunities: ['65004:0:1'],
      asPathPrepend: [65004],
    });
    await e.announce({ prefix: '2001:db8:4::/48', nextHop: '2001:db8::4' });
    await route(f, '198.18.4.0/24', 10_000, (x) => {
      assert.deepEqual(
        [x.nextHop, x.asPath, x.communities, x.largeCommunities],
        ['198.51.100.4', [65004, 65004], ['65004:1', '65535:65281'], ['65004:0:1']],
      );
    });
    await route(f, '2001:db8:4::/48', 10_000, (x) => assert.equal(x.nextHop, '2001:db8::4'));
    await f.withdraw('198.18.3.0/24');
    await noRoute(e, '198.18.3.0/24');
    await e.withdraw('198.18.4.0/24');
    await noRoute(f, '198.18.4.0/24');

    // A pause longer than the hold time (3 s): no keepalive, the TCP connection stays open,
    // FRR's hold timer expires. After resume ExaBGP reconnects.
    e.pause();
    await established(f, '127.77.2.4', false, 8000);
    e.resume();
    await established(f, '127.77.2.4', true, 15_000);

    // kill(): no NOTIFICATION, but the kernel closes the socket, so FRR notices at once.
    const pids = e.pids();
    await e.kill();
    for (const pid of pids) {
      // A zombie is dead; helpers reparented to init stay zombies until init reaps them.
      const st = readProcStat(pid);
      assert.ok(st === undefined || st.state === 'Z', `pid ${pid} survived kill()`);
    }
    await established(f, '127.77.2.4', false, 3000);
    await stopAndCheck(f);
  });

  test('BIRD <-> FRR: IPv4 and IPv6 both ways, stop', async () => {
    const [b, f] = await Promise.all([
      start('bird', 'bird-c', '127.77.3.5', birdConfig('127.77.3.5', 65005, '127.77.3.6', 65006)),
      start('frr', 'frr-c', '127.77.3.6', frrConfig('127.77.3.6', 65006, '127.77.3.5', 65005, '3 9')),
    ]);
    await established(b, '127.77.3.6');
    await established(f, '127.77.3.5');
    await Promise.all([
      b.announce({
        prefix: '198.18.5.0/24',
        nextHop: '198.51.100.5',
        communities: ['65005:5'],
        largeCommunities: ['65005:0:5'],
      }),
      f.announce({
        prefix: '198.18.6.0/24',
        nextHop: '198.51.100.6',
        communities: ['65006:6'],
        largeCommunities: ['65006:0:6'],
      }),
      f.announce({ prefix: '2001:db8:6::/48', nextHop: '2001:db8::6', communities: ['65006:66'] }),
    ]);
    await b.announce({ prefix: '2001:db8:5::/48', nextHop: '2001:db8::5' });
    await route(f, '198.18.5.0/24', 10_000, (x) => {
      assert.deepEqual(
        [x.nextHop, x.asPath, x.communities, x.largeCommunities, x.peer],
        ['198.51.100.5', [65005], ['65005:5'], ['65005:0:5'], '127.77.3.5'],
      );
    });
    await route(f, '2001:db8:5::/48', 10_000, (x) => assert.deepEqual([x.nextHop, x.asPath], ['2001:db8::5', [65005]]));
    await route(b, '198.18.6.0/24', 10_000, (x) => {
      assert.deepEqual(
        [x.nextHop, x.asPath, x.communities, x.largeCommunities, x.peer],
        ['198.51.100.6', [65006], ['65006:6'], ['65006:0:6'], '127.77.3.6'],
      );
    });
    await route(b, '2001:db8:6::/48', 10_000, (x) =>
      assert.deepEqual([x.nextHop, x.communities], ['2001:db8::6', ['65006:66']]),
    );
    await b.withdraw('2001:db8:5::/48');
    await noRoute(f, '2001:db8:5::/48');
    await Promise.all([stopAndCheck(b), stopAndCheck(f)]);
  });

  test('several GoBGP and ExaBGP instances side by side, each on its own 127.x:179', async () => {
    const exa = (me: string) =>
      `neighbor 127.77.4.9 { router-id ${me.replace(/^127\./, '10.')}; local-address ${me}; local-as 65009; peer-as 65515; family { ipv4 unicast; } }\n`;
    const gob = (me: string) =>
      `[global.config]\n  as = 65008\n  router-id = "${me.replace(/^127\./, '10.')}"\n  local-address-list = ["${me}"]\n`;
    const ds = await Promise.all([
      start('gobgp', 'gobgp-d1', '127.77.4.1', gob('127.77.4.1'), 'toml'),
      start('gobgp', 'gobgp-d2', '127.77.4.2', gob('127.77.4.2'), 'toml'),
      start('exabgp', 'exabgp-d3', '127.77.4.3', exa('127.77.4.3')),
      start('exabgp', 'exabgp-d4', '127.77.4.4', exa('127.77.4.4')),
    ]);
    // ready() has audited each instance's listening sockets (loopback only); check that each
    // really holds its own address's port 179.
    const ss = (await runCommand(['ss', '-Hltn'])).stdout;
    for (const a of ['127.77.4.1', '127.77.4.2', '127.77.4.3', '127.77.4.4'])
      assert.match(ss, new RegExp(`${a.replace(/\./g, '\\.')}:179\\b`));
    await Promise.all(ds.map(stopAndCheck));
  });
});
