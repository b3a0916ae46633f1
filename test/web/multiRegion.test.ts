/**
 * Seed 001 (scenarios/multi-region: two hubs with route servers and BIRD NVAs, an
 * ExpressRoute gateway and circuit to an on-premises router) in a real browser:
 *
 * 1. the graph: every speaker of the lab file and the 14 BGP sessions the design implies,
 *    each in the state the API reports (`arslab link list`, `arslab status`), the seeds'
 *    columns (on premises left of the circuit, left of the hubs, left of the spokes);
 * 2. the explain view: a prefix explained at a NIC from the page's form shows what
 *    `arslab explain … -o json` answers, section by section and line by line — for
 *    spoke21, which lacks 1.2.3.0/24 because hub2's route server drops a path carrying its
 *    own AS 65515 (the seed's second lesson);
 * 3. the trace drawn on the graph: on premises → spoke11's range, hop by hop and path by
 *    path as `arslab trace` answers;
 * 4. faults from the page: the circuit's primary link cut and restored from its MSEE's card,
 *    every session drawn as `arslab link list` reports it;
 * 5. live updates: a session cut and restored with the CLI, drawn from the event stream;
 * 6. the timeline filtered by speaker and by prefix: exactly the events `arslab events`
 *    lists that the filter keeps.
 *
 * The lab binds 127.248.x instead of 127.1.x and 127.2.x (webLab.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ExplainResult, ExplainSection } from '../../src/azure/explain.js';
import type { TraceResult } from '../../src/lab/trace.js';
import type { TopologyView } from '../../src/lab/topologyView.js';
import { missingBinaries } from '../lab/labCli.js';
import { waitFor } from '../helpers/waitFor.js';
import { noChromium } from '../helpers/chromium.js';
import { clickDrawn, withWebLab } from './webLab.js';

const noBird = missingBinaries(['/usr/sbin/bird', '/usr/sbin/birdc']).length
  ? 'BIRD 2 is not installed (scripts/setup --daemons all)'
  : false;

interface Status {
  routeServers: { name: string; instances: { instance: string; peerings: { name: string; state: string }[] }[] }[];
}

/** An explanation as the page shows it: per section, its title and its lines (status, text, rule). */
type Shown = { title: string; lines: [string, string][] }[];

function flatten(sections: readonly ExplainSection[], out: Shown = []): Shown {
  for (const s of sections) {
    out.push({
      title: s.title,
      lines: s.lines.map((l) => [l.status, `${l.status} ${l.text}${l.rule ?? ''}`.replace(/\s+/g, ' ').trim()]),
    });
    flatten(s.children, out);
  }
  return out;
}

function shownExplain(page: Page): Promise<Shown> {
  return page.$$eval('[data-view="explain-sections"] details.section', (ds) =>
    ds.map((d) => ({
      title: (d.querySelector(':scope > summary')?.textContent ?? '').trim(),
      lines: [...d.querySelectorAll(':scope > ul > li.line')].map(
        (li) =>
          [li.getAttribute('data-status') ?? '', (li.textContent ?? '').replace(/\s+/g, ' ').trim()] as [
            string,
            string,
          ],
      ),
    })),
  );
}

/** The page's form: explain `prefix` at a NIC (`nic|RG|NIC|VM`) or toward a speaker (`peer|NAME|KIND`). */
async function explainFromForm(page: Page, prefix: string, at: string): Promise<void> {
  await page.fill('#explain-prefix', prefix);
  const value = await page.$eval(
    '#explain-at',
    (s, n) =>
      [...(s as unknown as { options: { value: string }[] }).options].find((o) => {
        const v = o.value.split('|');
        return v[0] === 'nic' ? v[2] === n : v[1] === n;
      })?.value ?? '',
    at,
  );
  assert.ok(value, `${at} is offered in the form`);
  await page.selectOption('#explain-at', value);
  await page.click('[data-action="explain"]');
  await page.waitForSelector(
    `[data-view="explain"][data-prefix="${prefix}"][data-at="${at}"] [data-view="explain-sections"]`,
  );
}

test('seed 001 in Chromium: every speaker and session as the API reports them, the explain view as the CLI explains, the trace drawn hop by hop, a circuit link cut and restored from the page, CLI faults drawn live, the timeline filtered by speaker and prefix', {
  skip: noChromium || noBird,
  timeout: 150_000,
}, async () => {
  await withWebLab('web-mr', 'multi-region', 'lab.yml', { 1: [248, 0], 2: [248, 128] }, async (w) => {
    const { page } = w;
    // --- 1. Every speaker and session ----------------------------------------------
    // From the lab file: 2 hubs × 2 route-server instances, er1's 2 instances (an ExpressRoute
    // gateway always runs two), the circuit's 2 MSEEs, the on-premises router, 5 VMs in 5 VNets.
    // Sessions: hub1nva and hub2nva with both instances of their hub's route server (4, TCP);
    // onprem with the MSEE of each link it attaches to (2); each er1 instance with both MSEEs
    // (4); hub1rs's instances with er1's, branch-to-branch being on (4, R-ARS-11); hub2 has
    // no gateway, so hub2rs has none. 14 in all; `arslab link list` lists each of them, TCP or
    // in process (the lab graph's sessions).
    await waitFor(
      'every session Established (arslab status, arslab link list)',
      async () => {
        const s = await w.json<Status>(['status']);
        const links = await w.json<{ name: string; state: string }[]>(['link', 'list']);
        return (
          s.routeServers.every((r) => r.instances.every((i) => i.peerings.every((p) => p.state === 'Established'))) &&
          links.length === 14 &&
          links.every((l) => l.state === 'Established')
        );
      },
      30_000,
    );
    const g = await waitFor(
      'the page to draw the 14 sessions Established',
      async () => {
        const x = await page.evaluate(() => window.__arslab!.graph());
        const bgp = x.edges.filter((e) => e.kind === 'bgp');
        return bgp.length === 14 && bgp.every((e) => e.state === 'Established' && e.color === 'rgb(46,125,50)')
          ? x
          : undefined;
      },
      15_000,
    );
    const names = (kind: string) =>
      g.nodes
        .filter((n) => n.kind === kind)
        .map((n) => n.label.split('\n')[0])
        .sort();
    assert.deepEqual(names('vnet'), ['hub1', 'hub2', 'spoke11', 'spoke12', 'spoke21']);
    assert.deepEqual(names('route-server'), ['hub1rs', 'hub1rs', 'hub2rs', 'hub2rs']);
    assert.deepEqual(names('gateway'), ['er1/0 ER', 'er1/1 ER']);
    assert.deepEqual(names('msee'), ['MSEE primary', 'MSEE secondary']);
    assert.deepEqual(names('router'), ['onprem']);
    assert.deepEqual(names('vm'), ['hub1nva · bird', 'hub2nva · bird', 'spoke11', 'spoke12', 'spoke21']);
    const links = await w.json<{ name: string; state: string }[]>(['link', 'list']);
    const drawnLabels = new Set(g.edges.filter((e) => e.kind === 'bgp').flatMap((e) => e.members));
    for (const l of links) assert.ok(drawnLabels.has(l.name), `session ${l.name} is drawn`);
    const topology = await w.api<TopologyView>('/arslab/topology');
    // The seeds' picture: on premises, circuit, hubs, spokes from left to right.
    const x = await page.evaluate(() => {
      const t = window.__arslab!.topology()!;
      const at = (kind: string, name: string) =>
        window.__arslab!.at(t.nodes.find((n) => n.kind === kind && n.name === name)!.id)!.x;
      return {
        onprem: at('router', 'onprem'),
        msee: at('msee', 'er-circuit/primary'),
        gateway: at('gateway', 'er1/0'),
        spoke: at('vm', 'spoke11'),
      };
    });
    assert.ok(x.onprem < x.msee && x.msee < x.gateway && x.gateway < x.spoke, `left to right: ${JSON.stringify(x)}`);
    await w.shot('multi-region-topology');

    // --- 2. The explain view ---------------------------------------------------------
    await explainFromForm(page, '1.2.3.0/24', 'spoke21VMNic');
    const cli = await w.json<ExplainResult>([
      'explain',
      '--nic',
      'spoke21VMNic',
      '-g',
      'routeserver',
      '--prefix',
      '1.2.3.0/24',
    ]);
    const shown = await shownExplain(page);
    assert.deepEqual(
      shown,
      flatten(cli.sections).map((s) => ({ title: s.title, lines: s.lines })),
      'the page shows the explanation the CLI prints, section by section',
    );
    assert.deepEqual(await page.$$eval('.explain-summary p', (ps) => ps.map((p) => p.textContent)), [...cli.summary]);
    // The seed's lesson: hub2's route server drops the path that carries its own AS 65515.
    const at65515 = shown.flatMap((s) => s.lines).find(([st, t]) => st === 'dropped' && t.includes('65515'));
    assert.ok(at65515, `a dropped line names 65515: ${JSON.stringify(shown)}`);
    await w.shot('multi-region-explain');

    // --- 3. The trace drawn on the graph ---------------------------------------------
    // Toward the on-premises router: the page explains what it is sent and traces from it.
    await explainFromForm(page, '10.1.16.0/24', 'onprem');
    const trace = await w.json<TraceResult>(['trace', '--from', 'onprem', '--to', '10.1.16.0']);
    const nodeOf = (name: string) =>
      topology.nodes.find(
        (n) =>
          n.name.toLowerCase() === name.toLowerCase() || n.aliases.some((a) => a.toLowerCase() === name.toLowerCase()),
      )!.id;
    const drawnPath = await waitFor(
      'the trace drawn',
      async () => {
        const e = (await page.evaluate(() => window.__arslab!.graph())).edges.filter((x) =>
          x.classes.includes('trace'),
        );
        return e.length ? e : undefined;
      },
      5000,
    );
    const expected: [string, string][] = [];
    for (const p of trace.paths) {
      const ids = p.hops.map((h) => nodeOf(h.name));
      for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1]) expected.push([ids[i - 1]!, ids[i]!]);
    }
    assert.deepEqual(
      drawnPath.map((e) => [e.source, e.target]),
      expected,
      'every hop of every path `arslab trace` answers, in order',
    );
    // On premises reaches spoke11's range over the circuit: the router's best path is from an
    // MSEE (AS 12076), which has it from er1's instances (AS 65515), which deliver into the hub
    // whose gateways the spoke uses; er1's two instances tie at the MSEE, so two paths.
    assert.deepEqual(
      trace.paths.map((p) => [p.hops.map((h) => h.kind), p.end]),
      [
        [['router', 'msee', 'expressroute-gateway'], 'vnet'],
        [['router', 'msee', 'expressroute-gateway'], 'vnet'],
      ],
    );
    await w.shot('multi-region-trace');

    // --- 4. Faults from the page: the circuit's primary link cut and restored ------------
    // The MSEE's card carries the CLI's `link down/up --circuit er-circuit --path primary` as
    // buttons (the same API call). Which sessions fall with the link is the lab's business
    // (onprem's with that MSEE at least: the link is what joins them); the page must draw each
    // session in the state `arslab link list` reports, without a reload.
    type Link = { name: string; state: string };
    const linkStates = async () => w.json<Link[]>(['link', 'list']);
    /** The page and `arslab link list` agree on every session, and `ok` holds of that list. */
    const agreeWhen = (what: string, ok: (links: Link[]) => boolean, ms: number) =>
      waitFor(
        what,
        async () => {
          const links = await linkStates();
          if (!ok(links)) return undefined;
          const drawn = (await page.evaluate(() => window.__arslab!.graph())).edges.filter((e) => e.kind === 'bgp');
          const all = links.every((l) => drawn.find((e) => e.members.includes(l.name))?.state === l.state);
          return all ? links : undefined;
        },
        ms,
      );
    const onpremPrimary = 'onprem<->er-circuit/primary';
    await clickDrawn(page, topology.nodes.find((n) => n.kind === 'msee' && n.name === 'er-circuit/primary')!.id);
    await page.click('[data-card^="msee:"] button[data-path="primary"][data-action="link down"]');
    const cut = await agreeWhen(
      'the page to draw the cut link as the CLI lists it',
      (ls) => ls.find((l) => l.name === onpremPrimary)?.state !== 'Established',
      15_000,
    );
    assert.ok(
      cut.some((l) => l.state === 'Established'),
      'the secondary link and the hubs keep their sessions',
    );
    await w.shot('multi-region-link-cut');
    await page.click('[data-card^="msee:"] button[data-path="primary"][data-action="link up"]');
    await agreeWhen(
      'the page to draw every session Established again',
      (ls) => ls.every((l) => l.state === 'Established'),
      30_000,
    );

    // --- 5. Live: a fault made with the CLI reaches the page by the event stream ---------
    // The page reads the topology again only on its own actions and on the stream's events:
    // a session cut with the CLI shows on it only if the stream delivered the change.
    const b2b = cut.find((l) => l.name.startsWith('hub1rs/IN_0<->er1/'))!.name;
    await w.cli.ok(['link', 'down', '--session', b2b]);
    await agreeWhen(
      `the page to draw ${b2b} as the CLI lists it, cut`,
      (ls) => ls.find((l) => l.name === b2b)?.state !== 'Established',
      15_000,
    );
    await w.cli.ok(['link', 'up', '--session', b2b]);
    await agreeWhen(
      'the page to draw it Established again',
      (ls) => ls.every((l) => l.state === 'Established'),
      30_000,
    );

    // --- 6. The timeline, filtered by speaker and by prefix ------------------------------
    // The filters' rule: rows whose source names the speaker (any case); rows whose message or
    // data carry the prefix; newest first. Checked against `arslab events -o json`: the rows
    // shown are exactly the events the lab logged that the rule keeps (up to the newest shown).
    type Ev = { seq: number; source: string; message: string; data?: unknown };
    const rows = () =>
      page.$$eval('[data-view="timeline"] tbody tr', (trs) => trs.map((tr) => Number(tr.getAttribute('data-seq'))));
    const filtered = async (keep: (e: Ev) => boolean) => {
      await page.waitForTimeout(300); // the table is redrawn on the next frame after typing
      const shown = await rows();
      const all = await w.json<Ev[]>(['events']);
      const newest = Math.max(...shown);
      return {
        shown,
        expected: all
          .filter((e) => e.seq <= newest && keep(e))
          .map((e) => e.seq)
          .reverse()
          .slice(0, 400),
      };
    };
    await page.click('[data-tab="timeline"]');
    await page.fill('[data-filter="speaker"]', 'OnPrem');
    const bySpeaker = await filtered((e) => e.source.toLowerCase().includes('onprem'));
    assert.ok(bySpeaker.shown.length > 0, 'onprem has events (its sessions, the link cut)');
    assert.deepEqual(bySpeaker.shown, bySpeaker.expected);
    await page.fill('[data-filter="speaker"]', '');
    await page.fill('[data-filter="prefix"]', '10.1.16.0/24');
    const byPrefix = await filtered(
      (e) => e.message.includes('10.1.16.0/24') || JSON.stringify(e.data ?? {}).includes('10.1.16.0/24'),
    );
    assert.ok(byPrefix.shown.length > 0, "spoke11's range was announced and withdrawn on the way");
    assert.deepEqual(byPrefix.shown, byPrefix.expected);
    await w.shot('multi-region-timeline');
  });
});
