import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, parsePrefix, WellKnownCommunity } from '../bgp/wire/index.js';
import { internAttrs, newRouteSource, Speaker, type OutboundBatch } from '../rib/index.js';
import { seed000Model } from '../../test/helpers/model.js';
import {
  advertisedRoutes,
  checkPeerAsn,
  learnedRoutes,
  preferenceClass,
  routeServerPolicy,
  virtualRouterIps,
  vnetRouteAttrs,
} from './routeServer.js';

const model = seed000Model();
const rs = model.routeServers[0]!;
const P = (t: string) => parsePrefix(t)!;

function instance(i: 0 | 1 = 0) {
  const sp = new Speaker('rs', 65515, 1, routeServerPolicy(rs, i, model.routeServerSettings));
  const nva = (name: string, ip: string, asn: number, sent: OutboundBatch[] = []) => {
    const n = {
      source: newRouteSource({ name, address: ip, asn, kind: 'ebgp', routerId: 0 }),
      info: { role: 'nva', peering: name },
      send: (b: OutboundBatch) => void sent.push(b),
    };
    sp.addNeighbor(n);
    sp.neighborUp(n.source.id);
    return n;
  };
  return { sp, nva };
}

const attrs = (asns: number[], nextHop: string, communities?: number[]) =>
  internAttrs({ origin: 0, asPath: [{ type: 2, asns }], nextHop, ...(communities ? { communities } : {}) });

test('R-ARS-1: instance addresses are the 4th and 5th of RouteServerSubnet', () => {
  assert.deepEqual(virtualRouterIps(P('10.10.1.0/24')), ['10.10.1.4', '10.10.1.5']);
  assert.deepEqual(virtualRouterIps(P('10.1.0.0/27')), ['10.1.0.4', '10.1.0.5']);
});

test('R-ARS-3: reserved and 32-bit peer ASNs are refused, naming the ASN', () => {
  for (const asn of [8074, 8075, 12076, 65515, 65517, 65520, 23456, 64496, 64511, 65535, 65551]) {
    const e = checkPeerAsn(asn);
    assert.ok(e, `${asn} must be refused`);
    assert.match(e.message, new RegExp(`\\b${asn}\\b`));
  }
  const big = checkPeerAsn(4200000000);
  assert.ok(big);
  assert.match(big.message, /4200000000/);
  assert.equal(checkPeerAsn(65001), undefined);
  assert.equal(checkPeerAsn(64512), undefined);
});

test('R-ARS-6: a route whose AS path holds 65515 is dropped and not listed as learned', () => {
  const { sp, nva } = instance();
  const a = nva('hub2nva', '10.10.0.7', 65002);
  sp.receive(a.source.id, [], {
    attrs: attrs([65002, 65001, 65515, 12076, 133937], '10.10.0.7'),
    prefixes: [P('1.2.3.0/24')],
  });
  sp.receive(a.source.id, [], { attrs: attrs([65002, 65001], '10.10.0.7'), prefixes: [P('10.1.0.0/16')] });
  const learned = learnedRoutes('10.10.1.4', sp.adjRibIn(a.source.id));
  assert.deepEqual(
    learned.map((r) => r.network),
    ['10.1.0.0/16'],
  );
  assert.deepEqual(learned[0], {
    localAddress: '10.10.1.4',
    network: '10.1.0.0/16',
    nextHop: '10.10.0.7',
    sourcePeer: '10.10.0.7',
    origin: 'EBgp',
    asPath: '65002-65001',
    weight: 32768,
  });
  const dropped = [...sp.adjRibIn(a.source.id)].find((e) => formatPrefix(e.prefix) === '1.2.3.0/24');
  assert.equal(dropped?.path.rejected?.rule, 'R-ARS-6');
});

test('R-ARS-9: to other NVAs 65515 is prepended and the next hop is the instance', () => {
  const { sp, nva } = instance(1);
  const a = nva('a', '10.10.0.7', 65001);
  const sent: OutboundBatch[] = [];
  const b = nva('b', '10.10.0.8', 65002, sent);
  sp.receive(a.source.id, [], { attrs: attrs([65001], '10.10.0.7', [0xfdeafdea]), prefixes: [P('10.1.0.0/16')] });
  const adv = advertisedRoutes('10.10.1.5', sp.adjRibOut(b.source.id));
  assert.deepEqual(adv, [
    {
      localAddress: '10.10.1.5',
      network: '10.1.0.0/16',
      nextHop: '10.10.1.5',
      origin: 'Igp',
      asPath: '65515-65001',
      weight: 0,
    },
  ]);
  // Communities pass unchanged.
  assert.deepEqual(sent.at(-1)!.announced[0]!.attrs.communities, [0xfdeafdea]);
});

test('R-ARS-9: NO_ADVERTISE keeps a route from other NVAs, but it stays best (programmed)', () => {
  const { sp, nva } = instance();
  const a = nva('a', '10.10.0.7', 65001);
  const b = nva('b', '10.10.0.8', 65002);
  sp.receive(a.source.id, [], {
    attrs: attrs([65001], '10.10.0.7', [WellKnownCommunity.NO_ADVERTISE]),
    prefixes: [P('10.1.0.0/16')],
  });
  assert.equal([...sp.adjRibOut(b.source.id)].length, 0);
  assert.equal([...sp.locRib()].filter((e) => e.best[0]?.source.kind !== 'local').length, 1);
  const why = sp.explainExport(b.source.id, P('10.1.0.0/16'));
  assert.deepEqual(why, { rule: 'R-ARS-9', reason: 'NO_ADVERTISE community' });
});

test('R-ARS-9: VNet address spaces go to NVAs as AS path 65515, origin IGP', () => {
  const { sp, nva } = instance();
  sp.originate(P('10.10.0.0/16'), vnetRouteAttrs('10.10.1.4'));
  const a = nva('a', '10.10.0.7', 65001);
  assert.deepEqual(advertisedRoutes('10.10.1.4', sp.adjRibOut(a.source.id)), [
    {
      localAddress: '10.10.1.4',
      network: '10.10.0.0/16',
      nextHop: '10.10.1.4',
      origin: 'Igp',
      asPath: '65515',
      weight: 0,
    },
  ]);
});

test('R-ARS-7: MED and local preference do not choose between NVAs; AS-path length does', () => {
  const { sp, nva } = instance();
  const a = nva('a', '10.10.0.7', 65001);
  const b = nva('b', '10.10.0.8', 65002);
  sp.receive(a.source.id, [], {
    attrs: internAttrs({ origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: '10.10.0.7', med: 500 }),
    prefixes: [P('100.64.0.1/32')],
  });
  sp.receive(b.source.id, [], {
    attrs: internAttrs({ origin: 0, asPath: [{ type: 2, asns: [65002] }], nextHop: '10.10.0.8', med: 0 }),
    prefixes: [P('100.64.0.1/32')],
  });
  assert.equal([...sp.locRib()][0]!.best.length, 2, 'MED must not break the tie');
  sp.receive(a.source.id, [], { attrs: attrs([65001, 65001], '10.10.0.7'), prefixes: [P('100.64.0.1/32')] });
  assert.deepEqual(
    [...sp.locRib()][0]!.best.map((p) => p.attrs.nextHop),
    ['10.10.0.8'],
  );
});

test('R-ARS-7: hubRoutingPreference classes', () => {
  assert.ok(preferenceClass('expressroute-gateway', 'ExpressRoute') > preferenceClass('nva', 'ExpressRoute'));
  assert.ok(preferenceClass('nva', 'VpnGateway') > preferenceClass('expressroute-gateway', 'VpnGateway'));
  assert.equal(preferenceClass('nva', 'ASPath'), preferenceClass('expressroute-gateway', 'ASPath'));
});

test('R-ARS-11: toward the gateways nothing while branch-to-branch is off; on, NVA routes with AS path and next hop unchanged, 65517:65517 toward ExpressRoute only', () => {
  const marker = ((65517 << 16) | 65517) >>> 0;
  for (const b2b of [false, true]) {
    const sp = new Speaker(
      'rs',
      65515,
      1,
      routeServerPolicy({ ...rs, allowBranchToBranchTraffic: b2b }, 0, model.routeServerSettings),
    );
    const peer = (name: string, address: string, asn: number, role: string) => {
      const n = {
        source: newRouteSource({ name, address, asn, kind: role === 'nva' ? 'ebgp' : 'ibgp', routerId: 0 }),
        info: { role },
        send: () => undefined,
      };
      sp.addNeighbor(n);
      sp.neighborUp(n.source.id);
      return n;
    };
    const nva = peer('nva', '10.10.0.7', 65001, 'nva');
    const er = peer('er/0', '10.10.2.12', 65515, 'expressroute-gateway');
    const vpn = peer('vpn/0', '10.10.2.14', 65515, 'vpn-gateway');
    sp.receive(nva.source.id, [], { attrs: attrs([65001], '10.10.0.7'), prefixes: [P('10.99.0.0/16')] });
    const out = (n: typeof er) =>
      [...sp.adjRibOut(n.source.id)].map(
        (e) =>
          `${formatPrefix(e.prefix)} ${e.attrs.asPath.flatMap((s) => s.asns).join(' ')} ${e.attrs.nextHop} ${(e.attrs.communities ?? []).includes(marker)}`,
      );
    if (!b2b) {
      assert.deepEqual(out(er), [], 'nothing toward the ExpressRoute gateway');
      assert.deepEqual(out(vpn), [], 'nothing toward the VPN gateway');
      assert.deepEqual(sp.explainExport(er.source.id, P('10.99.0.0/16')), {
        rule: 'R-ARS-11',
        reason: 'branch-to-branch traffic is off',
      });
    } else {
      assert.deepEqual(out(er), ['10.99.0.0/16 65001 10.10.0.7 true']);
      assert.deepEqual(out(vpn), ['10.99.0.0/16 65001 10.10.0.7 false']);
    }
  }
});
