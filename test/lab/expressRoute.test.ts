/**
 * ExpressRoute circuits end to end where test/lab/hybrid.test.ts does not reach: Global
 * Reach (R-ER-6) and the private-peering prefix limits (R-ER-2), in one in-process lab built
 * in code (addresses 10.144–10.149; no route server, so nothing listens, and a virtual clock
 * steps through the retry after a limit drop):
 * - three circuits at three peering locations, cA–cB and cB–cC linked by Global Reach (each
 *   declared on one circuit only, as `az network express-route peering connection create`
 *   makes it); a hub (10.144.0.0/20) whose gateway er1 is on cA only; a router per circuit;
 * - a hub `wide` with 1,000 address prefixes whose gateway er2 is on circuit cD, whose
 *   router siteD advertises 4,000 routes; a Premium circuit cE (no gateway) whose router
 *   siteE advertises 4,001.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, parsePrefix } from '../../src/bgp/wire/index.js';
import { WEIGHT_LOCAL } from '../../src/azure/index.js';
import { internAttrs, pathAsns } from '../../src/rib/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import { DEFAULT_LAB_SETTINGS, type RouterNodeSpec } from '../../src/lab/spec.js';
import { buildModel } from '../helpers/model.js';
import { startSpecLab, type TestLab } from '../helpers/lab.js';

const N = 144;
const T = { timeout: 30_000 };
/** /28s of 10.148.0.0/16 (siteD's routes) and of 10.149.0.0/18 (the wide hub's address space). */
const slash28 = (second: number, k: number) => `10.${second}.${k >> 4}.${(k & 15) << 4}/28`;
const WIDE = Array.from({ length: 1001 }, (_, k) => slash28(149, k));
const SITE_D = Array.from({ length: 4001 }, (_, k) => slash28(148, k));
/** /30s of 10.144.64.0/18 (siteE's routes, on a Premium circuit). */
const SITE_E = Array.from({ length: 4001 }, (_, k) => `10.${N}.${64 + (k >> 6)}.${(k & 63) << 2}/30`);

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
      {
        name: 'wide',
        prefixes: WIDE.slice(0, 1000),
        subnets: [
          { name: 'default', prefix: '10.149.0.0/28' },
          { name: 'GatewaySubnet', prefix: '10.149.0.16/28' },
        ],
      },
    ],
    vms: [{ name: 'client', vnet: 'hub', subnet: 'default', ip: `10.${N}.2.10` }],
    gateways: [
      { name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: [`10.${N}.3.12`, `10.${N}.3.13`] },
      { name: 'er2', vnet: 'wide', type: 'ExpressRoute', instances: ['10.149.0.20', '10.149.0.21'] },
    ],
    circuits: [
      {
        name: 'cA',
        location: 'Amsterdam',
        peerASN: 65061,
        primary: '169.254.144.0/30',
        secondary: '169.254.144.4/30',
        msee: [`10.${N}.146.35`, `10.${N}.146.36`],
        globalReach: [{ name: 'a-to-b', peer: 'cB', prefix: '192.168.144.0/29' }],
      },
      {
        name: 'cB',
        location: 'London',
        peerASN: 65062,
        primary: '169.254.144.8/30',
        secondary: '169.254.144.12/30',
        msee: [`10.${N}.147.35`, `10.${N}.147.36`],
      },
      {
        name: 'cC',
        location: 'Paris',
        peerASN: 65063,
        primary: '169.254.144.16/30',
        secondary: '169.254.144.20/30',
        msee: [`10.${N}.148.35`, `10.${N}.148.36`],
        globalReach: [{ name: 'c-to-b', peer: 'cB', prefix: '192.168.144.8/29' }],
      },
      {
        name: 'cE',
        location: 'Tokyo',
        skuTier: 'Premium',
        peerASN: 65065,
        primary: '169.254.144.32/30',
        secondary: '169.254.144.36/30',
        msee: [`10.${N}.150.35`, `10.${N}.150.36`],
      },
      {
        name: 'cD',
        location: 'Frankfurt',
        peerASN: 65064,
        primary: '169.254.144.24/30',
        secondary: '169.254.144.28/30',
        msee: [`10.${N}.149.35`, `10.${N}.149.36`],
      },
    ],
    connections: [
      { name: 'er1-cA', gateway: 'er1', circuit: 'cA', msee: [`10.${N}.3.4`, `10.${N}.3.5`] },
      { name: 'er2-cD', gateway: 'er2', circuit: 'cD', msee: ['10.149.0.24', '10.149.0.25'] },
    ],
  });

const site = (name: string, asn: number, circuit: string, first: string, prefixes: string[]): RouterNodeSpec => ({
  kind: 'router',
  name,
  asn,
  routerId: first,
  attach: [
    { kind: 'expressRoute', circuit, link: 'primary' },
    { kind: 'expressRoute', circuit, link: 'secondary' },
  ],
  routes: prefixes.map((prefix) => ({ prefix, origin: 'igp' as const })),
});
const routers = [
  site('siteA', 65061, 'cA', '169.254.144.1', ['10.145.0.0/16']),
  site('siteB', 65062, 'cB', '169.254.144.9', ['10.146.0.0/16']),
  site('siteC', 65063, 'cC', '169.254.144.17', ['10.147.0.0/16']),
  site('siteD', 65064, 'cD', '169.254.144.25', SITE_D.slice(0, 4000)),
  site('siteE', 65065, 'cE', '169.254.144.33', SITE_E),
];

const clock = new VirtualClock();
let t: TestLab;
let lab: Lab;

before(async () => {
  t = await startSpecLab(
    'expressroute',
    // A lab file's default settings (nothing here speaks TCP, so no quick connect retry is needed).
    { model: model(), routers, settings: { connectRetryTime: DEFAULT_LAB_SETTINGS.connectRetryTime } },
    { clock },
  );
  lab = t.lab;
  await lab.settled();
}, T);

after(async () => {
  await t?.stop();
}, T);

/** A router's best path per prefix, "prefix asn asn …". */
const rows = (name: string) =>
  [...lab.hybrid!.routers.get(name.toLowerCase())!.speaker.locRib()].map(
    (e) => `${formatPrefix(e.prefix)} ${pathAsns(e.best[0]!.attrs).join(' ')}`,
  );
const gateway = (name: string) => [...lab.hybrid!.gateways.values()].find((g) => g.resource.name === name)!;
const session = (label: string) => lab.hybrid!.sessions.get(label)!;

describe('R-ER-6: Global Reach', () => {
  test('one session per link of each linked pair, whichever circuit declares it', T, () => {
    const gr = [...lab.hybrid!.sessions.keys()].filter((k) => k.includes('Global Reach')).sort();
    assert.equal(gr.length, 4, gr.join('\n'));
    for (const s of gr) assert.equal(session(s).state, 'Established', s);
  });

  test("linked sites learn each other's routes as 12076 12076 12076 (private ASNs removed)", T, () => {
    assert.ok(rows('siteA').includes('10.146.0.0/16 12076 12076 12076'), rows('siteA').join('\n'));
    assert.ok(rows('siteB').includes('10.145.0.0/16 12076 12076 12076'), rows('siteB').join('\n'));
    assert.ok(rows('siteB').includes('10.147.0.0/16 12076 12076 12076'), rows('siteB').join('\n'));
    assert.ok(rows('siteC').includes('10.146.0.0/16 12076 12076 12076'), rows('siteC').join('\n'));
  });

  test("not transitive: cA and cC, both linked to cB only, do not learn each other's routes", T, () => {
    assert.ok(!rows('siteA').some((r) => r.startsWith('10.147.0.0/16')), rows('siteA').join('\n'));
    assert.ok(!rows('siteC').some((r) => r.startsWith('10.145.0.0/16')), rows('siteC').join('\n'));
  });

  test('carries no VNet routes out, and its routes do not enter Azure', T, () => {
    assert.ok(rows('siteA').includes(`10.${N}.0.0/20 12076`), `positive control: ${rows('siteA').join('\n')}`);
    assert.ok(!rows('siteB').some((r) => r.startsWith(`10.${N}.0.0/20`)), rows('siteB').join('\n'));
    assert.ok(!rows('siteC').some((r) => r.startsWith(`10.${N}.0.0/20`)), rows('siteC').join('\n'));
    for (const inst of gateway('er1').instances) {
      const held = [...inst.locRib()].map((e) => formatPrefix(e.prefix));
      assert.ok(held.includes('10.145.0.0/16'), "positive control: the gateway has its own circuit's site");
      assert.ok(!held.includes('10.146.0.0/16'), held.join(' '));
    }
    const nic = lab
      .effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!)
      .value.map((r) => r.addressPrefix[0]);
    assert.ok(nic.includes('10.145.0.0/16') && !nic.includes('10.146.0.0/16'), nic.join(' '));
  });
});

describe('R-ER-2: private-peering prefix limits', () => {
  const linkSessions = (a: string) => ['primary', 'secondary'].map((l) => session(`${a}/${l}`));

  test(
    'from on-premises at most 4,000 (Standard): the 4,001st drops the link sessions until the count falls',
    T,
    async () => {
      const sessions = linkSessions('siteD<->cD');
      const atGateway = () =>
        [...gateway('er2').instances[0]!.locRib()].filter((e) => formatPrefix(e.prefix).startsWith('10.148.')).length;
      for (const s of sessions) assert.equal(s.state, 'Established');
      assert.equal(atGateway(), 4000);
      const sp = lab.hybrid!.routers.get('sited')!.speaker;
      const extra = parsePrefix(SITE_D[4000]!)!;
      sp.originate(extra, internAttrs({ origin: 0, asPath: [], nextHop: '169.254.144.25' }));
      await lab.settled();
      for (const s of sessions) assert.equal(s.state, 'Idle', `${s.label} dropped`);
      assert.equal(atGateway(), 0);
      sp.withdrawLocal(extra);
      clock.advance(30_000);
      await lab.settled();
      for (const s of sessions) assert.equal(s.state, 'Established', `${s.label} back`);
      assert.equal(atGateway(), 4000);
    },
  );

  test('Premium raises it to 10,000: 4,001 routes from on-premises are taken', T, () => {
    const circuit = [...lab.hybrid!.circuits.values()].find((c) => c.resource.name === 'cE')!;
    for (const s of linkSessions('siteE<->cE')) assert.equal(s.state, 'Established', s.label);
    for (const msee of circuit.msees) assert.equal([...msee.locRib()].length, 4001, msee.name);
  });

  test('toward on-premises at most 1,000 VNet routes: a gateway with 1,001 loses its MSEE sessions', T, async () => {
    const sessions = ['er2/0<->cD/primary', 'er2/1<->cD/secondary', 'er2/0<->cD/secondary', 'er2/1<->cD/primary'].map(
      session,
    );
    const vnetAtSite = () => rows('siteD').filter((r) => r.startsWith('10.149.')).length;
    for (const s of sessions) assert.equal(s.state, 'Established', s.label);
    assert.equal(vnetAtSite(), 1000);
    const extra = parsePrefix(WIDE[1000]!)!;
    // A 1,001st address prefix on the VNet: what the gateway originates for it (R-ER-3 Network row).
    for (const [i, inst] of gateway('er2').instances.entries())
      inst.originate(extra, internAttrs({ origin: 0, asPath: [], nextHop: `10.149.0.2${i}` }), WEIGHT_LOCAL);
    await lab.settled();
    for (const s of sessions) assert.equal(s.state, 'Idle', `${s.label} dropped`);
    assert.equal(vnetAtSite(), 0);
    for (const inst of gateway('er2').instances) inst.withdrawLocal(extra);
    clock.advance(30_000);
    await lab.settled();
    for (const s of sessions) assert.equal(s.state, 'Established', `${s.label} back`);
    assert.equal(vnetAtSite(), 1000);
  });
});
