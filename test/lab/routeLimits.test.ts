/**
 * Route limits counted as each speaker counts them, and recovered as documented (R-ER-8,
 * R-VPN-6; the Route Server's own count, R-ARS-5, is src/rib/speaker.test.ts'), in one
 * in-process lab on a virtual clock (addresses 10.105–10.108; nothing listens), and a route
 * server lab at 10.109 (see the last describe):
 * - hub (10.105.0.0/20) with ExpressRoute gateway er1 on two circuits: cS (Standard) and cP
 *   (Premium), and an active-active VPN gateway vpn1 with one BGP site;
 * - rS on cS holds 2,500 routes; rP on cP announces 4,001; site1 on vpn1 holds 2,500.
 * The expected figures come from Microsoft's documents, not from ARSLab: "We accept up to 4000
 * route prefixes for private peering … 10,000 routes … premium"; "BGP sessions will be
 * dropped. They will be reset once the prefix count goes below the limit" (ExpressRoute
 * FAQ); "Azure VPN Gateway supports up to 4,000 prefixes. The BGP session is dropped if the
 * number of prefixes exceeds the limit" (VPN Gateway FAQ). A prefix is counted once: a
 * router re-advertising the routes it has already sent (a route refresh) adds none.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, parsePrefix } from '../../src/bgp/wire/index.js';
import { internAttrs, type Speaker } from '../../src/rib/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import { PREFIX_LIMIT_RECHECK_SECONDS } from '../../src/lab/inprocess.js';
import { DEFAULT_LAB_SETTINGS, type RouterNodeSpec } from '../../src/lab/spec.js';
import { hubErLab } from '../fixtures/hubErLab.js';
import { buildModel } from '../helpers/model.js';
import { startSpecLab, type TestLab } from '../helpers/lab.js';

const N = 105;
const T = { timeout: 30_000 };
/** 4,001 /28s of 10.second.0.0/16 (on-premises routes: 10.106 rS, 10.107 rP, 10.108 site1). */
const routesOf = (second: number) =>
  Array.from({ length: 4001 }, (_, k) => `10.${second}.${k >> 4}.${(k & 15) << 4}/28`);
const ROUTES: Readonly<Record<string, readonly string[]>> = {
  rS: routesOf(106),
  rP: routesOf(107),
  site1: routesOf(108),
};

const model = () =>
  buildModel({
    vnets: [
      {
        name: 'hub',
        prefixes: [`10.${N}.0.0/20`],
        subnets: [
          { name: 'default', prefix: `10.${N}.2.0/24` },
          { name: 'GatewaySubnet', prefix: `10.${N}.3.0/24` },
        ],
      },
    ],
    vms: [{ name: 'client', vnet: 'hub', subnet: 'default', ip: `10.${N}.2.10` }],
    gateways: [
      { name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: [`10.${N}.3.12`, `10.${N}.3.13`] },
      {
        name: 'vpn1',
        vnet: 'hub',
        type: 'Vpn',
        instances: [`10.${N}.3.20`, `10.${N}.3.21`],
        activeActive: true,
        publicIps: ['198.51.100.105', '198.51.100.106'],
        apipa: ['169.254.21.1', '169.254.22.1'],
      },
    ],
    localNetworkGateways: [{ name: 'lng1', ip: '203.0.113.105', prefixes: [], asn: 65030, bgp: '169.254.21.6' }],
    circuits: [
      {
        name: 'cS',
        location: 'Amsterdam',
        peerASN: 65010,
        primary: `169.254.${N}.0/30`,
        secondary: `169.254.${N}.4/30`,
        msee: [`10.${N}.8.35`, `10.${N}.8.36`],
      },
      {
        name: 'cP',
        location: 'London',
        skuTier: 'Premium',
        peerASN: 65020,
        primary: `169.254.${N}.8/30`,
        secondary: `169.254.${N}.12/30`,
        msee: [`10.${N}.9.35`, `10.${N}.9.36`],
      },
    ],
    connections: [
      { name: 'er1-cS', gateway: 'er1', circuit: 'cS', msee: [`10.${N}.3.4`, `10.${N}.3.5`] },
      { name: 'er1-cP', gateway: 'er1', circuit: 'cP', msee: [`10.${N}.3.6`, `10.${N}.3.7`] },
      { name: 'vpn1-lng1', gateway: 'vpn1', lng: 'lng1' },
    ],
  });

const circuitRouter = (name: string, asn: number, circuit: string, first: string, n: number): RouterNodeSpec => ({
  kind: 'router',
  name,
  asn,
  routerId: first,
  attach: [
    { kind: 'expressRoute', circuit, link: 'primary' },
    { kind: 'expressRoute', circuit, link: 'secondary' },
  ],
  routes: ROUTES[name]!.slice(0, n).map((prefix) => ({ prefix, origin: 'igp' as const })),
});
const routers: RouterNodeSpec[] = [
  circuitRouter('rS', 65010, 'cS', `169.254.${N}.1`, 2500),
  circuitRouter('rP', 65020, 'cP', `169.254.${N}.9`, 4001),
  {
    kind: 'router',
    name: 'site1',
    asn: 65030,
    routerId: '169.254.21.6',
    attach: [{ kind: 'vpn', localNetworkGateway: 'lng1' }],
    routes: ROUTES['site1']!.slice(0, 2500).map((prefix) => ({ prefix, origin: 'igp' as const })),
  },
];

const clock = new VirtualClock();
let t: TestLab;
let lab: Lab;

before(async () => {
  t = await startSpecLab(
    'route-limits',
    { model: model(), routers, settings: { connectRetryTime: DEFAULT_LAB_SETTINGS.connectRetryTime } },
    { clock },
  );
  lab = t.lab;
  await lab.settled();
}, T);

after(async () => {
  await t?.stop();
}, T);

const session = (label: string) => {
  const s = lab.hybrid!.sessions.get(label);
  assert.ok(s, `session ${label}: ${[...lab.hybrid!.sessions.keys()].join(', ')}`);
  return s;
};
const router = (name: string) => lab.hybrid!.routers.get(name.toLowerCase())!;
/** Prefixes of one router's range (10.106, 10.107 or 10.108) a speaker holds. */
const heldFrom = (sp: Speaker, second: number) =>
  [...sp.locRib()].filter((e) => formatPrefix(e.prefix).startsWith(`10.${second}.`)).length;
const mseesOf = (circuit: string) => [...lab.hybrid!.circuits.values()].find((c) => c.resource.name === circuit)!.msees;
const limitEvents = (label: string) =>
  lab.events.since().filter((e) => e.source === label && /prefix limit exceeded/.test(e.message));
const attrs = (nextHop: string) => internAttrs({ origin: 0, asPath: [], nextHop });

/** Re-sends a router's whole Adj-RIB-Out toward the session's other end in one batch (a ROUTE-REFRESH answer). */
function readvertise(label: string): void {
  const s = session(label);
  s.end(0).speaker.refresh(s.neighborId(0));
}

/** Announces routes k ∈ [from, to) of ROUTES from a router, one UPDATE each. */
function announce(name: string, from: number, to: number, nextHop: string): void {
  for (let k = from; k < to; k++) router(name).speaker.originate(parsePrefix(ROUTES[name]![k]!)!, attrs(nextHop));
}

describe('R-ER-8: the MSEE counts the prefixes it holds from the customer edge, per circuit SKU', () => {
  const links = (r: string, c: string) => [`${r}<->${c}/primary`, `${r}<->${c}/secondary`];

  test('4,001 routes: a Standard circuit drops the sessions, a Premium circuit (10,000) takes them', T, async () => {
    for (const l of links('rP', 'cP')) assert.equal(session(l).state, 'Established', l);
    for (const m of mseesOf('cP')) assert.equal(heldFrom(m, 107), 4001, m.name);
    // rS goes from 2,500 to 4,001 in its own UPDATEs: the 4,001st is one too many.
    announce('rS', 2500, 4001, `169.254.${N}.1`);
    await lab.settled();
    for (const l of links('rS', 'cS')) {
      assert.equal(session(l).state, 'Idle', `${l} dropped`);
      const ev = limitEvents(l);
      assert.equal(ev.length, 1, `${l}: one drop`);
      // The event names the limit (which speaker, which SKU, the figure, the rule) and the session.
      assert.match(
        ev[0]!.message,
        /at cS\/(primary|secondary): 4001 > 4000 \(customer prefixes on ExpressRoute Standard private peering.*R-ER-8\)/,
      );
    }
    for (const m of mseesOf('cS')) assert.equal(heldFrom(m, 106), 0, `${m.name} flushed rS`);
  });

  test('while rS still advertises 4,001 the sessions stay down — no retry, no flap', T, async () => {
    clock.advance(120_000);
    await lab.settled();
    for (const l of links('rS', 'cS')) {
      assert.equal(session(l).state, 'Idle', l);
      assert.equal(limitEvents(l).length, 1, `${l}: still the one drop (a timed retry would have dropped it again)`);
    }
  });

  test(
    'once rS withdraws back to 4,000 the sessions come back at the next look, without a timed retry',
    T,
    async () => {
      router('rS').speaker.withdrawLocal(parsePrefix(ROUTES['rS']![4000]!)!);
      clock.advance(PREFIX_LIMIT_RECHECK_SECONDS * 1000);
      await lab.settled();
      for (const l of links('rS', 'cS')) assert.equal(session(l).state, 'Established', `${l} back`);
      for (const m of mseesOf('cS')) assert.equal(heldFrom(m, 106), 4000, m.name);
      assert.ok(
        lab.events
          .since()
          .some((e) => e.source === 'rS<->cS/primary' && /prefix limit no longer exceeded/.test(e.message)),
      );
    },
  );

  test(
    're-advertising the 4,000 routes it holds (a route refresh) counts 4,000, not 8,000: the sessions stay up',
    T,
    async () => {
      for (const l of links('rS', 'cS')) {
        const before = limitEvents(l).length;
        readvertise(l);
        await lab.settled();
        assert.equal(session(l).state, 'Established', `${l} kept`);
        assert.equal(limitEvents(l).length, before, `${l}: no new drop`);
      }
      for (const m of mseesOf('cS')) assert.equal(heldFrom(m, 106), 4000, m.name);
    },
  );
});

describe('R-VPN-6: the VPN gateway counts the prefixes it holds from each BGP peer', () => {
  const tunnels = ['site1<->vpn1/0', 'site1<->vpn1/1'];
  const atGateway = (i: 0 | 1) =>
    heldFrom([...lab.hybrid!.gateways.values()].find((g) => g.resource.name === 'vpn1')!.instances[i]!, 108);

  test('re-advertising its 2,500 routes keeps the tunnels up (2,500 held, not 5,000)', T, async () => {
    for (const l of tunnels) {
      assert.equal(session(l).state, 'Established', l);
      readvertise(l);
      await lab.settled();
      assert.equal(session(l).state, 'Established', `${l} kept`);
      assert.equal(limitEvents(l).length, 0, l);
    }
    assert.equal(atGateway(0), 2500);
  });

  test('the 4,001st prefix drops each peer; below the limit again, each comes back at the next look', T, async () => {
    announce('site1', 2500, 4001, '169.254.21.6');
    await lab.settled();
    for (const l of tunnels) {
      assert.equal(session(l).state, 'Idle', `${l} dropped`);
      assert.match(limitEvents(l)[0]!.message, /4001 > 4000 \(prefixes from one BGP peer of a VPN gateway.*R-VPN-6\)/);
    }
    assert.equal(atGateway(0), 0);
    clock.advance(60_000);
    await lab.settled();
    for (const l of tunnels) assert.equal(limitEvents(l).length, 1, `${l}: no flap while over`);
    router('site1').speaker.withdrawLocal(parsePrefix(ROUTES['site1']![4000]!)!);
    clock.advance(PREFIX_LIMIT_RECHECK_SECONDS * 1000);
    await lab.settled();
    for (const l of tunnels) assert.equal(session(l).state, 'Established', `${l} back`);
    assert.equal(atGateway(0), 4000);
    assert.equal(atGateway(1), 4000);
  });
});

describe('R-ER-8: toward the circuit, the VNet prefixes and the Route Server routes count together (1,000)', () => {
  // hubErLab at 10.109 (its route server listens on 127.109.0.4/.5): hub 10.109.0.0/20,
  // branch-to-branch on, er1 on c1 to onprem1, vpn1 with site1. site1's routes reach er1
  // through the route server (R-ARS-11, R-VPN-3): with the hub's own /20, 999 of them make
  // 1,000 toward the circuit, the documented most; the 1,000th makes 1,001.
  const M = 109;
  const SITE = Array.from({ length: 1000 }, (_, k) => `10.${M}.${64 + (k >> 4)}.${(k & 15) << 4}/28`);
  const vClock = new VirtualClock();
  let t2: TestLab;
  let lab2: Lab;
  before(async () => {
    const { model, routers } = hubErLab({ n: M, onpremRoutes: [], vpn: true });
    const sited = routers.map((r) =>
      r.name === 'site1'
        ? { ...r, routes: SITE.slice(0, 999).map((prefix) => ({ prefix, origin: 'igp' as const })) }
        : r,
    );
    t2 = await startSpecLab(
      'route-limits-rs',
      { model, routers: sited, settings: { connectRetryTime: DEFAULT_LAB_SETTINGS.connectRetryTime } },
      { clock: vClock },
    );
    lab2 = t2.lab;
    await lab2.settled();
  }, T);
  after(async () => {
    await t2?.stop();
  }, T);

  const sessions = (match: (label: string) => boolean) =>
    [...lab2.hybrid!.sessions.entries()].filter(([label]) => match(label));
  const toCircuit = () => sessions((l) => l.startsWith('er1/') && l.includes('<->c1/'));
  const rsToEr = () => sessions((l) => l.includes('<->er1/'));
  /** Azure prefixes onprem1 holds: the hub's /20 and site1's /28s. */
  const atOnprem = () =>
    [...lab2.hybrid!.routers.get('onprem1')!.speaker.locRib()].filter((e) =>
      formatPrefix(e.prefix).startsWith(`10.${M}.`),
    ).length;

  test(
    '1,000 pass; the 1,001st drops the gateway–circuit sessions, not the Route Server ↔ gateway iBGP; back once under',
    T,
    async () => {
      assert.equal(
        toCircuit().length,
        4,
        toCircuit()
          .map(([l]) => l)
          .join(', '),
      );
      assert.ok(rsToEr().length > 0);
      for (const [l, s] of [...toCircuit(), ...rsToEr()]) assert.equal(s.state, 'Established', l);
      assert.equal(atOnprem(), 1000, 'the /20 and 999 site routes');
      const site1 = lab2.hybrid!.routers.get('site1')!.speaker;
      site1.originate(parsePrefix(SITE[999]!)!, attrs('169.254.21.6'));
      await lab2.settled();
      for (const [l, s] of toCircuit()) {
        assert.equal(s.state, 'Idle', `${l} dropped`);
        const ev = lab2.events.since().filter((e) => e.source === l && /prefix limit exceeded/.test(e.message));
        assert.match(
          ev[0]?.message ?? '',
          /1001 > 1000 \(prefixes advertised from the virtual network to the circuit.*R-ER-8\)/,
        );
      }
      for (const [l, s] of rsToEr()) assert.equal(s.state, 'Established', `${l}: no limit of its own`);
      assert.equal(atOnprem(), 0);
      site1.withdrawLocal(parsePrefix(SITE[999]!)!);
      await lab2.settled(); // the withdrawal reaches er1 through vpn1 and the route server
      vClock.advance(PREFIX_LIMIT_RECHECK_SECONDS * 1000);
      await lab2.settled();
      for (const [l, s] of toCircuit()) assert.equal(s.state, 'Established', `${l} back`);
      assert.equal(atOnprem(), 1000);
    },
  );
});
