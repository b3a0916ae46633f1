/**
 * The pure side of `arslab explain`: the one rule table covers every rule the code records
 * and every best-path step at every kind of speaker; candidate lines name the rule of each
 * loser (R-ARS-7 at a route server, R-ER-3 at a gateway, RFC 5004 at an MSEE, R-ARS-6 for a
 * dropped path); NIC rows by longest match (R-NIC-4); loss lines without a rule are found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePrefix } from '../bgp/wire/index.js';
import { internAttrs, internPath, newRouteSource, type BestPathStep, type Path } from '../rib/index.js';
import { seed000Model } from '../../test/helpers/model.js';
import {
  candidateLines,
  formatLine,
  lossesWithoutRule,
  nicRowLines,
  renderExplain,
  RULE_ID,
  RULE_MAP,
  ruleFor,
  ruleOfRejection,
  type ExplainResult,
  type SpeakerKind,
} from './explain.js';
import { effectiveRoutes } from './effectiveRoutes.js';
import { ER_GATEWAY_BEST_PATH, MSEE_BEST_PATH } from './expressRoute.js';
import { routeServerBestPath } from './routeServer.js';

const P = (t: string) => parsePrefix(t)!;
const KINDS: SpeakerKind[] = ['route-server', 'expressroute-gateway', 'vpn-gateway', 'msee', 'router', 'nva', 'nic'];
const STEPS: BestPathStep[] = [
  'locally-originated',
  'weight',
  'preference',
  'local-pref',
  'as-path-length',
  'origin',
  'med',
  'ebgp-over-ibgp',
  'router-id',
  'neighbor-address',
];

/** Every `rule: '…'` literal of the source tree (policies, effective routes, gateway merge). */
function rulesInSource(): string[] {
  const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');
  const out = new Set<string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('/explain.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\brule: '([^']+)'/g)) out.add(m[1]!);
      }
    }
  };
  walk(src);
  return [...out].sort();
}

test('RULE_MAP: every rule the code records has an entry, printed as a well-formed rule id', () => {
  const codes = rulesInSource();
  assert.ok(codes.includes('R-ARS-6') && codes.includes('RFC4271-9.1.2'), codes.join(' '));
  const missing = codes.filter((c) => !RULE_MAP.some((m) => m.cause === `rejected:${c}`));
  assert.deepEqual(missing, [], 'add these to RULE_MAP (src/azure/explain.ts)');
  for (const c of codes) for (const k of KINDS) assert.match(ruleOfRejection({ rule: c }, k), RULE_ID, `${c} at ${k}`);
  assert.equal(ruleOfRejection({ rule: 'RFC4271-9.1.2' }), 'RFC 4271 §9.1.2');
  assert.equal(ruleOfRejection({ rule: 'router-import' }), 'lab file: importPrefixes, import');
  assert.equal(ruleOfRejection({ rule: 'router-export' }), 'lab file: export');
});

test('RULE_MAP: every best-path step at every kind of speaker names a rule', () => {
  for (const s of STEPS) for (const k of KINDS) assert.match(ruleFor(`step:${s}`, k), RULE_ID, `${s} at ${k}`);
  assert.equal(ruleFor('step:weight', 'expressroute-gateway'), 'R-ER-3');
  assert.equal(ruleFor('step:preference', 'route-server'), 'R-ARS-7');
  assert.equal(ruleFor('step:as-path-length', 'route-server'), 'R-ARS-7');
  assert.equal(ruleFor('step:as-path-length', 'expressroute-gateway'), 'RFC 4271 §9.1.2.2 (a)');
  assert.equal(ruleFor('step:ebgp-over-ibgp', 'msee'), 'RFC 4271 §9.1.2.2 (d)');
  for (const c of [
    'tie',
    'ecmp-cap',
    'split-horizon',
    'no-route',
    'session-down',
    'branch-to-branch-off',
    'longest-match',
    'gateway-programs',
    'ecmp-collapse',
    'covering',
  ] as const) {
    for (const k of KINDS) assert.match(ruleFor(c, k), RULE_ID, `${c} at ${k}`);
  }
  assert.equal(ruleFor('split-horizon', 'route-server'), 'R-ARS-9');
});

const src = (name: string, kind: 'ebgp' | 'ibgp', role: string, address: string) =>
  newRouteSource({ name, address, asn: kind === 'ibgp' ? 65515 : 65001, kind, routerId: 1, role });
const attrs = (asns: number[], nextHop: string) =>
  internAttrs({ origin: 0, asPath: asns.length ? [{ type: 2, asns }] : [], nextHop });

test('candidate lines at a route server: ER path best by preference class, the NVA path outranked (R-ARS-7), equal cost, a 65515 path dropped (R-ARS-6)', () => {
  const cfg = routeServerBestPath({ ...seed000Model().routeServerSettings, maxEcmpPaths: 8 });
  const er0 = internPath(
    src('er1/0', 'ibgp', 'expressroute-gateway', '10.1.3.12'),
    attrs([12076, 133937], '10.1.3.5'),
    32768,
    2,
  );
  const er1 = internPath(
    src('er1/1', 'ibgp', 'expressroute-gateway', '10.1.3.13'),
    attrs([12076, 133937], '10.1.3.5'),
    32768,
    2,
  );
  const nva = internPath(src('hub1nva', 'ebgp', 'nva', '10.1.1.4'), attrs([65001], '10.1.1.4'), 32768, 1);
  const loop = internPath(src('nva2', 'ebgp', 'nva', '10.1.1.5'), attrs([65002, 65515], '10.1.1.5'), 0, 0, {
    rule: 'R-ARS-6',
    reason: 'AS_PATH 65002-65515 contains 65515',
  });
  const lines = candidateLines('route-server', P('1.2.3.0/24'), [loop, nva, er1, er0], cfg, {
    at: 'route-server instance rs/IN_0',
    preferenceGloss: 'hubRoutingPreference ExpressRoute',
  });
  assert.deepEqual(lines.map(formatLine), [
    '✓ best er1/0 (10.1.3.12): path 12076-133937, next hop 10.1.3.5, weight 32768',
    '= equal cost er1/1 (10.1.3.13): path 12076-133937, next hop 10.1.3.5, weight 32768',
    '✗ hub1nva (10.1.1.4): path 65001, next hop 10.1.1.4, weight 32768: outranked: preference class 2 > 1 (hubRoutingPreference ExpressRoute) (R-ARS-7)',
    '✗ nva2 (10.1.1.5): path 65002-65515, next hop 10.1.1.5: dropped at route-server instance rs/IN_0: AS_PATH 65002-65515 contains 65515 (R-ARS-6)',
  ]);
  // Beyond the ECMP width: still equal cost, but not used (R-ARS-7).
  const narrow = candidateLines('route-server', P('1.2.3.0/24'), [er0, er1], { ...cfg, maxPaths: 1 }, { at: 'x' });
  assert.equal(narrow[1]!.status, 'lost');
  assert.equal(narrow[1]!.rule, 'R-ARS-7');
  assert.match(narrow[1]!.reason!, /beyond the ECMP width of 1/);
});

test('candidate lines at an ER gateway (weight, R-ER-3) and at an MSEE (oldest path, RFC 5004)', () => {
  const msee = internPath(src('c1/secondary', 'ebgp', 'msee', '10.1.3.5'), attrs([12076, 133937], '10.1.3.5'), 32779);
  const ibgp = internPath(
    src('rs/IN_0', 'ibgp', 'route-server', '10.1.0.4'),
    attrs([12076, 133937], '10.1.3.5'),
    32768,
  );
  const gw = candidateLines('expressroute-gateway', P('1.2.3.0/24'), [ibgp, msee], ER_GATEWAY_BEST_PATH, {
    at: 'er1/0',
  });
  assert.equal(gw[0]!.route?.from, 'c1/secondary');
  assert.equal(
    formatLine(gw[1]!),
    '✗ rs/IN_0 (10.1.0.4): path 12076-133937, next hop 10.1.3.5, weight 32768: outranked: weight 32779 > 32768 (R-ER-3)',
  );
  const a = internPath(src('er1/0', 'ebgp', 'gateway', '10.1.3.12'), attrs([65515], '10.1.3.12'));
  const b = internPath(src('er1/1', 'ebgp', 'gateway', '10.1.3.13'), attrs([65515], '10.1.3.13'));
  const m = candidateLines('msee', P('10.1.0.0/20'), [a, b], MSEE_BEST_PATH, { at: 'c1/primary' });
  assert.equal(m[1]!.rule, 'RFC 5004');
  assert.match(m[1]!.reason!, /tied on every step: the older path stays best/);
});

test('NIC rows: the longest Active row wins; less specific rows lose by R-NIC-4; Invalid rows keep their note; an address resolves by longest match', () => {
  const m = seed000Model();
  const nic = m.networkInterfaces[0]!;
  const nva = (_prefix: string): Path =>
    internPath(src('watcher', 'ebgp', 'nva', '10.10.0.7'), attrs([65001], '10.10.0.7'), 32768);
  const gw = () => ({
    routes: [
      {
        prefix: P('100.64.0.0/24'),
        nextHops: ['10.10.0.7'],
        paths: [nva('100.64.0.0/24')],
        origin: 'route-server' as const,
        asPathLength: 1,
      },
    ],
    servedPrefixes: m.virtualNetworks[0]!.prefixes,
    dropped: [],
  });
  const { details } = effectiveRoutes(m, nic, gw);
  const byPrefix = nicRowLines(details, { prefix: P('100.64.0.0/24'), address: false });
  assert.equal(byPrefix.lines[0]!.status, 'best');
  assert.deepEqual(byPrefix.lines[0]!.row?.nextHopIpAddress, ['10.10.0.7']);
  const none = byPrefix.lines.find((l) => l.row?.addressPrefix[0] === '100.64.0.0/10')!;
  assert.equal(none.status, 'lost');
  assert.equal(none.rule, 'R-NIC-4');
  const byAddress = nicRowLines(details, { prefix: P('100.64.0.9/32'), address: true });
  assert.equal(byAddress.winners[0]!.route.addressPrefix[0], '100.64.0.0/24');
  const vnet = nicRowLines(details, { prefix: P('10.10.0.9/32'), address: true });
  assert.equal(vnet.winners[0]!.route.nextHopType, 'VnetLocal');
});

test('lossesWithoutRule finds a loss line without a rule; the tree prints rules at the end of ✗ lines', () => {
  const r: ExplainResult = {
    query: { kind: 'peer', target: '1.2.3.0/24', peer: 'x' },
    prefix: '1.2.3.0/24',
    summary: ['s'],
    sections: [
      {
        title: 'a',
        lines: [
          { status: 'best', text: 'ok' },
          { status: 'withheld', text: 'not advertised to x: NO_ADVERTISE community', rule: 'R-ARS-9' },
        ],
        children: [{ title: 'b', lines: [{ status: 'dropped', text: 'no rule here' }], children: [] }],
      },
    ],
  };
  assert.deepEqual(
    lossesWithoutRule(r).map((x) => x.line.text),
    ['no rule here'],
  );
  const text = renderExplain(r);
  assert.match(
    text,
    /^s\n└─ a\n {3}│ {2}✓ best ok\n {3}│ {2}✗ not advertised to x: NO_ADVERTISE community \(R-ARS-9\)\n {3}└─ b\n {9}✗ no rule here\n$/,
  );
});
