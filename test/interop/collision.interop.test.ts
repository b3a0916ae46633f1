/**
 * Issue 8, finding 2, with a real daemon: FRR bgpd as an NVA whose BGP Identifier (10.172.0.4)
 * is lower than the route-server instances' (10.172.1.4/.5), the usual case in Azure. FRR
 * connects to both instances; the instances' own connections to FRR go nowhere — its address
 * answers no SYN (a firewall, or an NVA that does not listen: FRR runs with `-p 0`), so their
 * attempts stay pending. RFC 4271 §6.8: "a connection collision cannot be detected with
 * connections that are in Idle, Connect, or Active states" — FRR's connections must come up,
 * with no Cease/7 from the route server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blackHole, type BlackHole } from '../../src/bgp/transport/testkit.js';
import { startDaemon, type DaemonHandle } from '../../src/lab/daemons/index.js';
import { defaultBgpPort, type Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

const N = 172;
const port = defaultBgpPort();
// The 'hub' layout: instances at 10.N.0.4/.5, FRR at 10.N.1.4.
const yaml = routeServerLabYaml({
  name: 'collision-frr',
  n: N,
  peers: [{ name: 'nva', host: 4, asn: 65001 }],
});

const frrConfig = `
frr defaults traditional
hostname nva
!
router bgp 65001
 bgp router-id 10.${N}.1.4
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor 127.${N}.0.4 remote-as 65515
 neighbor 127.${N}.0.4 port ${port}
 neighbor 127.${N}.0.4 update-source 127.${N}.1.4
 neighbor 127.${N}.0.4 disable-connected-check
 neighbor 127.${N}.0.4 timers connect 2
 neighbor 127.${N}.0.5 remote-as 65515
 neighbor 127.${N}.0.5 port ${port}
 neighbor 127.${N}.0.5 update-source 127.${N}.1.4
 neighbor 127.${N}.0.5 disable-connected-check
 neighbor 127.${N}.0.5 timers connect 2
 !
 address-family ipv4 unicast
  network 10.${N}.100.0/24
  neighbor 127.${N}.0.4 route-map TO-RS out
  neighbor 127.${N}.0.5 route-map TO-RS out
 exit-address-family
!
ip prefix-list OWN seq 5 permit 10.${N}.100.0/24
route-map TO-RS permit 10
 match ip address prefix-list OWN
 set ip next-hop 10.${N}.1.4
!
`;

const root = process.getuid?.() === 0;
const skip = root ? false : 'binds port 179 on 127.x addresses: run as root (CI does)';

let t: TestLab | undefined;
let lab: Lab;
let hole: BlackHole | undefined;
let frr: DaemonHandle | undefined;
let work = '';

before(async () => {
  if (skip) return;
  // The NVA's BGP port answers no SYN before the lab starts connecting to it.
  hole = await blackHole(`127.${N}.1.4`, port, 240);
  t = await startTestLab('collision-frr', yaml);
  lab = t.lab;
  work = mkdtempSync(join(tmpdir(), 'col-frr-'));
  writeFileSync(join(work, 'bgpd.conf'), frrConfig);
});

after(async () => {
  await frr?.stop({ graceMs: 2000 });
  await t?.stop();
  hole?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('FRR with the lower BGP Identifier comes up on both instances while their own attempts are pending (RFC 4271 §6.8)', {
  skip,
}, async () => {
  const rs = lab.routeServer(lab.model.routeServers[0]!)!;
  const peers = () => rs.instances.map((i) => i.peerings.get('nva')!.session.peer);
  await waitFor('both instances attempting to connect to the NVA', () => peers().every((p) => p.state === 'Connect'));
  frr = await startDaemon('frr', {
    name: 'nva',
    workDir: work,
    configFile: join(work, 'bgpd.conf'),
    listenAddress: `127.${N}.1.4`,
    listenPort: -1,
    maxLifetimeSeconds: 240,
  });
  await frr.ready(30_000);
  await waitFor('both sessions Established', () => peers().every((p) => p.isEstablished), 30_000);
  await new Promise((r) => setTimeout(r, 3000));
  for (const [i, p] of peers().entries()) {
    assert.ok(p.isEstablished, `IN_${i} stays Established`);
    assert.equal(p.counters.establishedTransitions, 1, `IN_${i}: one session, never reset`);
    assert.equal(p.connection!.direction, 'incoming', `IN_${i}: on the connection FRR opened`);
    assert.equal(p.counters.lastNotificationSent, undefined, `IN_${i} closed nothing with a NOTIFICATION`);
  }
  const sessions = await frr.sessions();
  assert.deepEqual(
    sessions
      .filter((s) => s.established)
      .map((s) => s.neighbor)
      .sort(),
    [`127.${N}.0.4`, `127.${N}.0.5`],
  );
  await waitFor('the NVA route learned on both instances', () =>
    Object.values(rs.learnedRoutes('nva')).every((l) => l.some((r) => r.network === `10.${N}.100.0/24`)),
  );
});
