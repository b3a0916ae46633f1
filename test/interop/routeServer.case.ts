/**
 * The route-server interop suite, run once per real daemon (bird, frr, gobgp, exabgp) by
 * the *.interop.test.ts files beside it (hono's shared-case pattern). A lab with one
 * Route Server, the daemon under test as NVA 1 (AS 65001) and the built-in speaker as
 * NVA 2 (AS 65002), on its own 10.N.x.x range (loopback 127.N.x.x, port 179 as root).
 *
 * Each step asserts what Azure does (R-… rules) against what the daemon itself says
 * through its own CLI; every pcap the lab wrote is then dissected by tshark.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatPrefix } from '../../src/bgp/wire/index.js';
import { formatCommunity, formatLargeCommunity } from '../../src/rib/index.js';
import type { Lab } from '../../src/lab/lab.js';
import type { DaemonNode } from '../../src/lab/kinds/index.js';
import type { SpeakerNode } from '../../src/lab/kinds/speaker.js';
import type { DaemonKind } from '../../src/lab/daemons/types.js';
import { checkPcapClean } from '../helpers/tshark.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

export interface DaemonCase {
  readonly kind: DaemonKind;
  /** Second octet of this suite's addresses: 10.N.x.x emulated, 127.N.x.x real. */
  readonly octet: number;
  /** The daemon's config for loopback mode (NVA 1 = 10.N.1.4 / 127.N.1.4, RS at 127.N.0.4/.5, hold 9 s). */
  readonly config: (n: number) => string;
  /** Announce 10.202.0.0/16 so that it reaches the RS with NO_ADVERTISE (by the daemon's own policy, or as a community). */
  readonly announceNoAdvertise: (d: DaemonNode, n: number) => Promise<void>;
}

const HOLD = 9;

function labYaml(c: DaemonCase): string {
  const n = c.octet;
  return routeServerLabYaml({
    name: `interop-${c.kind}`,
    n,
    settings: `{ connectRetryTime: 1, capture: true, routeServer: { holdTime: ${HOLD}, keepaliveTime: 3, maxRoutesPerPeer: 20 } }`,
    peers: [
      { name: 'nva1', host: 4, asn: 65001 },
      { name: 'nva2', host: 5, asn: 65002 },
    ],
    client: true,
    nodes: `  nva1: { kind: ${c.kind}, vm: nva1, config: nva1.conf }
  nva2:
    kind: speaker
    vm: nva2
    asn: 65002
    holdTime: ${HOLD}
    routes:
      - { prefix: 10.210.0.0/16, nextHop: 10.${n}.1.5 }
`,
  });
}

export function routeServerInterop(c: DaemonCase): void {
  const n = c.octet;
  const NVA1 = `10.${n}.1.4`;
  const NVA2 = `10.${n}.1.5`;
  const IN = [`10.${n}.0.4`, `10.${n}.0.5`];
  let dir = '';
  let lab: Lab;
  let daemon: DaemonNode;
  let speaker: SpeakerNode;

  const root = process.getuid?.() === 0;
  const skip = root ? false : 'interop tests bind port 179 on 127.x addresses: run them as root (CI does)';

  let t: TestLab | undefined;
  before(async () => {
    if (skip) return;
    t = await startTestLab(`interop-${c.kind}`, labYaml(c), { 'nva1.conf': c.config(n) });
    lab = t.lab;
    dir = t.dir;
    daemon = lab.node('nva1') as DaemonNode;
    speaker = lab.node('nva2') as SpeakerNode;
  });

  after(async () => {
    await t?.stop();
  });

  const rs = () => lab.routeServer(lab.model.routeServers[0]!)!;
  const states = (peering: string) => rs().instances.map((i) => i.peerings.get(peering)!.session.peer.state);
  const learned = (i: 0 | 1) => rs().learnedRoutes('nva1')[`RouteServiceRole_IN_${i}`]!;
  const nic = () => lab.model.networkInterfaces.find((x) => x.name === 'clientVMNic')!;
  const nicRows = (prefix: string) =>
    lab
      .effectiveRoutes(nic())
      .value.filter((r) => r.addressPrefix[0] === prefix && r.state === 'Active')
      .map((r) => `${r.nextHopType} ${r.nextHopIpAddress.join(' ')}`);

  test(`${c.kind}: Established with both route-server instances`, { skip }, async () => {
    await waitFor('both sessions Established', () => states('nva1').every((s) => s === 'Established'), 30_000);
    const sessions = await waitFor('the daemon to see both sessions up', async () => {
      const s = await daemon.sessions();
      return s.filter((x) => x.established).length === 2 ? s : undefined;
    });
    assert.deepEqual(
      sessions
        .filter((x) => x.established)
        .map((x) => x.neighbor)
        .sort(),
      IN,
    );
  });

  test(`${c.kind}: its routes with communities and large communities are learned with AS path, next hop and source peer (R-ARS-10)`, {
    skip,
  }, async () => {
    await daemon.daemon!.announce({
      prefix: '10.200.0.0/16',
      nextHop: NVA1,
      communities: ['65001:100'],
      largeCommunities: ['65001:0:1'],
    });
    for (const i of [0, 1] as const) {
      const row = await waitFor(`10.200.0.0/16 learned on IN_${i}`, () =>
        learned(i).find((r) => r.network === '10.200.0.0/16'),
      );
      assert.deepEqual(row, {
        localAddress: IN[i],
        network: '10.200.0.0/16',
        nextHop: NVA1,
        sourcePeer: NVA1,
        origin: 'EBgp',
        asPath: '65001',
        weight: 32768,
      });
      const path = [
        ...rs().instances[i].speaker.adjRibIn(rs().instances[i].peerings.get('nva1')!.session.neighbor.source.id),
      ].find((e) => formatPrefix(e.prefix) === '10.200.0.0/16')!.path;
      assert.deepEqual((path.attrs.communities ?? []).map(formatCommunity), ['65001:100']);
      assert.deepEqual((path.attrs.largeCommunities ?? []).map(formatLargeCommunity), ['65001:0:1']);
    }
    await waitFor(
      '10.200.0.0/16 programmed into the client NIC',
      () => nicRows('10.200.0.0/16').join() === `VirtualNetworkGateway ${NVA1}` || undefined,
    );
  });

  test(`${c.kind}: what list-advertised-routes shows is what the daemon received (R-ARS-9)`, { skip }, async () => {
    for (const i of [0, 1] as const) {
      const expected = () =>
        rs()
          .advertisedRoutes('nva1')
          [`RouteServiceRole_IN_${i}`]!.map((r) => `${r.network} ${r.nextHop} ${r.asPath}`)
          .sort();
      await waitFor(`the daemon to hold what IN_${i} advertised`, async () => {
        const got = (await daemon.receivedRoutes())
          .filter((r) => r.peer === IN[i])
          .map((r) => `${r.prefix} ${r.nextHop} ${r.asPath.join('-')}`)
          .sort();
        return JSON.stringify(got) === JSON.stringify(expected()) && got.length > 0;
      });
      // The VNet range and NVA 2's route, reflected with 65515 prepended and the instance as next hop.
      assert.deepEqual(expected(), [`10.${n}.0.0/16 ${IN[i]} 65515`, `10.210.0.0/16 ${IN[i]} 65515-65002`].sort());
    }
  });

  test(`${c.kind}: a route with 65515 in its AS path is dropped (R-ARS-6)`, { skip }, async () => {
    await daemon.daemon!.announce({ prefix: '10.201.0.0/16', nextHop: NVA1, asPathPrepend: [65515] });
    for (const i of [0, 1] as const) {
      const inst = rs().instances[i];
      const e = await waitFor(`10.201.0.0/16 in IN_${i}'s Adj-RIB-In`, () =>
        [...inst.speaker.adjRibIn(inst.peerings.get('nva1')!.session.neighbor.source.id)].find(
          (x) => formatPrefix(x.prefix) === '10.201.0.0/16',
        ),
      );
      assert.equal(e.path.rejected?.rule, 'R-ARS-6');
      assert.ok(!learned(i).some((r) => r.network === '10.201.0.0/16'));
    }
    assert.deepEqual(nicRows('10.201.0.0/16'), []);
  });

  test(`${c.kind}: a NO_ADVERTISE route is programmed into NICs but not reflected to the other NVA (R-ARS-9)`, {
    skip,
  }, async () => {
    await c.announceNoAdvertise(daemon, n);
    await waitFor(
      '10.202.0.0/16 programmed',
      () => nicRows('10.202.0.0/16').join() === `VirtualNetworkGateway ${NVA1}` || undefined,
    );
    // One instance's route is enough for the NIC row; the daemon may reach the other later.
    for (const i of [0, 1] as const)
      await waitFor(
        `10.202.0.0/16 learned by IN_${i}`,
        () => learned(i).some((r) => r.network === '10.202.0.0/16') || undefined,
      );
    const nva2 = await speaker.receivedRoutes();
    assert.ok(
      nva2.some((r) => r.prefix === '10.200.0.0/16'),
      'positive control: NVA 2 has the ordinary route',
    );
    assert.ok(!nva2.some((r) => r.prefix === '10.202.0.0/16'), 'NVA 2 must not get the NO_ADVERTISE route');
    for (const i of [0, 1] as const)
      assert.deepEqual(
        rs().instances[i].speaker.explainExport(rs().instances[i].peerings.get('nva2')!.session.neighbor.source.id, {
          afi: 1,
          addr: (10 << 24) | (202 << 16),
          len: 16,
        }),
        { rule: 'R-ARS-9', reason: 'NO_ADVERTISE community' },
      );
  });

  test(`${c.kind}: equal AS-path length from two NVAs gives two ECMP rows; a prepended one loses (R-ARS-7)`, {
    skip,
  }, async () => {
    await daemon.daemon!.announce({ prefix: '10.203.0.0/16', nextHop: NVA1 });
    await speaker.command(`announce route 10.203.0.0/16 next-hop ${NVA2}`);
    await waitFor(
      'two ECMP rows',
      () =>
        JSON.stringify(nicRows('10.203.0.0/16')) ===
          JSON.stringify([`VirtualNetworkGateway ${NVA1}`, `VirtualNetworkGateway ${NVA2}`]) || undefined,
    );
    await speaker.command(`announce route 10.203.0.0/16 next-hop ${NVA2} as-path [65002 65002]`);
    await waitFor(
      'the prepended path to lose',
      () => nicRows('10.203.0.0/16').join() === `VirtualNetworkGateway ${NVA1}` || undefined,
    );
  });

  test(`${c.kind}: a withdraw removes the route from the route server and the NICs`, { skip }, async () => {
    await daemon.daemon!.withdraw('10.200.0.0/16');
    for (const i of [0, 1] as const)
      await waitFor(
        `10.200.0.0/16 gone from IN_${i}`,
        () => !learned(i).some((r) => r.network === '10.200.0.0/16') || undefined,
      );
    assert.deepEqual(nicRows('10.200.0.0/16'), []);
    await waitFor(
      'NVA 2 to see the withdraw',
      async () => !(await speaker.receivedRoutes()).some((r) => r.prefix === '10.200.0.0/16') || undefined,
    );
  });

  test(`${c.kind}: exceeding the route limit tears the session down with Cease/1, and it recovers (R-ARS-5)`, {
    skip,
  }, async () => {
    const peers = rs().instances.map((i) => i.peerings.get('nva1')!.session.peer);
    const before = peers.map((p) => p.counters.establishedTransitions);
    for (let k = 0; k < 25; k++) await daemon.daemon!.announce({ prefix: `10.220.${k}.0/24`, nextHop: NVA1 });
    await waitFor(
      'Cease/1 sent on both instances',
      () =>
        peers.every(
          (p) => p.counters.lastNotificationSent?.code === 6 && p.counters.lastNotificationSent.subcode === 1,
        ) || undefined,
      30_000,
    );
    assert.ok(lab.events.since(0).some((e) => e.type === 'notification' && /route limit exceeded/.test(e.message)));
    for (let k = 0; k < 15; k++) await daemon.daemon!.withdraw(`10.220.${k}.0/24`);
    await waitFor(
      'the session back, holding the remaining routes',
      () =>
        (peers.every((p, i) => p.isEstablished && p.counters.establishedTransitions > before[i]!) &&
          [0, 1].every((i) => learned(i as 0 | 1).some((r) => r.network === '10.220.24.0/24'))) ||
        undefined,
      60_000,
    );
    for (const i of [0, 1] as const) assert.ok(!learned(i).some((r) => r.network === '10.220.0.0/24'));
  });

  test(`${c.kind}: a SIGSTOPped daemon is dropped at hold-timer expiry and its routes leave the NICs (R-ARS-4)`, {
    skip,
  }, async () => {
    await waitFor('10.202.0.0/16 programmed', () => nicRows('10.202.0.0/16').length === 1 || undefined);
    const t0 = Date.now();
    daemon.pause();
    try {
      await waitFor(
        'both sessions down',
        () => states('nva1').every((s) => s !== 'Established') || undefined,
        (HOLD + 6) * 1000,
      );
      const took = (Date.now() - t0) / 1000;
      assert.ok(took >= HOLD - 4, `dropped after ${took}s: too early for a ${HOLD}s hold timer`);
      for (const p of rs().instances.map((i) => i.peerings.get('nva1')!.session.peer)) {
        assert.equal(p.counters.lastNotificationSent?.code, 4, 'NOTIFICATION Hold Timer Expired');
      }
      assert.deepEqual(nicRows('10.202.0.0/16'), []);
      assert.deepEqual(
        nicRows('10.203.0.0/16'),
        [`VirtualNetworkGateway ${NVA2}`],
        "the prepended NVA 2 path is all that's left",
      );
    } finally {
      daemon.resume();
    }
  });

  test(`${c.kind}: every session capture dissects cleanly in tshark`, { skip }, async () => {
    const pcapDir = join(dir, 'state', 'pcap');
    // Flush: let writers drain what they buffered.
    await new Promise((r) => setTimeout(r, 300));
    const files = readdirSync(pcapDir).filter((f) => f.endsWith('.pcap'));
    assert.ok(files.length >= 4, `expected captures of every session, got ${files.length}`);
    for (const f of files) {
      const r = await checkPcapClean(join(pcapDir, f));
      assert.deepEqual(r.problems, [], `${f}: ${r.problems.join('; ')}`);
    }
  });
}
