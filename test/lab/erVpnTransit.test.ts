/**
 * R-VPN-3 (issue 10 item 1): ExpressRoute ↔ VPN transit through a route server with
 * branch-to-branch on must not depend on the address layout. Both gateways hold the other's
 * prefix twice at equal weight — the route server's copy and the other gateway's direct iBGP
 * copy (R-VPN-2) — and only the route server's copy may transit (the gateways refuse each
 * other's direct paths toward the MSEE and the tunnels, R-VPN-2). Microsoft: "ExpressRoute and
 * VPN gateways exchanging routes through Azure Route Server"
 * (https://learn.microsoft.com/azure/route-server/expressroute-vpn-support).
 *
 * Two labs, the same design in two layouts:
 * - `below` (10.90): RouteServerSubnet 10.90.0.0/26 sorts below GatewaySubnet 10.90.3.0/24
 *   (the layout the older tests use; it worked because RFC 4271's last tie-break, the lowest
 *   neighbour address, happened to pick the route server's copy);
 * - `above` (10.91): RouteServerSubnet 10.91.4.0/26 sorts above GatewaySubnet 10.91.3.0/24
 *   (the direct copy won the tie-break and the transit silently failed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix } from '../../src/bgp/wire/index.js';
import { pathAsns } from '../../src/rib/index.js';
import type { Lab } from '../../src/lab/lab.js';
import type { RouterNodeSpec } from '../../src/lab/spec.js';
import { buildModel, type ModelInit } from '../helpers/model.js';
import { labGateway, startSpecLab, type TestLab } from '../helpers/lab.js';

const T = { timeout: 30_000 };

/** The hub of vpn.test.ts's b2b lab, with RouteServerSubnet at `rsSubnet` (third octet). */
function model(n: number, rsThird: number): ModelInit {
  return {
    vnets: [
      {
        name: 'hub',
        prefixes: [`10.${n}.0.0/20`],
        subnets: [
          { name: 'RouteServerSubnet', prefix: `10.${n}.${rsThird}.0/26` },
          { name: 'default', prefix: `10.${n}.2.0/24` },
          { name: 'GatewaySubnet', prefix: `10.${n}.3.0/24` },
        ],
      },
    ],
    vms: [{ name: 'client', vnet: 'hub', subnet: 'default', ip: `10.${n}.2.10` }],
    routeServers: [{ name: 'hubrs', vnet: 'hub', allowBranchToBranchTraffic: true, peerings: [] }],
    gateways: [
      { name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: [`10.${n}.3.12`, `10.${n}.3.13`] },
      {
        name: 'vpn1',
        vnet: 'hub',
        type: 'Vpn',
        instances: [`10.${n}.3.14`, `10.${n}.3.15`],
        activeActive: true,
        publicIps: [`198.51.100.${n}`, `198.51.100.${n + 100}`],
        apipa: ['169.254.21.1', '169.254.22.1'],
      },
    ],
    circuits: [
      {
        name: 'c1',
        location: 'Amsterdam',
        peerASN: 65030,
        primary: `169.254.${n}.0/30`,
        secondary: `169.254.${n}.4/30`,
        msee: [`10.${n}.64.35`, `10.${n}.64.36`],
      },
    ],
    connections: [
      { name: 'er1-c1', gateway: 'er1', circuit: 'c1', msee: [`10.${n}.3.4`, `10.${n}.3.5`] },
      { name: 'vpn1-site', gateway: 'vpn1', lng: 'site' },
    ],
    localNetworkGateways: [{ name: 'site', ip: `203.0.113.${n}`, prefixes: [], asn: 65040, bgp: '169.254.21.2' }],
  };
}

/** On-premises behind the circuit (192.0.2.0/24) and behind the tunnel (198.18.0.0/16). */
function routers(): RouterNodeSpec[] {
  return [
    {
      kind: 'router',
      name: 'onprem-er',
      asn: 65030,
      routerId: '192.0.2.1',
      attach: [
        { kind: 'expressRoute', circuit: 'c1', link: 'primary' },
        { kind: 'expressRoute', circuit: 'c1', link: 'secondary' },
      ],
      routes: [{ prefix: '192.0.2.0/24', origin: 'igp' }],
    },
    {
      kind: 'router',
      name: 'vpnsite',
      asn: 65040,
      routerId: '169.254.21.2',
      attach: [{ kind: 'vpn', localNetworkGateway: 'site' }],
      routes: [{ prefix: '198.18.0.0/16', origin: 'igp' }],
    },
  ];
}

/** A built-in router's Loc-RIB: "prefix asn asn …" of its best path per prefix. */
const routerRows = (lab: Lab, name: string) =>
  [...lab.hybrid!.routers.get(name)!.speaker.locRib()].map((e) =>
    `${formatPrefix(e.prefix)} ${pathAsns(e.best[0]!.attrs).join(' ')}`.trim(),
  );

/** Where a gateway instance's best path for `prefix` came from (its neighbour's role). */
const bestFrom = (lab: Lab, gw: string, i: 0 | 1, prefix: string) => {
  const e = [...labGateway(lab, gw).instances[i]!.locRib()].find((x) => formatPrefix(x.prefix) === prefix);
  return e?.best.map((p) => p.source.role ?? p.source.kind);
};

for (const [layout, n, rsThird] of [
  ['below', 90, 0],
  ['above', 91, 4],
] as const) {
  describe(`R-VPN-3: ER ↔ VPN transit with RouteServerSubnet ${layout} GatewaySubnet`, () => {
    let r: TestLab | undefined;
    const lab = () => r!.lab;
    before(async () => {
      r = await startSpecLab(`transit-${layout}`, { model: buildModel(model(n, rsThird)), routers: routers() });
      await r.lab.settled();
    }, T);
    after(async () => {
      await r?.stop();
    }, T);

    test('the layout is the one named: the route server sorts ' + layout + ' the gateways', T, () => {
      const rsIp = lab().model.routeServers[0]!.virtualRouterIps[0];
      assert.equal(rsIp, `10.${n}.${rsThird}.4`);
      const cmp = Number(rsIp.split('.')[2]) - 3;
      assert.ok(layout === 'below' ? cmp < 0 : cmp > 0);
    });

    test("both gateways take the route server's copy of the other's prefix, not the direct iBGP copy", T, () => {
      for (const i of [0, 1] as const) {
        // Both copies are there (positive control: the direct ER ↔ VPN iBGP stays up, R-VPN-2) …
        const er = labGateway(lab(), 'er1').instances[i]!;
        const p = [...er.locRib()].find((x) => formatPrefix(x.prefix) === '198.18.0.0/16')!.prefix;
        const roles = new Set(er.candidates(p).map((x) => x.source.role));
        assert.ok(roles.has('route-server') && roles.has('vpn-gateway'), [...roles].join(','));
        // … and the route server's wins at equal weight (R-VPN-3).
        assert.deepEqual([...new Set(bestFrom(lab(), 'er1', i, '198.18.0.0/16'))], ['route-server'], `er1/${i}`);
        assert.deepEqual([...new Set(bestFrom(lab(), 'vpn1', i, '192.0.2.0/24'))], ['route-server'], `vpn1/${i}`);
      }
    });

    test("transit both ways: the circuit's site learns the VPN site's prefix and the other way round", T, () => {
      const er = routerRows(lab(), 'onprem-er');
      const vpn = routerRows(lab(), 'vpnsite');
      // R-ER-2: the MSEE removes private ASNs (65515, 65040) and prepends 12076.
      assert.ok(er.includes('198.18.0.0/16 12076'), `onprem-er: ${er.join(', ')}`);
      // R-VPN-1: the VPN gateway prepends its 65515 to the MSEE's 12076 65030.
      assert.ok(vpn.includes('192.0.2.0/24 65515 12076 65030'), `vpnsite: ${vpn.join(', ')}`);
    });
  });
}
