/**
 * One IPv6 exchange between ARSLab's BGP library and a real daemon (BIRD 2): our speaker
 * and BIRD both negotiate IPv4 + IPv6 unicast (RFC 4760) over an IPv4 session and trade
 * MP_REACH / MP_UNREACH routes with IPv6 next hops. Azure Route Server itself is IPv4-only;
 * this checks the protocol layers it stands on. The session capture must dissect cleanly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BgpListener, parsePrefix, formatPrefix } from '../../src/bgp/index.js';
import { internAttrs, newRouteSource, Speaker, type SpeakerPolicy } from '../../src/rib/index.js';
import { createBgpNeighbor } from '../../src/lab/bgpNeighbor.js';
import { startDaemon } from '../../src/lab/daemons/index.js';
import type { DaemonHandle } from '../../src/lab/daemons/types.js';
import { checkPcapClean } from '../helpers/tshark.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 36;
const root = process.getuid?.() === 0;
const skip = root ? false : 'binds port 179 on 127.x: run as root (CI does)';

const policy: SpeakerPolicy = {
  bestPath: { steps: ['as-path-length', 'neighbor-address'], maxPaths: 1 },
  import: () => ({ accept: true }),
  export: (_to, path) =>
    path.source.kind === 'local'
      ? internAttrs({ ...path.attrs, asPath: [{ type: 2, asns: [65515] }] })
      : { rule: 'test', reason: 'own routes only' },
};

let dir = '';
let bird: DaemonHandle;
let speaker: Speaker;
let listener: BgpListener;
let session: ReturnType<typeof createBgpNeighbor>;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'arslab-ipv6-'));
  const conf = join(dir, 'bird.conf');
  writeFileSync(
    conf,
    `
router id 10.${N}.1.4;
protocol device { }
protocol static nh6 { ipv6; route ::/0 via "lo"; }
protocol bgp lab {
  local 127.${N}.1.4 as 65001;
  neighbor 127.${N}.0.4 as 65515;
  strict bind yes;
  multihop;
  hold time 30;
  connect retry time 2;
  ipv4 { import all; export none; };
  ipv6 { import all; export where proto ~ "arslab_*"; next hop keep; };
}
`,
  );
  bird = await startDaemon('bird', {
    name: 'bird6',
    workDir: join(dir, 'bird'),
    configFile: conf,
    listenAddress: `127.${N}.1.4`,
    listenPort: 179,
    maxLifetimeSeconds: 120,
  });
  await bird.ready();
  speaker = new Speaker('ours', 65515, (10 << 24) | (N << 16) | 4, policy);
  const source = newRouteSource({
    name: 'bird',
    address: `127.${N}.1.4`,
    asn: 65001,
    kind: 'ebgp',
    routerId: (10 << 24) | (N << 16) | (1 << 8) | 4,
  });
  session = createBgpNeighbor({
    speaker,
    source,
    label: 'ipv6-test',
    peer: {
      name: 'ipv6-test',
      remote: { address: `127.${N}.1.4`, port: 179 },
      localAddress: `127.${N}.0.4`,
      pcap: { dir, local: { address: `10.${N}.0.4`, port: 179 }, remote: { address: `10.${N}.1.4`, port: 179 } },
      fsm: {
        localAs: 65515,
        localId: (10 << 24) | (N << 16) | 4,
        peerAs: 65001,
        holdTime: 30,
        keepaliveTime: 10,
        connectRetryTime: 1,
        passive: false,
        families: ['ipv4-unicast', 'ipv6-unicast'],
      },
    },
  });
  speaker.addNeighbor(session.neighbor);
  listener = new BgpListener(`127.${N}.0.4`, 179);
  listener.register(`127.${N}.1.4`, session.peer);
  await listener.listen();
  session.peer.start();
});

after(async () => {
  if (skip) return;
  session?.peer.stop();
  await listener?.close();
  await bird?.stop().catch(() => {});
  for (const p of bird?.pids() ?? []) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('IPv6 unicast is negotiated over the IPv4 session', { skip }, async () => {
  await waitFor('Established', () => session.peer.isEstablished);
  assert.deepEqual(session.peer.negotiated!.families, ['ipv4-unicast', 'ipv6-unicast']);
});

test('our IPv6 route reaches BIRD with its IPv6 next hop (MP_REACH_NLRI), and its withdraw (MP_UNREACH_NLRI)', {
  skip,
}, async () => {
  speaker.originate(
    parsePrefix('2001:db8:100::/48')!,
    internAttrs({ origin: 0, asPath: [], nextHop: '2001:db8:36::1' }),
  );
  const r = await waitFor('BIRD to hold 2001:db8:100::/48', async () =>
    (await bird.receivedRoutes('ipv6')).find((x) => x.prefix === '2001:db8:100::/48'),
  );
  assert.equal(r.nextHop, '2001:db8:36::1');
  assert.deepEqual(r.asPath, [65515]);
  speaker.withdrawLocal(parsePrefix('2001:db8:100::/48')!);
  await waitFor(
    'BIRD to drop it',
    async () => !(await bird.receivedRoutes('ipv6')).some((x) => x.prefix === '2001:db8:100::/48'),
  );
});

test("BIRD's IPv6 route reaches us with its next hop, and its withdraw", { skip }, async () => {
  await bird.announce({ prefix: '2001:db8:200::/48', nextHop: '2001:db8:36::4', communities: ['65001:6'] });
  const got = await waitFor('2001:db8:200::/48 in our Loc-RIB', () =>
    [...speaker.locRib()].find((e) => formatPrefix(e.prefix) === '2001:db8:200::/48'),
  );
  assert.equal(got.best[0]!.attrs.nextHop.split(' ')[0], '2001:db8:36::4');
  assert.deepEqual(got.best[0]!.attrs.asPath, [{ type: 2, asns: [65001] }]);
  await bird.withdraw('2001:db8:200::/48');
  await waitFor(
    'the withdraw',
    () => ![...speaker.locRib()].some((e) => formatPrefix(e.prefix) === '2001:db8:200::/48'),
  );
});

test('the IPv6 session capture dissects cleanly in tshark', { skip }, async () => {
  await new Promise((r) => setTimeout(r, 300));
  const files = readdirSync(dir).filter((f) => f.endsWith('.pcap'));
  assert.ok(files.length >= 1);
  for (const f of files) {
    const c = await checkPcapClean(join(dir, f));
    assert.deepEqual(c.problems, []);
    assert.ok(c.bgpMessages >= 6);
  }
});
