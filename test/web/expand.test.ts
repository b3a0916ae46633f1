/**
 * Expanding and collapsing a group from the page (issue 14: a large lab's spokes are one node
 * until expanded): the graph is changed in place, in slices (web/src/graph.ts), so this checks
 * that what it ends up drawing is exactly what GET /arslab/topology answers for the groups as
 * the page asked them — every node and edge, none left over, none still hidden — after an
 * expansion, a collapse and an expansion again, with the lab's refreshes arriving meanwhile.
 *
 * The lab is bench/web/scaleLab.ts with 2 hubs and 18 spokes (9 per hub: more than the 6 the
 * API draws one by one), in process with its API as `arslab up` runs them, on 127.227–127.231.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ApiServer } from '../../src/api/server.js';
import type { TopologyView } from '../../src/lab/topologyView.js';
import { scaleLabYaml } from '../../bench/web/scaleLab.js';
import { launchChromium, noChromium } from '../helpers/chromium.js';
import { startTestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { clickDrawn } from './webLab.js';
import './pageHooks.js';

const OPTS = { vnets: 20, vms: 60, hubs: 2, routesPerNva: 2, octet: 227 };

/** What the page draws, as sorted ids (the page's own trace arrows aside), and whether any is still hidden. */
async function drawn(page: Page) {
  const g = await page.evaluate(() => window.__arslab!.graph());
  const edges = g.edges.filter((e) => !e.classes.includes('trace'));
  return {
    nodes: g.nodes.map((n) => n.id).sort(),
    edges: edges.map((e) => e.id).sort(),
    hidden: [...g.nodes, ...edges].filter((x) => x.hidden).map((x) => x.id),
  };
}

test('a group of spokes expanded, collapsed and expanded again from the page: drawn exactly as the API answers each time, nothing left hidden', {
  skip: noChromium,
  timeout: 120_000,
}, async () => {
  const t = await startTestLab('web-expand', scaleLabYaml(OPTS, 'web-expand'), {}, { maxLifetimeSeconds: 150 });
  const api = new ApiServer(t.lab);
  const browser = await launchChromium();
  try {
    const addr = await api.listen('127.0.0.1', 0);
    const base = `http://127.0.0.1:${addr.port}`;
    const auth = { Authorization: `Bearer ${api.token}` };
    const topology = async (query = '') =>
      (await (await fetch(`${base}/arslab/topology${query}`, { headers: auth })).json()) as TopologyView;
    const ids = (v: TopologyView) => ({
      nodes: v.nodes.map((n) => n.id).sort(),
      edges: v.edges.map((e) => e.id).sort(),
      hidden: [] as string[],
    });
    const page = await browser.newPage({ width: 1280, height: 800 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const { url } = (await (await fetch(`${base}/arslab/ui/codes`, { method: 'POST', headers: auth })).json()) as {
      url: string;
    };
    await page.goto(url);
    await page.waitForFunction(() => window.__arslab?.ready || window.__arslab?.error, null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.__arslab?.error ?? ''), '');

    // The API draws each hub's 9 spokes as one group (more than 6: ADR 0025).
    const collapsed = await topology();
    const groups = collapsed.groups.filter((g) => g.kind === 'spokes');
    assert.deepEqual(
      groups.map((g) => [g.count, g.collapsed]),
      [
        [9, true],
        [9, true],
      ],
    );
    const group = groups[0]!;
    await waitFor('the page to draw the collapsed topology', async () => {
      const d = await drawn(page);
      return JSON.stringify(d) === JSON.stringify(ids(collapsed));
    });

    const expandFromPage = async () => {
      await clickDrawn(page, group.id);
      await page.click(`[data-group="${group.id}"] [data-action="expand"]`);
      await page.waitForSelector(`[data-group="${group.id}"] [data-action="collapse"]`, { timeout: 30_000 });
    };
    // Expanded: the group's node gives way to its 9 spoke VNets (with their subnets and VMs)
    // and their peerings, exactly as the API draws the lab with that group expanded.
    await expandFromPage();
    const expanded = await topology(`?expand=${encodeURIComponent(group.id)}`);
    assert.ok(!expanded.nodes.some((n) => n.id === group.id), 'the group is no longer a node');
    assert.equal(
      expanded.nodes.filter((n) => n.kind === 'vnet').length,
      collapsed.nodes.filter((n) => n.kind === 'vnet').length + 9,
    );
    await waitFor('the page to draw the expanded topology, all of it shown', async () => {
      const d = await drawn(page);
      return JSON.stringify(d) === JSON.stringify(ids(expanded));
    });

    // Collapsed again from the same card: back to the collapsed drawing, nothing left over.
    await page.click(`[data-group="${group.id}"] [data-action="collapse"]`);
    await page.waitForSelector(`[data-group="${group.id}"] [data-action="expand"]`, { timeout: 30_000 });
    const again = await topology(`?collapse=${encodeURIComponent(group.id)}`);
    assert.deepEqual(ids(again), ids(collapsed));
    await waitFor('the page to draw the collapsed topology again', async () => {
      const d = await drawn(page);
      return JSON.stringify(d) === JSON.stringify(ids(collapsed));
    });

    // And expanded again while the lab changes (a circuit link cut: the page refreshes from
    // the event stream during the expansion).
    const cut = fetch(`${base}/arslab/links/down`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth },
      body: JSON.stringify({ circuit: 'er-circuit', path: 'primary' }),
    });
    await expandFromPage();
    assert.equal((await cut).status, 200);
    await waitFor('the page to draw the expanded topology after the refreshes', async () => {
      const d = await drawn(page);
      return JSON.stringify(d) === JSON.stringify(ids(expanded));
    });
    const onprem = await waitFor('the cut session drawn in the state the API reports', async () => {
      const v = await topology(`?expand=${encodeURIComponent(group.id)}`);
      const want = v.edges.find((e) => e.label === 'onprem<->er-circuit/primary')!;
      const g = await page.evaluate(() => window.__arslab!.graph());
      const have = g.edges.find((e) => e.id === want.id);
      return want.state !== 'Established' && have?.state === want.state ? want : undefined;
    });
    assert.notEqual(onprem.state, 'Established');
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await browser.close();
    await api.close();
    await t.stop();
  }
});
