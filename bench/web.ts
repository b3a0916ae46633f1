/**
 * Benchmark (h): the web page at Azure's maximum scale — 500 VNets, 4,000 VMs (bench/web/scaleLab.ts:
 * two hubs with route servers and built-in speakers over TCP, an ExpressRoute gateway,
 * circuit and on-premises router, 498 spokes) — against a small lab of the same shape as the
 * baseline. Run by hand, as root (BGP port 179), not in CI:
 *
 *   npm run build
 *   flock /tmp/arslab-tests.lock node dist/bench/web.js [--rounds 3] [--vnets 500 --vms 4000] [--expand-all] [--json FILE] [--cpu-profile DIR]
 *
 * Per lab, in this process: the lab started (Lab + ApiServer, as `arslab up` runs them) and
 * GET /arslab/topology timed (median of 5) and sized. Then, per round, a fresh page in
 * Debian's Chromium (headless, killed by PID at the end):
 * - time to first render: navigation start → the page's `arslab:first-render` mark (topology
 *   fetched, graph built, ELK layout done and drawn);
 * - JS heap after a forced GC (CDP Performance.getMetrics JSHeapUsedSize), DOM nodes;
 * - the longest main-thread task and the total blocking time (sum of long tasks beyond
 *   50 ms) during the load: whether the page froze;
 * - what is drawn (nodes, edges) against what the API holds;
 * - live update: a circuit link cut through the API → the page drawing that session as Cut;
 * - expanding the largest group of spokes from the page (click, 'expand'): time until laid
 *   out, longest task meanwhile.
 * `--expand-all` also expands every group (what aggregation avoids) once, and reports it.
 *
 * Everything binds 127.241–127.249 only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { ApiServer } from '../src/api/server.js';
import { Lab } from '../src/lab/lab.js';
import { formatLabFileError, loadLabText } from '../src/lab/topology/index.js';
import type { TopologyView } from '../src/lab/topologyView.js';
import { launchChromium } from '../test/helpers/chromium.js';
import '../test/web/pageHooks.js';
import { AZURE_MAX, type ScaleOptions, scaleLabYaml } from './web/scaleLab.js';

interface Args {
  rounds: number;
  vnets: number;
  vms: number;
  expandAll: boolean;
  json?: string;
  /** A folder: CPU profiles of the page (load and expansion), for bench/rs/profsummary.ts. */
  cpuProfile?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { rounds: 3, vnets: AZURE_MAX.vnets, vms: AZURE_MAX.vms, expandAll: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--rounds') a.rounds = Number(v());
    else if (k === '--vnets') a.vnets = Number(v());
    else if (k === '--vms') a.vms = Number(v());
    else if (k === '--expand-all') a.expandAll = true;
    else if (k === '--json') a.json = v();
    else if (k === '--cpu-profile') a.cpuProfile = v();
    else throw new Error(`unknown option ${k}`);
  }
  return a;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface PageRound {
  firstRenderMs: number;
  layoutMs: number;
  heapMB: number;
  domNodes: number;
  longestTaskMs: number;
  blockingMs: number;
  drawnNodes: number;
  drawnEdges: number;
  liveUpdateMs?: number;
  expand?: {
    nodes: number;
    ms: number;
    longestTaskMs: number;
    tasksOver200: number;
    secondLongestMs: number;
    /** Of which ELK in its worker, and the slices (graph.ts) with their count. */
    elkMs?: number;
    layouts?: number;
    slicedMs?: number;
    slices?: number;
  };
  /** The machine's 1-minute load average when the round started (a loaded 2-core machine stretches every task). */
  load: number;
}

/** Issue 14's bound for a task while a group expands: above it, the page feels frozen. */
const FROZEN_MS = 200;

/** Long tasks seen by the page since it loaded (registered before any script runs). */
const LONG_TASKS = `
  window.__longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });`;

async function longTasks(
  page: Page,
  since = 0,
): Promise<{ longest: number; second: number; blocking: number; over: number }> {
  const tasks = await page.evaluate(
    (t) => ((window as unknown as { __longTasks: [number, number][] }).__longTasks ?? []).filter(([s]) => s >= t),
    since,
  );
  const d = tasks.map(([, x]) => x).sort((a, b) => b - a);
  return {
    longest: d[0] ?? 0,
    second: d[1] ?? 0,
    blocking: d.reduce((a, x) => a + Math.max(0, x - 50), 0),
    over: d.filter((x) => x > FROZEN_MS).length,
  };
}

async function measureLab(name: string, o: ScaleOptions, args: Args) {
  const t0 = performance.now();
  const yaml = scaleLabYaml(o, name);
  const dir = mkdtempSync(join(tmpdir(), `arslab-bench-web-${name}-`));
  const loaded = loadLabText(yaml, join(dir, 'lab.yml'));
  if (!loaded.ok) throw new Error(loaded.errors.map(formatLabFileError).join('\n'));
  const tLoaded = performance.now();
  const lab = await Lab.start(loaded.spec, { stateDir: join(dir, 'state'), maxLifetimeSeconds: 900 });
  const api = new ApiServer(lab);
  const browser = await launchChromium();
  try {
    const addr = await api.listen('127.0.0.1', 0);
    const base = `http://127.0.0.1:${addr.port}`;
    // Every call carries the lab's token; the browser signs in by a one-time link (ADR 0010).
    const auth = { Authorization: `Bearer ${api.token}` };
    const openPage = async (page: Page) => {
      const { url } = (await (await fetch(`${base}/arslab/ui/codes`, { method: 'POST', headers: auth })).json()) as {
        url: string;
      };
      await page.goto(url);
    };
    const tStarted = performance.now();
    const tcp = o.hubs * 4;
    await until(
      'the speakers to establish',
      async () => {
        const t = (await (await fetch(`${base}/arslab/topology`, { headers: auth })).json()) as TopologyView;
        return t.edges.filter((e) => e.transport === 'tcp' && e.up).length === tcp;
      },
      60_000,
    );
    const apiMs: number[] = [];
    let bytes = 0;
    let view: TopologyView | undefined;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const text = await (await fetch(`${base}/arslab/topology`, { headers: auth })).text();
      apiMs.push(performance.now() - s);
      bytes = text.length;
      view = JSON.parse(text) as TopologyView;
    }
    const rounds: PageRound[] = [];
    for (let r = 0; r < args.rounds; r++) {
      const load = loadavg()[0]!;
      const page = await browser.newPage({ width: 1440, height: 900 });
      await page.addInitScript(LONG_TASKS);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const profiling = args.cpuProfile && r === 0;
      if (profiling) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      await openPage(page);
      await page.waitForFunction(() => window.__arslab?.ready || window.__arslab?.error, null, { timeout: 120_000 });
      const saveProfile = async (what: string) => {
        if (!profiling) return;
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
        mkdirSync(args.cpuProfile!, { recursive: true });
        writeFileSync(join(args.cpuProfile!, `${name}-${what}.cpuprofile`), JSON.stringify(profile));
        await cdp.send('Profiler.start');
      };
      await saveProfile('load');
      const err = await page.evaluate(() => window.__arslab?.error);
      if (err) throw new Error(`the page failed: ${err}`);
      const firstRenderMs = await page.evaluate(
        () => performance.getEntriesByName('arslab:first-render')[0]!.startTime,
      );
      const layoutMs = await page.evaluate(() => window.__arslab!.layoutMs());
      await sleep(300);
      const tasks = await longTasks(page);
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const metric = (n: string) => metrics.find((x) => x.name === n)?.value ?? Number.NaN;
      const g = await page.evaluate(() => window.__arslab!.graph());
      const round: PageRound = {
        firstRenderMs,
        layoutMs,
        heapMB: metric('JSHeapUsedSize') / 2 ** 20,
        domNodes: metric('Nodes'),
        longestTaskMs: tasks.longest,
        blockingMs: tasks.blocking,
        drawnNodes: g.nodes.length,
        drawnEdges: g.edges.length,
        load,
      };
      // Live: a circuit link cut through the API, until the page draws the session Cut.
      await until('the page to follow the stream', () => page.evaluate(() => window.__arslab!.connected()), 10_000);
      const cutAt = performance.now();
      await fetch(`${base}/arslab/links/down`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...auth },
        body: JSON.stringify({ circuit: 'er-circuit', path: 'primary' }),
      });
      await until(
        'the page to draw the cut',
        () =>
          page.evaluate(() =>
            window
              .__arslab!.graph()
              .edges.some((e) => e.members.includes('onprem<->er-circuit/primary') && e.state !== 'Established'),
          ),
        20_000,
      );
      round.liveUpdateMs = performance.now() - cutAt;
      await fetch(`${base}/arslab/links/up`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...auth },
        body: JSON.stringify({ circuit: 'er-circuit', path: 'primary' }),
      });
      // Expanding the largest group of spokes, as a user does: click it, then 'expand'.
      const biggest = [...view!.groups].filter((x) => x.kind === 'spokes').sort((x, y) => y.count - x.count)[0];
      const collapsed = biggest && (await page.evaluate((id) => window.__arslab!.at(id) !== null, biggest.id));
      if (biggest && collapsed) {
        const since = await page.evaluate(() => performance.now());
        const stats0 = await page.evaluate(() => window.__arslab!.renderStats?.());
        const at = (await page.evaluate((id) => window.__arslab!.at(id), biggest.id))!;
        await page.mouse.click(at.x, at.y);
        await page.waitForSelector(`[data-group="${biggest.id}"] [data-action="expand"]`);
        const s = performance.now();
        await page.click(`[data-group="${biggest.id}"] [data-action="expand"]`);
        await page.waitForSelector(`[data-group="${biggest.id}"] [data-action="collapse"]`, { timeout: 300_000 });
        const ms = performance.now() - s;
        await saveProfile('expand');
        const t = await longTasks(page, since);
        round.expand = {
          nodes: (await page.evaluate(() => window.__arslab!.graph())).nodes.length,
          ms,
          longestTaskMs: t.longest,
          secondLongestMs: t.second,
          tasksOver200: t.over,
          // Since the click (a page before 2026-12-08 has no render statistics).
          ...(await page.evaluate((r0) => {
            const r = window.__arslab!.renderStats?.();
            return r && r0
              ? {
                  elkMs: r.elkMs - r0.elkMs,
                  layouts: r.layouts - r0.layouts,
                  slicedMs: r.slicedMs - r0.slicedMs,
                  slices: r.slices - r0.slices,
                }
              : {};
          }, stats0)),
        };
      }
      rounds.push(round);
      await page.close();
    }
    let expandAll: { nodes: number; ms: number; longestTaskMs: number; heapMB: number } | undefined;
    if (args.expandAll) {
      const page = await browser.newPage({ width: 1440, height: 900 });
      await page.addInitScript(LONG_TASKS);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await openPage(page);
      await page.waitForFunction(() => window.__arslab?.ready, null, { timeout: 120_000 });
      const since = await page.evaluate(() => performance.now());
      const s = performance.now();
      // Spokes first (their VMs' groups appear inside), then every VM group.
      for (const kind of ['spokes', 'vms'] as const) await page.evaluate((k) => window.__arslab!.expandAll(k), kind);
      const ms = performance.now() - s;
      const t = await longTasks(page, since);
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      expandAll = {
        nodes: (await page.evaluate(() => window.__arslab!.graph())).nodes.length,
        ms,
        longestTaskMs: t.longest,
        heapMB: (metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20,
      };
      await page.close();
    }
    return {
      name,
      options: o,
      loadMs: tLoaded - t0,
      startMs: tStarted - tLoaded,
      apiNodes: view!.nodes.length,
      apiEdges: view!.edges.length,
      apiMs: median(apiMs),
      apiKiB: bytes / 1024,
      rounds,
      expandAll,
    };
  } finally {
    await browser.close();
    await api.close();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Result = Awaited<ReturnType<typeof measureLab>>;

function report(rs: readonly Result[]): string {
  const f = (x: number | undefined, d = 0) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  const m = (r: Result, k: (p: PageRound) => number | undefined) =>
    median(r.rounds.map(k).filter((x): x is number => x !== undefined));
  const rows = [
    [
      'lab',
      'VNets',
      'VMs',
      'API nodes/edges',
      'GET topology',
      'size',
      'drawn nodes/edges',
      'first render',
      'layout',
      'JS heap',
      'DOM nodes',
      'longest task',
      'blocking',
      'live update',
      'load avg',
      'expand spokes',
    ],
    ...rs.map((r) => [
      r.name,
      String(r.options.vnets),
      String(r.options.vms),
      `${r.apiNodes}/${r.apiEdges}`,
      `${f(r.apiMs, 1)} ms`,
      `${f(r.apiKiB)} KiB`,
      `${m(r, (p) => p.drawnNodes)}/${m(r, (p) => p.drawnEdges)}`,
      `${f(m(r, (p) => p.firstRenderMs))} ms`,
      `${f(m(r, (p) => p.layoutMs))} ms`,
      `${f(
        m(r, (p) => p.heapMB),
        1,
      )} MB`,
      f(m(r, (p) => p.domNodes)),
      `${f(m(r, (p) => p.longestTaskMs))} ms`,
      `${f(m(r, (p) => p.blockingMs))} ms`,
      `${f(m(r, (p) => p.liveUpdateMs))} ms`,
      r.rounds.map((p) => p.load.toFixed(1)).join('/'),
      r.rounds[0]?.expand
        ? `${m(r, (p) => p.expand?.nodes)} nodes in ${f(m(r, (p) => p.expand?.ms))} ms (longest task ${f(m(r, (p) => p.expand?.longestTaskMs))} ms, next ${f(m(r, (p) => p.expand?.secondLongestMs))} ms, ${m(r, (p) => p.expand?.tasksOver200)} over ${FROZEN_MS} ms; ELK ${f(m(r, (p) => p.expand?.elkMs))} ms in ${m(r, (p) => p.expand?.layouts)} layouts, ${m(r, (p) => p.expand?.slices)} slices in ${f(m(r, (p) => p.expand?.slicedMs))} ms)`
        : '-',
    ]),
  ];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  let out = rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const [small, big] = rs;
  if (small && big) {
    const ratio = (k: (p: PageRound) => number) => (m(big, k) / m(small, k)).toFixed(1);
    out += `\n\nratios (${big.name} / ${small.name}): first render ×${ratio((p) => p.firstRenderMs)}, JS heap ×${ratio((p) => p.heapMB)}, API answer ×${(big.apiMs / small.apiMs).toFixed(1)}`;
  }
  for (const r of rs)
    if (r.expandAll)
      out += `\n${r.name}, every group expanded (what aggregation avoids): ${r.expandAll.nodes} nodes drawn in ${f(r.expandAll.ms)} ms, longest task ${f(r.expandAll.longestTaskMs)} ms, JS heap ${f(r.expandAll.heapMB, 1)} MB`;
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const labs: [string, ScaleOptions][] = [
    ['small', { vnets: 3, vms: 8, hubs: 1, routesPerNva: AZURE_MAX.routesPerNva }],
    ['azure-max', { ...AZURE_MAX, vnets: args.vnets, vms: args.vms }],
  ];
  console.log(`bench web: ${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}, ${args.rounds} rounds`);
  const results: Result[] = [];
  for (const [name, o] of labs) {
    console.log(`-- ${name}: ${o.vnets} VNets, ${o.vms} VMs`);
    const r = await measureLab(`web-bench-${name}`, o, { ...args, expandAll: args.expandAll && name !== 'small' });
    console.log(`   lab file loaded in ${r.loadMs.toFixed(0)} ms, lab started in ${r.startMs.toFixed(0)} ms`);
    results.push(r);
  }
  console.log(`\n${report(results)}`);
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
