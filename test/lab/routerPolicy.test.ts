/**
 * The built-in router's policies on the lab's own sessions, in process (nothing bound;
 * emulated 10.115.x–10.119.x), ADR 0039: AS-path rules that make a route acceptable to an
 * MSEE or a gateway that would drop it, as-override between two sites of one private AS,
 * import and export route-maps, and the AWS gateway profiles choosing between Direct Connect
 * and VPN. Every expectation is derived in the test from the rule it cites.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../../src/bgp/wire/index.js';
import { pathAsns, type Path } from '../../src/rib/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { expectError, lineOf, load } from '../../src/lab/topology/testFixtures.js';
import { awsLab, transitLab } from '../fixtures/routerPolicyLab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

const T = { timeout: 30_000 };

/** A gateway's (instance 0) or an MSEE's candidates for `prefix`, by the name the lab gives it. */
function candidates(lab: Lab, speaker: string, prefix: string): readonly Path[] {
  const h = lab.hybrid!;
  const p = parsePrefix(prefix)!;
  for (const g of h.gateways.values()) if (g.resource.name === speaker) return g.instances[0]!.candidates(p);
  for (const c of h.circuits.values()) for (const m of c.msees) if (m.name === speaker) return m.candidates(p);
  throw new Error(`no speaker ${speaker}`);
}

const accepted = (paths: readonly Path[]) => paths.filter((x) => !x.rejected).map((x) => pathAsns(x.attrs).join(' '));
const rejected = (paths: readonly Path[]) => paths.filter((x) => x.rejected).map((x) => x.rejected!.rule);

/** A router's accepted paths for `prefix`: "nextHop [asPath]" with * on the best. */
const routerPaths = (lab: Lab, router: string, prefix: string) =>
  lab
    .hybrid!.routers.get(router)!
    .table()
    .filter((r) => r.prefix === prefix)
    .map((r) => `${r.best ? '*' : ' '}${r.nextHop} [${r.asPath.join(' ')}]`)
    .sort();

async function withLab(name: string, policy: string, check: (lab: Lab) => void | Promise<void>): Promise<void> {
  let t: TestLab | undefined;
  try {
    t = await startTestLab(name, transitLab(policy));
    await t.lab.settled();
    await check(t.lab);
  } finally {
    await t?.stop();
  }
}

// onprem's attachments: 0 circuit cA, 1 the VPN site of hub A, 2 circuit cB.
// Hub A's range 10.115.0.0/20 reaches onprem over cA as [12076] (R-ER-2: 65515 removed toward
// the customer) and over the VPN as [65515] (R-VPN-1). Which one onprem re-advertises into cB
// is chosen with an import policy that lowers the other's LOCAL_PREF (RFC 4271 §9.1.1).
const PREFER_CIRCUIT = `    neighbors:
      - { attach: 1, import: [{ localPref: 50 }] }`;
const PREFER_VPN = `    neighbors:
      - { attach: 0, import: [{ localPref: 50 }] }`;

describe('as-override makes a route through another circuit acceptable to the MSEE', T, () => {
  test('without it the MSEE of cB drops hub A range (12076 in the path); with it hub B learns it', T, async () => {
    // Through cA the path is [12076]; onprem sends [65117 12076] to cB's MSEE, whose loop
    // check on its own AS 12076 drops it (RFC 4271 §9.1.2; the MSEE is AS 12076, R-ER-1).
    await withLab('policy-no-override', PREFER_CIRCUIT, (lab) => {
      assert.deepEqual(accepted(candidates(lab, 'cB/primary', '10.115.0.0/20')), []);
      assert.deepEqual(rejected(candidates(lab, 'cB/primary', '10.115.0.0/20')), ['RFC4271-9.1.2']);
      assert.deepEqual(accepted(candidates(lab, 'erB', '10.115.0.0/20')), []);
    });
    // as-override toward cB (peer AS 12076) turns 12076 into 65117: [65117 65117]; the MSEE
    // accepts it and prepends 12076 toward hub B's gateway (R-ER-2): [12076 65117 65117].
    await withLab('policy-override', `${PREFER_CIRCUIT}\n      - { attach: 2, asOverride: true }`, (lab) => {
      assert.deepEqual(accepted(candidates(lab, 'cB/primary', '10.115.0.0/20')), ['65117 65117']);
      assert.deepEqual(accepted(candidates(lab, 'erB', '10.115.0.0/20')), ['12076 65117 65117']);
    });
  });
});

describe('remove-private-AS makes a route learned over VPN acceptable to the ExpressRoute gateway', T, () => {
  test('without it hub B gateway drops 65515 in the path; with it hub B learns hub A range', T, async () => {
    // Over the VPN the path is [65515]; onprem sends [65117 65515] to cB's MSEE (no 12076 in
    // it: accepted), which sends [12076 65117 65515] to hub B's gateway — AS 65515 itself,
    // whose loop check drops it (RFC 4271 §9.1.2; R-ARS-6 drops 65515 the same way).
    await withLab('policy-no-rpa', PREFER_VPN, (lab) => {
      assert.deepEqual(accepted(candidates(lab, 'cB/primary', '10.115.0.0/20')), ['65117 65515']);
      assert.deepEqual(accepted(candidates(lab, 'erB', '10.115.0.0/20')), []);
      assert.ok(rejected(candidates(lab, 'erB', '10.115.0.0/20')).includes('RFC4271-9.1.2'));
    });
    // remove-private-AS toward cB (peer 12076): [65515] is all private, so it goes (FRR:
    // without `all` only an all-private path is touched); onprem's own AS is prepended after.
    await withLab('policy-rpa', `${PREFER_VPN}\n      - { attach: 2, removePrivateAs: true }`, (lab) => {
      assert.deepEqual(accepted(candidates(lab, 'cB/primary', '10.115.0.0/20')), ['65117']);
      assert.deepEqual(accepted(candidates(lab, 'erB', '10.115.0.0/20')), ['12076 65117']);
    });
  });
});

describe('two sites with one private ASN: as-override on their provider edge', T, () => {
  test('s2 drops s1 route (own AS 65118 in the path) until onprem overrides it toward s2', T, async () => {
    // s1 (AS 65118) originates 192.168.1.0/24. s2, also AS 65118, would get it from onprem
    // as [65117 65118] and over hub A's VPN gateway as [65515 65118]: both carry its own AS,
    // so both are dropped (RFC 4271 §9.1.2) — a router's table holds no refused path.
    await withLab('policy-sites', '', (lab) => {
      assert.deepEqual(routerPaths(lab, 's2', '192.168.1.0/24'), []);
    });
    // as-override on onprem's session to s2 (peer AS 65118): [65117 65117]; the VPN path is
    // still refused. s2 now reaches s1 through its provider edge.
    await withLab(
      'policy-sites-override',
      `    neighbors:
      - { link: pe-s2, asOverride: true }`,
      (lab) => {
        assert.deepEqual(routerPaths(lab, 's2', '192.168.1.0/24'), ['*10.117.2.1 [65117 65117]']);
      },
    );
  });
});

describe('route-maps on the lab sessions', T, () => {
  test('export: a prefix filter, a prepend with a given ASN and communities set per neighbour', T, async () => {
    // Toward cA only: s1's /24 (inside 192.168.0.0/16, exactly /24: "ge 24 le 24") is sent
    // with 65117 prepended twice more and 65117:100 added; anything else to cA is denied
    // (no entry matches). The MSEE then sends 12076 + that path to hub A's gateway (R-ER-2).
    const policy = `    neighbors:
      - attach: 0
        export:
          - match: { prefix: ['192.168.0.0/16 ge 24 le 24'] }
            prepend: { count: 2, asn: 65117 }
            communities: { add: ['65117:100'] }`;
    await withLab('policy-export', policy, (lab) => {
      const s1 = candidates(lab, 'erA', '192.168.1.0/24').filter((p) => p.source.role === 'msee' && !p.rejected);
      assert.ok(s1.length > 0, 'hub A gateway learns s1 route over cA');
      for (const p of s1) assert.deepEqual(pathAsns(p.attrs), [12076, 65117, 65117, 65117, 65118]);
      // What cA's MSEE received from onprem carries the community the entry added.
      const atMsee = candidates(lab, 'cA/primary', '192.168.1.0/24').filter((p) => !p.rejected);
      assert.deepEqual(
        atMsee.map((p) => [pathAsns(p.attrs), p.attrs.communities]),
        [[[65117, 65117, 65117, 65118], [((65117 << 16) | 100) >>> 0]]],
      );
      // onprem's connected link subnets are not in the filter: cA does not get them.
      const linkNet = candidates(lab, 'cA/primary', '10.117.1.0/30');
      assert.deepEqual(accepted(linkNet), []);
    });
  });

  test('import: deny by community, and a prefix filter with le', T, async () => {
    // s1 tags nothing; onprem's import toward s1's link denies 192.168.1.0/24 by prefix
    // ("192.168.1.0/24" exact), takes the rest.
    const policy = `    neighbors:
      - link: pe-s1
        import:
          - { action: deny, match: { prefix: ['192.168.1.0/24'] } }
          - {}`;
    await withLab('policy-import', policy, (lab) => {
      // onprem still has s1's route over the VPN (hub A's gateway, [65515 65118]), not from s1.
      const paths = routerPaths(lab, 'onprem', '192.168.1.0/24');
      assert.ok(
        paths.every((p) => !p.includes('10.117.1.2')),
        paths.join(', '),
      );
      assert.ok(
        paths.some((p) => p.includes('[65515 65118]')),
        paths.join(', '),
      );
    });
  });
});

describe('prependToAzure is a step of the same export pipeline, on the sessions to Azure only', T, () => {
  test("onprem's connected subnet: prepended toward the MSEE, not toward s1 on a customer link", T, async () => {
    // onprem announces its link subnets as connected routes (origin incomplete, empty path);
    // it sends them as [65117], and with prependToAzure: 1 as [65117 65117] — to Azure only,
    // as the field's name says (docs/lab-file.md).
    await withLab('policy-prepend-azure', '    prependToAzure: 1', (lab) => {
      assert.deepEqual(accepted(candidates(lab, 'cA/primary', '10.117.2.0/30')), ['65117 65117']);
      assert.deepEqual(routerPaths(lab, 's1', '10.117.2.0/30'), ['*10.117.1.1 [65117]']);
    });
  });
});

describe('the lab file: policy fields are checked at their place', () => {
  const base = transitLab('');
  /** `base` with `extra` added under router onprem (marked `# <-`), and the error expected there. */
  const check = (text: string, field: string, message: RegExp) =>
    expectError(load(text), { field, line: lineOf(text, '# <-'), message });
  const onprem = (extra: string) => base.replace('    transit: true\n', `    transit: true\n${extra}  # <-\n`);

  test('a prefix-list line with an impossible range (FRR: len < ge <= le)', () => {
    check(
      onprem("    import: [{ match: { prefix: ['10.0.0.0/8 le 8'] } }]"),
      'routers.onprem.import[0].match.prefix[0]',
      /invalid prefix range, make sure len < ge <= le <= 32/,
    );
  });
  test('a neighbour naming an attachment that does not exist', () => {
    check(
      onprem('    neighbors: [{ attach: 3, asOverride: true }]'),
      'routers.onprem.neighbors[0].attach',
      /attachment 3 does not exist/,
    );
  });
  test("a neighbour naming another router's link", () => {
    check(
      base.replace('  s1: { asn: 65118,', '  s1: { neighbors: [{ link: pe-s2 }], asn: 65118, # <-\n     '),
      'routers.s1.neighbors[0].link',
      /joins onprem and s2, not router 's1'/,
    );
  });
  test('LOCAL_PREF in an export policy (not sent over eBGP, RFC 4271 §5.1.5)', () => {
    check(onprem('    export: [{ localPref: 200 }]'), 'routers.onprem.export[0].localPref', /unknown key 'localPref'/);
  });
});

describe('Direct Connect and VPN to one VPC: the AWS gateways choose as AWS documents', T, () => {
  // xr1 tags what it sends dxgw with 7224:7100 (low); xr2 with 7224:7300 (high) and prepends
  // twice, so its path is the longer one.
  const LOW = `    neighbors:
      - { link: xr1-dx, export: [{ communities: { add: ['7224:7100'] } }] }`;
  const HIGH = `    neighbors:
      - { link: xr2-dx, export: [{ communities: { add: ['7224:7300'] }, prepend: 2 }] }`;
  const HUB = '10.118.0.0/20';
  let t: TestLab;
  before(async () => {
    t = await startTestLab('policy-aws', awsLab(LOW, HIGH));
    await t.lab.settled();
  });
  after(async () => {
    await t?.stop();
  });

  test(
    'dxgw takes the high local-preference community over a shorter path; vgw takes Direct Connect over VPN',
    T,
    async () => {
      // Both exchange routers learn the hub's range from their MSEE as [12076] (R-ER-2). AWS:
      // local preference communities rank above AS_PATH (routing-and-bgp.html), high
      // (7224:7300) over low (7224:7100): dxgw picks xr2 (10.118.101.5) although its path
      // [65201 65201 65201 12076] is two longer than xr1's [65201 12076].
      assert.deepEqual(
        routerPaths(t.lab, 'dxgw', HUB),
        ['*10.118.101.5 [65201 65201 65201 12076]', ' 10.118.101.1 [65201 12076]'].sort(),
      );
      // vgw: "BGP propagated routes from an AWS Direct Connect connection" before "BGP
      // propagated routes from a Site-to-Site VPN connection", whatever the AS PATH: the path
      // through dxgw (10.118.101.9, five ASes) over the two tunnels' [65515].
      assert.deepEqual(
        routerPaths(t.lab, 'vgw', HUB),
        ['*10.118.101.9 [64513 65201 65201 65201 12076]', ' 10.118.3.253 [65515]', ' 10.118.3.254 [65515]'].sort(),
      );
    },
  );

  test(
    'the high virtual interface goes: dxgw falls to the low one; Direct Connect goes: vgw to one tunnel',
    T,
    async () => {
      const g = t.lab.graph;
      g.faults.linkDown([g.session('xr2<->dxgw')!], true);
      await t.lab.settled();
      assert.deepEqual(routerPaths(t.lab, 'dxgw', HUB), ['*10.118.101.1 [65201 12076]']);
      g.faults.linkDown([g.session('dxgw<->vgw')!], true);
      await t.lab.settled();
      // Only VPN paths: equal AS PATH, no MED; one path (a virtual private gateway does no
      // ECMP), the lowest router id — instance 1's 10.118.3.253 before instance 0's .254.
      assert.deepEqual(routerPaths(t.lab, 'vgw', HUB), [' 10.118.3.254 [65515]', '*10.118.3.253 [65515]'].sort());
      g.faults.linkUp([g.session('xr2<->dxgw')!, g.session('dxgw<->vgw')!]);
      await t.lab.settled();
      assert.equal(
        routerPaths(t.lab, 'vgw', HUB).find((p) => p.startsWith('*')),
        '*10.118.101.9 [64513 65201 65201 65201 12076]',
      );
    },
  );
});

describe('aws-dxgw without communities: equal virtual interfaces share the traffic', T, () => {
  test('both paths are best (Direct Connect active/active, BGP multipath)', T, async () => {
    // No community on either (each counts as medium) and equal AS_PATH [65201 12076]:
    // nothing separates them, and Direct Connect load-shares across such interfaces.
    let t: TestLab | undefined;
    try {
      t = await startTestLab('policy-aws-ecmp', awsLab('', ''));
      await t.lab.settled();
      assert.deepEqual(routerPaths(t.lab, 'dxgw', '10.118.0.0/20'), [
        '*10.118.101.1 [65201 12076]',
        '*10.118.101.5 [65201 12076]',
      ]);
    } finally {
      await t?.stop();
    }
  });
});
