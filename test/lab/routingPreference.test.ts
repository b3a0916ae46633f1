/**
 * R-ARS-7 routing preference across origins, in test/fixtures/hubErLab at 10.108 (the route
 * server listens on 127.108.0.4/.5): hub 10.108.0.0/20 with route server hubrs
 * (branch-to-branch on), NVA nva1 (AS 65001, a built-in speaker over TCP), ExpressRoute
 * gateway er1 on circuit c1 to onprem1 (AS 65100), active-active VPN gateway vpn1 to site1
 * (AS 65020).
 *
 * Microsoft's order (Route Server "Routing preference"): longest prefix; the preference
 * (ExpressRoute | VPN/NVA | AS-Path); with AS-Path "the shortest BGP AS-PATH length,
 * irrespective of the source"; between VPN and NVA "Route Server will prefer the route with the
 * shortest BGP AS-PATH". At equal length the hub routing preference page (Virtual WAN, the same
 * setting) says "If all the routes are local to the virtual hub, the routes from ExpressRoute
 * connections will be chosen"; nothing documents one ECMP set mixing an MSEE and an NVA, so a
 * tie goes to one origin: ExpressRoute, then VPN (ARSLab's choice for VPN vs NVA, ADR 0041),
 * then NVA. The preference applies "when branch-to-branch is enabled".
 *
 * AS-path lengths as the route server holds them: onprem1's routes `12076 65100` (2); site1's
 * `65020` (1, the VPN gateway's iBGP adds nothing); nva1's `65001` + what it lists.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubRoutingPreference } from '../../src/azure/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import { hubErLab, hubErMsee } from '../fixtures/hubErLab.js';
import { nvaSessionsEstablished, nvaSpeaker, startSpecLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 108;
const T = { timeout: 30_000 };
const NVA = `10.${N}.1.4`;
const VPN: [string, string] = [`10.${N}.3.20`, `10.${N}.3.21`];
const MSEE = hubErMsee(N);

/** The prefixes and who advertises them, with the AS-path length each has at the route server. */
const ER_NVA_TIE = '10.200.0.0/16'; // onprem1 (2) and nva1 65001 65002 (2)
const NVA_SHORTER_THAN_ER = '10.201.0.0/16'; // onprem1 (2) and nva1 65001 (1)
const ER_SHORTER_THAN_NVA = '10.202.0.0/16'; // onprem1 (2) and nva1 65001 65002 65003 (3)
const VPN_NVA_TIE = '10.210.0.0/16'; // site1 (1) and nva1 65001 (1)
const NVA_SHORTER_THAN_VPN = '10.211.0.0/16'; // site1 65020 65020 (2) and nva1 65001 (1)
const VPN_SHORTER_THAN_NVA = '10.212.0.0/16'; // site1 (1) and nva1 65001 65002 (2)

const { model, routers } = hubErLab({
  n: N,
  vpn: true,
  nvaVm: true,
  onpremRoutes: [ER_NVA_TIE, NVA_SHORTER_THAN_ER, ER_SHORTER_THAN_NVA].map((prefix) => ({
    prefix,
    origin: 'igp' as const,
  })),
  siteRoutes: [
    { prefix: VPN_NVA_TIE, origin: 'igp' },
    { prefix: NVA_SHORTER_THAN_VPN, origin: 'igp', asPath: [65020] },
    { prefix: VPN_SHORTER_THAN_NVA, origin: 'igp' },
  ],
});

let t: TestLab;
let lab: Lab;

before(async () => {
  t = await startSpecLab(
    'routing-preference',
    {
      model,
      routers,
      nodes: [
        nvaSpeaker('nva1', NVA, 65001, [
          { prefix: ER_NVA_TIE, nextHop: NVA, asPath: [65002] },
          { prefix: NVA_SHORTER_THAN_ER, nextHop: NVA },
          { prefix: ER_SHORTER_THAN_NVA, nextHop: NVA, asPath: [65002, 65003] },
          { prefix: VPN_NVA_TIE, nextHop: NVA },
          { prefix: NVA_SHORTER_THAN_VPN, nextHop: NVA },
          { prefix: VPN_SHORTER_THAN_NVA, nextHop: NVA, asPath: [65002] },
        ]),
      ],
    },
    { clock: new VirtualClock() },
  );
  lab = t.lab;
  await nvaSessionsEstablished(lab);
  // The NVA's UPDATEs come over TCP: wait until both instances hold its six routes.
  const rt = lab.routeServer(lab.model.routeServers[0]!)!;
  await waitFor(
    "nva1's six routes held",
    () =>
      rt.instances.every(
        (i) =>
          [...i.speaker.locRib()].flatMap((e) => i.speaker.candidates(e.prefix)).filter((x) => x.source.role === 'nva')
            .length === 6,
      ),
    10_000,
  );
  await lab.settled();
}, T);

after(async () => {
  await t?.stop();
}, T);

async function setPreference(pref: HubRoutingPreference, b2b = true): Promise<void> {
  const m = lab.model;
  await lab.applyModel(
    {
      ...m,
      routeServers: m.routeServers.map((r) => ({ ...r, hubRoutingPreference: pref, allowBranchToBranchTraffic: b2b })),
    },
    `test: ${pref}, branch-to-branch ${b2b}`,
  );
  await lab.settled();
}

/** The next hops clientVMNic has for a prefix (its Active VirtualNetworkGateway rows). */
const nextHops = (prefix: string): string[] =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!)
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active' && r.addressPrefix[0] === prefix)
    .flatMap((r) => r.nextHopIpAddress)
    .sort();
const origin = (hops: string[]): string =>
  hops.length === 0
    ? 'none'
    : hops.every((h) => MSEE.includes(h))
      ? 'ExpressRoute'
      : hops.every((h) => VPN.includes(h))
        ? 'VPN'
        : hops.every((h) => h === NVA)
          ? 'NVA'
          : `mixed ${hops.join(',')}`;

test(
  'ASPath: ExpressRoute vs NVA — the shorter AS path wins either way; at equal length ExpressRoute alone, not one ECMP set',
  T,
  async () => {
    await setPreference('ASPath');
    assert.equal(origin(nextHops(NVA_SHORTER_THAN_ER)), 'NVA');
    assert.equal(origin(nextHops(ER_SHORTER_THAN_NVA)), 'ExpressRoute');
    assert.equal(origin(nextHops(ER_NVA_TIE)), 'ExpressRoute');
  },
);

test(
  'VpnGateway: VPN vs NVA — the shorter AS path wins either way; at equal length the VPN gateway alone; ExpressRoute loses even when shorter',
  T,
  async () => {
    await setPreference('VpnGateway');
    assert.equal(origin(nextHops(NVA_SHORTER_THAN_VPN)), 'NVA');
    assert.equal(origin(nextHops(VPN_SHORTER_THAN_NVA)), 'VPN');
    assert.equal(origin(nextHops(VPN_NVA_TIE)), 'VPN');
    assert.equal(origin(nextHops(ER_SHORTER_THAN_NVA)), 'NVA', 'VPN/NVA routes before ExpressRoute ones');
  },
);

test(
  'ExpressRoute (default): ExpressRoute wins even when longer; VPN vs NVA by AS path, a tie to the VPN gateway',
  T,
  async () => {
    await setPreference('ExpressRoute');
    assert.equal(origin(nextHops(NVA_SHORTER_THAN_ER)), 'ExpressRoute');
    assert.equal(origin(nextHops(NVA_SHORTER_THAN_VPN)), 'NVA');
    assert.equal(origin(nextHops(VPN_NVA_TIE)), 'VPN');
  },
);

test(
  'with branch-to-branch off the preference does not apply: VpnGateway set, ExpressRoute still wins (the default order)',
  T,
  async () => {
    await setPreference('VpnGateway', false);
    assert.equal(origin(nextHops(NVA_SHORTER_THAN_ER)), 'ExpressRoute');
    await setPreference('VpnGateway', true);
    assert.equal(origin(nextHops(NVA_SHORTER_THAN_ER)), 'NVA', 'positive control: with branch-to-branch on it applies');
  },
);
