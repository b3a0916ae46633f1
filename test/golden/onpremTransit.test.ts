// Golden test of seed 003 (shared/seeds/003_*: "ARS + NVA(Quagga) で Azure ExpressRoute を経由した
// オンプレミス拠点間の通信"), through the command line as a user runs it: `arslab up` the scenario
// scenarios/onprem-transit, then every table the seed prints, compared row for row in the
// seed's row order with expectations parsed from the seed's own text (pasted below verbatim,
// never computed by the model):
//
// - site 2's router, `show bgp` and the B rows of `show ip route`: `arslab node routes site2 -o json`
//   rendered as a Cisco table here;
// - the NVA's `show ip bgp`: FRR's own text, `arslab node cmd quaggavm01 show ip bgp`;
// - the two tracert: `arslab trace --from site2 --to 10.100.10.10 -o json` and back, hop by hop
//   (MSEEs are the seed's `*` rows, the gateway instance is its Azure hop).
//
// Then R-ER-5: withdrawing the supernet on the NVA leaves site 2 no route covering
// 10.100.10.0/24, and `arslab explain` names R-ER-5 for 10.100.10.0/24 toward site2 before and
// after. The same run on a copy of the scenario with other addresses and ASNs (10.210.0.0/16,
// AS 65250/65251, supernet 10.110.32.0/19, …) with the expectations rewritten the same way; in
// netns mode (root) with the seed's configuration file verbatim; and the Global Reach variant
// refused by `arslab validate` (R-ER-6).
//
// The scenario binds 127.200.x (loopback mode; the variant 127.210.x), which no other test
// uses. Everything runs sequentially in this file, each lab with its own ARSLAB_STATE_DIR,
// bounded in time, killed by PID in `finally`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweep } from '../helpers/explainSweep.js';
import { binUsable, isRoot, LabCli, missingBinaries, ROOT } from '../lab/labCli.js';
import { waitFor } from '../helpers/waitFor.js';
import type { TraceResult } from '../../src/lab/trace.js';
import type { ExplainResult } from '../../src/azure/explain.js';

const SCENARIO = join(ROOT, 'scenarios/onprem-transit');
const NAME = 'onprem-transit';
const noFrr =
  missingBinaries(['/usr/lib/frr/bgpd', '/usr/bin/vtysh']).length > 0
    ? 'FRR is not installed (scripts/setup --daemons all)'
    : false;
const noRoot = isRoot ? false : 'netns mode needs root';

// ---------------------------------------------------------------------------------------------
// The seed's captures, verbatim.

/** オンプレミスルータ(拠点2) show ip route の結果 */
const SEED_SITE2_SHOW_IP_ROUTE = `
Router#show ip route
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override

Gateway of last resort is not set

      10.0.0.0/8 is variably subnetted, 4 subnets, 4 masks
B        10.100.0.0/19 [20/0] via 172.16.0.10, 01:06:05
C        10.100.20.0/24 is directly connected, Vlan20
L        10.100.20.1/32 is directly connected, Vlan20
B        10.200.0.0/16 [20/0] via 172.16.0.10, 03:43:06
      172.16.0.0/16 is variably subnetted, 2 subnets, 2 masks
C        172.16.0.8/30 is directly connected, GigabitEthernet9.722
L        172.16.0.9/32 is directly connected, GigabitEthernet9.722
Router#
`;

/** オンプレミスルーター(拠点2) show bgp の結果 */
const SEED_SITE2_SHOW_BGP = `
Router#show bgp
BGP table version is 4, local router ID is 172.16.0.1
Status codes: s suppressed, d damped, h history, * valid, > best, i - internal,
              r RIB-failure, S Stale, m multipath, b backup-path, f RT-Filter,
              x best-external, a additional-path, c RIB-compressed,
Origin codes: i - IGP, e - EGP, ? - incomplete
RPKI validation codes: V valid, I invalid, N Not found

     Network          Next Hop            Metric LocPrf Weight Path
 *>  10.100.0.0/19    172.16.0.10                            0 12076 i
 *>  10.100.20.0/24   0.0.0.0                  0         32768 i
 *>  10.200.0.0/16    172.16.0.10                            0 12076 i
Router#
`;

/** Quagga (quaggavm01) show ip bgp の結果 */
const SEED_NVA_SHOW_IP_BGP = `
quaggavm01# show ip bgp
BGP table version is 0, local router ID is 10.200.0.5
Status codes: s suppressed, d damped, h history, * valid, > best, = multipath,
              i internal, r RIB-failure, S Stale, R Removed
Origin codes: i - IGP, e - EGP, ? - incomplete

   Network          Next Hop            Metric LocPrf Weight Path
*> 10.100.0.0/19    0.0.0.0                  0         32768 i
   10.100.10.0/24   10.200.2.4                             0 65515 12076 65150 i
                    10.200.2.5                             0 65515 12076 65150 i
   10.100.20.0/24   10.200.2.4                             0 65515 12076 65151 i
                    10.200.2.5                             0 65515 12076 65151 i
   10.200.0.0/16    10.200.2.4                             0 65515 i
                    10.200.2.5                             0 65515 i

quaggavm01#
`;

/** The seed's "tracert 拠点1 → 拠点2": run behind site 2's router (hop 1 10.100.20.1) toward site 1. */
const SEED_TRACERT_SITE2_TO_SITE1 = `
C:\\Windows\\System32>tracert -d 10.100.10.10
10.100.10.10 へのルートをトレースしています。経由するホップ数は最大 30 です

  1    <1 ms    <1 ms    <1 ms  10.100.20.1
  2     *        *        *     要求がタイムアウトしました。
  3     4 ms     5 ms     4 ms  10.200.1.6
  4     *        *        *     要求がタイムアウトしました。
  5     5 ms     5 ms     4 ms  10.100.10.10

トレースを完了しました。
`;

/** The seed's "tracert 拠点2 → 拠点1": run behind site 1's router (hop 1 10.100.10.1) toward site 2. */
const SEED_TRACERT_SITE1_TO_SITE2 = `
C:\\Windows\\System32>tracert -d 10.100.20.2
10.100.20.2 へのルートをトレースしています。経由するホップ数は最大 30 です

  1    <1 ms    <1 ms    <1 ms  10.100.10.1
  2     *        *        *     要求がタイムアウトしました。
  3     5 ms     5 ms     4 ms  10.200.1.4
  4     *        *        *     要求がタイムアウトしました。
  5     5 ms     21 ms    6 ms  10.100.20.2

トレースを完了しました。
`;

// ---------------------------------------------------------------------------------------------
// Parsers for the seed's text (and FRR's, which prints the same table).

interface BgpRow {
  status: string;
  network: string;
  nextHop: string;
  metric: string;
  locPrf: string;
  weight: string;
  /** AS path and origin code, "65515 12076 65150 i". */
  path: string;
}

/**
 * A Cisco / Quagga / FRR BGP table: columns placed by the header line (numbers are right-aligned
 * under Metric, LocPrf, Weight); a row without a network continues the previous prefix.
 */
function parseBgpTable(text: string): BgpRow[] {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => /Network\s+Next Hop\s+Metric\s+LocPrf\s+Weight\s+Path/.test(l));
  assert.ok(h >= 0, `no BGP table header in:\n${text}`);
  const header = lines[h]!;
  const cNet = header.indexOf('Network');
  const ends = {
    metric: header.indexOf('Metric') + 6,
    locPrf: header.indexOf('LocPrf') + 6,
    weight: header.indexOf('Weight') + 6,
  };
  const rows: BgpRow[] = [];
  let network = '';
  for (const line of lines.slice(h + 1)) {
    if (!/^\s*[*>=sdhirSRmbfxac ]*\s*(\d+\.\d+\.\d+\.\d+\/\d+\s+)?\d+\.\d+\.\d+\.\d+\s/.test(line)) break;
    const tokens = [...line.slice(cNet).matchAll(/\S+/g)].map((m) => ({ t: m[0], end: cNet + m.index! + m[0].length }));
    if (tokens[0]!.t.includes('/')) network = tokens.shift()!.t;
    const row: BgpRow = {
      status: line.slice(0, cNet).trim(),
      network,
      nextHop: tokens.shift()!.t,
      metric: '',
      locPrf: '',
      weight: '',
      path: '',
    };
    const path: string[] = [];
    for (const { t, end } of tokens) {
      if (path.length === 0 && /^\d+$/.test(t) && end <= ends.weight + 1) {
        const col = (Object.keys(ends) as (keyof typeof ends)[]).reduce((a, b) =>
          Math.abs(ends[a] - end) <= Math.abs(ends[b] - end) ? a : b,
        );
        row[col] = t;
      } else path.push(t);
    }
    row.path = path.join(' ');
    rows.push(row);
  }
  return rows;
}

/** A prefix's paths in next-hop order (see below), prefixes in the table's own order. */
function byPrefixThenNextHop(rows: readonly BgpRow[]): BgpRow[] {
  const order = [...new Set(rows.map((r) => r.network))];
  const key = (a: string) =>
    a
      .split('.')
      .map((x) => x.padStart(3, '0'))
      .join('.');
  return order.flatMap((n) =>
    rows.filter((r) => r.network === n).sort((a, b) => key(a.nextHop).localeCompare(key(b.nextHop))),
  );
}

/** The BGP rows of `show ip route`: code, prefix, [distance/metric], via (uptime left out). */
function parseShowIpRouteBgp(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^B\s+(\d+\.\d+\.\d+\.\d+\/\d+)\s+(\[\d+\/\d+\])\s+via\s+([\d.]+),/.exec(line);
    if (m) out.push(`B ${m[1]} ${m[2]} via ${m[3]}`);
  }
  return out;
}

/** tracert hops: the address, or `*` for a hop that did not answer. */
function parseTracert(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    out.push(m[2]!.includes('*') ? '*' : m[2]!.trim().split(/\s+/).pop()!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What ARSLab shows, in the seed's shapes.

interface RouterRow {
  prefix: string;
  nextHop: string;
  asPath: number[];
  origin: 'IGP' | 'EGP' | 'INCOMPLETE';
  med?: number;
  localPref?: number;
  weight: number;
  best: boolean;
  local: boolean;
}

const ORIGIN_CODE = { IGP: 'i', EGP: 'e', INCOMPLETE: '?' } as const;

/** `show bgp` rows of a built-in router, from `arslab node routes ROUTER -o json`. */
function routerBgpRows(rows: readonly RouterRow[]): BgpRow[] {
  return rows.map((r) => ({
    status: `*${r.best ? '>' : ''}`,
    network: r.prefix,
    nextHop: r.nextHop,
    metric: r.med === undefined ? '' : String(r.med),
    locPrf: r.localPref === undefined ? '' : String(r.localPref),
    weight: String(r.weight),
    path: [...r.asPath, ORIGIN_CODE[r.origin]].join(' '),
  }));
}

/** The Cisco-like table of those rows (failure messages). */
function renderCisco(rows: readonly BgpRow[]): string {
  return [
    '     Network          Next Hop            Metric LocPrf Weight Path',
    ...rows.map(
      (r) =>
        ` ${r.status.padEnd(3)} ${r.network.padEnd(16)} ${r.nextHop.padEnd(19)} ${r.metric.padStart(6)} ${r.locPrf.padStart(6)} ${r.weight.padStart(6)} ${r.path}`,
    ),
  ].join('\n');
}

/** `show ip route`'s B rows of a router: its best paths learned over eBGP (distance 20), metric = MED. */
function routerIpRouteBgp(rows: readonly RouterRow[]): string[] {
  return rows.filter((r) => r.best && !r.local).map((r) => `B ${r.prefix} [20/${r.med ?? 0}] via ${r.nextHop}`);
}

/**
 * A trace path as tracert would print it: hop 1 the source router (tracert shows its LAN
 * address), MSEEs `*` (they do not answer), a gateway instance its address, and the
 * destination itself where the path reaches the router that owns it.
 */
function asTracert(t: TraceResult, i: number): string[] {
  const p = t.paths[i]!;
  return p.hops.map((h, n) => {
    if (n === 0) return `router ${h.name}`;
    if (h.kind === 'msee') return '*';
    if (n === p.hops.length - 1 && p.end === 'reached') return t.to;
    return h.address;
  });
}

// ---------------------------------------------------------------------------------------------
// A scenario run: the base scenario, or a copy rewritten with other addresses and ASNs.

interface Run {
  readonly lab: string;
  readonly name: string;
  /** Applied to every expectation taken from the seed (the identity for the scenario itself). */
  readonly map: (s: string) => string;
}

const IDENTITY = (s: string) => s;

/** Parsed seed expectations, rewritten for a run. */
function expectations(map: (s: string) => string) {
  const mapRow = (r: BgpRow): BgpRow => ({ ...r, network: map(r.network), nextHop: map(r.nextHop), path: map(r.path) });
  const tracert = (text: string, site: string) => {
    const hops = parseTracert(text).map(map);
    // Hop 1 is the site router's LAN address; ARSLab's router has no LAN interface: the router itself.
    return [`router ${site}`, ...hops.slice(1)];
  };
  return {
    site2Bgp: parseBgpTable(SEED_SITE2_SHOW_BGP).map(mapRow),
    site2IpRoute: parseShowIpRouteBgp(SEED_SITE2_SHOW_IP_ROUTE).map(map),
    nvaBgp: byPrefixThenNextHop(parseBgpTable(SEED_NVA_SHOW_IP_BGP).map(mapRow)),
    tracert21: tracert(SEED_TRACERT_SITE2_TO_SITE1, 'site2'),
    tracert12: tracert(SEED_TRACERT_SITE1_TO_SITE2, 'site1'),
    // The addresses the seed's tracerts go to, and the prefixes the assertions name.
    site1Host: map('10.100.10.10'),
    site2Host: map('10.100.20.2'),
    site1Prefix: map('10.100.10.0/24'),
    supernet: map('10.100.0.0/19'),
    nvaAsn: map('65001'),
    gatewayInstances: [map('10.200.1.4'), map('10.200.1.6')],
  };
}

async function scenario(cli: LabCli, r: Run, mode: 'loopback' | 'netns'): Promise<void> {
  const exp = expectations(r.map);
  const up = await cli.ok(['up', r.lab, ...(mode === 'netns' ? ['--netns'] : []), '--detach'], 25_000);
  assert.match(up, new RegExp(`lab '${r.name}' is up \\(${mode} mode`));
  cli.record(r.name);

  // Converged: the NVA holds every prefix from both route-server instances, and has run its
  // best-path selection on each (FRR shows new paths as `*` for a moment before).
  const nvaText = await waitFor(
    "the NVA's table from both route-server instances",
    async () => {
      const t = await cli.ok(['node', 'cmd', 'quaggavm01', 'show', 'ip', 'bgp']);
      const rows = parseBgpTable(t);
      return rows.length === exp.nvaBgp.length &&
        new Set(rows.map((x) => x.network)).size ===
          new Set(rows.filter((x) => x.status.includes('>')).map((x) => x.network)).size
        ? t
        : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 150 },
  );
  const site2 = await waitFor(
    "site 2's table",
    async () => {
      const rows = await cli.json<RouterRow[]>(['node', 'routes', 'site2']);
      return rows.length === exp.site2Bgp.length ? rows : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 150 },
  );

  // Site 2's router, `show bgp`: every column, row for row, in the seed's order.
  const site2Rows = routerBgpRows(site2);
  assert.deepEqual(site2Rows, exp.site2Bgp, `site2 show bgp:\n${renderCisco(site2Rows)}`);
  // `show ip route`: the B rows (the C and L rows are interfaces ARSLab's router does not have).
  assert.deepEqual(routerIpRouteBgp(site2), exp.site2IpRoute);
  assert.ok(!site2.some((x) => x.prefix === '0.0.0.0/0'), 'Gateway of last resort is not set');

  // The NVA's `show ip bgp`, FRR's own text: every column but the status codes, row for row in
  // the seed's order (a prefix's paths by next hop: which instance's UPDATE arrives first is a race).
  const nva = byPrefixThenNextHop(parseBgpTable(nvaText));
  const noStatus = (rows: BgpRow[]) => rows.map(({ status: _s, ...rest }) => rest);
  assert.deepEqual(noStatus(nva), noStatus(exp.nvaBgp), nvaText);
  // Status: the supernet is the NVA's own best (`*>`), as in the seed. The route server's paths
  // are valid here, one best (`*>`) and one multipath (`*=`) per prefix: bgpd without zebra takes
  // every next hop as reachable, where the seed's Quagga (zebra, single-hop eBGP) showed them not
  // valid (README, "Differences from the seed").
  assert.deepEqual(
    nva.filter((x) => x.network === exp.supernet).map((x) => x.status),
    ['*>'],
  );
  assert.deepEqual(
    exp.nvaBgp.filter((x) => x.network === exp.supernet).map((x) => x.status),
    ['*>'],
  );
  for (const n of new Set(nva.filter((x) => x.network !== exp.supernet).map((x) => x.network))) {
    assert.deepEqual(
      nva
        .filter((x) => x.network === n)
        .map((x) => x.status)
        .sort(),
      ['*=', '*>'],
      `${n}:\n${nvaText}`,
    );
    assert.deepEqual(
      exp.nvaBgp.filter((x) => x.network === n).map((x) => x.status),
      ['', ''],
    );
  }

  // The tracerts: site 2 → site 1 and back, through an ExpressRoute gateway instance. The MSEE
  // holds the two instances' routes tied (the data plane spreads flows over them): the trace lists
  // both paths, and the seed's is one of them.
  for (const [from, to, seed] of [
    ['site2', exp.site1Host, exp.tracert21],
    ['site1', exp.site2Host, exp.tracert12],
  ] as const) {
    const t = await cli.json<TraceResult>(['trace', '--from', from, '--to', to]);
    const ours = t.paths.map((_, i) => asTracert(t, i));
    assert.ok(
      ours.some((p) => p.join(' | ') === seed.join(' | ')),
      `trace ${from} → ${to}: the seed's ${seed.join(' | ')} among:\n${ours.map((p) => p.join(' | ')).join('\n')}`,
    );
    assert.deepEqual(
      t.paths.map((p) => p.end),
      ['reached', 'reached'],
    );
    assert.deepEqual(
      t.paths.map((p) => p.hops.map((h) => h.kind).join(' ')),
      Array(2).fill('router msee expressroute-gateway msee router'),
    );
    assert.deepEqual(t.paths.map((p) => p.hops[2]!.address).sort(), [...exp.gatewayInstances].sort());
    const text = await cli.ok(['trace', '--from', from, '--to', to]);
    assert.match(text, new RegExp(`${seed[2]!.replace(/\./g, '\\.')}\\s+ergw/`), text);
  }

  // Every NIC and peer against every prefix: each loss names its rule.
  await sweep(r.lab, cli.record(r.name), `${r.name}, ${mode}`);

  // R-ER-5, with the supernet: site 2 has no route for 10.100.10.0/24, explain says why and that
  // the supernet covers it.
  const explain = async () => cli.json<ExplainResult>(['explain', '--peer', 'site2', '--prefix', exp.site1Prefix]);
  const withSupernet = await explain();
  assert.match(withSupernet.summary[0]!, /no transit between circuits \(R-ER-5\)/, withSupernet.summary.join('\n'));
  const covers = withSupernet.sections
    .flatMap((s) => s.lines)
    .find((l) => l.text.startsWith(`${exp.supernet} covers it`));
  assert.equal(covers?.rule, 'R-ER-5', JSON.stringify(withSupernet.sections, null, 1));

  // No transit without the supernet: withdrawn on the NVA (vtysh, as on the VM), site 2 keeps no
  // route covering site 1's prefix, and the trace ends at site 2.
  await cli.ok([
    'node',
    'cmd',
    'quaggavm01',
    `configure terminal\nrouter bgp ${exp.nvaAsn}\nno network ${exp.supernet}`,
  ]);
  const [a, b, c, d] = exp.site1Host.split('.').map(Number) as [number, number, number, number];
  const host = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const covering = (prefix: string) => {
    const [ip, len] = prefix.split('/');
    const [w, x, y, z] = ip!.split('.').map(Number) as [number, number, number, number];
    const mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
    return (host & mask) >>> 0 === (((w << 24) | (x << 16) | (y << 8) | z) & mask) >>> 0;
  };
  const after = await waitFor(
    'site 2 without a route covering site 1',
    async () => {
      const rows = await cli.json<RouterRow[]>(['node', 'routes', 'site2']);
      return rows.some((x) => covering(x.prefix)) ? undefined : rows;
    },
    { timeoutMs: 10_000, intervalMs: 150 },
  );
  assert.deepEqual(
    after.map((x) => x.prefix),
    exp.site2Bgp.filter((x) => x.network !== exp.supernet).map((x) => x.network),
  );
  const noTransit = await explain();
  assert.match(noTransit.summary[0]!, /no transit between circuits \(R-ER-5\)/, noTransit.summary.join('\n'));
  const t = await cli.json<TraceResult>(['trace', '--from', 'site2', '--to', exp.site1Host]);
  assert.deepEqual(
    t.paths.map((p) => `${p.end} at ${p.hops.at(-1)!.name}`),
    ['no-route at site2'],
  );

  const down = await cli.ok(['down'], 20_000);
  assert.match(down, new RegExp(`lab '${r.name}' is down`));
  await cli.waitClean(r.name, 5000);
}

test("seed 003 golden, loopback mode: the site-2 router's and the NVA's tables, the tracerts, no transit without the supernet (R-ER-5)", {
  skip: noFrr,
  timeout: 60_000,
}, async () => {
  const cli = new LabCli('golden-ot', binUsable());
  try {
    await scenario(cli, { lab: join(SCENARIO, 'lab.yml'), name: NAME, map: IDENTITY }, 'loopback');
  } catch (e) {
    (e as Error).message += cli.logTail();
    throw e;
  } finally {
    await cli.cleanup([NAME]);
  }
});

/** The variant's rewrite, applied to the scenario's files and to the seed's expectations alike. */
const VARIANT: readonly [string, string][] = [
  ['onprem-transit', 'onprem-transit-variant'],
  ['10.100.0.0/19', '10.110.32.0/19'],
  ['10.100.10.', '10.110.40.'],
  ['10.100.20.', '10.110.50.'],
  ['127.200.', '127.210.'],
  ['10.200.', '10.210.'],
  ['172.16.0.', '172.20.0.'],
  ['65150', '65250'],
  ['65151', '65251'],
  ['65001', '65010'],
];
const variantMap = (s: string) => VARIANT.reduce((t, [a, b]) => t.split(a).join(b), s);

test('seed 003 variant: other addresses and ASNs (10.210.0.0/16, AS 65250/65251, NVA AS 65010, supernet 10.110.32.0/19) behave the same', {
  skip: noFrr,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-ot-variant-'));
  const cli = new LabCli('golden-otv', binUsable());
  const name = variantMap(NAME);
  try {
    cpSync(SCENARIO, dir, { recursive: true });
    for (const f of ['lab.yml', 'quaggavm01/bgpd.conf', 'quaggavm01/bgpd.loopback.conf']) {
      const p = join(dir, f);
      const before = readFileSync(p, 'utf8');
      const after = variantMap(before);
      assert.notEqual(after, before, `${f} rewritten`);
      writeFileSync(p, after);
    }
    assert.doesNotMatch(readFileSync(join(dir, 'lab.yml'), 'utf8'), /10\.200\.|10\.100\.|6515[01]\b/);
    await scenario(cli, { lab: join(dir, 'lab.yml'), name, map: variantMap }, 'loopback');
  } catch (e) {
    (e as Error).message += cli.logTail();
    throw e;
  } finally {
    await cli.cleanup([name]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("seed 003 in netns mode: the seed's bgpd.conf verbatim (plus the FRR-without-zebra lines) gives the same tables", {
  skip: noFrr || noRoot,
  timeout: 60_000,
}, async () => {
  const cli = new LabCli('golden-otn', binUsable());
  try {
    await scenario(cli, { lab: join(SCENARIO, 'lab.yml'), name: NAME, map: IDENTITY }, 'netns');
  } catch (e) {
    (e as Error).message += cli.logTail();
    throw e;
  } finally {
    await cli.cleanup([NAME]);
  }
});

test('seed 003: Global Reach between the two Tokyo circuits is refused (R-ER-6); at Tokyo2 it would load', {
  timeout: 15_000,
}, async () => {
  const cli = new LabCli('golden-otg');
  try {
    const r = await cli.arslab(['validate', join(SCENARIO, 'lab.global-reach.yml')]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(
      out,
      /lab\.global-reach\.yml:\d+:\d+: resourceGroups\.onprem-transit-rg\.expressRouteCircuits\.er-circuit-site1\.globalReachConnections\.site1-to-site2\.peerCircuit: Global Reach cannot connect circuits 'er-circuit-site1' and 'er-circuit-site2': both are at peering location 'Tokyo'\. Global Reach links circuits at different peering locations only \(R-ER-6\).*\(GlobalReachNotSupportedForCircuitsInSamePeeringLocation\)/,
    );
    assert.match(out, /1 error/);
    // The same file with site 2's circuit at Tokyo2 is valid: only the location was in the way.
    const file = join(cli.stateDir, 'lab.global-reach.yml');
    cpSync(join(SCENARIO, 'quaggavm01'), join(cli.stateDir, 'quaggavm01'), { recursive: true });
    const text = readFileSync(join(SCENARIO, 'lab.global-reach.yml'), 'utf8');
    const site2 = text.indexOf('er-circuit-site2:\n');
    assert.ok(site2 > 0);
    writeFileSync(
      file,
      text.slice(0, site2) + text.slice(site2).replace('peeringLocation: Tokyo\n', 'peeringLocation: Tokyo2\n'),
    );
    const ok = await cli.arslab(['validate', file]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    // And the scenario itself validates.
    const base = await cli.arslab(['validate', join(SCENARIO, 'lab.yml')]);
    assert.equal(base.code, 0, base.stdout + base.stderr);
  } finally {
    await cli.cleanup();
  }
});
