/**
 * Incremental effective routes (issue 12, ADR 0015) equal a computation from scratch after
 * random sequences of changes. One in-process lab on a virtual clock (10.190–10.196; the
 * route server binds 127.190.0.4/.5): a hub with a route server (two NVA peerings, driven
 * directly on the instances' real speakers), an ExpressRoute gateway on a circuit to an
 * on-premises router, an active-active VPN gateway with a BGP site; spokes using the hub's
 * gateways (one with a route table, one whose table disables propagation); a second hub
 * peered without transit (its space is a system route the hub's gateway routes can fall in,
 * R-NIC-4). Changes: NVA routes announced and withdrawn (prefixes chosen to hit every rule:
 * inside a served VNet, inside the unserved peer, a BGP default, a None range, ECMP between
 * the NVAs, AS-path ties with ExpressRoute), route-server sessions down and up, on-premises
 * routes, an ExpressRoute link cut and restored, user routes put and deleted, peerings
 * deleted and made again, a GatewaySubnet route that breaks the gateways' iBGP mesh (R-VPN-2)
 * and its removal, and run-time changes through Lab.applyModel's reconcile (ADR 0034): an NVA's
 * bgpConnection deleted and put again, the route server itself deleted and created again.
 *
 * After every change, for every NIC: `Lab.effectiveRouteTable` (the layers) must give the
 * same value, byte for byte as JSON, and the same shown rows as `effectiveRoutes` over
 * `Lab.gatewayRoutesOfHub` (everything recomputed); `Lab.effectiveRoutes` (explain, memoized
 * gateway routes) must equal it too; and what `effectiveRouteChanges` reports since the
 * NIC's previous version must turn the previous table into the new one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  DEFAULT_SUBSCRIPTION,
  deleteBgpConnection,
  deleteRoute,
  deleteVirtualHub,
  deleteVnetPeering,
  putBgpConnection,
  putVirtualHub,
  putVirtualHubIpConfiguration,
  effectiveRoutes,
  hubOf,
  putRoute,
  putVnetPeering,
  resourceId,
  type AzureModel,
  type EffectiveRoute,
  type NetworkInterface,
  type Route,
} from '../../src/azure/index.js';
import { parsePrefix } from '../../src/bgp/wire/index.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import { Lab } from '../../src/lab/lab.js';
import { DEFAULT_LAB_SETTINGS, type LabSpec, type RouterNodeSpec } from '../../src/lab/spec.js';
import { internAttrs } from '../../src/rib/index.js';
import { buildModel } from '../helpers/model.js';

const RG = 'rg';
const vnetId = (name: string) => resourceId(DEFAULT_SUBSCRIPTION, RG, 'virtualNetworks', name);

function model(): AzureModel {
  return buildModel({
    vnets: [
      {
        name: 'hub',
        prefixes: ['10.190.0.0/16'],
        subnets: [
          { name: 'RouteServerSubnet', prefix: '10.190.0.0/26' },
          { name: 'nva', prefix: '10.190.1.0/24' },
          { name: 'default', prefix: '10.190.2.0/24' },
          { name: 'GatewaySubnet', prefix: '10.190.3.0/24', routeTable: 'gwrt' },
        ],
        peerings: [
          { name: 'to-spoke1', remote: 'spoke1', allowGatewayTransit: true },
          { name: 'to-spoke2', remote: 'spoke2', allowGatewayTransit: true },
          { name: 'to-spoke3', remote: 'spoke3', allowGatewayTransit: true },
          { name: 'to-hub2', remote: 'hub2' },
        ],
      },
      {
        name: 'spoke1',
        prefixes: ['10.191.0.0/16'],
        subnets: [{ name: 'default', prefix: '10.191.0.0/24' }],
        peerings: [{ name: 'to-hub', remote: 'hub', useRemoteGateways: true }],
      },
      {
        name: 'spoke2',
        prefixes: ['10.192.0.0/16'],
        subnets: [{ name: 'default', prefix: '10.192.0.0/24', routeTable: 'rt1' }],
        peerings: [{ name: 'to-hub', remote: 'hub', useRemoteGateways: true }],
      },
      {
        name: 'spoke3',
        prefixes: ['10.193.0.0/16'],
        subnets: [{ name: 'default', prefix: '10.193.0.0/24', routeTable: 'rt2' }],
        peerings: [{ name: 'to-hub', remote: 'hub', useRemoteGateways: true }],
      },
      {
        name: 'hub2',
        location: 'northeurope',
        prefixes: ['10.194.0.0/16'],
        subnets: [{ name: 'default', prefix: '10.194.0.0/24' }],
        peerings: [{ name: 'to-hub', remote: 'hub' }],
      },
    ],
    routeTables: [
      { name: 'rt1', routes: [] },
      { name: 'rt2', disableBgpRoutePropagation: true, routes: [] },
      { name: 'gwrt', routes: [] },
    ],
    vms: [
      { name: 'nva1', vnet: 'hub', subnet: 'nva', ip: '10.190.1.4' },
      { name: 'nva2', vnet: 'hub', subnet: 'nva', ip: '10.190.1.5' },
      { name: 'client', vnet: 'hub', subnet: 'default', ip: '10.190.2.10' },
      { name: 's1', vnet: 'spoke1', subnet: 'default', ip: '10.191.0.4' },
      { name: 's2', vnet: 'spoke2', subnet: 'default', ip: '10.192.0.4' },
      { name: 's3', vnet: 'spoke3', subnet: 'default', ip: '10.193.0.4' },
      { name: 'h2', vnet: 'hub2', subnet: 'default', ip: '10.194.0.4' },
    ],
    routeServers: [
      {
        name: 'hubrs',
        vnet: 'hub',
        allowBranchToBranchTraffic: true,
        peerings: [
          { name: 'nva1', peerIp: '10.190.1.4', peerAsn: 65001 },
          { name: 'nva2', peerIp: '10.190.1.5', peerAsn: 65002 },
        ],
      },
    ],
    gateways: [
      { name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: ['10.190.3.12', '10.190.3.13'] },
      {
        name: 'vpn1',
        vnet: 'hub',
        type: 'Vpn',
        instances: ['10.190.3.14', '10.190.3.15'],
        activeActive: true,
        publicIps: ['198.51.100.90', '198.51.100.91'],
        apipa: ['169.254.21.1', '169.254.22.1'],
      },
    ],
    circuits: [
      {
        name: 'c1',
        location: 'Amsterdam',
        peerASN: 65190,
        primary: '169.254.190.0/30',
        secondary: '169.254.190.4/30',
        msee: ['10.195.146.35', '10.195.146.36'],
      },
    ],
    connections: [
      { name: 'er1-c1', gateway: 'er1', circuit: 'c1', msee: ['10.190.3.4', '10.190.3.5'] },
      { name: 'vpn1-site', gateway: 'vpn1', lng: 'site' },
    ],
    localNetworkGateways: [{ name: 'site', ip: '203.0.113.90', prefixes: [], asn: 65090, bgp: '169.254.21.2' }],
  });
}

const routers: RouterNodeSpec[] = [
  {
    kind: 'router',
    name: 'onprem',
    asn: 65190,
    routerId: '169.254.190.1',
    attach: [
      { kind: 'expressRoute', circuit: 'c1', link: 'primary' },
      { kind: 'expressRoute', circuit: 'c1', link: 'secondary' },
    ],
    routes: [{ prefix: '10.196.0.0/16', origin: 'igp' }],
  },
  {
    kind: 'router',
    name: 'site',
    asn: 65090,
    routerId: '169.254.21.2',
    attach: [{ kind: 'vpn', localNetworkGateway: 'site' }],
    routes: [{ prefix: '192.168.0.0/16', origin: 'igp' }],
  },
];

/**
 * Prefixes the changes use: outside every VNet, inside a served VNet (never programmed,
 * R-ARS-8), inside the unserved peer hub2 (Invalid for the hub's NICs, R-NIC-4), the default
 * route (removes Internet and None, R-NIC-4), a None range and one inside it, the
 * on-premises prefixes (ties and preference with ExpressRoute and VPN, R-ARS-7).
 */
const PREFIXES = [
  '11.0.0.0/24',
  '11.0.1.0/24',
  '11.0.0.0/16',
  '10.191.4.0/24',
  '10.194.0.0/24',
  '0.0.0.0/0',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '100.64.0.1/32',
  '10.196.0.0/16',
  '192.168.0.0/16',
  '192.168.1.0/24',
];

type Op =
  | { kind: 'announce'; nva: 0 | 1; instances: 'both' | 0 | 1; prefix: string; nextHop: number; prepend: number }
  | { kind: 'withdraw'; nva: 0 | 1; prefix: string }
  | { kind: 'session'; nva: 0 | 1; instance: 0 | 1; up: boolean }
  | { kind: 'nvaPeering'; nva: 0 | 1; present: boolean }
  | { kind: 'routeServer'; present: boolean }
  | { kind: 'onprem'; router: 'onprem' | 'site'; prefix: string; announce: boolean }
  | { kind: 'link'; link: 0 | 1; up: boolean }
  | {
      kind: 'userRoute';
      table: 'rt1' | 'rt2';
      prefix: string;
      type: 'VirtualAppliance' | 'None' | 'Internet';
      put: boolean;
    }
  | { kind: 'peering'; spoke: 'spoke1' | 'spoke2' | 'hub2'; present: boolean }
  | { kind: 'mesh'; broken: boolean };

const prefixArb = fc.constantFrom(...PREFIXES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('announce' as const),
      nva: fc.constantFrom(0 as const, 1 as const),
      instances: fc.constantFrom('both' as const, 0 as const, 1 as const),
      prefix: prefixArb,
      nextHop: fc.integer({ min: 0, max: 2 }),
      prepend: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('withdraw' as const),
      nva: fc.constantFrom(0 as const, 1 as const),
      prefix: prefixArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('session' as const),
      nva: fc.constantFrom(0 as const, 1 as const),
      instance: fc.constantFrom(0 as const, 1 as const),
      up: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('onprem' as const),
      router: fc.constantFrom('onprem' as const, 'site' as const),
      prefix: prefixArb,
      announce: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('link' as const),
      link: fc.constantFrom(0 as const, 1 as const),
      up: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('userRoute' as const),
      table: fc.constantFrom('rt1' as const, 'rt2' as const),
      prefix: prefixArb,
      type: fc.constantFrom('VirtualAppliance' as const, 'None' as const, 'Internet' as const),
      put: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('peering' as const),
      spoke: fc.constantFrom('spoke1' as const, 'spoke2' as const, 'hub2' as const),
      present: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mesh' as const), broken: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('nvaPeering' as const),
      nva: fc.constantFrom(0 as const, 1 as const),
      present: fc.boolean(),
    }),
  },
  // Mostly "present": a deleted route server takes every NVA row with it, so a run spent
  // without one would reach fewer of the rules the layers must keep.
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('routeServer' as const),
      present: fc.constantFrom(true, true, true, false),
    }),
  },
);

const clock = new VirtualClock();
let dir = '';
let lab: Lab;

before(
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'arslab-layers-'));
    const spec: LabSpec = {
      name: 'layers',
      file: join(dir, 'lab.yml'),
      settings: { ...DEFAULT_LAB_SETTINGS, connectRetryTime: 1 },
      model: model(),
      nodes: [],
      routers,
      warnings: [],
    };
    lab = await Lab.start(spec, { stateDir: join(dir, 'state'), clock });
    await lab.settled();
    original = lab.model.routeServers[0]!;
  },
  { timeout: 60_000 },
);

after(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const NVA_ASN = [65001, 65002];
const NVA_IP = ['10.190.1.4', '10.190.1.5'];
/** Next hops an NVA may set: itself, the other NVA (ECMP sets), an address outside the VNets. */
const NEXT_HOPS = ['10.190.1.4', '10.190.1.5', '10.197.0.1'];

function instance(i: 0 | 1) {
  return lab.graph.routeServers()[0]!.instances[i];
}

function neighborOf(i: 0 | 1, nva: 0 | 1): number {
  return instance(i).peerings.get(`nva${nva + 1}`)!.session.neighbor.source.id;
}

/** Whether the NVA's peering exists now (its bgpConnection and the route server are there). */
function peered(nva: 0 | 1): boolean {
  return lab.graph.routeServers().length > 0 && instance(0).peerings.has(`nva${nva + 1}`);
}

/** The route server as the start's model has it (its resource, its peerings). */
let original: AzureModel['routeServers'][number];

/** Route-server sessions the test holds down (the instances' speakers see them as down). */
const sessionDown = new Set<string>();

async function apply(op: Op): Promise<void> {
  switch (op.kind) {
    case 'announce': {
      if (!peered(op.nva)) break;
      const attrs = internAttrs({
        origin: 0,
        asPath: [{ type: 2, asns: Array.from({ length: 1 + op.prepend }, () => NVA_ASN[op.nva]!) }],
        nextHop: NEXT_HOPS[op.nextHop]!,
      });
      for (const i of [0, 1] as const) {
        if (op.instances !== 'both' && op.instances !== i) continue;
        if (sessionDown.has(`${op.nva}/${i}`)) continue;
        instance(i).speaker.receive(neighborOf(i, op.nva), [], { attrs, prefixes: [parsePrefix(op.prefix)!] });
      }
      break;
    }
    case 'withdraw':
      if (!peered(op.nva)) break;
      for (const i of [0, 1] as const) instance(i).speaker.receive(neighborOf(i, op.nva), [parsePrefix(op.prefix)!]);
      break;
    case 'session': {
      if (!peered(op.nva)) break;
      const id = neighborOf(op.instance, op.nva);
      if (op.up) {
        sessionDown.delete(`${op.nva}/${op.instance}`);
        instance(op.instance).speaker.neighborUp(id);
      } else {
        sessionDown.add(`${op.nva}/${op.instance}`);
        instance(op.instance).speaker.neighborDown(id);
      }
      break;
    }
    case 'onprem': {
      const r = lab.hybrid!.routers.get(op.router)!;
      if (op.announce) r.originate({ prefix: op.prefix, origin: 'igp' });
      else r.speaker.withdrawLocal(parsePrefix(op.prefix)!);
      break;
    }
    case 'link': {
      // The lab graph's link fault, as `arslab link down|up` does it.
      const g = lab.graph;
      const list = g.sessionsOfCircuitLink(lab.hybrid!.circuits.values().next().value!, op.link).map((x) => x.session);
      if (op.up) g.faults.linkUp(list);
      else g.faults.linkDown(list, false);
      await lab.settled();
      clock.advance(1000); // BFD: 0.9 s (R-ER-1)
      break;
    }
    case 'userRoute': {
      const m = lab.model;
      const table = m.routeTables.find((t) => t.name === op.table)!;
      const name = `r-${op.prefix.replace(/[./]/g, '-')}`;
      const has = table.routes.some((r) => r.name === name);
      const other = table.routes.some((r) => r.addressPrefix === op.prefix && r.name !== name);
      if (op.put && !other) {
        const route: Route = {
          name,
          addressPrefix: op.prefix,
          nextHopType: op.type,
          ...(op.type === 'VirtualAppliance' ? { nextHopIpAddress: NVA_IP[0]! } : {}),
        };
        lab.applyModel(putRoute(m, RG, op.table, route), `route ${name}`);
      } else if (!op.put && has) lab.applyModel(deleteRoute(m, RG, op.table, name), `route ${name} deleted`);
      break;
    }
    case 'peering': {
      const m = lab.model;
      const spoke = m.virtualNetworks.find((v) => v.name === op.spoke)!;
      const has = spoke.virtualNetworkPeerings.some((p) => p.name === 'to-hub');
      if (op.present && !has) {
        lab.applyModel(
          putVnetPeering(m, spoke.id, {
            name: 'to-hub',
            remoteVirtualNetwork: vnetId('hub'),
            useRemoteGateways: op.spoke !== 'hub2',
          }),
          `peering ${op.spoke}`,
        );
      } else if (!op.present && has)
        lab.applyModel(deleteVnetPeering(m, spoke.id, 'to-hub'), `peering ${op.spoke} deleted`);
      break;
    }
    case 'nvaPeering': {
      // A bgpConnection deleted (its sessions close, its routes go) or put again (new sessions).
      const m = lab.model;
      const rs = m.routeServers[0];
      if (!rs) break;
      const name = `nva${op.nva + 1}`;
      const has = rs.bgpConnections.some((c) => c.name === name);
      if (op.present && !has) {
        await lab.applyModel(
          putBgpConnection(m, rs.id, { name, peerIp: NVA_IP[op.nva]!, peerAsn: NVA_ASN[op.nva]! }),
          `${name} put`,
        );
        for (const i of [0, 1] as const) sessionDown.delete(`${op.nva}/${i}`);
      } else if (!op.present && has) await lab.applyModel(deleteBgpConnection(m, rs.id, name), `${name} deleted`);
      break;
    }
    case 'routeServer': {
      // The route server deleted (its instances stop) or created again in ARM's two requests.
      const m = lab.model;
      const rs = m.routeServers[0];
      if (!op.present && rs) await lab.applyModel(deleteVirtualHub(m, rs.id), 'route server deleted');
      else if (op.present && !rs) {
        let next = putVirtualHub(m, RG, original.name, {
          allowBranchToBranchTraffic: original.allowBranchToBranchTraffic,
          hubRoutingPreference: original.hubRoutingPreference,
        });
        next = putVirtualHubIpConfiguration(next, original.id, original.subnet);
        for (const c of original.bgpConnections) next = putBgpConnection(next, original.id, c);
        await lab.applyModel(next, 'route server created');
        for (const k of [...sessionDown]) sessionDown.delete(k);
      }
      break;
    }
    case 'mesh': {
      // R-VPN-2: GatewaySubnet's range to an NVA breaks the gateways' iBGP mesh; each side
      // notices at hold expiry (180 s on the virtual clock).
      const m = lab.model;
      const has = m.routeTables.find((t) => t.name === 'gwrt')!.routes.length > 0;
      if (op.broken && !has) {
        const route: Route = {
          name: 'to-nva',
          addressPrefix: '10.190.0.0/16',
          nextHopType: 'VirtualAppliance',
          nextHopIpAddress: NVA_IP[0]!,
        };
        lab.applyModel(putRoute(m, RG, 'gwrt', route), 'mesh broken');
      } else if (!op.broken && has) lab.applyModel(deleteRoute(m, RG, 'gwrt', 'to-nva'), 'mesh restored');
      await lab.settled();
      clock.advance(181_000);
      break;
    }
  }
  await lab.settled();
}

const json = (v: readonly EffectiveRoute[]) => v.map((r) => JSON.stringify(r));

/** The NIC's table with every layer recomputed: effectiveRoutes over gateway routes made from scratch. */
function fromScratch(nic: NetworkInterface) {
  return effectiveRoutes(lab.model, nic, (vnet) => {
    const hub = hubOf(lab.model, vnet);
    // R-ARS-21: the routes of the NIC's own view (its route-server instance).
    return hub ? lab.gatewayRoutesOfHub(hub, nic) : { routes: [], servedPrefixes: [], dropped: [] };
  });
}

const seen = new Map<string, { version: number; value: string[] }>();

/** Which rules the tables showed at least once over the run (the property means little without them). */
const covered = new Set<string>();
const COVERAGE: Record<string, (d: ReturnType<typeof fromScratch>['details'][number]) => boolean> = {
  'R-NIC-4 user route over a gateway route': (d) =>
    d.route.source === 'VirtualNetworkGateway' && !!d.note?.reason.startsWith('user route'),
  'R-NIC-4 gateway route inside a peer': (d) => !!d.note?.reason.startsWith('VNet and peering routes win'),
  'R-NIC-4 BGP over a default row': (d) => d.note?.reason === 'a BGP route overrides it',
  'R-NIC-4 removed by 0.0.0.0/0': (d) => d.note?.reason === 'removed by a 0.0.0.0/0 route',
  'R-ARS-8 inside a served VNet': (d) => !!d.note?.reason.includes('inside the VNet address space'),
  'R-ARS-8 propagation off': (d) => !!d.note?.reason.includes('disables BGP route propagation'),
  'R-VPN-2 mesh down': (d) => d.note?.rule === 'R-VPN-2',
  'R-ARS-7 dropped': (d) => d.note?.rule === 'R-ARS-7',
  'ExpressRoute row': (d) => !d.hidden && d.origin === 'expressroute',
  'VPN row': (d) => !d.hidden && d.origin === 'vpn',
  'route-server row': (d) => !d.hidden && d.origin === 'route-server',
};

function check(step: string): void {
  for (const nic of lab.model.networkInterfaces) {
    const full = fromScratch(nic);
    for (const [name, test] of Object.entries(COVERAGE)) if (full.details.some(test)) covered.add(name);
    const shown = full.value.filter((r) => r.source === 'VirtualNetworkGateway').map((r) => r.addressPrefix[0]);
    if (new Set(shown).size < shown.length) covered.add('R-NIC-5 ECMP rows');
    const t = lab.effectiveRouteTable(nic);
    const where = `${nic.name} after ${step}`;
    assert.deepEqual(json(t.value), json(full.value), where);
    assert.equal(t.json(), JSON.stringify({ value: full.value }), `${where}: the API's JSON`);
    assert.deepEqual(t.details, full.details.slice(0, full.value.length), `${where}: shown rows`);
    assert.deepEqual(json(lab.effectiveRoutes(nic).value), json(full.value), `${where}: explain's table`);
    // What changed since the previous version makes the previous table the new one.
    const prev = seen.get(nic.id);
    if (prev) {
      const ch = lab.effectiveRouteChanges(nic, prev.version);
      const now = json(t.value);
      if (ch.full) assert.deepEqual(json(ch.value), now, `${where}: whole table`);
      else {
        const touched = new Set(ch.prefixes);
        const kept = prev.value.filter((r) => !touched.has((JSON.parse(r) as EffectiveRoute).addressPrefix[0]!));
        assert.deepEqual(
          [...kept, ...json(ch.value)].sort(),
          [...now].sort(),
          `${where}: changes since ${prev.version}`,
        );
        if (t.version <= prev.version) assert.deepEqual(prev.value, now, `${where}: same version, same table`);
      }
    }
    seen.set(nic.id, { version: t.version, value: json(t.value) });
  }
}

test('incremental effective routes equal a recomputation after random changes (routes, sessions, links, route tables, peerings, the mesh, bgpConnections, the route server)', {
  timeout: 240_000,
}, async () => {
  check('start');
  let steps = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
      for (const op of ops) {
        await apply(op);
        check(`${++steps}: ${JSON.stringify(op)}`);
      }
    }),
    // One lab for every run: the state carries over (every reachable state must hold), so
    // shrinking would not replay; the failing step is in the message. The default seed is
    // one whose run reaches every rule below (the bgpConnection and route-server changes
    // moved the draws; seed 12, the previous default, now misses one rule's coverage only).
    { numRuns: 40, endOnFailure: true, seed: Number(process.env['ARSLAB_PROPERTY_SEED'] ?? 1) },
  );
  // The changes reached every rule at least once.
  assert.deepEqual([...covered].sort(), [...Object.keys(COVERAGE), 'R-NIC-5 ECMP rows'].sort());
});
