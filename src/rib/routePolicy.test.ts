/**
 * The route-map and AS-path rules of src/rib/routePolicy, against what FRR and Cisco document
 * (expectations derived in each test from the cited text, not from ARSLab's output).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix, type AsPathSegment } from '../bgp/wire/index.js';
import { internAttrs, pathAsns } from './attrs.js';
import { applyRouteMap, asOverride, removePrivateAs, type PrefixFilter, type RouteMapEntry } from './routePolicy.js';

const seq = (...asns: number[]): AsPathSegment[] => [{ type: 2, asns }];
const flat = (segs: readonly AsPathSegment[]) => pathAsns({ asPath: segs });
const p = (t: string) => parsePrefix(t)!;
const attrs = (extra: object = {}) => internAttrs({ origin: 0, asPath: seq(65001), nextHop: '10.0.0.1', ...extra });
const c = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0;

test('prefix lists: exact without ge/le, "le" from the list length, "ge" up to /32 (FRR ip prefix-list)', () => {
  // FRR: "ip prefix-list NAME permit PREFIX [ge LEN] [le LEN]": without ge/le the prefix must
  // match exactly; le N: lengths len..N inside PREFIX; ge N: lengths N..32.
  const exact: PrefixFilter = { prefix: p('10.0.0.0/8'), ge: 8, le: 8 };
  const le24: PrefixFilter = { prefix: p('10.0.0.0/8'), ge: 8, le: 24 };
  const ge16le24: PrefixFilter = { prefix: p('10.0.0.0/8'), ge: 16, le: 24 };
  const permit = (f: PrefixFilter): RouteMapEntry[] => [{ action: 'permit', prefixes: [f] }];
  const ok = (f: PrefixFilter, t: string) => applyRouteMap(permit(f), p(t), attrs()).permit;
  assert.deepEqual(
    ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.0/25', '11.0.0.0/8', '10.1.2.3/32'].map((t) => [
      ok(exact, t),
      ok(le24, t),
      ok(ge16le24, t),
    ]),
    [
      [true, true, false],
      [false, true, true],
      [false, true, true],
      [false, false, false],
      [false, false, false],
      [false, false, false],
    ],
  );
});

test('route-map: first matching entry decides, all its clauses must match, nothing matched is denied', () => {
  // FRR route-map: entries in sequence order; the match statements of one entry are ANDed;
  // "If no route-map entries match, the route is denied".
  const map: RouteMapEntry[] = [
    { action: 'deny', prefixes: [{ prefix: p('10.9.0.0/16'), ge: 16, le: 32 }], communities: [c(65001, 9)] },
    { action: 'permit', communities: [c(65001, 9)], localPref: 50 },
    { action: 'permit', prefixes: [{ prefix: p('10.0.0.0/8'), ge: 8, le: 24 }] },
  ];
  const tagged = attrs({ communities: [c(65001, 9)] });
  assert.deepEqual(applyRouteMap(map, p('10.9.1.0/24'), tagged), { permit: false, entry: 0 });
  const second = applyRouteMap(map, p('10.8.0.0/16'), tagged);
  assert.ok(second.permit && second.attrs.localPref === 50, 'the second entry sets local preference 50');
  const third = applyRouteMap(map, p('10.8.0.0/16'), attrs());
  assert.ok(third.permit && third.attrs === attrs(), 'an entry without sets leaves the attributes as they are');
  assert.deepEqual(applyRouteMap(map, p('192.0.2.0/24'), attrs()), { permit: false });
});

test('sets: prepend count × ASN, communities replaced / removed / added, large communities, MED', () => {
  const r = applyRouteMap(
    [
      {
        action: 'permit',
        prepend: { count: 2, asn: 65010 },
        setCommunities: { remove: [c(65001, 1)], add: [c(65010, 100), c(65001, 2)] },
        setLargeCommunities: { set: [{ globalAdmin: 65010, localData1: 0, localData2: 7 }] },
        med: 30,
      },
    ],
    p('10.0.0.0/8'),
    attrs({
      communities: [c(65001, 1), c(65001, 2)],
      largeCommunities: [{ globalAdmin: 1, localData1: 2, localData2: 3 }],
    }),
  );
  assert.ok(r.permit);
  // `set as-path prepend 65010 65010` puts both in front of the received path.
  assert.deepEqual(flat(r.attrs.asPath), [65010, 65010, 65001]);
  // 65001:1 removed, 65010:100 added; 65001:2 already there stays once (a community set, RFC 1997).
  assert.deepEqual(r.attrs.communities, [c(65001, 2), c(65010, 100)]);
  assert.deepEqual(r.attrs.largeCommunities, [{ globalAdmin: 65010, localData1: 0, localData2: 7 }]);
  assert.equal(r.attrs.med, 30);
  // `set community none`: every community goes.
  const none = applyRouteMap(
    [{ action: 'permit', setCommunities: { set: [] } }],
    p('10.0.0.0/8'),
    attrs({ communities: [1] }),
  );
  assert.ok(none.permit && none.attrs.communities === undefined);
});

test('remove-private-AS: only an all-private path, unless all; the peer ASN stays; replace-AS puts the local ASN (FRR)', () => {
  // FRR topotest bgp_remove_private_as: "remove-private-AS" strips private ASNs unless the ASN
  // is the peer's, or the AS path is not entirely private; "all" also from mixed paths;
  // "replace-AS" swaps them for the local ASN. Cisco: "If the AS path includes both private
  // and public AS numbers, BGP doesn't remove the private AS numbers."
  const local = 65100;
  const peer = 12076;
  const plain = { all: false, replaceAs: false };
  assert.deepEqual(flat(removePrivateAs(seq(65515, 65001), plain, local, peer)), []);
  assert.deepEqual(flat(removePrivateAs(seq(65001, 3356, 65515), plain, local, peer)), [65001, 3356, 65515]);
  assert.deepEqual(
    flat(removePrivateAs(seq(65001, 3356, 65515), { all: true, replaceAs: false }, local, peer)),
    [3356],
  );
  assert.deepEqual(flat(removePrivateAs(seq(65001, 3356, 65515), { all: true, replaceAs: true }, local, peer)), [
    local,
    3356,
    local,
  ]);
  assert.deepEqual(flat(removePrivateAs(seq(65001, 65002), { all: false, replaceAs: true }, local, peer)), [
    local,
    local,
  ]);
  // The peer's own private ASN is kept, so that its loop detection still works.
  assert.deepEqual(flat(removePrivateAs(seq(65001, 64600), plain, local, 64600)), [64600]);
});

test('as-override: every occurrence of the peer ASN becomes the local ASN (Cisco, FRR, Junos)', () => {
  // Junos as-override: "replace all occurrences of the peer AS number in the AS path with its
  // own AS number before advertising the route to the peer".
  assert.deepEqual(flat(asOverride(seq(65118, 64700, 65118), 65118, 64700)), [64700, 64700, 64700]);
  assert.deepEqual(flat(asOverride(seq(12076), 12076, 65117)), [65117]);
});
