/**
 * Seed 000 (scenarios/next-hop-failover/lab.yml: the agent on watch1, web servers on ws1 and
 * ws2) in a real browser, as a user would use the page:
 *
 * 1. the graph: what it draws is what GET /arslab/topology answers, the seed's resources are
 *    there (from the lab file), and each route-server session is drawn in the state
 *    `arslab status` reports, coloured as Established — updated live, without a reload;
 * 2. lt1's effective routes, one click away, row for row what
 *    `arslab network nic show-effective-route-table … -o json` prints;
 * 3. a probe started from the page, ws1 stopped from the page: lt1's view shows the VIP's
 *    next hop moving to ws2 and the chart shows the gap, with the lab's own figures;
 *    a probe started with the CLI shows on the chart too; ws1 started from the page brings
 *    the VIP back.
 *
 * The lab binds 127.247.x instead of 127.10.x (webLab.ts); every address it shows is the
 * seed's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/waitFor.js';
import { noChromium } from '../helpers/chromium.js';
import type { DrawnEdge } from './pageHooks.js';
import { clickDrawn, withWebLab, type WebLab } from './webLab.js';
import type { TopologyView } from '../../src/lab/topologyView.js';

interface Status {
  routeServers: {
    name: string;
    instances: { instance: string; address: string; peerings: { name: string; peerIp: string; state: string }[] }[];
  }[];
}

interface EffectiveRoute {
  source: string;
  state: string;
  addressPrefix: string[];
  nextHopType: string;
  nextHopIpAddress: string[];
}

/** az's table rows of show-effective-route-table (azure-cli transform_effective_route_table): the page's columns. */
const azRows = (v: { value: EffectiveRoute[] }) =>
  v.value.map((r) => [r.source, r.state, r.addressPrefix.join(' '), r.nextHopType, r.nextHopIpAddress.join(' ')]);

const VM = (rg: string, name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const LT1 = VM('next-hop-ip-vm-rg', 'lt1');
const WS1 = VM('next-hop-ip-vm-rg', 'ws1');
const WATCH1 = VM('next-hop-ip-vm-rg', 'watch1');
const GREEN = 'rgb(46,125,50)';

/** The rows of lt1VMNic's effective-routes table on the page. */
function nicRows(page: Page): Promise<string[][]> {
  return page.$$eval('[data-view="effective-routes"][data-nic="lt1VMNic"] tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
  );
}

const vipNextHop = async (page: Page) => (await nicRows(page)).find((r) => r[2] === '100.64.0.1/32')?.[4];

async function cliRows(w: WebLab): Promise<string[][]> {
  return azRows(
    await w.json<{ value: EffectiveRoute[] }>([
      'network',
      'nic',
      'show-effective-route-table',
      '-g',
      'next-hop-ip-vm-rg',
      '-n',
      'lt1VMNic',
    ]),
  );
}

test("seed 000 in Chromium: the graph as the API answers, lt1's routes as the CLI prints them, ws1 stopped from the page moves the VIP and the chart shows the gap", {
  skip: noChromium,
  timeout: 90_000,
}, async () => {
  await withWebLab('web-seed0', 'next-hop-failover', 'lab.yml', { 10: [247, 0] }, async (w) => {
    const { page } = w;

    // --- 1. The graph -------------------------------------------------------------
    // Both sessions come up (the agent peers with IN_0 and IN_1, R-ARS-3); the page, loaded
    // maybe before that, must follow without a reload.
    const status = await waitFor(
      'both route-server sessions Established (arslab status)',
      async () => {
        const s = await w.json<Status>(['status']);
        const ok = s.routeServers[0]?.instances.every((i) => i.peerings.every((p) => p.state === 'Established'));
        return ok ? s : undefined;
      },
      20_000,
    );
    const drawn = await waitFor(
      'the page to draw both sessions Established',
      async () => {
        const g = await page.evaluate(() => window.__arslab!.graph());
        const bgp = g.edges.filter((e) => e.kind === 'bgp');
        return bgp.length === 2 && bgp.every((e) => e.state === 'Established') ? g : undefined;
      },
      10_000,
    );
    const topology = await w.api<TopologyView>('/arslab/topology');
    assert.deepEqual(
      drawn.nodes.map((n) => n.id).sort(),
      topology.nodes.map((n) => n.id).sort(),
      'every node of GET /arslab/topology is drawn (no group to collapse in seed 000), and nothing else',
    );
    const label = (id: string) => drawn.nodes.find((n) => n.id === id)?.label ?? '';
    const kinds = (k: string) => drawn.nodes.filter((n) => n.kind === k).map((n) => n.label.replace(/\n/g, ' '));
    // From the lab file: one VNet 10.10.0.0/16, three subnets, four VMs at the seed's addresses,
    // the route server's two instances at the 4th and 5th addresses of RouteServerSubnet (R-ARS-1).
    assert.deepEqual(kinds('vnet'), ['next-hop-ip-vnet 10.10.0.0/16']);
    assert.deepEqual(kinds('subnet').sort(), [
      'AzureBastionSubnet 10.10.2.0/24',
      'RouteServerSubnet 10.10.1.0/24',
      'default 10.10.0.0/24',
    ]);
    assert.deepEqual(kinds('route-server').sort(), [
      'next-hop-ip-routeserver IN_0 10.10.1.4',
      'next-hop-ip-routeserver IN_1 10.10.1.5',
    ]);
    assert.deepEqual(kinds('vm').sort(), [
      'lt1 10.10.0.6',
      'watch1 · agent 10.10.0.7',
      'ws1 · http 10.10.0.4',
      'ws2 · http 10.10.0.5',
    ]);
    assert.match(label(WS1), /^ws1/);
    // Each session: from an instance to watch1 (peerIp 10.10.0.7), in the state status reports, green.
    const inst = status.routeServers[0]!.instances;
    const bgp: DrawnEdge[] = drawn.edges.filter((e) => e.kind === 'bgp');
    for (const i of inst) {
      const p = i.peerings[0]!;
      assert.equal(p.peerIp, '10.10.0.7');
      const e = bgp.find((x) =>
        label(x.source).endsWith(`${i.instance.replace('RouteServiceRole_', '')} ${i.address}`),
      );
      assert.ok(e, `a session edge from ${i.instance}`);
      assert.equal(e.target, WATCH1);
      assert.equal(e.state, p.state);
      assert.equal(e.color, GREEN, 'Established is drawn green');
    }
    await w.shot('seed000-topology');

    // --- 2. lt1's effective routes, one click away --------------------------------
    await clickDrawn(page, LT1);
    await page.waitForSelector('[data-view="effective-routes"][data-nic="lt1VMNic"] tbody tr');
    const before = await waitFor(
      'lt1 on the page and in the CLI to agree',
      async () => {
        const [p, c] = [await nicRows(page), await cliRows(w)];
        return JSON.stringify(p) === JSON.stringify(c) ? p : undefined;
      },
      10_000,
    );
    // The agent announces the VIP with ws1 (its first healthy backend) as next hop: the row
    // Azure programs from the route server (R-ARS-8) in az's columns.
    assert.deepEqual(
      before.find((r) => r[2] === '100.64.0.1/32'),
      ['VirtualNetworkGateway', 'Active', '100.64.0.1/32', 'VirtualNetworkGateway', '10.10.0.4'],
    );
    await w.shot('seed000-nic-routes');

    // --- 3. A probe from the page; ws1 stopped from the page -----------------------
    await page.click('[data-tab="chart"]');
    await page.selectOption('[data-probe="from"]', 'lt1');
    await page.fill('[data-probe="to"]', '100.64.0.1');
    await page.fill('[data-probe="interval"]', '100');
    await page.fill('[data-probe="duration"]', '60');
    await page.click('[data-action="probe-start"]');
    await waitFor(
      '5 replies from ws1 on the chart',
      async () => {
        const p = await page.evaluate(() => window.__arslab!.probe());
        return p.results.filter((r) => r.result === 'ok' && r.vm === 'ws1').length >= 5;
      },
      10_000,
    );
    await clickDrawn(page, WS1);
    await page.click('[data-card^="vm:"][data-vm="ws1"] button[data-node="ws1"][data-action="stop"]');
    // lt1's card is still open and follows the lab: the VIP moves to ws2.
    await waitFor(
      "lt1's view to show the VIP via ws2 (10.10.0.5)",
      async () => (await vipNextHop(page)) === '10.10.0.5',
      10_000,
    );
    assert.deepEqual(
      await nicRows(page),
      await cliRows(w),
      'after the failover, too, the page shows what the CLI prints',
    );
    await waitFor(
      '5 replies from ws2 on the chart',
      async () => {
        const p = await page.evaluate(() => window.__arslab!.probe());
        return p.results.filter((r) => r.result === 'ok' && r.vm === 'ws2').length >= 5;
      },
      10_000,
    );
    await page.click('[data-action="probe-stop"]');
    const probe = await waitFor(
      'the lab to report the probe statistics',
      async () => {
        const p = await page.evaluate(() => window.__arslab!.probe());
        return p.summary ? p : undefined;
      },
      10_000,
    );
    // Replies from ws1, then none (ws1 stopped, the agent not yet moved), then from ws2.
    const res = probe.results;
    const firstLost = res.findIndex((r) => r.result !== 'ok');
    const firstWs2 = res.findIndex((r) => r.result === 'ok' && r.vm === 'ws2');
    assert.ok(firstLost > 0 && firstWs2 > firstLost, 'replies from ws1, a gap, then replies from ws2');
    assert.ok(res.slice(0, firstLost).every((r) => r.vm === 'ws1'));
    assert.ok(res.slice(firstLost, firstWs2).every((r) => r.result !== 'ok'));
    // The agent needs `fall: 3` failed checks 200 ms apart (watch1/agent.loopback.yaml) before it
    // moves the VIP: at least 400 ms without a reply; and it moves it within a few checks.
    const gap = probe.summary!.longestGapMs!;
    assert.ok(gap >= 400 && gap < 3000, `longest gap ${gap} ms`);
    assert.equal(probe.summary!.longestGap!.fromSeq, firstLost - 1, 'the longest gap is the failover');
    // The gap shaded on the chart is the one the lab reported with the probes (ProbeGap on
    // the live channel), not one the page worked out: closed, from ws1's last reply to ws2's
    // first, with the probes lost in between — the summary's longest gap.
    const shaded = await waitFor(
      'the failover gap shaded on the chart',
      async () =>
        (await page.evaluate(() => window.__arslab!.probe())).drawnGaps.find(
          (g) => !g.open && g.fromSeq === firstLost - 1,
        ),
      5000,
    );
    assert.deepEqual(
      { fromSeq: shaded.fromSeq, toSeq: shaded.toSeq, lost: shaded.lost },
      { fromSeq: firstLost - 1, toSeq: firstWs2, lost: firstWs2 - firstLost },
    );
    assert.deepEqual(probe.summary!.longestGap, { fromSeq: shaded.fromSeq, toSeq: shaded.toSeq, lost: shaded.lost });
    assert.ok(Math.abs(shaded.toT - shaded.fromT - gap) < 0.01, `${shaded.toT} - ${shaded.fromT} is the ${gap} ms gap`);
    // The figure on the page is the lab's: the same as the probe's end on the timeline.
    const text = await page.textContent('[data-view="probe-summary"] [data-field="longest-gap"]');
    assert.ok(text?.includes(`${gap} ms`), `the page shows the lab's longest gap: ${text}`);
    const events = await w.json<{ type: string; data?: { run?: number; longestGapMs?: number } }[]>(['events']);
    const done = events.find((e) => e.type === 'probe' && e.data?.run === probe.run);
    assert.equal(done?.data?.longestGapMs, gap);
    await w.shot('seed000-failover');

    // A probe started with the CLI shows on the chart as well (the lab's live channel).
    await w.cli.ok(['probe', '--from', 'lt1', '--to', '100.64.0.1', '--interval', '100ms', '--count', '5']);
    await waitFor(
      "the CLI's probe on the chart",
      async () => {
        const p = await page.evaluate(() => window.__arslab!.probe());
        return p.run !== probe.run && p.results.length === 5 && p.summary?.sent === 5;
      },
      10_000,
    );

    // ws1 started from the page: after `rise: 3` good checks the VIP goes back (failback: true).
    await page.click('[data-card^="vm:"][data-vm="ws1"] button[data-node="ws1"][data-action="start"]');
    await waitFor(
      "lt1's view to show the VIP via ws1 again",
      async () => (await vipNextHop(page)) === '10.10.0.4',
      15_000,
    );
  });
});
