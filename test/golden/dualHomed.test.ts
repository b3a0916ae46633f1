// Seed 002, "About dual-homed network with Azure Route Server", with ExpressRoute in both hubs
// (scenarios/dual-homed), driven as a user drives it: `arslab up` a copy of the scenario, the
// variants switched in the NVAs' steps.conf and applied with `arslab node cmd NVA configure`,
// the az-style listings, `arslab explain`, `arslab node stop|start`, then `arslab down`
// leaving nothing behind. Asserted:
// - active/active: spoke-rs learns the on-premises ranges from both NVAs (each learned on its
//   own hub, through ExpressRoute and the hub's route server), on both instances, with
//   as-override paths of equal length; the spoke VM has two ECMP rows per on-premises prefix;
// - the spoke's range reaches each on-premises edge through its hub's NVA, route server,
//   ExpressRoute gateway and MSEE, as `12076` only (R-ER-2);
// - active/passive (nva2 prepends twice): one row, nva1's (R-ARS-7); `node stop nva1` (a
//   NOTIFICATION) moves it to nva2 and `node start nva1` brings it back;
// - as-override off: every route server drops what the NVAs pass on (R-ARS-6), and
//   `arslab explain` says so with the rule.
// The same again on a copy rewritten to other addresses and ASNs (the BIRD configurations
// name no on-premises prefix and no hub range: only addresses and ASNs change).
//
// The scenario binds 127.68.x (the variant 127.69.x), used by no other test. Sequential; each
// test has its own ARSLAB_STATE_DIR and bounded time, and kills by PID what it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { lossesWithoutRule, renderExplain, RULE_ID, type ExplainResult } from '../../src/azure/explain.js';
import { findLines, someLine } from '../helpers/explain.js';
import { sweep } from '../helpers/explainSweep.js';
import { binUsable, LabCli, missingBinaries, ROOT } from '../lab/labCli.js';
import { waitFor } from '../helpers/waitFor.js';

const SCENARIO = join(ROOT, 'scenarios/dual-homed');
const RG = 'dual-homed';
const NIC = 'spoke-vmVMNic';
const noBird =
  missingBinaries(['/usr/sbin/bird']).length > 0 ? 'BIRD is not installed (scripts/setup --daemons all)' : false;

/** What a copy of the scenario is: its name, second octet and ASNs, and what to expect from them. */
interface Plan {
  readonly name: string;
  /** 10.N.x: the VNets; 127.N.x in loopback mode. */
  readonly n: number;
  readonly nva1Asn: number;
  readonly nva2Asn: number;
  readonly onpremAsn: number;
  readonly onprem: readonly string[];
}

const SEED: Plan = {
  name: 'dual-homed',
  n: 68,
  nva1Asn: 65001,
  nva2Asn: 65002,
  onpremAsn: 65100,
  onprem: ['192.168.10.0/24', '192.168.20.0/24'],
};
const VARIANT: Plan = {
  name: 'dual-homed-variant',
  n: 69,
  nva1Asn: 65011,
  nva2Asn: 65022,
  onpremAsn: 64600,
  onprem: ['172.20.10.0/24', '172.20.20.0/24'],
};

const addr = (p: Plan) => ({
  spoke: `10.${p.n}.0.0/20`,
  hub1: `10.${p.n}.16.0/20`,
  hub2: `10.${p.n}.32.0/20`,
  nva1: `10.${p.n}.17.4`,
  nva2: `10.${p.n}.33.4`,
});

/**
 * Copies the scenario's lab file and NVA folders into `dir`, rewritten for `p`: addresses
 * 10.68.x/127.68.x (and the circuits' link and MSEE addresses), the ASNs, the on-premises
 * prefixes, the lab's name. Returns the lab file.
 */
function copyScenario(dir: string, p: Plan): string {
  const rewrite = (t: string): string =>
    p === SEED
      ? t
      : t
          .replace(/\b(10|127)\.68\./g, `$1.${p.n}.`)
          .replace(/\b169\.254\.68\./g, `169.254.${p.n}.`)
          .replace(/\b10\.168\./g, `10.${100 + p.n}.`)
          .replace(/\b65001\b/g, String(p.nva1Asn))
          .replace(/\b65002\b/g, String(p.nva2Asn))
          .replace(/\b65100\b/g, String(p.onpremAsn))
          .replace(/\b192\.168\.10\.0\/24\b/g, p.onprem[0]!)
          .replace(/\b192\.168\.20\.0\/24\b/g, p.onprem[1]!)
          .replace(/^name: dual-homed$/m, `name: ${p.name}`);
  const files: string[] = [];
  (function walk(d: string): void {
    for (const e of readdirSync(d)) {
      const f = join(d, e);
      if (statSync(f).isDirectory()) walk(f);
      else if (e !== 'README.md') files.push(f);
    }
  })(SCENARIO);
  for (const f of files) {
    const out = join(dir, relative(SCENARIO, f));
    mkdirSync(join(out, '..'), { recursive: true });
    const text = rewrite(readFileSync(f, 'utf8'));
    if (p !== SEED)
      assert.doesNotMatch(
        text,
        /\b(10|127)\.68\.|\b6500[12]\b|\b65100\b|192\.168\./,
        `${out} still holds the scenario's addresses or ASNs`,
      );
    writeFileSync(out, text);
  }
  return join(dir, 'lab.yml');
}

/** Sets `name = value` in the copy's nvaN/steps.conf. */
function setStep(dir: string, nva: 'nva1' | 'nva2', name: 'AS_OVERRIDE' | 'STANDBY', value: 0 | 1): void {
  const f = join(dir, nva, 'steps.conf');
  const before = readFileSync(f, 'utf8');
  const after = before.replace(new RegExp(`^define ${name} = [01];$`, 'm'), `define ${name} = ${value};`);
  assert.notEqual(after.indexOf(`define ${name} = ${value};`), -1, `${f} has no ${name}`);
  writeFileSync(f, after);
}

interface Learned {
  network: string;
  nextHop: string;
  sourcePeer: string;
  asPath: string;
  localAddress: string;
}
type LearnedByInstance = Record<'RouteServiceRole_IN_0' | 'RouteServiceRole_IN_1', Learned[]>;
const INSTANCES = ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'] as const;

const learned = (cli: LabCli, routeServer: string, peering: string): Promise<LearnedByInstance> =>
  cli.json<LearnedByInstance>([
    'network',
    'routeserver',
    'peering',
    'list-learned-routes',
    '-g',
    RG,
    '--routeserver',
    routeServer,
    '-n',
    peering,
  ]);

/** `network, asPath, nextHop` of each instance's rows, sorted, one string per instance. */
function learnedLines(l: LearnedByInstance): string[][] {
  return INSTANCES.map((i) => (l[i] ?? []).map((r) => `${r.network} ${r.asPath} ${r.nextHop}`).sort());
}

/** The spoke VM's Active VirtualNetworkGateway rows of `-o table` (one row per next hop, R-NIC-5): prefix → next hops, sorted. */
async function gatewayRows(cli: LabCli): Promise<Map<string, string[]>> {
  const table = await cli.ok(['network', 'nic', 'show-effective-route-table', '-g', RG, '-n', NIC, '-o', 'table']);
  const rows = new Map<string, string[]>();
  for (const line of table.split('\n')) {
    const c = line.trim().split(/\s+/);
    if (c[0] !== 'VirtualNetworkGateway' || c[1] !== 'Active') continue;
    rows.set(c[2]!, [...(rows.get(c[2]!) ?? []), c[4]!].sort());
  }
  return rows;
}

/** Waits until every on-premises prefix has exactly the rows `nextHops` (none when empty). */
async function onpremRows(cli: LabCli, p: Plan, nextHops: string[], what: string, timeoutMs = 15_000): Promise<void> {
  const want = JSON.stringify([...nextHops].sort());
  let last = new Map<string, string[]>();
  await waitFor(
    `${what}: spoke-vm's rows for ${p.onprem.join(', ')} via [${nextHops.join(', ')}]`,
    async () => {
      last = await gatewayRows(cli);
      return p.onprem.every((x) => JSON.stringify(last.get(x) ?? []) === want);
    },
    { timeoutMs: timeoutMs, intervalMs: 150 },
  ).catch((e: Error) => {
    e.message += `\nlast rows: ${JSON.stringify([...last])}`;
    throw e;
  });
}

/**
 * Every loss line carries a rule, in the JSON and at the end of its line in the tree. (As
 * test/helpers/explain.ts's assertRulesOnLosses, but a rule may itself end in parentheses:
 * "(RFC 4271 §9.1.2.2 (f))", which an on-premises router's tie-break prints.)
 */
function assertRules(r: ExplainResult): void {
  assert.deepEqual(
    lossesWithoutRule(r).map((m) => `${m.section}: ${m.line.text}`),
    [],
    'loss lines without a rule',
  );
  const endsWithRule = (l: string): boolean =>
    l.endsWith(')') && [...l.matchAll(/\(/g)].some((m) => RULE_ID.test(l.slice(m.index! + 1, -1)));
  const text = renderExplain(r);
  assert.deepEqual(
    text.split('\n').filter((l) => l.includes('✗ ') && !endsWithRule(l)),
    [],
    `✗ lines of the tree without a rule at the end:\n${text}`,
  );
}

async function explain(cli: LabCli, args: string[]): Promise<ExplainResult> {
  const r = await cli.json<ExplainResult>(['explain', ...args]);
  assertRules(r);
  return r;
}

interface Status {
  routeServers: { name: string; instances: { instance: string; peerings: { name: string; state: string }[] }[] }[];
  nodes: { name: string; state: string; pid?: number }[];
}

async function allEstablished(cli: LabCli): Promise<void> {
  let last = '';
  await waitFor(
    'all eight NVA sessions Established',
    async () => {
      const s = await cli.json<Status>(['status']);
      const states = s.routeServers.flatMap((rs) =>
        rs.instances.flatMap((i) => i.peerings.map((x) => `${rs.name}/${i.instance}/${x.name}=${x.state}`)),
      );
      last = states.join(' ');
      return states.length === 8 && states.every((x) => x.endsWith('=Established'));
    },
    { timeoutMs: 20_000, intervalMs: 150 },
  ).catch((e: Error) => {
    e.message += `\nlast: ${last}`;
    throw e;
  });
}

/** The whole story on one copy of the scenario. */
async function exercise(p: Plan, opts: { failover: boolean }): Promise<void> {
  const a = addr(p);
  const [as1, as2, op] = [p.nva1Asn, p.nva2Asn, p.onpremAsn];
  const cli = new LabCli(`golden-${p.n}`, binUsable());
  const dir = join(cli.stateDir, 'scenario');
  try {
    const file = copyScenario(dir, p);
    const up = await cli.ok(['up', file, '--detach'], 45_000);
    assert.match(up, new RegExp(`lab '${p.name}' is up \\(loopback mode`));
    cli.record(p.name);
    await allEstablished(cli);

    // --- Active/active (the scenario as shipped).
    await onpremRows(cli, p, [a.nva1, a.nva2], 'active/active: ECMP');
    // spoke-rs learns the on-premises ranges from both NVAs, each hub's from its own hub (and
    // that hub's range), on both instances; 65515 replaced by the NVA's AS (as-override).
    const viaNva = (asn: number, nh: string, hub: string) =>
      [`${hub} ${asn}-${asn} ${nh}`, ...p.onprem.map((x) => `${x} ${asn}-${asn}-12076-${op} ${nh}`)].sort();
    await waitFor(
      "spoke-rs: both NVAs' routes on both instances",
      async () => {
        const [l1, l2] = [
          learnedLines(await learned(cli, 'spoke-rs', 'nva1')),
          learnedLines(await learned(cli, 'spoke-rs', 'nva2')),
        ];
        return (
          l1.every((x) => JSON.stringify(x) === JSON.stringify(viaNva(as1, a.nva1, a.hub1))) &&
          l2.every((x) => JSON.stringify(x) === JSON.stringify(viaNva(as2, a.nva2, a.hub2)))
        );
      },
      { timeoutMs: 10_000, intervalMs: 150 },
    );
    // Each hub's route server learns the spoke's range from its NVA, as-overridden too (spoke-rs
    // advertised it as "65515"), and its ExpressRoute gateway takes it over branch-to-branch.
    assert.deepEqual(learnedLines(await learned(cli, 'hub1-rs', 'nva1')), [
      [`${a.spoke} ${as1}-${as1} ${a.nva1}`],
      [`${a.spoke} ${as1}-${as1} ${a.nva1}`],
    ]);
    assert.deepEqual(learnedLines(await learned(cli, 'hub2-rs', 'nva2')), [
      [`${a.spoke} ${as2}-${as2} ${a.nva2}`],
      [`${a.spoke} ${as2}-${as2} ${a.nva2}`],
    ]);
    for (const [gw, nva, asn] of [
      ['hub1-ergw', a.nva1, as1],
      ['hub2-ergw', a.nva2, as2],
    ] as const) {
      const rows = (
        await cli.json<{ value: (Learned & { origin: string })[] }>([
          'network',
          'vnet-gateway',
          'list-learned-routes',
          '-g',
          RG,
          '-n',
          gw,
        ])
      ).value;
      const spoke = rows.filter((r) => r.network === a.spoke).map((r) => `${r.origin} ${r.asPath} ${r.nextHop}`);
      assert.ok(
        spoke.length >= 1 && spoke.every((r) => r.startsWith('IBgp ') && r.endsWith(` ${asn}-${asn} ${nva}`)),
        `${gw} learns ${a.spoke} from its route server, next hop its NVA: ${JSON.stringify(spoke)}`,
      );
    }
    // The on-premises edges learn the spoke's range over their circuit as "12076" (R-ER-2:
    // the MSEE prepends 12076 and removes 65515 and the NVAs' private ASNs).
    for (const [router, circuit] of [
      ['onprem1', 'er-circuit1'],
      ['onprem2', 'er-circuit2'],
    ] as const) {
      const r = await explain(cli, ['--peer', router, '--prefix', a.spoke]);
      const at = findLines(r, { kind: 'router', status: ['best', 'equal', 'lost'] });
      assert.equal(at.length, 2, `${router} holds ${a.spoke} from both links:\n${renderExplain(r)}`);
      for (const { line } of at) {
        assert.equal(line.route?.asPath, '12076', line.text);
        assert.ok(line.route?.from.startsWith(`${circuit}/`), line.text);
      }
    }
    // Spoke VM: both hubs' on-premises routes are equal cost.
    const ecmp = await explain(cli, ['--nic', NIC, '-g', RG, '--prefix', p.onprem[0]!]);
    assert.equal(findLines(ecmp, { kind: 'route-server', status: ['best', 'equal'] }).length, 4, renderExplain(ecmp));

    // --- Active/passive: nva2 prepends its AS twice toward spoke-rs.
    setStep(dir, 'nva2', 'STANDBY', 1);
    await cli.ok(['node', 'cmd', 'nva2', 'configure']);
    await onpremRows(cli, p, [a.nva1], 'active/passive: nva1 only');
    const l2 = learnedLines(await learned(cli, 'spoke-rs', 'nva2'));
    for (const x of p.onprem)
      assert.ok(
        l2.every((i) => i.includes(`${x} ${as2}-${as2}-${as2}-${as2}-12076-${op} ${a.nva2}`)),
        JSON.stringify(l2),
      );
    const passive = await explain(cli, ['--nic', NIC, '-g', RG, '--prefix', p.onprem[0]!]);
    await sweep(file, cli.record(p.name), `${p.name}, active/passive`);
    const lost = someLine(passive, { kind: 'route-server', status: 'lost', from: 'nva2', rule: 'R-ARS-7' });
    assert.equal(lost.length, 2, 'outranked on both instances');
    assert.match(lost[0]!.line.reason!, /AS path length 4 < 6/);

    if (opts.failover) {
      // nva1 stops (BIRD sends a Cease NOTIFICATION): spoke-rs closes the sessions at once and
      // programs nva2's path; nva1 comes back and takes over again.
      const t0 = Date.now();
      assert.match(await cli.ok(['node', 'stop', 'nva1']), /nva1: stopped/);
      // The events below prove the NOTIFICATION; the time only has to stay far below a hold
      // timer (the route server offers 180 s, R-ARS-4; BIRD 240 s: 180 s negotiated, RFC 4271 §4.2),
      // and not be a bound on how fast a loaded machine runs `node stop` and the listings.
      await onpremRows(cli, p, [a.nva2], 'nva1 stopped: nva2', 30_000);
      const tookMs = Date.now() - t0;
      const events = await cli.ok(['events']);
      for (const i of ['IN_0', 'IN_1'])
        assert.match(
          events,
          new RegExp(`spoke-rs/${i}/nva1: Established -> Idle: .*(NOTIFICATION|NotifMsg)`),
          events
            .split('\n')
            .filter((l) => l.includes('nva1'))
            .join('\n'),
        );
      assert.ok(tookMs < 30_000, `failover took ${tookMs} ms: a NOTIFICATION, not a hold timer`);
      assert.deepEqual(learnedLines(await learned(cli, 'spoke-rs', 'nva1')), [[], []]);
      assert.match(await cli.ok(['node', 'start', 'nva1']), /nva1: running/);
      cli.record(p.name);
      // Back on both instances of both route servers before going on (a session to one
      // instance comes up first: rows follow at once, the other instance a moment later).
      await allEstablished(cli);
      await onpremRows(cli, p, [a.nva1], 'nva1 started again: nva1', 20_000);
    }

    // --- as-override off on both NVAs: every route server drops what they pass on (R-ARS-6).
    setStep(dir, 'nva1', 'AS_OVERRIDE', 0);
    setStep(dir, 'nva2', 'AS_OVERRIDE', 0);
    await cli.ok(['node', 'cmd', 'nva1', 'configure']);
    await cli.ok(['node', 'cmd', 'nva2', 'configure']);
    await onpremRows(cli, p, [], 'no as-override: no rows');
    const dropped = await explain(cli, ['--nic', NIC, '-g', RG, '--prefix', p.onprem[1]!]);
    await sweep(file, cli.record(p.name), `${p.name}, without as-override`);
    for (const [nva, path] of [
      ['nva1', `${as1}-65515-12076-${op}`],
      ['nva2', `${as2}-${as2}-${as2}-65515-12076-${op}`],
    ] as const) {
      const d = someLine(dropped, { kind: 'route-server', status: 'dropped', from: nva, rule: 'R-ARS-6' });
      assert.equal(d.length, 2, `dropped on both instances of spoke-rs:\n${renderExplain(dropped)}`);
      assert.match(d[0]!.line.text, new RegExp(`AS_PATH ${path} contains 65515$`));
    }
    assert.deepEqual(
      learnedLines(await learned(cli, 'spoke-rs', 'nva1')),
      [[], []],
      'R-ARS-10: a dropped route is not listed',
    );
    // Toward the hub: the spoke's range is dropped by hub1-rs, so it no longer reaches on-premises.
    const toHub = await explain(cli, ['--peer', 'nva1', '--routeserver', 'hub1-rs', '-g', RG, '--prefix', a.spoke]);
    someLine(toHub, {
      status: 'dropped',
      rule: 'R-ARS-6',
      from: 'nva1',
      text: new RegExp(`AS_PATH ${as1}-65515 contains 65515`),
    });
    await waitFor(
      `onprem1 without ${a.spoke}`,
      async () => {
        const r = await explain(cli, ['--peer', 'onprem1', '--prefix', a.spoke]);
        return findLines(r, { kind: 'router', status: ['best', 'equal'] }).length === 0;
      },
      { timeoutMs: 10_000, intervalMs: 150 },
    );

    // The text rendering names the rule too (what a user reads).
    const text = await cli.ok(['explain', '--nic', NIC, '-g', RG, '--prefix', p.onprem[1]!]);
    assert.match(text, /contains 65515 \(R-ARS-6\)/);

    // as-override back on: the routes return.
    setStep(dir, 'nva1', 'AS_OVERRIDE', 1);
    setStep(dir, 'nva2', 'AS_OVERRIDE', 1);
    await cli.ok(['node', 'cmd', 'nva1', 'configure']);
    await cli.ok(['node', 'cmd', 'nva2', 'configure']);
    await onpremRows(cli, p, [a.nva1], 'as-override on again (active/passive)');

    cli.record(p.name);
    assert.match(await cli.ok(['down'], 30_000), new RegExp(`lab '${p.name}' is down`));
    await cli.waitClean(p.name, 5000);
  } catch (e) {
    (e as Error).message += cli.logTail();
    throw e;
  } finally {
    await cli.cleanup([p.name]);
  }
}

test("seed 002 (scenarios/dual-homed): active/active ECMP, the spoke's range on premises as 12076, active/passive with failover and back, as-override off drops (R-ARS-6)", {
  skip: noBird,
  timeout: 120_000,
}, async () => {
  await exercise(SEED, { failover: true });
});

test('the same lab on other addresses and ASNs (10.69.x, AS 65011/65022, on-premises AS 64600 and 172.20.x) behaves the same', {
  skip: noBird,
  timeout: 120_000,
}, async () => {
  await exercise(VARIANT, { failover: true });
});
