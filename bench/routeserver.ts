/**
 * Benchmark (b): one sender announces N /24s (default 300,000) with one shared attribute set to
 * a route server; time until all of them are in the receiver's Loc-RIB, and the receiver's peak
 * memory per route. Receivers, one after another in the same run: ARSLab's route server (a lab
 * started with `arslab up` as users do), BIRD, FRR bgpd (no zebra) and GoBGP; plus a BGP sink
 * that measures the sender's own ceiling. Run by hand, as root, not in CI:
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/routeserver.js [--routes 300000] [--only sink,arslab,arslab2,bird,frr,gobgp] [--rounds 2]
 *
 * What is measured (identical for every receiver; docs/BENCHMARKS.md has the details):
 * - Sender: BIRD 2 with N static routes and one attribute set, its BGP protocol `disabled`
 *   until the receiver is ready and the sender's table is loaded; then `enable` through its
 *   control socket. A fresh sender per measurement.
 * - Time: from the session's Established (the sender's `show protocols` timestamp, to the
 *   millisecond) until a poll (every --poll-ms, 50) sees the receiver hold all N routes.
 * - Memory: the receiver's peak RSS (VmHWM, reset just before `enable` through
 *   /proc/PID/clear_refs) minus its RSS at that moment, divided by N. Also the RSS 1 s after
 *   completion and, for ARSLab, the V8 heap used after a full GC (preloaded probe, SIGUSR2).
 *
 * Everything listens on 127.90.0.0/16 only; every process is started through the daemon
 * drivers' ManagedProcess (own process group, guardian, lifetime bound) and stopped by PID.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { startDaemon, type DaemonHandle, type DaemonKind } from '../src/lab/daemons/index.js';
import { birdRequest } from '../src/lab/daemons/bird/index.js';
import {
  writeBirdReceiver,
  writeBirdSender,
  writeFrrReceiver,
  writeGobgpReceiver,
  writeLabFile,
  RS_ASN,
  type PeerDef,
} from './rs/configs.js';
import { benchUpdates, LiteSpeaker } from './rs/sink.js';
import { closeHttpAgent, getJson, GobgpApi, procCpuSeconds, procMemory, resetPeak, vtyCommand } from './rs/clients.js';
import { startLab } from './rs/lab.js';

// ---------------------------------------------------------------------------------------------
// Arguments

const RECEIVERS = ['sink', 'arslab', 'arslab2', 'bird', 'frr', 'gobgp'] as const;
type ReceiverName = (typeof RECEIVERS)[number];

interface Args {
  routes: number;
  only: ReceiverName[];
  senders: SenderKind[];
  rounds: number;
  pollMs: number;
  timeoutS: number;
  probe: boolean;
  cpuProf: boolean;
  heapSnapshot: boolean;
  keep: boolean;
  /** Do not wake the BIRD sender once its sessions are up (reproduces its end-of-feed stall). */
  noWake: boolean;
  nodeFlags: string[];
  json?: string;
}

function usage(msg?: string): never {
  if (msg) console.error(`routeserver: ${msg}`);
  console.error(
    [
      'usage: node dist/bench/routeserver.js [options]',
      '  --routes N          routes the sender announces (default 300000)',
      `  --only a,b          receivers, in this order (default ${RECEIVERS.join(',')})`,
      '                      sink: the sender ceiling; arslab: one session (IN_0); arslab2: IN_0 and IN_1',
      '  --sender a,b        bird (BIRD 2 with static routes), blaster (pre-encoded UPDATEs from this',
      '                      process: the receiver is the limit) (default bird,blaster)',
      '  --rounds N          measurements per receiver (default 2; medians are reported)',
      '  --poll-ms N         poll interval of the receiver count (default 20)',
      '  --timeout S         bound on one measurement, seconds (default 180)',
      '  --no-probe          ARSLab without the heap probe (--expose-gc + preload)',
      '  --cpu-prof          ARSLab under node --cpu-prof (profiles in the run folder, kept)',
      '  --heap-snapshot     ARSLab: write a heap snapshot after the routes are in (kept)',
      '  --node-flag F       extra node flag for the ARSLab lab process (repeatable), e.g. --node-flag=--max-semi-space-size=32',
      '  --json FILE         also write every measurement as JSON',
      '  --keep              keep the run folder (configs, logs)',
      '  --no-wake           stop polling the BIRD sender once its sessions are up: shows BIRD 2.0.12',
      '                      holding its last UPDATE and End-of-RIB until its 3 s poll timeout',
    ].join('\n'),
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    routes: 300_000,
    only: [...RECEIVERS],
    senders: ['bird', 'blaster'],
    rounds: 2,
    pollMs: 20,
    timeoutS: 180,
    probe: true,
    cpuProf: false,
    heapSnapshot: false,
    keep: false,
    noWake: false,
    nodeFlags: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=')
      ? [argv[i]!.slice(0, argv[i]!.indexOf('=')), argv[i]!.slice(argv[i]!.indexOf('=') + 1)]
      : [argv[i]!, undefined];
    const value = (): string => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    const int = (min: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) usage(`${flag}: an integer ≥ ${min} is needed`);
      return v;
    };
    switch (flag) {
      case '--routes':
        a.routes = int(1);
        break;
      case '--rounds':
        a.rounds = int(1);
        break;
      case '--poll-ms':
        a.pollMs = int(5);
        break;
      case '--timeout':
        a.timeoutS = int(10);
        break;
      case '--only': {
        const names = value()
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        for (const n of names)
          if (!(RECEIVERS as readonly string[]).includes(n))
            usage(`unknown receiver '${n}' (known: ${RECEIVERS.join(', ')})`);
        a.only = names as ReceiverName[];
        break;
      }
      case '--sender': {
        const names = value()
          .split(',')
          .map((x) => x.trim().toLowerCase())
          .filter(Boolean);
        for (const n of names)
          if (n !== 'bird' && n !== 'blaster') usage(`unknown sender '${n}' (known: bird, blaster)`);
        a.senders = names as SenderKind[];
        break;
      }
      case '--no-probe':
        a.probe = false;
        break;
      case '--cpu-prof':
        a.cpuProf = true;
        break;
      case '--heap-snapshot':
        a.heapSnapshot = true;
        break;
      case '--keep':
        a.keep = true;
        break;
      case '--no-wake':
        a.noWake = true;
        break;
      case '--node-flag':
        a.nodeFlags.push(value());
        break;
      case '--json':
        a.json = value();
        break;
      case '-h':
      case '--help':
        usage();
        break;
      default:
        usage(`unknown option ${flag}`);
    }
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const here = dirname(fileURLToPath(import.meta.url));

/** Busy and total jiffies of the whole machine (/proc/stat "cpu" line). */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((s, x) => s + x, 0);
  return { busy: total - idle, total };
}

/** BIRD prints local time ("2026-11-22 04:38:27.779" with timeformat protocol iso long ms). */
function parseBirdTime(text: string): number | undefined {
  const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(text);
  if (!m) return undefined;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return (
    new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() + frac
  );
}

interface SenderProtocolState {
  up: boolean;
  since?: number;
  info: string;
}

async function senderProtocol(ctl: string, name: string): Promise<SenderProtocolState> {
  const r = await birdRequest(ctl, `show protocols ${name}`, 5000);
  const line = r.lines.map((l) => l.text).find((t) => t.startsWith(`${name} `)) ?? '';
  const cols = line.trim().split(/\s+/);
  // name proto table state since(2 words) info
  const state = cols[3] ?? '';
  return { up: state === 'up', since: parseBirdTime(line), info: line.trim() };
}

async function birdRouteCount(ctl: string, table = 'master4'): Promise<number> {
  const r = await birdRequest(ctl, `show route count table ${table}`, 5000);
  for (const l of r.lines) {
    const m = /(\d+) of (\d+) routes for (\d+) networks in table/.exec(l.text);
    if (m) return Number(m[3]);
  }
  return 0;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------------------------------------
// Cleanup: every handle we start is registered here and stopped by PID on any exit.

const cleanups = new Set<() => Promise<void>>();
let cleaning: Promise<void> | undefined;
async function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of [...cleanups].reverse()) await c().catch(() => undefined);
    cleanups.clear();
  })();
  return cleaning;
}
function registerCleanup(f: () => Promise<void>): () => void {
  cleanups.add(f);
  return () => cleanups.delete(f);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    console.error(`\nroute-server benchmark: ${sig}: stopping every process we started`);
    void cleanupAll().then(() => process.exit(130));
  });
}

async function startManagedDaemon(
  kind: DaemonKind,
  name: string,
  workDir: string,
  configFile: string,
  listenAddress: string,
  logFile: string,
): Promise<DaemonHandle> {
  const d = await startDaemon(kind, {
    name,
    workDir,
    configFile,
    listenAddress,
    listenPort: 179,
    maxLifetimeSeconds: 900,
    log: (line) => {
      try {
        writeFileSync(logFile, line + '\n', { flag: 'a' });
      } catch {
        /* the run folder may be gone */
      }
    },
  });
  const unregister = registerCleanup(() => d.stop({ graceMs: 2000 }));
  const stop = d.stop.bind(d);
  (d as { stop: DaemonHandle['stop'] }).stop = async (o) => {
    unregister();
    await stop(o);
  };
  return d;
}

// ---------------------------------------------------------------------------------------------
// Senders

const SENDER_ADDR = '127.90.0.4';
const SENDER_VM = '10.90.0.4';
const ADDR: Record<'sink' | 'bird' | 'frr' | 'gobgp', string> = {
  sink: '127.90.9.1',
  bird: '127.90.2.1',
  frr: '127.90.3.1',
  gobgp: '127.90.4.1',
};
const RS_LOOPBACK: [string, string] = ['127.90.1.4', '127.90.1.5'];

/** The sending side of one measurement. */
interface Sender {
  /** The sender's process, for its CPU time (the blaster runs in this process: none). */
  pid?: number;
  /** Starts sending: BIRD `enable`s its protocols; the blaster listens (or connects to the sink). */
  enable(): Promise<void>;
  /** Called at every poll: BIRD's session state (and a wake-up, see below). */
  poll(): Promise<void>;
  /** Established times (wall-clock ms) per session, in the receiver's session order. */
  established(): Promise<(number | undefined)[]>;
  notes(): string[];
}

/**
 * BIRD, started with its protocols disabled. Polling `show protocols` gives each session's
 * Established time (ms) and wakes BIRD's main loop: BIRD 2.0.12 otherwise leaves its last
 * UPDATE and the End-of-RIB unsent until its 3 s poll timeout (docs/BENCHMARKS.md, "Sender").
 */
function birdSender(ctl: string, pid: number | undefined, protocols: string[], wake = true): Sender {
  const est: (number | undefined)[] = protocols.map(() => undefined);
  return {
    pid,
    async enable() {
      for (const p of protocols) {
        const r = await birdRequest(ctl, `enable ${p}`, 5000);
        if (r.code >= 8000) throw new Error(`sender: enable ${p}: ${r.lines.map((l) => l.text).join(' ')}`);
      }
    },
    async poll() {
      let asked = false;
      for (let i = 0; i < protocols.length; i++) {
        if (est[i] !== undefined) continue;
        const s = await senderProtocol(ctl, protocols[i]!);
        asked = true;
        if (s.up && s.since !== undefined) est[i] = s.since;
      }
      if (!asked && wake) await birdRequest(ctl, 'show status', 5000).catch(() => undefined);
    },
    async established() {
      for (let i = 0; i < protocols.length; i++)
        if (est[i] === undefined) est[i] = (await senderProtocol(ctl, protocols[i]!)).since;
      return est;
    },
    notes: () => [],
  };
}

/** The blaster: pre-encoded UPDATEs written as fast as TCP takes them (bench/rs/sink.ts). */
function blasterSender(
  updates: Buffer,
  routes: number,
  peers: string[],
  connectTo?: string,
): Sender & { lite: LiteSpeaker; close(): Promise<void> } {
  const lite = new LiteSpeaker({
    address: SENDER_ADDR,
    asn: 65001,
    routerId: SENDER_VM,
    updates,
    target: routes,
    maxSessions: peers.length,
  });
  const unregister = registerCleanup(() => lite.close());
  return {
    lite,
    async enable() {
      if (connectTo) lite.connect(connectTo);
      else await lite.listen();
    },
    async poll() {},
    async established() {
      return peers.map((a) => lite.sessions.find((s) => s.peer === a)?.establishedAt || undefined);
    },
    notes() {
      return lite.sessions
        .filter((s) => s.doneAt !== undefined)
        .map(
          (s) =>
            `blaster → ${s.peer}: all UPDATEs taken by the kernel ${(s.doneAt! - s.establishedAt).toFixed(0)} ms after Established`,
        );
    },
    async close() {
      unregister();
      await lite.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Receivers

interface Setup {
  /** Process whose memory is measured (undefined: the sink, in this process). */
  pid?: number;
  sender: Sender;
  /** Routes held per session (the receiver's own count, before anything else is added). */
  counts(): Promise<number[]>;
  /**
   * The next poll waits at least this many times as long as the last count query took: GoBGP
   * counts by walking its table in its main goroutine, and polling it every 50 ms doubled its
   * time (docs/BENCHMARKS.md). 0 for the others (their counts are counters).
   */
  pollCostFactor: number;
  /** ARSLab: V8 heap after a full GC (probe). */
  heap?(): Promise<HeapLine | undefined>;
  /** ARSLab: when each instance's Loc-RIB first held N prefixes, seen from inside (probe). */
  inProcessDone?(): number[];
  notes: string[];
  teardown(): Promise<void>;
}

interface HeapLine {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  gcMs: number;
  spaces: Record<string, { used: number; size: number }>;
  snapshot?: string;
}

type SenderKind = 'bird' | 'blaster';

interface Measurement {
  receiver: ReceiverName;
  sender: SenderKind;
  round: number;
  ok: boolean;
  error?: string;
  routes: number;
  /** ms from `enable` to the first Established. */
  enableToEstablishedMs?: number;
  /** ms between the first and last session's Established (two sessions). */
  establishedSpreadMs?: number;
  /** From the first Established to the first poll that saw every route. */
  seconds?: number;
  /** From the first Established to the start of the last poll that did not (a lower bound). */
  secondsLowerBound?: number;
  /**
   * From the first Established to the last growth of the receiver's CPU time before the
   * completing poll, within the bounds above: an estimate that needs no count query (it
   * matters for GoBGP, whose count is polled every ~1 s at 300,000 routes).
   */
  cpuIdleSeconds?: number;
  rate?: number;
  baseRss?: number;
  peakRss?: number;
  settledRss?: number;
  peakBytesPerRoute?: number;
  settledBytesPerRoute?: number;
  /** Peak by sampling at every poll (a cross-check of VmHWM). */
  sampledPeakRss?: number;
  receiverCpuS?: number;
  senderCpuS?: number;
  /** CPU used by everything else on the machine during the measurement, in cores. */
  otherCpuCores?: number;
  heapBase?: HeapLine;
  heapAfter?: HeapLine;
  heapBytesPerRoute?: number;
  /** ARSLab: Established → the Loc-RIB holds N, timed inside the lab process (no poll error). */
  inProcessSeconds?: number;
  polls?: number;
  notes: string[];
}

async function waitSenderLoaded(ctl: string, routes: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await birdRouteCount(ctl)) >= routes) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline)
      throw new Error(`sender: ${routes} static routes not loaded within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** A BIRD sender of our own (every receiver but ARSLab, whose lab runs the sender as a node). */
async function startBirdSender(
  dir: string,
  routes: number,
  peers: PeerDef[],
  wake: boolean,
): Promise<{ sender: Sender; stop(): Promise<void> }> {
  const conf = writeBirdSender(dir, { routes, address: SENDER_ADDR, routerId: SENDER_VM, nextHop: SENDER_VM, peers });
  const d = await startManagedDaemon('bird', 'sender', join(dir, 'sender'), conf, SENDER_ADDR, join(dir, 'sender.log'));
  await d.ready(60_000);
  const ctl = join(dir, 'sender', 'bird.ctl');
  await waitSenderLoaded(ctl, routes, 120_000);
  return {
    sender: birdSender(
      ctl,
      d.pid,
      peers.map((p) => p.name),
      wake,
    ),
    stop: () => d.stop({ graceMs: 2000 }),
  };
}

async function makeSender(
  kind: SenderKind,
  dir: string,
  routes: number,
  updates: () => Buffer,
  peer: PeerDef,
  wake: boolean,
  connectTo?: string,
) {
  if (kind === 'bird') return startBirdSender(dir, routes, [peer], wake);
  const b = blasterSender(updates(), routes, [peer.address], connectTo);
  return { sender: b as Sender, stop: () => b.close() };
}

async function setupDaemonReceiver(
  kind: 'bird' | 'frr' | 'gobgp',
  senderKind: SenderKind,
  dir: string,
  routes: number,
  updates: () => Buffer,
  wake: boolean,
): Promise<Setup> {
  const addr = ADDR[kind];
  const routerId = addr.replace(/^127\./, '10.');
  const conf =
    kind === 'bird'
      ? writeBirdReceiver(dir, { address: addr, sender: SENDER_ADDR, routerId })
      : kind === 'frr'
        ? writeFrrReceiver(dir, { address: addr, sender: SENDER_ADDR, routerId })
        : writeGobgpReceiver(dir, { address: addr, sender: SENDER_ADDR, routerId });
  const work = join(dir, kind);
  const rx = await startManagedDaemon(kind, `rx-${kind}`, work, conf, addr, join(dir, `${kind}.log`));
  await rx.ready(30_000);
  const snd = await makeSender(
    senderKind,
    dir,
    routes,
    updates,
    { name: `to_${kind}`, address: addr, asn: RS_ASN },
    wake,
  );
  const gobgp = kind === 'gobgp' ? new GobgpApi(join(work, 'gobgp.sock')) : undefined;
  const vty = join(work, 'bgpd.vty');
  const ctl = join(work, 'bird.ctl');
  const frrVersion0 =
    kind === 'frr'
      ? ((JSON.parse(await vtyCommand(vty, 'show bgp ipv4 unicast summary json')) as { tableVersion?: number })
          .tableVersion ?? 0)
      : 0;
  return {
    pid: rx.pid,
    sender: snd.sender,
    pollCostFactor: kind === 'gobgp' ? 20 : 0,
    notes: [],
    async counts() {
      // BIRD: the channel's counters (`show route count` would walk the table at every poll).
      if (kind === 'bird') {
        const r = await birdRequest(ctl, 'show protocols all sender', 5000);
        const m = r.lines
          .map((l) => /Routes:\s+(\d+) imported, (?:\d+ filtered, )?(\d+) exported, (\d+) preferred/.exec(l.text))
          .find(Boolean);
        return [m ? Number(m[3]) : 0];
      }
      // GoBGP: the global RIB's destinations (GetTable walks the table: see pollCostFactor).
      if (kind === 'gobgp') return [(await gobgp!.getTable()).destinations];
      // FRR: prefixes accepted from the peer (pfxRcd, counted when a path enters the table)
      // and the table version (bumped when bgpd's work queue has selected a prefix's best
      // path): the Loc-RIB holds min(pfxRcd, tableVersion − tableVersion before).
      const j = JSON.parse(await vtyCommand(vty, 'show bgp ipv4 unicast summary json')) as {
        tableVersion?: number;
        peers?: Record<string, { pfxRcd?: number }>;
      };
      return [Math.min(j.peers?.[SENDER_ADDR]?.pfxRcd ?? 0, (j.tableVersion ?? 0) - frrVersion0)];
    },
    async teardown() {
      gobgp?.close();
      await snd.stop();
      await rx.stop({ graceMs: 3000 });
    },
  };
}

async function setupSink(
  senderKind: SenderKind,
  dir: string,
  routes: number,
  updates: () => Buffer,
  wake: boolean,
): Promise<Setup> {
  const sink = new LiteSpeaker({ address: ADDR.sink, asn: RS_ASN, routerId: '10.90.9.1', target: routes });
  await sink.listen();
  const unregister = registerCleanup(() => sink.close());
  const snd = await makeSender(
    senderKind,
    dir,
    routes,
    updates,
    { name: 'to_sink', address: ADDR.sink, asn: RS_ASN },
    wake,
    ADDR.sink,
  );
  const notes: string[] = [];
  return {
    sender: snd.sender,
    pollCostFactor: 0,
    notes,
    async counts() {
      return [sink.sessions[0]?.prefixes ?? 0];
    },
    async teardown() {
      const r = sink.sessions[0];
      if (r?.doneAt !== undefined)
        notes.push(
          `sink's own clock: ${(r.doneAt - r.establishedAt).toFixed(0)} ms from Established to the last prefix, ${r.updates} UPDATEs`,
        );
      await snd.stop();
      unregister();
      await sink.close();
    },
  };
}

interface LabStatus {
  routeServers: {
    instances: {
      instance: string;
      prefixes: number;
      peerings: { name: string; state: string; routesReceived: number }[];
    }[];
  }[];
  nodes: { name: string; state: string; pid?: number }[];
}

async function setupArslab(
  senderKind: SenderKind,
  dir: string,
  routes: number,
  instances: 1 | 2,
  args: Args,
  updates: () => Buffer,
): Promise<Setup> {
  const name = 'rsbench';
  const peers: PeerDef[] = [{ name: 'rs0', address: RS_LOOPBACK[0], asn: RS_ASN }];
  if (instances === 2) peers.push({ name: 'rs1', address: RS_LOOPBACK[1], asn: RS_ASN });
  const senderConf =
    senderKind === 'bird'
      ? writeBirdSender(dir, { routes, address: SENDER_ADDR, routerId: SENDER_VM, nextHop: SENDER_VM, peers })
      : undefined;
  const labFile = writeLabFile(dir, {
    name,
    ...(senderConf ? { senderConfig: senderConf } : {}),
    maxRoutes: Math.max(routes * 2, 1_000_000),
    senderIp: SENDER_VM,
    senderLoopback: SENDER_ADDR,
    rsLoopback: RS_LOOPBACK,
  });
  const probeOut = join(dir, 'probe.jsonl');
  // The flags bin/arslab runs the lab with (a small young generation: docs/BENCHMARKS.md S3).
  const flags = ['--enable-source-maps', '--max-semi-space-size=4', ...args.nodeFlags];
  if (args.probe || args.heapSnapshot)
    flags.push('--expose-gc', '--import', pathToFileURL(join(here, 'rs', 'probe.js')).href);
  const profDir = join(dir, 'cpuprof');
  if (args.cpuProf) {
    mkdirSync(profDir, { recursive: true });
    flags.push('--cpu-prof', '--cpu-prof-dir', profDir);
  }
  const snapDir = join(dir, 'heap');
  if (args.heapSnapshot) mkdirSync(snapDir, { recursive: true });
  const lab = await startLab({
    dir,
    labFile,
    name,
    nodeFlags: flags,
    env: {
      ARSLAB_BENCH_PROBE_OUT: probeOut,
      ARSLAB_BENCH_TARGET: String(routes),
      ARSLAB_BENCH_SPEAKER_MODULE: pathToFileURL(join(here, '..', 'src', 'rib', 'speaker.js')).href,
      ...(args.heapSnapshot ? { ARSLAB_BENCH_HEAP_SNAPSHOT_DIR: snapDir } : {}),
    },
  });
  const { proc, api, stateDir } = lab;
  const stopLab = lab.stop;
  const unregisterLab = registerCleanup(stopLab);

  const status = async (): Promise<LabStatus> =>
    (await getJson(api.host, api.port, '/arslab/status', lab.token)) as LabStatus;

  let sender: Sender;
  let stopSender: () => Promise<void> = async () => {};
  if (senderKind === 'bird') {
    const ctl = join(stateDir, name, 'nodes', 'sender', 'run', 'bird.ctl');
    await waitSenderLoaded(ctl, routes, 120_000);
    const pid = (await status()).nodes.find((n) => n.name === 'sender')?.pid;
    sender = birdSender(
      ctl,
      pid,
      peers.map((p) => p.name),
      !args.noWake,
    );
  } else {
    const b = blasterSender(
      updates(),
      routes,
      peers.map((p) => p.address),
    );
    sender = b;
    stopSender = () => b.close();
  }
  const base = (await status()).routeServers[0]!.instances.map((i) => i.prefixes); // the VNet's own prefix

  const probeLines = (event: string): Record<string, unknown>[] =>
    (existsSync(probeOut) ? readFileSync(probeOut, 'utf8').trim().split('\n').filter(Boolean) : [])
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['event'] === event);
  let heapLines = 0;
  const heap = async (): Promise<HeapLine | undefined> => {
    process.kill(proc.pid, 'SIGUSR2');
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      await sleep(50);
      const lines = probeLines('heap');
      if (lines.length > heapLines) {
        heapLines = lines.length;
        return lines.at(-1) as unknown as HeapLine;
      }
    }
    return undefined;
  };

  return {
    pid: proc.pid,
    sender,
    pollCostFactor: 0,
    notes: [
      instances === 1
        ? 'the sender peers with IN_0 only (IN_1 has the peering too and retries every 1 s: refused)'
        : 'the sender peers with IN_0 and IN_1: 2 × N routes held, one process',
      ...(args.cpuProf ? [`CPU profile (written when the lab exits): ${profDir}`] : []),
    ],
    ...(args.probe || args.heapSnapshot ? { heap } : {}),
    inProcessDone: () => probeLines('target').map((l) => l['t'] as number),
    async counts() {
      const s = await status();
      return s.routeServers[0]!.instances.slice(0, instances).map((i, k) => i.prefixes - base[k]!);
    },
    async teardown() {
      await stopSender();
      unregisterLab();
      await stopLab();
    },
  };
}

async function measure(
  receiver: ReceiverName,
  senderKind: SenderKind,
  round: number,
  args: Args,
  runDir: string,
  updates: () => Buffer,
): Promise<Measurement> {
  const dir = join(runDir, `${senderKind}-${receiver}-${round}`);
  mkdirSync(dir, { recursive: true });
  const N = args.routes;
  const m: Measurement = {
    receiver,
    sender: senderKind,
    round,
    ok: false,
    routes: receiver === 'arslab2' ? 2 * N : N,
    notes: [],
  };
  let setup: Setup | undefined;
  try {
    setup =
      receiver === 'sink'
        ? await setupSink(senderKind, dir, N, updates, !args.noWake)
        : receiver === 'arslab' || receiver === 'arslab2'
          ? await setupArslab(senderKind, dir, N, receiver === 'arslab2' ? 2 : 1, args, updates)
          : await setupDaemonReceiver(receiver, senderKind, dir, N, updates, !args.noWake);
    const pid = setup.pid;
    const sender = setup.sender;

    await sleep(500);
    if (setup.heap) m.heapBase = await setup.heap();
    // Baseline: peak reset to the current RSS right before the sender starts.
    if (pid !== undefined) {
      if (!resetPeak(pid)) m.notes.push('could not reset VmHWM (not root?): the peak is since the process started');
      m.baseRss = procMemory(pid)?.rss;
    }
    const cpu0 = pid !== undefined ? procCpuSeconds(pid) : undefined;
    const scpu0 = sender.pid !== undefined ? procCpuSeconds(sender.pid) : undefined;
    const self0 = process.cpuUsage();
    const mc0 = machineCpu();

    const tEnable = now();
    await sender.enable();
    const n = m.receiver === 'arslab2' ? 2 : 1;
    const done: (number | undefined)[] = new Array(n).fill(undefined);
    let lastBelow = tEnable; // start of the last count query that did not see every route
    const deadline = tEnable + args.timeoutS * 1000;
    let sampledPeak = 0;
    let polls = 0;
    let nextCount = tEnable;
    // The receiver's CPU time and RSS on a timer of their own (free to read, and sampled even
    // while a count query waits for a busy receiver), to see when it went idle.
    const cpuSamples: { t: number; cpu: number }[] = [];
    const sample = () => {
      if (pid === undefined) return;
      cpuSamples.push({ t: now(), cpu: procCpuSeconds(pid) ?? 0 });
      sampledPeak = Math.max(sampledPeak, procMemory(pid)?.rss ?? 0);
    };
    const sampler = setInterval(sample, Math.min(10, args.pollMs));
    let lastQuery: [number, number] = [0, 0];
    try {
      for (;;) {
        const t = now();
        await sender.poll();
        if (t >= nextCount) {
          const q = now();
          const counts = await setup.counts();
          const got = now();
          polls++;
          lastQuery = [q, got];
          for (let i = 0; i < n; i++) if (done[i] === undefined && (counts[i] ?? 0) >= N) done[i] = got;
          if (done.every((d) => d !== undefined)) break;
          lastBelow = q;
          if (got > deadline) throw new Error(`timeout after ${args.timeoutS} s: counts ${counts.join(', ')} of ${N}`);
          nextCount = q + Math.max(args.pollMs, setup.pollCostFactor * (got - q));
        }
        const wait = args.pollMs - (now() - t);
        if (wait > 0) await sleep(wait);
      }
    } finally {
      clearInterval(sampler);
    }
    sample();
    // When the receiver's CPU time last grew (10 ms ticks) before the completing count query
    // answered; where a query costs the receiver real work (GoBGP), before it was sent.
    const until = setup.pollCostFactor > 0 ? lastQuery[0] : lastQuery[1];
    let cpuIdleAt: number | undefined;
    for (let k = 1; k < cpuSamples.length; k++) {
      const a = cpuSamples[k - 1]!;
      const b = cpuSamples[k]!;
      if (b.cpu > a.cpu && b.t <= until) cpuIdleAt = b.t;
    }
    const mc1 = machineCpu();
    const self1 = process.cpuUsage(self0);
    const cpu1 = pid !== undefined ? procCpuSeconds(pid) : undefined;
    const scpu1 = sender.pid !== undefined ? procCpuSeconds(sender.pid) : undefined;
    const ests = (await sender.established()).filter((e): e is number => e !== undefined);
    if (ests.length < n) throw new Error('a session has no Established time');
    const first = Math.min(...ests);
    const end = Math.max(...(done as number[]));
    m.enableToEstablishedMs = first - tEnable;
    m.establishedSpreadMs = Math.max(...ests) - first;
    m.seconds = (end - first) / 1000;
    m.secondsLowerBound = Math.max(0, (lastBelow - first) / 1000);
    if (cpuIdleAt !== undefined)
      m.cpuIdleSeconds = Math.min(m.seconds, Math.max(m.secondsLowerBound, (cpuIdleAt - first) / 1000));
    m.rate = m.routes / m.seconds;
    m.polls = polls;
    if (pid !== undefined) {
      const mem = procMemory(pid)!;
      m.peakRss = mem.hwm;
      m.sampledPeakRss = sampledPeak;
      m.peakBytesPerRoute = (mem.hwm - m.baseRss!) / m.routes;
      m.receiverCpuS = cpu1! - cpu0!;
    }
    m.senderCpuS = scpu1 !== undefined && scpu0 !== undefined ? scpu1 - scpu0 : undefined;
    const wallS = (mc1.total - mc0.total) / 100 / cpus().length;
    const busyCores = (mc1.busy - mc0.busy) / 100 / Math.max(wallS, 1e-9);
    const ours =
      ((m.receiverCpuS ?? 0) + (m.senderCpuS ?? 0) + (self1.user + self1.system) / 1e6) / Math.max(wallS, 1e-9);
    m.otherCpuCores = Math.max(0, busyCores - ours);
    await sleep(1000);
    if (pid !== undefined) {
      m.settledRss = procMemory(pid)?.rss;
      if (m.settledRss !== undefined) m.settledBytesPerRoute = (m.settledRss - m.baseRss!) / m.routes;
    }
    if (setup.heap) {
      m.heapAfter = await setup.heap();
      if (m.heapAfter && m.heapBase) m.heapBytesPerRoute = (m.heapAfter.heapUsed - m.heapBase.heapUsed) / m.routes;
      if (m.heapAfter?.snapshot) m.notes.push(`heap snapshot: ${m.heapAfter.snapshot}`);
    }
    const inside = setup.inProcessDone?.() ?? [];
    if (inside.length === n) m.inProcessSeconds = (Math.max(...inside) - first) / 1000;
    m.notes.push(...sender.notes());
    m.ok = true;
  } catch (e) {
    m.error = (e as Error).message;
  } finally {
    await setup?.teardown().catch((e) => m.notes.push(`teardown: ${(e as Error).message}`));
    if (setup) m.notes.push(...setup.notes);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Report

const LABEL: Record<ReceiverName, string> = {
  sink: 'sink (sender ceiling)',
  arslab: 'ARSLab (IN_0)',
  arslab2: 'ARSLab (IN_0+IN_1)',
  bird: 'BIRD 2.0.12',
  frr: 'FRR 8.4.4 bgpd',
  gobgp: 'GoBGP 3.10',
};

const SENDER_LABEL: Record<SenderKind, string> = {
  bird: 'sender BIRD 2.0.12 (static routes: the reference set-up of docs/BENCHMARKS.md)',
  blaster: 'sender: blaster (pre-encoded UPDATEs; the receiver is the limit)',
};

function machine(): string[] {
  const cpu = cpus()[0]?.model ?? '?';
  let distro = '';
  try {
    distro = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    /* none */
  }
  return [
    `machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${distro}, Linux ${release()}, Node ${process.version}`,
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  ];
}

function versions(): string {
  const v = (cmd: string, args: string[], re: RegExp): string => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
    return re.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? '?';
  };
  return `daemons: BIRD ${v('bird', ['--version'], /BIRD version (\S+)/)}, FRR ${v('/usr/lib/frr/bgpd', ['--version'], /version (\S+)/)}, GoBGP ${v('gobgpd', ['--version'], /version (\S+)/)}`;
}

function table(results: Measurement[], args: Args, senderKind: SenderKind): string {
  const rows: string[][] = [];
  const head = [
    'receiver',
    'routes',
    'ok',
    'time s',
    '(≥ s)',
    'CPU-idle s',
    'routes/s',
    'peak B/rt',
    'settled B/rt',
    'heap B/rt',
    'rx CPU s',
    'other CPU',
    'speed ARSLab÷',
    'memory ARSLab÷',
  ];
  const by = new Map<ReceiverName, Measurement[]>();
  for (const r of results) if (r.sender === senderKind) by.set(r.receiver, [...(by.get(r.receiver) ?? []), r]);
  const med = (name: ReceiverName, f: (m: Measurement) => number | undefined) =>
    median((by.get(name) ?? []).filter((m) => m.ok).map((m) => f(m) ?? NaN));
  const ars = { rate: med('arslab', (m) => m.rate), mem: med('arslab', (m) => m.peakBytesPerRoute) };
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  for (const name of args.only) {
    const ms = by.get(name) ?? [];
    const ok = ms.filter((m) => m.ok);
    const rate = med(name, (m) => m.rate);
    const mem = med(name, (m) => m.peakBytesPerRoute);
    const other = name !== 'arslab' && name !== 'arslab2' && name !== 'sink';
    rows.push([
      LABEL[name],
      fmtInt(ms[0]?.routes ?? args.routes),
      `${ok.length}/${ms.length}`,
      f(
        med(name, (m) => m.seconds),
        3,
      ),
      f(
        med(name, (m) => m.secondsLowerBound),
        3,
      ),
      f(
        med(name, (m) => m.cpuIdleSeconds),
        3,
      ),
      Number.isFinite(rate) ? fmtInt(rate) : '–',
      f(mem),
      f(med(name, (m) => m.settledBytesPerRoute)),
      f(med(name, (m) => m.heapBytesPerRoute)),
      f(
        med(name, (m) => m.receiverCpuS),
        2,
      ),
      f(
        med(name, (m) => m.otherCpuCores),
        2,
      ),
      other ? f(ars.rate / rate, 2) : '',
      other ? f(ars.mem / mem, 2) : '',
    ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function describe(m: Measurement): string {
  const head = `  [${m.sender}] ${LABEL[m.receiver]} round ${m.round}`;
  if (!m.ok) return [`${head}: FAILED: ${m.error}`, ...m.notes.map((n) => `      ${n}`)].join('\n');
  const parts = [
    `${m.seconds!.toFixed(3)} s (≥ ${m.secondsLowerBound!.toFixed(3)}${m.cpuIdleSeconds !== undefined ? `, CPU idle at ${m.cpuIdleSeconds.toFixed(3)}` : ''})`,
    `${fmtInt(m.rate!)} routes/s`,
    `enable→Established ${m.enableToEstablishedMs!.toFixed(0)} ms`,
  ];
  if (m.establishedSpreadMs) parts.push(`sessions up ${m.establishedSpreadMs.toFixed(0)} ms apart`);
  if (m.baseRss !== undefined)
    parts.push(
      `RSS ${(m.baseRss / 2 ** 20).toFixed(1)} → peak ${(m.peakRss! / 2 ** 20).toFixed(1)} MiB (sampled ${(m.sampledPeakRss! / 2 ** 20).toFixed(1)}), 1 s later ${(m.settledRss! / 2 ** 20).toFixed(1)} MiB`,
      `${m.peakBytesPerRoute!.toFixed(0)} B/route peak, ${m.settledBytesPerRoute!.toFixed(0)} settled`,
      `receiver CPU ${m.receiverCpuS!.toFixed(2)} s`,
    );
  if (m.heapBase && m.heapAfter)
    parts.push(
      `V8 heap after GC ${(m.heapBase.heapUsed / 2 ** 20).toFixed(1)} → ${(m.heapAfter.heapUsed / 2 ** 20).toFixed(1)} MiB (${m.heapBytesPerRoute!.toFixed(0)} B/route)`,
    );
  if (m.inProcessSeconds !== undefined)
    parts.push(`inside the lab: all in the Loc-RIB ${m.inProcessSeconds.toFixed(3)} s after Established`);
  if (m.senderCpuS !== undefined) parts.push(`sender CPU ${m.senderCpuS.toFixed(2)} s`);
  parts.push(`other load ${m.otherCpuCores!.toFixed(2)} cores`, `${m.polls} polls`);
  return [`${head}: ${parts.join('; ')}`, ...m.notes.map((n) => `      ${n}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) usage('run as root: the daemons and the route server listen on port 179');
  const runDir = mkdtempSync(join(tmpdir(), 'arsb-'));
  const started = new Date();
  console.log(
    `route-server benchmark: ${fmtInt(args.routes)} /24s with one attribute set; senders ${args.senders.join(', ')}; ${args.rounds} round(s) of ${args.only.join(', ')}`,
  );
  for (const l of machine()) console.log(l);
  console.log(versions());
  console.log(
    `time: the session's Established (sender's clock) → the first poll (every ${args.pollMs} ms) that sees every route in the receiver's Loc-RIB; ` +
      `memory: (peak RSS − RSS before) ÷ routes`,
  );
  console.log(`run folder: ${runDir}${args.keep || args.cpuProf || args.heapSnapshot ? ' (kept)' : ''}`);
  let encoded: Buffer | undefined;
  const updates = () => (encoded ??= benchUpdates(args.routes, SENDER_VM));
  const results: Measurement[] = [];
  try {
    for (let round = 1; round <= args.rounds; round++) {
      for (const s of args.senders) {
        for (const r of args.only) {
          const m = await measure(r, s, round, args, runDir, updates);
          results.push(m);
          console.log(describe(m));
        }
      }
    }
  } finally {
    await cleanupAll();
    closeHttpAgent();
  }
  for (const s of args.senders) {
    console.log('');
    console.log(`${SENDER_LABEL[s]}: median of ${args.rounds} round(s), started ${started.toISOString()}`);
    console.log(table(results, args, s));
  }
  console.log('');
  console.log(
    'time s: first poll that saw every route (an upper bound); (≥ s): the last poll that did not (a lower bound);',
  );
  console.log(
    "CPU-idle s: when the receiver's CPU time last grew before that poll (an estimate between the two). routes/s = routes ÷ time s.",
  );
  console.log(
    'speed ARSLab÷X = ARSLab routes/s ÷ X routes/s (> 1: ARSLab faster); memory ARSLab÷X = ARSLab peak B/route ÷ X peak B/route (< 1: ARSLab smaller).',
  );
  if (args.json)
    writeFileSync(
      args.json,
      JSON.stringify(
        { started: started.toISOString(), args, machine: machine(), versions: versions(), results },
        null,
        2,
      ),
    );
  if (!args.keep && !args.cpuProf && !args.heapSnapshot) rmSync(runDir, { recursive: true, force: true });
  if (results.some((m) => !m.ok)) process.exitCode = 1;
}

main().catch(async (e) => {
  console.error(`route-server benchmark: ${(e as Error).stack ?? e}`);
  await cleanupAll();
  process.exit(1);
});
