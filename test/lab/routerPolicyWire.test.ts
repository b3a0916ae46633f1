/**
 * A built-in router's policy on the wire (ADR 0039): router r119 (AS 65119) and a real FRR
 * (`edge`, AS 65120) on customer link r-edge (10.119.101.0/30: r119 .1, FRR .2), over TCP on
 * loopback (127.119.x, the lab's BGP port). What r119 sends is read from FRR's own table
 * (`show bgp ipv4 unicast json`), what it takes from r119's; expectations come from FRR's and
 * Cisco's documented semantics, derived route by route below.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lab } from '../../src/lab/lab.js';
import type { DaemonNode } from '../../src/lab/kinds/index.js';
import { defaultBgpPort } from '../../src/lab/lab.js';
import type { DaemonRoute } from '../../src/lab/daemons/types.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const T = { timeout: 90_000 };
const PORT = defaultBgpPort();

const LAB = `name: policy-wire
location: westeurope
settings: { connectRetryTime: 1, bgpPort: ${PORT} }
resourceGroups:
  rg:
    virtualNetworks:
      vnet119:
        addressPrefixes: [10.119.0.0/20]
        subnets:
          default: { addressPrefix: 10.119.2.0/24 }
    virtualMachines:
      edgevm: { subnet: vnet119/default, privateIPAddress: 10.119.2.4 }
nodes:
  edge: { kind: frr, vm: edgevm, config: edge.conf, asn: 65120 }
routers:
  r119:
    asn: 65119
    routerId: 10.119.101.1
    routes:
      - { prefix: 192.168.119.0/24, asPath: [64600, 3356], communities: ['65119:1'] }
      - { prefix: 192.168.120.0/24, asPath: [64600, 64601] }
      - { prefix: 192.168.121.0/24, asPath: [65120] }
      - { prefix: 10.50.0.0/16 }
    removePrivateAs: true
    asOverride: true
    export:
      - { action: deny, match: { prefix: ['10.0.0.0/8 le 32'] } }
      - match: { community: ['65119:1'] }
        prepend: 2
        communities: { remove: ['65119:1'], add: ['65119:200'] }
        largeCommunities: { add: ['65119:0:1'] }
        med: 7
      - {}
    import:
      - match: { prefix: ['172.16.0.0/16'] }
        localPref: 300
        communities: { add: ['65119:300'] }
links:
  r-edge: { subnet: 10.119.101.0/30, a: r119, b: edge }
`;

// FRR listens on its node's address only (the VM's): it opens the session from its link
// address, without the connected check (every 127.x is on lo), and sets the emulated link
// address as next hop on what it announces (docs/lab-file.md, customer links).
const FRR_EDGE = `frr defaults traditional
hostname edge
router bgp 65120
 bgp router-id 10.119.101.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.119.101.1 remote-as 65119
 neighbor 127.119.101.1 update-source 127.119.101.2
 neighbor 127.119.101.1 disable-connected-check
 neighbor 127.119.101.1 timers connect 1
 address-family ipv4 unicast
  network 172.16.0.0/16
  network 172.17.0.0/16
  neighbor 127.119.101.1 route-map EDGE-OUT out
 exit-address-family
!
route-map EDGE-OUT permit 10
 set ip next-hop 10.119.101.2
`;

describe('a built-in router policy seen by FRR over TCP', T, () => {
  let t: TestLab;
  let lab: Lab;
  let got: Map<string, DaemonRoute>;
  before(async () => {
    t = await startTestLab('policy-wire', LAB, { 'edge.conf': FRR_EDGE });
    lab = t.lab;
    await waitFor('r119<->edge Established', () => lab.graph.session('r119<->edge')?.state === 'Established', 30_000);
    got = await waitFor(
      'FRR learns the three 192.168 routes',
      async () => {
        const routes = await (lab.node('edge') as DaemonNode).receivedRoutes();
        const m = new Map(routes.map((r) => [r.prefix, r]));
        return ['192.168.119.0/24', '192.168.120.0/24', '192.168.121.0/24'].every((p) => m.has(p)) ? m : undefined;
      },
      30_000,
    );
  });
  after(async () => {
    await t?.stop();
  });

  test('prefix filter: 10.50.0.0/16 is denied ("10.0.0.0/8 le 32" covers it)', T, () => {
    assert.equal(got.get('10.50.0.0/16'), undefined);
    // r119's connected link subnet 10.119.101.0/30 is inside 10.0.0.0/8 too.
    assert.equal(got.get('10.119.101.0/30'), undefined);
  });

  test('a mixed path keeps its private ASN; prepend, communities, large community and MED set', T, () => {
    // [64600 3356] has a public ASN: plain remove-private-AS leaves it (Cisco: "If the AS path
    // includes both private and public AS numbers, BGP doesn't remove the private AS numbers").
    // The entry matching 65119:1 prepends 65119 twice, swaps 65119:1 for 65119:200, adds the
    // large community, sets MED 7; r119's own AS goes in front (RFC 4271 §5.1.2).
    const r = got.get('192.168.119.0/24')!;
    assert.deepEqual(r.asPath, [65119, 65119, 65119, 64600, 3356]);
    assert.deepEqual(r.communities, ['65119:200']);
    assert.deepEqual(r.largeCommunities, ['65119:0:1']);
    assert.equal(r.med, 7);
    assert.equal(r.nextHop, '10.119.101.1');
  });

  test('an all-private path loses its private ASNs; the peer AS is overridden, not removed', T, () => {
    // [64600 64601]: only private ASNs, neither FRR's (65120) nor r119's: removed; r119 prepends itself.
    assert.deepEqual(got.get('192.168.120.0/24')!.asPath, [65119]);
    // [65120] is FRR's own AS: remove-private-AS keeps a peer's ASN (FRR), as-override turns it
    // into 65119 — without it FRR would drop the route (its own AS in the path, RFC 4271 §9.1.2).
    assert.deepEqual(got.get('192.168.121.0/24')!.asPath, [65119, 65119]);
    // The third entry ({}) permits the rest unchanged: no community on either.
    assert.deepEqual(got.get('192.168.120.0/24')!.communities, []);
  });

  test('import: only 172.16.0.0/16 is taken, with local preference 300 and 65119:300', T, async () => {
    const rows = await waitFor('r119 learns 172.16.0.0/16', () => {
      const table = lab.hybrid!.routers.get('r119')!.table();
      return table.some((x) => x.prefix === '172.16.0.0/16') ? table : undefined;
    });
    const r = rows.find((x) => x.prefix === '172.16.0.0/16')!;
    assert.deepEqual(r.asPath, [65120]);
    assert.equal(r.localPref, 300);
    assert.deepEqual(r.communities, ['65119:300']);
    // 172.17.0.0/16 matches no entry: denied (a route-map's implicit deny).
    assert.equal(
      rows.find((x) => x.prefix === '172.17.0.0/16'),
      undefined,
    );
  });
});
