/**
 * Soak benchmark (issue 8): 8 NVAs × 4,000 routes flapping — announcements, withdrawals,
 * attribute changes — against both route-server instances for 10 minutes, one of the NVAs
 * reading slowly. The lab runs as users run it (`arslab up`, its own process); the NVAs are
 * RawPeers (src/bgp/transport/testkit.ts) in this process, two sessions each (IN_0, IN_1).
 * Run by hand, as root, not in CI:
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/soak.js                 # 10 minutes
 *   node dist/bench/soak.js --seconds 30    # the quick check
 *
 * What it prints, and checks at the end (exit code 1 when a check fails):
 * - the lab process's RSS, V8 heap after a full GC (preloaded probe, SIGUSR2) and open file
 *   descriptors early (minute 1) and at the end of the churn (minute 10), and again once the
 *   lab has settled: RSS and fds must be back to the early plateau;
 * - Adj-RIB-In: each instance's learned routes from each NVA (`list-learned-routes`) equal
 *   what that NVA last sent;
 * - effective routes: every NIC's table (`show-effective-route-table`) equals the one a
 *   fresh lab computes when the same NVAs announce only their final routes;
 * - the slow NVA: once it reads again it holds exactly what the fresh lab sends it, and its
 *   sessions never went down (ADR 0014: held changes, no loss).
 *
 * Route limits (R-ARS-5): each NVA announces from a pool of 4,000 prefixes and holds about
 * 2,900 of them at a time, so held + the prefixes of any UPDATE stay within the per-peer 4,000.
 * All eight announce the same pool (ECMP and best-path changes on every flap), which holds up
 * to 32,000 paths per instance: the lab raises `maxRoutesTotal` (Azure's total is 10,000).
 *
 * Everything listens on 127.173.0.0/16; processes are stopped by PID on any exit.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CONTEXT_4OCTET,
  formatIpv4,
  formatPrefix,
  packUpdates,
  v4Prefix,
  type PathAttributes,
  type Prefix,
} from '../src/bgp/wire/index.js';
import { RawPeer } from '../src/bgp/transport/testkit.js';
import { getJson, procCpuSeconds, procMemory } from './rs/clients.js';
import { startLab, type RunningLab } from './rs/lab.js';

// ---------------------------------------------------------------------------------------------
// Arguments

interface Args {
  seconds: number;
  nvas: number;
  routes: number;
  /** Prefixes one flap step touches. */
  slice: number;
  /** One NVA flaps every tick, in turn. */
  tickMs: number;
  /** Bytes per second the slow NVA reads, per session. */
  slowBps: number;
  keep: boolean;
  json?: string;
}

function usage(msg?: string): never {
  if (msg) console.error(`soak: ${msg}`);
  console.error(
    [
      'usage: node dist/bench/soak.js [options]',
      '  --seconds N    churn duration (default 600; 30 for a quick check)',
      '  --nvas N       NVAs, 2..8 (default 8; R-ARS-3 allows 8 peerings); the last one reads slowly',
      '  --routes N     prefixes each NVA flaps, ≤ 4000 (default 4000, R-ARS-5)',
      '  --slice N      prefixes one flap step touches (default 400)',
      '  --tick-ms N    one flap step every N ms, NVAs in turn (default 250)',
      '  --slow-bps N   what the slow NVA reads per session, bytes/s (default 1024: below what it is sent)',
      '  --json FILE    also write the figures as JSON',
      '  --keep         keep the run folder (lab files, logs)',
    ].join('\n'),
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seconds: 600, nvas: 8, routes: 4000, slice: 400, tickMs: 250, slowBps: 1024, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const int = (min: number, max = Number.MAX_SAFE_INTEGER): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < min || v > max) usage(`${flag}: an integer in ${min}..${max} is needed`);
      return v;
    };
    if (flag === '--seconds') a.seconds = int(5);
    else if (flag === '--nvas') a.nvas = int(2, 8);
    else if (flag === '--routes') a.routes = int(10, 4000);
    else if (flag === '--slice') a.slice = int(1);
    else if (flag === '--tick-ms') a.tickMs = int(10);
    else if (flag === '--slow-bps') a.slowBps = int(1024);
    else if (flag === '--json') a.json = argv[++i] ?? usage('--json needs a file');
    else if (flag === '--keep') a.keep = true;
    else usage(`unknown option ${flag}`);
  }
  a.slice = Math.min(a.slice, a.routes);
  return a;
}

// ---------------------------------------------------------------------------------------------
// The lab and the NVAs

const NET = 173;
const ROUTE_LIMIT = 4000; // R-ARS-5 maxRoutesPerPeer, the lab's default
const LAB = 'soak';
const here = dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const nvaIp = (k: number) => `10.${NET}.0.${3 + k}`;
const nvaLoopback = (k: number) => `127.${NET}.0.${3 + k}`;
const nvaAsn = (k: number) => 65000 + k;
const INSTANCES = [`127.${NET}.1.4`, `127.${NET}.1.5`] as const;
const INSTANCE_NAMES = ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'] as const;

function labYaml(a: Args): string {
  const ks = Array.from({ length: a.nvas }, (_, i) => i + 1);
  return `name: ${LAB}
location: westeurope
settings:
  connectRetryTime: 1
  # R-ARS-5: the per-peer limit stays 4,000; the total (10,000 in Azure) is raised to hold
  # every NVA's paths for the same pool of prefixes.
  routeServer: { maxRoutesTotal: ${a.nvas * ROUTE_LIMIT + 1000} }
resourceGroups:
  rg:
    virtualNetworks:
      hub:
        addressPrefixes: [10.${NET}.0.0/16]
        subnets:
          RouteServerSubnet: { addressPrefix: 10.${NET}.1.0/26 }
          nva: { addressPrefix: 10.${NET}.0.0/24 }
          workload: { addressPrefix: 10.${NET}.2.0/24 }
    routeServers:
      rs:
        subnet: hub/RouteServerSubnet
        peerings:
${ks.map((k) => `          nva${k}: { peerIp: ${nvaIp(k)}, peerAsn: ${nvaAsn(k)} }`).join('\n')}
    virtualMachines:
${ks.map((k) => `      nva${k}: { subnet: hub/nva, privateIPAddress: ${nvaIp(k)} }`).join('\n')}
      vm1: { subnet: hub/workload, privateIPAddress: 10.${NET}.2.4 }
`;
}

const nics = (a: Args): string[] => [...Array.from({ length: a.nvas }, (_, i) => `nva${i + 1}VMNic`), 'vm1VMNic'];

/** The shared pool: 100.64.0.0/24, 100.64.1.0/24, … */
const prefixOf = (i: number): Prefix => v4Prefix(((100 << 24) | (64 << 16)) + i * 256, 24);

/**
 * A route as an NVA announces it: AS path (its ASN, repeated) and one community, which differs
 * from prefix to prefix (so that every announcement is an UPDATE of its own, as when an NVA
 * tags routes per prefix: the route server then sends one UPDATE per changed prefix too).
 */
interface Route {
  readonly len: number;
  readonly community: number;
}

/** A deterministic PRNG (mulberry32), so that two runs flap alike. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Nva {
  /** What this NVA announces now (prefix index → route); absent = withdrawn. */
  readonly table = new Map<number, Route>();
  readonly sessions: RawPeer[] = [];
  readonly random: () => number;
  changes = 0;
  skippedForLimit = 0;

  constructor(
    readonly k: number,
    readonly a: Args,
  ) {
    this.random = rng(k * 7919);
  }

  get name(): string {
    return `nva${this.k}`;
  }

  async connect(): Promise<void> {
    for (const instance of INSTANCES) {
      this.sessions.push(
        await RawPeer.open({
          remote: { address: instance, port: 179 },
          localAddress: nvaLoopback(this.k),
          asn: nvaAsn(this.k),
          routerId: ((10 << 24) | (NET << 16) | (3 + this.k)) >>> 0,
          holdTime: 90,
          timeoutMs: 30_000,
        }),
      );
    }
  }

  /** UPDATEs that take the other side from nothing (or `from`) to `to`, grouped by attribute set. */
  frames(withdrawn: number[], announced: Map<number, Route>): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (withdrawn.length) out.push(...packUpdates({ withdrawn: withdrawn.map(prefixOf) }, CONTEXT_4OCTET));
    const groups = new Map<string, { r: Route; nlri: Prefix[] }>();
    for (const [i, r] of announced) {
      const key = `${r.len}/${r.community}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { r, nlri: [] }));
      g.nlri.push(prefixOf(i));
    }
    for (const { r, nlri } of groups.values()) {
      const attributes: PathAttributes = {
        origin: 0,
        asPath: [{ type: 2, asns: new Array<number>(r.len).fill(nvaAsn(this.k)) }],
        nextHop: (((10 << 24) | (NET << 16) | (3 + this.k)) >>> 0) as number,
        communities: [((nvaAsn(this.k) << 16) | r.community) >>> 0],
      };
      out.push(...packUpdates({ withdrawn: [], announce: { attributes, nlri } }, CONTEXT_4OCTET));
    }
    return out;
  }

  async sendToBoth(frames: Uint8Array[]): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.send(frames)));
  }

  /** The first table: about three quarters of the pool. */
  initial(): Uint8Array[] {
    for (let i = 0; i < this.a.routes; i++)
      if (this.random() < 0.73) this.table.set(i, { len: 1 + Math.floor(this.random() * 3), community: i });
    return this.frames([], this.table);
  }

  /**
   * One flap step over `slice` prefixes: a withdrawn prefix comes back (80 %), an announced one
   * is withdrawn (30 %) or changes its AS path length and community (70 %). The table stays at
   * about 73 % of the pool; an announcement that would pass R-ARS-5 (held + the UPDATE's
   * prefixes > 4,000) is not made.
   */
  step(step: number): Uint8Array[] {
    const withdrawn: number[] = [];
    const announced = new Map<number, Route>();
    const start = (step * this.a.slice) % this.a.routes;
    for (let j = 0; j < this.a.slice; j++) {
      const i = (start + j) % this.a.routes;
      const was = this.table.get(i);
      const x = this.random();
      const community = (step * 7 + i) & 0xffff;
      if (!was) {
        if (x < 0.8) announced.set(i, { len: 1 + Math.floor(this.random() * 3), community });
      } else if (x < 0.3) withdrawn.push(i);
      else announced.set(i, { len: 1 + Math.floor(this.random() * 3), community });
    }
    for (const i of withdrawn) this.table.delete(i);
    const room = ROUTE_LIMIT - this.table.size;
    if (announced.size > room) {
      // A new prefix counts twice (held after, and in the UPDATE): keep within the limit.
      for (const i of [...announced.keys()]) {
        if (announced.size <= room) break;
        announced.delete(i);
        this.skippedForLimit++;
      }
    }
    for (const [i, r] of announced) this.table.set(i, r);
    this.changes += withdrawn.length + announced.size;
    return this.frames(withdrawn, announced);
  }

  /** Learned routes as `list-learned-routes` must show them (R-ARS-10): "network nextHop asPath". */
  expectedLearned(): string[] {
    return [...this.table]
      .map(
        ([i, r]) => `${formatPrefix(prefixOf(i))} ${nvaIp(this.k)} ${new Array(r.len).fill(nvaAsn(this.k)).join('-')}`,
      )
      .sort();
  }

  close(): void {
    for (const s of this.sessions) s.close();
  }
}

const showAttrs = (a: PathAttributes): string =>
  `${(a.asPath ?? []).flatMap((s) => s.asns).join(' ')} | ${a.nextHop === undefined ? '' : formatIpv4(a.nextHop)} | ${(a.communities ?? []).join(',')}`;

const received = (p: RawPeer): Map<string, string> =>
  new Map([...p.routes].map(([prefix, attrs]) => [prefix, showAttrs(attrs)]));

function diff(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, max = 5): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${v} / ${b.get(k) ?? 'absent'}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`${k}: absent / ${b.get(k)}`);
  return out.slice(0, max).concat(out.length > max ? [`… ${out.length - max} more`] : []);
}

// ---------------------------------------------------------------------------------------------
// Measurements of the lab process

interface Sample {
  t: number;
  rssMB: number;
  fds: number;
  cpuS: number;
  heapMB?: number;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** V8 heap used after a full GC, from the preloaded probe (bench/rs/probe.ts). */
async function heapAfterGc(pid: number, probeOut: string): Promise<number | undefined> {
  const lines = (): string[] => (existsSync(probeOut) ? readFileSync(probeOut, 'utf8').trim().split('\n') : []);
  const before = lines().filter(Boolean).length;
  process.kill(pid, 'SIGUSR2');
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    await sleep(50);
    const l = lines().filter(Boolean);
    if (l.length > before) {
      const j = JSON.parse(l.at(-1)!) as { heapUsed?: number };
      return j.heapUsed === undefined ? undefined : j.heapUsed / 2 ** 20;
    }
  }
  return undefined;
}

async function sample(lab: RunningLab, t0: number, probeOut?: string): Promise<Sample> {
  const m = procMemory(lab.pid);
  const s: Sample = {
    t: (Date.now() - t0) / 1000,
    rssMB: (m?.rss ?? 0) / 2 ** 20,
    fds: fdCount(lab.pid),
    cpuS: procCpuSeconds(lab.pid) ?? 0,
  };
  if (probeOut) {
    const h = await heapAfterGc(lab.pid, probeOut);
    if (h !== undefined) s.heapMB = h;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reading the lab through the CLI (as users do)

interface LearnedRoute {
  network: string;
  nextHop: string;
  asPath: string;
}

async function learned(lab: RunningLab, nva: Nva): Promise<Record<string, string[]>> {
  const r = (await lab.cli([
    'network',
    'routeserver',
    'peering',
    'list-learned-routes',
    '-g',
    'rg',
    '--routeserver',
    'rs',
    '-n',
    nva.name,
  ])) as Record<string, LearnedRoute[]>;
  const out: Record<string, string[]> = {};
  for (const inst of INSTANCE_NAMES)
    out[inst] = (r[inst] ?? []).map((x) => `${x.network} ${x.nextHop} ${x.asPath}`).sort();
  return out;
}

/** The NVAs whose learned routes differ from what they last sent, per instance. */
async function ribInDifferences(lab: RunningLab, nvas: readonly Nva[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of nvas) {
    const want = n.expectedLearned();
    const got = await learned(lab, n);
    for (const inst of INSTANCE_NAMES) {
      const g = got[inst]!;
      if (g.length !== want.length || g.some((x, i) => x !== want[i]))
        out.push(`${n.name}@${inst}: ${g.length} learned, ${want.length} sent`);
    }
  }
  return out;
}

async function effectiveRoutes(lab: RunningLab, nic: string): Promise<string[]> {
  const r = (await lab.cli(['network', 'nic', 'show-effective-route-table', '-g', 'rg', '-n', nic])) as {
    value?: {
      source: string;
      state: string;
      addressPrefix: string[];
      nextHopType: string;
      nextHopIpAddress: string[];
    }[];
  };
  return (r.value ?? [])
    .map((e) => `${e.source} ${e.state} ${e.addressPrefix.join(',')} ${e.nextHopType} ${e.nextHopIpAddress.join(',')}`)
    .sort();
}

interface PeeringStatus {
  name: string;
  state: string;
  routesReceived: number;
  upSince?: string;
  lastDown?: string;
  sendQueue?: { bytes: number; peak: number; blocked: number };
}

async function peeringStatus(lab: RunningLab): Promise<Record<string, PeeringStatus[]>> {
  // The API's GET /arslab/status itself, not `arslab status`: the CLI gives a lab 3 s to
  // answer (it tells a stopped lab from a busy one), and a lab loading 32,000 paths is busy.
  const s = (await getJson(lab.api.host, lab.api.port, '/arslab/status', lab.token, 60_000)) as {
    routeServers: { instances: { instance: string; peerings: PeeringStatus[] }[] }[];
  };
  const out: Record<string, PeeringStatus[]> = {};
  for (const i of s.routeServers[0]!.instances) out[i.instance] = i.peerings;
  return out;
}

/**
 * Every instance holds as many routes from each NVA as the NVA announces (`arslab status`, a
 * GET: unlike the listings, no long-running operation whose result the API keeps).
 */
async function countsMatch(lab: RunningLab, nvas: readonly Nva[]): Promise<boolean> {
  const st = await peeringStatus(lab);
  return INSTANCE_NAMES.every((i) =>
    nvas.every((n) => st[i]!.find((p) => p.name === n.name)?.routesReceived === n.table.size),
  );
}

async function until(what: string, fn: () => Promise<boolean>, ms: number, everyMs = 2000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------

async function runLab(dir: string, a: Args): Promise<{ lab: RunningLab; probeOut: string }> {
  mkdirSync(dir, { recursive: true });
  const labFile = join(dir, 'lab.yml');
  writeFileSync(labFile, labYaml(a));
  const probeOut = join(dir, 'probe.jsonl');
  const lab = await startLab({
    dir,
    labFile,
    name: LAB,
    // The flags bin/arslab runs the lab with, plus the heap probe.
    nodeFlags: [
      '--enable-source-maps',
      '--max-semi-space-size=4',
      '--expose-gc',
      '--import',
      pathToFileURL(join(here, 'rs', 'probe.js')).href,
    ],
    env: { ARSLAB_BENCH_PROBE_OUT: probeOut },
    maxLifetimeSeconds: a.seconds + 900,
  });
  return { lab, probeOut };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'soak-'));
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(sig, () => void cleanup().then(() => process.exit(130)));
  const failures: string[] = [];
  const slowK = a.nvas;
  console.log(
    `soak: ${a.nvas} NVAs × ${a.routes} routes flapping against both instances for ${a.seconds} s; ` +
      `one flap step (${a.slice} prefixes) every ${a.tickMs} ms, NVAs in turn; nva${slowK} reads ${a.slowBps} B/s per session`,
  );
  try {
    // ---- the soaked lab
    const { lab, probeOut } = await runLab(join(root, 'soaked'), a);
    cleanups.push(() => lab.stop());
    const nvas = Array.from({ length: a.nvas }, (_, i) => new Nva(i + 1, a));
    for (const n of nvas) {
      await n.connect();
      cleanups.push(() => n.close());
    }
    const slow = nvas[slowK - 1]!;
    for (const s of slow.sessions) s.readSlowly(a.slowBps);
    for (const n of nvas) await n.sendToBoth(n.initial());
    await until('the initial tables learned', () => countsMatch(lab, nvas), 180_000);
    const base = await sample(lab, Date.now(), probeOut);
    console.log(
      `  loaded: RSS ${base.rssMB.toFixed(0)} MB, heap after GC ${base.heapMB?.toFixed(0) ?? '?'} MB, ${base.fds} fds`,
    );

    // ---- churn
    const early = Math.min(60, a.seconds * 0.2);
    const samples: Sample[] = [];
    const t0 = Date.now();
    let step = 0;
    let earlySample: Sample | undefined;
    let nextReport = 0;
    while (Date.now() - t0 < a.seconds * 1000) {
      const tick = Date.now();
      const n = nvas[step % nvas.length]!;
      await n.sendToBoth(n.step(Math.floor(step / nvas.length)));
      step++;
      const t = (Date.now() - t0) / 1000;
      if (!earlySample && t >= early) {
        earlySample = await sample(lab, t0, probeOut);
        samples.push(earlySample);
      }
      if (t >= nextReport) {
        const s = await sample(lab, t0);
        samples.push(s);
        nextReport = t + Math.max(5, a.seconds / 20);
        console.log(
          `  t=${t.toFixed(0)} s: RSS ${s.rssMB.toFixed(0)} MB, ${s.fds} fds, lab CPU ${s.cpuS.toFixed(0)} s, ` +
            `${nvas.reduce((x, v) => x + v.changes, 0)} route changes sent, slow NVA has read ${(slow.sessions.reduce((x, s) => x + s.bytesReceived, 0) / 2 ** 20).toFixed(1)} MB`,
        );
      }
      const wait = a.tickMs - (Date.now() - tick);
      if (wait > 0) await sleep(wait);
    }
    const churnSeconds = (Date.now() - t0) / 1000;
    const endSample = await sample(lab, t0, probeOut);
    samples.push(endSample);
    const statusAtEnd = await peeringStatus(lab);

    // ---- settle: the lab has taken everything; the slow NVA reads the rest. Measured before
    // any listing is asked for (the checks below), so that only the soak is in the figures.
    const convergedMs = await until(
      'every instance holding what the NVAs last sent',
      () => countsMatch(lab, nvas),
      180_000,
      500,
    );
    for (const s of slow.sessions) s.readAgain();
    await until(
      'the slow NVA drained',
      async () => {
        const st = await peeringStatus(lab);
        const before = slow.sessions.map((s) => s.bytesReceived);
        await sleep(1000);
        return (
          INSTANCE_NAMES.every((i) => st[i]!.find((p) => p.name === slow.name)?.sendQueue?.bytes === 0) &&
          slow.sessions.every((s, j) => s.bytesReceived === before[j])
        );
      },
      180_000,
    );
    await sleep(6000); // HTTP keep-alive connections of the status calls close after 5 s
    const settled = await sample(lab, t0, probeOut);
    const ribIn = await ribInDifferences(lab, nvas);
    const effective = new Map<string, string[]>();
    for (const nic of nics(a)) effective.set(nic, await effectiveRoutes(lab, nic));
    const slowReceived = slow.sessions.map(received);
    const statusSettled = await peeringStatus(lab);
    const totalChanges = nvas.reduce((x, v) => x + v.changes, 0);
    const skipped = nvas.reduce((x, v) => x + v.skippedForLimit, 0);
    const finalTables = nvas.map((n) => new Map(n.table));
    for (const n of nvas) n.close();
    await lab.stop();
    cleanups.length = 0;

    // ---- a fresh lab, the same NVAs announcing only their final tables
    const fresh = await runLab(join(root, 'fresh'), a);
    cleanups.push(() => fresh.lab.stop());
    const again = Array.from({ length: a.nvas }, (_, i) => new Nva(i + 1, a));
    for (const n of again) {
      for (const [i, r] of finalTables[n.k - 1]!) n.table.set(i, r);
      await n.connect();
      cleanups.push(() => n.close());
    }
    for (const n of again) await n.sendToBoth(n.frames([], n.table));
    await until('the fresh lab learned the final tables', () => countsMatch(fresh.lab, again), 180_000);
    await sleep(3000);
    const freshEffective = new Map<string, string[]>();
    for (const nic of nics(a)) freshEffective.set(nic, await effectiveRoutes(fresh.lab, nic));
    const freshSlow = again[slowK - 1]!.sessions.map(received);
    for (const n of again) n.close();
    await fresh.lab.stop();
    cleanups.length = 0;

    // ---- report
    const effDiff: string[] = [];
    for (const nic of nics(a)) {
      const x = effective.get(nic)!;
      const y = freshEffective.get(nic)!;
      if (x.length !== y.length || x.some((v, i) => v !== y[i]))
        effDiff.push(`${nic}: ${x.length} rows after the soak, ${y.length} fresh`);
    }
    const slowDiff = slowReceived.flatMap((m, j) => diff(m, freshSlow[j]!).map((d) => `${INSTANCE_NAMES[j]}: ${d}`));
    const slowSt = INSTANCE_NAMES.map((i) => statusSettled[i]!.find((p) => p.name === slow.name)!);
    const flapped = INSTANCE_NAMES.flatMap((i) =>
      statusSettled[i]!.filter((p) => p.lastDown).map((p) => `${p.name}@${i}`),
    );
    const e = earlySample ?? samples[0]!;
    const rssRatio = endSample.rssMB / e.rssMB;
    const peakRss = Math.max(...samples.map((x) => x.rssMB));

    console.log('');
    console.log(
      `churn: ${churnSeconds.toFixed(0)} s, ${totalChanges} route changes sent to each instance (${(totalChanges / churnSeconds).toFixed(0)}/s), ${skipped} announcements left out for R-ARS-5`,
    );
    console.log(`converged ${(convergedMs / 1000).toFixed(1)} s after the churn stopped`);
    console.log('');
    console.log('                        RSS MB   heap after GC MB   fds');
    const row = (label: string, s: Sample) =>
      console.log(
        `  ${label.padEnd(20)}  ${s.rssMB.toFixed(0).padStart(6)}   ${(s.heapMB?.toFixed(0) ?? '?').padStart(16)}   ${String(s.fds).padStart(3)}`,
      );
    row('loaded', base);
    row(a.seconds >= 300 ? 'minute 1' : `t=${e.t.toFixed(0)} s`, e);
    row(
      a.seconds >= 300 ? `minute ${Math.round(churnSeconds / 60)}` : `t=${endSample.t.toFixed(0)} s (end)`,
      endSample,
    );
    row('settled', settled);
    console.log(
      `  RSS end / early: ${rssRatio.toFixed(2)}; fds early ${e.fds}, end ${endSample.fds}, settled ${settled.fds}`,
    );
    console.log('');
    console.log(
      `slow NVA (${slow.name}): send queue at the end of the churn ${INSTANCE_NAMES.map((i) => statusAtEnd[i]!.find((p) => p.name === slow.name)?.sendQueue?.bytes ?? '?').join(' / ')} B, ` +
        `peak ${slowSt.map((p) => p.sendQueue?.peak ?? '?').join(' / ')} B, blocked ${slowSt.map((p) => p.sendQueue?.blocked ?? '?').join(' / ')} times (IN_0 / IN_1)`,
    );
    const check = (ok: boolean, text: string, details: string[] = []): void => {
      console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${text}`);
      for (const d of details.slice(0, 8)) console.log(`         ${d}`);
      if (!ok) failures.push(text);
    };
    console.log('checks:');
    check(ribIn.length === 0, `Adj-RIB-In of both instances equals what each of the ${a.nvas} NVAs last sent`, ribIn);
    check(
      effDiff.length === 0,
      `effective routes of all ${nics(a).length} NICs equal a fresh lab's (${effective.get('vm1VMNic')!.length} rows each for vm1VMNic)`,
      effDiff,
    );
    check(
      slowDiff.length === 0,
      `the slow NVA holds exactly what a fresh lab sends it (${slowReceived.map((m) => m.size).join(' / ')} routes)`,
      slowDiff,
    );
    check(flapped.length === 0, 'no session went down', flapped);
    check(settled.fds === e.fds, `fds back to the plateau (${e.fds} → ${settled.fds})`);
    const heapRatio = (settled.heapMB ?? 0) / (e.heapMB ?? 1);
    check(
      heapRatio < 1.1,
      `heap after GC back to the plateau (${e.heapMB?.toFixed(0)} MB early → ${settled.heapMB?.toFixed(0)} MB settled)`,
    );
    check(
      settled.rssMB <= peakRss * 1.02,
      `RSS no higher than during the churn (${settled.rssMB.toFixed(0)} MB settled, ${peakRss.toFixed(0)} MB at most during it)`,
    );
    if (a.json)
      writeFileSync(
        a.json,
        JSON.stringify(
          {
            args: a,
            churnSeconds,
            totalChanges,
            convergedMs,
            base,
            early: e,
            end: endSample,
            settled,
            samples,
            slow: slowSt,
            failures,
          },
          null,
          2,
        ),
      );
  } finally {
    await cleanup();
    if (!a.keep) rmSync(root, { recursive: true, force: true });
    else console.log(`run folder kept: ${root}`);
  }
  if (failures.length) process.exitCode = 1;
}

await main();
