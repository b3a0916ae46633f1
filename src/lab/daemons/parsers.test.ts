// Unit tests of what the drivers parse and check, on text and JSON captured from BIRD 2.0.12,
// FRR 8.4.4, GoBGP 3.10 and ExaBGP 4.2.21. No daemon runs here.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyzeBirdConfigText,
  birdEntriesToRoutes,
  checkBirdConfig,
  parseBirdProtocols,
  parseBirdRoutes,
  renderBirdWrapper,
} from './bird/index.js';
import { analyzeFrrConfigText, checkFrrConfig, frrJsonToRoutes } from './frr/index.js';
import {
  checkGobgpGlobal,
  gobgpNeighborsToSessions,
  gobgpRibToRoutes,
  readGobgpGlobal,
  readGobgpTomlGlobal,
  splitArgs,
} from './gobgp/index.js';
import {
  parseExabgpAdjRib,
  parseExabgpNeighborConfig,
  parseExabgpNeighbors,
  renderExabgpAnnounce,
} from './exabgp/index.js';
import { canonicalIpv6, checkAnnouncement, normalizeCommunity, normalizeLargeCommunity } from './common.js';
import { isLoopbackAddress, procNetAddress } from './process.js';
import { DaemonError, startDaemon, type DaemonSpec } from './index.js';
import { fillCommand, parseRouteListing } from './exec/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'arslab-parsers-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const spec = (over: Partial<DaemonSpec> = {}): DaemonSpec => ({
  name: 'nva1',
  workDir: '/tmp/unused',
  configFile: '/etc/nva1.conf',
  listenAddress: '127.77.0.4',
  listenPort: 179,
  ...over,
});

test("communities: numbers, pairs and every daemon's names for the well-known ones", () => {
  assert.equal(normalizeCommunity('65517:65517'), '65517:65517');
  assert.equal(normalizeCommunity('(65517,65517)'), '65517:65517');
  assert.equal(normalizeCommunity(4294967042), '65535:65282');
  assert.equal(normalizeCommunity('4294967042'), '65535:65282');
  for (const name of ['no-advertise', 'noAdvertise', 'NO_ADVERTISE'])
    assert.equal(normalizeCommunity(name), '65535:65282');
  assert.equal(normalizeCommunity('no-export'), '65535:65281');
  assert.equal(normalizeCommunity('graceful-shutdown'), '65535:0');
  assert.equal(normalizeCommunity('blackhole'), '65535:666');
  assert.throws(() => normalizeCommunity('no-such-thing'));
  assert.equal(normalizeLargeCommunity('(65002, 0, 1)'), '65002:0:1');
  assert.equal(normalizeLargeCommunity('65002:4294967295:7'), '65002:4294967295:7');
});

test('IPv6 canonical text and /proc/net addresses', () => {
  assert.equal(canonicalIpv6('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalIpv6('2001:db8:0:1:0:0:0:0'), '2001:db8:0:1::');
  assert.equal(canonicalIpv6('::'), '::');
  assert.equal(canonicalIpv6('2001:db8::1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(procNetAddress('0100007F', true), '127.0.0.1');
  assert.equal(procNetAddress('04014D7F', true), '127.77.1.4');
  assert.equal(procNetAddress('00000000000000000000000001000000', true), '::1');
  assert.equal(procNetAddress('0000000000000000FFFF00000100007F', true), '::ffff:127.0.0.1');
  assert.ok(isLoopbackAddress('127.77.1.4') && isLoopbackAddress('::1') && isLoopbackAddress('::ffff:127.0.0.1'));
  assert.ok(!isLoopbackAddress('0.0.0.0') && !isLoopbackAddress('::') && !isLoopbackAddress('10.1.0.4'));
});

test('announcements are validated before any daemon sees them', () => {
  assert.deepEqual(
    checkAnnouncement({ prefix: '10.2.0.0/16', nextHop: '10.2.1.4', communities: ['no-export'] }).communities,
    ['65535:65281'],
  );
  assert.throws(() => checkAnnouncement({ prefix: '10.2.0.0/33', nextHop: '10.2.1.4' }), DaemonError);
  assert.throws(() => checkAnnouncement({ prefix: '2001:db8::/32', nextHop: '10.2.1.4' }), /not an ipv6 address/);
  assert.throws(
    () => checkAnnouncement({ prefix: '10.2.0.0/16', nextHop: '10.2.1.4', largeCommunities: ['1:2'] }),
    DaemonError,
  );
});

test('startDaemon: an unknown kind lists the known ones', async () => {
  await assert.rejects(
    startDaemon('quagga', spec()),
    /unknown daemon kind "quagga"; known kinds: bird, frr, gobgp, exabgp/,
  );
});

test('startDaemon refuses a configuration that cannot work, before running anything', async () => {
  const dir = mkdtempSync(join(tmp, 'refuse-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return spec({ configFile: join(dir, name), workDir: join(dir, `${name}.work`) });
  };
  const isConfigError = (re: RegExp) => (err: unknown) =>
    err instanceof DaemonError && err.code === 'config' && re.test(err.message);
  await assert.rejects(
    startDaemon(
      'bird',
      write('bird.conf', 'protocol bgp rs0 { local 127.77.0.4 as 65001; neighbor 127.10.1.4 as 65515; multihop; }\n'),
    ),
    isConfigError(/strict bind yes;/),
  );
  await assert.rejects(
    startDaemon(
      'frr',
      write('bgpd.conf', 'router bgp 65003\n bgp router-id 10.3.1.4\n neighbor 127.10.1.4 remote-as 65515\n'),
    ),
    isConfigError(/no bgp ebgp-requires-policy[\s\S]*no bgp network import-check[\s\S]*disable-connected-check/),
  );
  await assert.rejects(
    startDaemon('gobgp', write('gobgpd.toml', '[global.config]\n  as = 65002\n  router-id = "10.2.1.4"\n')),
    isConfigError(/local-address-list = \["127\.77\.0\.4"\]/),
  );
});

// ---------------------------------------------------------------------------------------------
// BIRD

const BIRD_ROUTES = `Table master4:
0.0.0.0/0            unicast [nh4 04:11:26.232] * (200)
\tdev lo
\tType: static univ
198.18.5.0/24        unicast [ga 04:11:27.349 from 127.77.5.2] * (100/?) [AS65002i]
\tdev lo
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65002
\tBGP.next_hop: 198.51.100.5
\tBGP.med: 50
\tBGP.local_pref: 100
\tBGP.community: (65002,0) (65002,1) (65535,65282)
\t\t(65002,7)
\tBGP.large_community: (65002, 0, 1) (65002, 4294967295, 7)
                     unicast [gb 04:11:27.380 from 127.77.5.3] (100/?) [AS65003i]
\tdev lo
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65003 65003
\tBGP.next_hop: 198.51.100.55
\tBGP.local_pref: 100
198.18.6.0/24        unicast [ga 2026-11-21 04:11:27 from 127.77.5.2] * (100/?) [?]
\tdev lo
\tType: BGP univ
\tBGP.origin: Incomplete
\tBGP.as_path: 65002 65010 {65011 65012}
\tBGP.next_hop: 198.51.100.6
\tBGP.local_pref: 100
198.18.7.0/24        unreachable [fr 04:11:28.001] * (100) [AS65003i]
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65003
\tBGP.next_hop: 10.3.1.4
\tBGP.local_pref: 100

Table master6:
2001:db8:5::/48      unicast [ga 04:11:27.398 from 127.77.5.2] * (100/?) [AS65002i]
\tdev lo
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65002
\tBGP.next_hop: 2001:db8::5 fe80::1
\tBGP.local_pref: 100
\tBGP.community: (65002,6)
`;

test('BIRD: show route all, multi-path, wrapped sets, AS_SET, IPv6 with link-local next hop', () => {
  const entries = parseBirdRoutes(BIRD_ROUTES);
  assert.equal(entries.length, 6);
  const routes = birdEntriesToRoutes(
    entries,
    new Map([
      ['ga', '127.77.5.2'],
      ['gb', '127.77.5.3'],
      ['fr', '127.77.5.9'],
    ]),
  );
  assert.equal(routes.length, 5, 'the static default route is not a BGP route');
  const [a, b, c, d, e] = routes;
  assert.deepEqual(a, {
    prefix: '198.18.5.0/24',
    nextHop: '198.51.100.5',
    asPath: [65002],
    origin: 'IGP',
    communities: ['65002:0', '65002:1', '65535:65282', '65002:7'],
    largeCommunities: ['65002:0:1', '65002:4294967295:7'],
    best: true,
    med: 50,
    localPref: 100,
    peer: '127.77.5.2',
  });
  assert.equal(b!.prefix, '198.18.5.0/24');
  assert.equal(b!.best, false);
  assert.deepEqual(b!.asPath, [65003, 65003]);
  assert.equal(b!.peer, '127.77.5.3');
  assert.deepEqual(c!.asPath, [65002, 65010, 65011, 65012]);
  assert.equal(c!.origin, 'INCOMPLETE');
  assert.equal(c!.peer, '127.77.5.2', 'a two-word time stamp (timeformat iso long) still parses');
  assert.equal(d!.peer, '127.77.5.9', 'no "from": the protocol\'s neighbour');
  assert.equal(e!.nextHop, '2001:db8::5');
  assert.equal(e!.prefix, '2001:db8:5::/48');
});

const BIRD_PROTOCOLS = `Name       Proto      Table      State  Since         Info
device1    Device     ---        up     04:11:26.232  

ga         BGP        ---        up     04:11:27.063  Established   
  BGP state:          Established
    Neighbor address: 127.77.5.2
    Neighbor AS:      65002
    Local AS:         65001
  Channel ipv4
    State:          UP
    Table:          master4
  Channel ipv6
    State:          UP
    Table:          t6
gobgp1     BGP        ---        down   04:00:54.284  Error: No listening socket
  BGP state:          Down
    Neighbor address: 127.0.2.4
    Neighbor AS:      65002
    Local AS:         65001
    Last error:       Error: No listening socket
  Channel ipv4
    State:          DOWN
    Table:          master4
`;

test('BIRD: show protocols all', () => {
  const ps = parseBirdProtocols(BIRD_PROTOCOLS);
  assert.deepEqual(
    ps.map((p) => [p.name, p.proto, p.bgpState, p.neighborAddress, p.neighborAs]),
    [
      ['device1', 'Device', undefined, undefined, undefined],
      ['ga', 'BGP', 'Established', '127.77.5.2', 65002],
      ['gobgp1', 'BGP', 'Down', '127.0.2.4', 65002],
    ],
  );
  assert.deepEqual(
    ps[1]!.channels.map((c) => [c.name, c.table]),
    [
      ['ipv4', 'master4'],
      ['ipv6', 't6'],
    ],
  );
  assert.equal(ps[2]!.lastError, 'Error: No listening socket');
  assert.equal(ps[2]!.info, 'Error: No listening socket');
});

const BIRD_CONFIG = `
router id 10.1.1.4;
# protocol bgp commented { }
template bgp ars {
  local 127.77.0.4 as 65001;
  strict bind yes;   /* binds 127.77.0.4 only */
  multihop;
}
protocol bgp rs0 from ars { neighbor 127.10.1.4 as 65515; ipv4 { export filter { bgp_local_pref = 5; accept; }; }; }
protocol bgp rs1 { local 127.77.0.4 port 1179 as 65001; neighbor 127.10.1.5 as 65515; }
protocol bgp { local as 65001; neighbor 127.10.1.6 as 65515; strict bind no; }
protocol kernel { ipv4 { export all; }; }
protocol kernel k6 { ipv6 { export none; }; }
`;

test('BIRD: configuration facts, through templates', () => {
  const f = analyzeBirdConfigText(BIRD_CONFIG.replace(/#.*$/gm, '').replace(/\/\*.*?\*\//g, ''));
  assert.equal(f.routerId, '10.1.1.4');
  assert.deepEqual(
    f.protocols.map((p) => [p.name, p.strictBind, p.localAddress, p.localPort, p.localAs, p.neighbor]),
    [
      ['rs0', true, '127.77.0.4', undefined, 65001, '127.10.1.4'],
      ['rs1', false, '127.77.0.4', 1179, 65001, '127.10.1.5'],
      ['bgp1', false, undefined, undefined, 65001, '127.10.1.6'],
    ],
  );
  assert.deepEqual(f.exportingKernelProtocols, ['kernel1']);
});

test('BIRD: a protocol without strict bind is refused outside a namespace, with the lines to add', () => {
  const dir = mkdtempSync(join(tmp, 'bird-'));
  const file = join(dir, 'bird.conf');
  writeFileSync(file, 'protocol bgp rs0 { local 127.77.0.4 as 65001; neighbor 127.10.1.4 as 65515; multihop; }\n');
  const facts = {
    ...analyzeBirdConfigText('protocol bgp rs0 { local 127.77.0.4 as 65001; neighbor 127.10.1.4 as 65515; multihop; }'),
    unresolvedIncludes: [],
  };
  assert.throws(
    () => checkBirdConfig(facts, spec({ configFile: file })),
    (err: Error) => {
      assert.ok(err instanceof DaemonError && err.code === 'config');
      assert.match(err.message, /protocol bgp rs0 has no `strict bind yes;`/);
      assert.match(err.message, /local 127\.77\.0\.4 as 65001;\n\s+strict bind yes;/);
      return true;
    },
  );
  // In a namespace the daemon owns its addresses: no error, only the port note if any.
  assert.deepEqual(checkBirdConfig(facts, spec({ netns: 'nva1' })), []);
  const withBind = {
    ...analyzeBirdConfigText(
      'protocol bgp rs0 { local 127.77.0.9 as 65001; strict bind; neighbor 127.10.1.4 as 65515; }',
    ),
    unresolvedIncludes: [],
  };
  assert.deepEqual(checkBirdConfig(withBind, spec()), [
    'protocol bgp rs0 uses local address 127.77.0.9, not 127.77.0.4',
  ]);
  const kernel = { ...analyzeBirdConfigText('protocol kernel { ipv4 { export all; }; }'), unresolvedIncludes: [] };
  assert.throws(() => checkBirdConfig(kernel, spec()), /this host's routing table/);
});

test('BIRD: the wrapper includes the user file verbatim and renders announcements', () => {
  const text = renderBirdWrapper('/home/u/bird.conf', [
    {
      prefix: '198.18.0.0/24',
      nextHop: '198.51.100.7',
      communities: ['65001:1', 'no-advertise'],
      largeCommunities: ['65001:0:1'],
      asPathPrepend: [65010, 65011],
      med: 5,
    },
    { prefix: '2001:db8::/48', nextHop: '2001:db8::7' },
  ]);
  assert.match(text, /^include "\/home\/u\/bird\.conf";$/m);
  assert.match(text, /protocol static arslab_announce4 \{\n {2}ipv4;\n {2}route 198\.18\.0\.0\/24 blackhole \{/);
  assert.match(text, /bgp_community\.add\(\(65535,65282\)\);/);
  assert.match(text, /bgp_large_community\.add\(\(65001,0,1\)\);/);
  // prepend() adds in front: 65011 first, then 65010, giving 65010 65011.
  assert.ok(text.indexOf('bgp_path.prepend(65011)') < text.indexOf('bgp_path.prepend(65010)'));
  assert.match(text, /protocol static arslab_announce6 \{\n {2}ipv6;\n {2}route 2001:db8::\/48 blackhole/);
});

// ---------------------------------------------------------------------------------------------
// FRR

const FRR_CONFIG = `frr defaults traditional
hostname nva
!
router bgp 65003
 bgp router-id 10.3.1.4
 no bgp ebgp-requires-policy
 neighbor ARS peer-group
 neighbor ARS remote-as 65515
 neighbor ARS ebgp-multihop 2
 neighbor 10.1.0.4 peer-group ARS
 neighbor 10.1.0.5 remote-as 65515
 neighbor 10.3.0.9 remote-as internal
 address-family ipv4 unicast
  network 10.3.0.0/16
 exit-address-family
exit
!
bgp as-path access-list LOCAL seq 5 permit ^$
`;

test('FRR: each missing line for bgpd without zebra is named', () => {
  const facts = analyzeFrrConfigText(FRR_CONFIG);
  assert.equal(facts.instances.length, 1);
  assert.equal(facts.instances[0]!.routerId, '10.3.1.4');
  assert.throws(
    () => checkFrrConfig(facts, spec({ netns: 'nva' })),
    (err: Error) => {
      assert.match(err.message, /add `no bgp network import-check`/);
      assert.match(err.message, /add `neighbor 10\.1\.0\.5 disable-connected-check`/);
      assert.doesNotMatch(
        err.message,
        /neighbor 10\.1\.0\.4 disable-connected-check/,
        'its peer-group has ebgp-multihop',
      );
      assert.doesNotMatch(err.message, /10\.3\.0\.9/, 'iBGP needs no connected check');
      assert.doesNotMatch(err.message, /ebgp-requires-policy/);
      return true;
    },
  );
  const fixed = FRR_CONFIG.replace(' bgp router-id 10.3.1.4\n', '').replace(
    ' no bgp ebgp-requires-policy\n',
    ' no bgp network import-check\n neighbor 10.1.0.5 disable-connected-check\n',
  );
  assert.throws(
    () => checkFrrConfig(analyzeFrrConfigText(fixed), spec({ routerId: '10.3.1.4' })),
    (err: Error) => {
      assert.match(err.message, /add `no bgp ebgp-requires-policy`/);
      assert.match(err.message, /add `bgp router-id 10\.3\.1\.4`/);
      return true;
    },
  );
  const ok = `router bgp 65003\n bgp router-id 10.3.1.4\n no bgp ebgp-requires-policy\n no bgp network import-check\n neighbor 127.10.1.4 remote-as 65515\n neighbor 127.10.1.4 disable-connected-check\n`;
  const warnings = checkFrrConfig(analyzeFrrConfigText(ok), spec());
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /add `neighbor 127\.10\.1\.4 update-source 127\.77\.0\.4`/);
});

const FRR_JSON = {
  vrfId: 0,
  routerId: '10.3.1.4',
  routes: {
    '10.3.0.0/16': [
      { prefix: '10.3.0.0/16', version: 1, advertisedTo: { '127.0.10.7': {} } },
      {
        aspath: { string: 'Local', segments: [], length: 0 },
        origin: 'IGP',
        metric: 0,
        weight: 32768,
        valid: true,
        sourced: true,
        local: true,
        bestpath: { overall: true },
        nexthops: [{ ip: '0.0.0.0', afi: 'ipv4', used: true }],
        peer: { peerId: '0.0.0.0', routerId: '10.3.1.4' },
      },
    ],
    '100.64.0.1/32': [
      { prefix: '100.64.0.1/32', version: 2 },
      {
        aspath: { string: '65001 65001', segments: [{ type: 'as-sequence', list: [65001, 65001] }], length: 2 },
        origin: 'IGP',
        valid: true,
        bestpath: { overall: true, selectionReason: 'First path received' },
        community: { string: '65517:65517 no-advertise', list: ['65517:65517', 'noAdvertise'] },
        largeCommunity: { string: '65002:0:1', list: ['65002:0:1'] },
        nexthops: [{ ip: '10.10.0.4', afi: 'ipv4', metric: 0, accessible: true, used: true }],
        peer: { peerId: '127.0.10.7', routerId: '10.10.0.7', type: 'external' },
      },
      {
        aspath: { string: '65002', segments: [{ type: 'as-sequence', list: [65002] }], length: 1 },
        origin: 'incomplete',
        metric: 20,
        locPrf: 100,
        valid: true,
        nexthops: [{ ip: '10.10.0.5', afi: 'ipv4', used: true }],
        peer: { peerId: '127.0.10.8', routerId: '10.10.0.8', type: 'external' },
      },
    ],
  },
};

test('FRR: json detail to routes, local routes left out', () => {
  assert.deepEqual(frrJsonToRoutes(FRR_JSON), [
    {
      prefix: '100.64.0.1/32',
      nextHop: '10.10.0.4',
      asPath: [65001, 65001],
      origin: 'IGP',
      communities: ['65517:65517', '65535:65282'],
      largeCommunities: ['65002:0:1'],
      peer: '127.0.10.7',
      best: true,
    },
    {
      prefix: '100.64.0.1/32',
      nextHop: '10.10.0.5',
      asPath: [65002],
      origin: 'INCOMPLETE',
      communities: [],
      largeCommunities: [],
      peer: '127.0.10.8',
      best: false,
      med: 20,
      localPref: 100,
    },
  ]);
  const v6 = {
    routes: {
      '2001:db8:1::/48': [
        { prefix: '2001:db8:1::/48' },
        {
          aspath: { segments: [{ type: 'as-sequence', list: [65001] }] },
          origin: 'IGP',
          bestpath: { overall: true },
          nexthops: [
            { ip: 'fe80::1', scope: 'link-local' },
            { ip: '2001:db8::4', afi: 'ipv6', scope: 'global' },
          ],
          peer: { peerId: '127.0.10.7' },
        },
      ],
    },
  };
  assert.equal(frrJsonToRoutes(v6)[0]!.nextHop, '2001:db8::4');
});

// ---------------------------------------------------------------------------------------------
// GoBGP

test('GoBGP: [global.config] from TOML, YAML and JSON; listen checks', () => {
  const toml = `# NVA
[global.config]
  as = 65002   # our AS
  router-id = "10.2.1.4"
  port = 179
  local-address-list = [
    "127.77.0.4",  # loopback mode
  ]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.10.1.4"
    peer-as = 65515
  [neighbors.transport.config]
    local-address = "127.77.0.4"
    port = 1790
`;
  assert.deepEqual(readGobgpTomlGlobal(toml), {
    as: 65002,
    'router-id': '10.2.1.4',
    port: 179,
    'local-address-list': ['127.77.0.4'],
  });
  const dir = mkdtempSync(join(tmp, 'gobgp-'));
  writeFileSync(join(dir, 'g.yaml'), 'global:\n  config:\n    as: 65002\n    router-id: 10.2.1.4\n    port: -1\n');
  assert.deepEqual(readGobgpGlobal(join(dir, 'g.yaml')), { as: 65002, routerId: '10.2.1.4', port: -1 });
  writeFileSync(
    join(dir, 'g.json'),
    JSON.stringify({ global: { config: { as: 65002, 'local-address-list': ['127.77.0.4'] } } }),
  );
  assert.deepEqual(readGobgpGlobal(join(dir, 'g.json')), { as: 65002, localAddressList: ['127.77.0.4'] });

  assert.throws(() => checkGobgpGlobal({ as: 65002, port: 179 }, spec()), /local-address-list = \["127\.77\.0\.4"\]/);
  assert.throws(
    () => checkGobgpGlobal({ as: 65002, localAddressList: ['0.0.0.0'] }, spec()),
    /would listen on 0\.0\.0\.0 port 179/,
  );
  assert.deepEqual(checkGobgpGlobal({ as: 65002, port: -1 }, spec({ listenPort: -1 })), []);
  assert.deepEqual(checkGobgpGlobal({ as: 65002 }, spec({ netns: 'nva' })), []);
  assert.deepEqual(checkGobgpGlobal({ as: 65002, port: 1179, localAddressList: ['127.77.0.5'] }, spec()), [
    '[global.config] port = 1179, not 179',
    '[global.config] local-address-list = ["127.77.0.5"] does not hold 127.77.0.4',
  ]);
});

test('GoBGP: global rib and neighbor JSON', () => {
  const rib = {
    '198.18.0.0/24': [
      {
        nlri: { prefix: '198.18.0.0/24' },
        age: 1,
        best: true,
        attrs: [
          { type: 1, value: 0 },
          { type: 2, as_paths: [{ segment_type: 2, num: 3, asns: [65001, 65001, 65001] }] },
          { type: 3, nexthop: '198.51.100.7' },
          { type: 4, metric: 9 },
          { type: 5, value: 200 },
          { type: 8, communities: [4259905537, 4294967042] },
          { type: 32, value: [{ ASN: 65001, LocalData1: 0, LocalData2: 1 }] },
        ],
        'source-id': '10.1.1.4',
        'neighbor-ip': '127.0.1.4',
      },
    ],
    '198.19.0.0/24': [
      {
        nlri: { prefix: '198.19.0.0/24' },
        best: true,
        attrs: [
          { type: 1, value: 2 },
          { type: 3, nexthop: '198.51.100.9' },
        ],
      },
    ],
    '2001:db8:18::/48': [
      {
        nlri: { prefix: '2001:db8:18::/48' },
        best: true,
        attrs: [
          { type: 1, value: 0 },
          { type: 2, as_paths: [{ segment_type: 2, asns: [65001] }] },
          { type: 14, nexthop: '2001:db8::7', afi: 2, safi: 1, value: [{ prefix: '2001:db8:18::/48' }] },
        ],
        'neighbor-ip': '127.0.1.4',
      },
    ],
  };
  assert.deepEqual(gobgpRibToRoutes(rib), [
    {
      prefix: '198.18.0.0/24',
      nextHop: '198.51.100.7',
      asPath: [65001, 65001, 65001],
      origin: 'IGP',
      communities: ['65001:1', '65535:65282'],
      largeCommunities: ['65001:0:1'],
      peer: '127.0.1.4',
      best: true,
      med: 9,
      localPref: 200,
    },
    {
      prefix: '2001:db8:18::/48',
      nextHop: '2001:db8::7',
      asPath: [65001],
      origin: 'IGP',
      communities: [],
      largeCommunities: [],
      peer: '127.0.1.4',
      best: true,
    },
  ]);
  assert.deepEqual(
    gobgpNeighborsToSessions([
      { conf: { neighbor_address: '127.0.1.4', peer_asn: 65001 }, state: { session_state: 6 } },
      { conf: { neighbor_address: '127.0.1.5' }, state: { session_state: 'ACTIVE' } },
    ]),
    [
      { neighbor: '127.0.1.4', state: 'established', established: true, remoteAs: 65001 },
      { neighbor: '127.0.1.5', state: 'active', established: false },
    ],
  );
  assert.deepEqual(splitArgs(`global rib add 10.0.0.0/24 aspath "65001 65002" -a ipv4`), [
    'global',
    'rib',
    'add',
    '10.0.0.0/24',
    'aspath',
    '65001 65002',
    '-a',
    'ipv4',
  ]);
});

// ---------------------------------------------------------------------------------------------
// ExaBGP

test('ExaBGP: adj-rib-in and neighbour text', () => {
  const text = [
    'neighbor 127.0.3.4 local-ip 127.0.10.7 local-as 65001 peer-as 65003 router-id 10.10.0.7 family-allowed in-open ipv4 unicast 10.3.0.0/16 next-hop 127.0.3.4 origin igp as-path [ 65003 ] med 0',
    'neighbor 127.0.3.4 local-ip 127.0.10.7 local-as 65001 peer-as 65003 router-id 10.10.0.7 family-allowed in-open ipv4 unicast 198.18.3.0/24 next-hop 198.51.100.3 origin igp as-path [ 65003 65003 65003 ] med 0 community [ 65003:1 no-advertise ] extended-community target:65003:7 large-community 65003:0:1',
    'neighbor 127.0.3.4 local-ip 127.0.10.7 local-as 65001 peer-as 65003 router-id 10.10.0.7 family-allowed in-open ipv4 unicast 198.18.4.0/24 next-hop 198.51.100.4 origin incomplete as-path [ 65003 65010 ( 65011 65012 ) ] local-preference 100 community 65003:2 large-community [ 65003:0:1 65003:0:2 ]',
    'neighbor 127.0.3.4 local-ip 127.0.10.7 local-as 65001 peer-as 65003 router-id 10.10.0.7 family-allowed in-open ipv6 unicast 2001:db8:1::/48 next-hop 2001:db8::4 origin igp as-path [ 65003 ]',
  ].join('\n');
  const routes = parseExabgpAdjRib(text);
  assert.equal(routes.length, 4);
  assert.deepEqual(routes[1], {
    prefix: '198.18.3.0/24',
    nextHop: '198.51.100.3',
    asPath: [65003, 65003, 65003],
    origin: 'IGP',
    med: 0,
    communities: ['65003:1', '65535:65282'],
    largeCommunities: ['65003:0:1'],
    peer: '127.0.3.4',
    best: true,
  });
  assert.deepEqual(routes[2]!.asPath, [65003, 65010, 65011, 65012]);
  assert.equal(routes[2]!.origin, 'INCOMPLETE');
  assert.equal(routes[2]!.localPref, 100);
  assert.deepEqual(routes[2]!.communities, ['65003:2']);
  assert.deepEqual(routes[2]!.largeCommunities, ['65003:0:1', '65003:0:2']);
  assert.equal(routes[3]!.prefix, '2001:db8:1::/48');

  const ext = `Neighbor 127.0.3.4

  Session                         Local
   local                     127.0.10.7
   state                    ESTABLISHED
   up for                       0:00:08

  Setup                           Local          Remote
   AS                             65001           65003
   ID                         10.10.0.7       10.10.0.7
Neighbor 127.0.3.5

  Session                         Local
   state                         ACTIVE
   down for                     0:00:08

  Setup                           Local          Remote
   AS                             65001             n/a
`;
  assert.deepEqual(parseExabgpNeighbors(ext), [
    { neighbor: '127.0.3.4', state: 'established', localAs: 65001, peerAs: 65003 },
    { neighbor: '127.0.3.5', state: 'active', localAs: 65001 },
  ]);
  assert.deepEqual(
    [
      ...parseExabgpNeighborConfig(
        'neighbor 127.0.3.4 {\n  local-as 65001;\n  peer-as 65003;\n}\nneighbor 127.0.3.5 {\n  local-as 65009;\n}\n',
      ),
    ],
    [
      ['127.0.3.4', 65001],
      ['127.0.3.5', 65009],
    ],
  );
  assert.equal(
    renderExabgpAnnounce(
      { prefix: '100.64.0.1/32', nextHop: '10.10.0.4', med: 3 },
      ['65001:1'],
      ['65001:0:1'],
      [65001, 65001],
    ),
    'announce route 100.64.0.1/32 next-hop 10.10.0.4 origin igp as-path [ 65001 65001 ] med 3 community [ 65001:1 ] large-community [ 65001:0:1 ]',
  );
});

test("exec: the command line gets the lab's values; an unknown {x} is an error, not passed on", () => {
  const values = { config: '/l/bgpd.conf', address: '127.3.1.4', port: '179', workdir: '/w', name: 'nva1' };
  assert.deepEqual(fillCommand('sh -c "mkdir -p /run/x && exec bgpd -d -f {config}"', values), [
    'sh',
    '-c',
    'mkdir -p /run/x && exec bgpd -d -f /l/bgpd.conf',
  ]);
  assert.deepEqual(fillCommand('daemon --listen {address}:{port} --dir {workdir}/{name}', values), [
    'daemon',
    '--listen',
    '127.3.1.4:179',
    '--dir',
    '/w/nva1',
  ]);
  assert.throws(
    () => fillCommand('bgpd -f {conf}', values),
    /\{conf\} in "bgpd -f \{conf\}" is not a value ARSLab fills in/,
  );
  assert.throws(() => fillCommand('  ', values), /empty/);
});

test('exec: a route listing as text, one route a line (best, next hop, origin; no AS path from text)', () => {
  // The layout of `show ip bgp` in Cisco-like daemons: status codes, prefix, next hop,
  // metric/weight columns, the AS path, the origin code.
  const text = [
    'BGP table version is 3, local router ID is 10.3.1.4',
    '   Network          Next Hop            Metric LocPrf Weight Path',
    '*> 10.3.0.0/16      10.3.0.4                 0             0 65515 i',
    '*  10.3.0.0/16      10.3.0.5                 0             0 65515 65515 ?',
    '*> 192.0.2.0/24     0.0.0.0                  0         32768 i',
  ].join('\n');
  const r = parseRouteListing(text);
  assert.deepEqual(
    r.map((x) => [x.prefix, x.nextHop, x.asPath.join(' '), x.origin, x.best]),
    [
      ['10.3.0.0/16', '10.3.0.4', '', 'IGP', true],
      ['10.3.0.0/16', '10.3.0.5', '', 'INCOMPLETE', false],
      ['192.0.2.0/24', '0.0.0.0', '', 'IGP', true],
    ],
  );
});
