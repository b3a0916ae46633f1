/**
 * @module lab/probe
 * `arslab probe`: hping/curl-like probes over the emulated data plane. Each probe follows
 * the source VM NIC's effective routes as they are at the instant it is sent (longest
 * prefix, ECMP by the flow's 5-tuple hash: src/azure/dataPath.ts) to the next-hop VM, and
 * when that VM serves the port (an http node, or any real server bound at the VM's mapped
 * address), really connects to it — TCP connect and HTTP GET within a timeout no longer
 * than the interval — at its loopback address (loopback mode) or through the Azure
 * namespace's bridge (netns mode).
 *
 * It runs in the lab process (API route /arslab/probe), not in the CLI: every probe reads
 * the live routing state with a function call (no API round trip between a route change
 * and the probe that sees it), probes are sent on the lab's own schedule, their times are
 * on the same clock as the event timeline (`labT`), and netns mode's sockets are only
 * reachable from there. The CLI only prints what the lab streams.
 *
 * Flows: probe `seq` uses source port `sourcePort` when fixed (hping -s P -k), else
 * 40000 + seq (wrapping within 1024–65535), so successive probes are different flows and
 * spread over ECMP rows as real flows do; the hash sees the emulated 5-tuple (source VM
 * address, destination, TCP, that source port, the destination port). The real socket
 * uses an ephemeral port (reusing one 4-tuple at 10 probes a second would run into
 * TIME_WAIT).
 *
 * A real daemon on the path forwards by its own table, kept for the run while the lab sees
 * no change of the daemon (DaemonTableCache, ADR 0038): reading FRR's takes ~150 ms.
 */
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  AzureErrors,
  byId,
  idKey,
  primaryIpConfig,
  sameName,
  type NetworkInterface,
  type VirtualMachine,
} from '../azure/index.js';
import type { Connector } from '../bgp/transport/index.js';
import { parseIpv4 } from '../bgp/wire/index.js';
import type { Lab } from './lab.js';
import { httpBoundPort } from './spec.js';
import { DaemonTableCache, followPacket, type TraceEnd } from './trace.js';

export interface ProbeRequest {
  /** Source VM: NAME, RESOURCE-GROUP/NAME, or the name of one of its NICs; or a built-in router. */
  readonly from: string;
  /** Destination IPv4 address. */
  readonly to: string;
  readonly port: number;
  readonly intervalMs: number;
  readonly count?: number;
  readonly durationMs?: number;
  /** Per probe, connect and answer; at most the interval (the default). */
  readonly timeoutMs?: number;
  /** One fixed source port for every probe (one flow); default 40000 + seq. */
  readonly sourcePort?: number;
}

export interface ProbeInfo {
  readonly from: string;
  readonly nic: string;
  readonly source: string;
  readonly to: string;
  readonly port: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly count?: number;
  readonly durationMs?: number;
  /** The fixed source port, or 'varying' (40000 + seq). */
  readonly sourcePort: number | 'varying';
  readonly mode: string;
  /** Lab timeline time (ms, as `arslab events`) of probe 0. */
  readonly labT: number;
}

export type ProbeOutcome = 'ok' | 'no route' | 'unreachable' | 'timeout' | 'loop' | 'ttl exceeded';

export interface ProbeResult {
  readonly seq: number;
  /** When it was sent: ms since probe 0. */
  readonly t: number;
  /** When it was sent, on the lab's event timeline (ms). */
  readonly labT: number;
  readonly sourcePort: number;
  readonly prefix?: string;
  readonly nextHopType?: string;
  readonly nextHopIp?: string;
  /** ECMP rows for the prefix, and which one this flow took (1-based), when more than one. */
  readonly paths?: number;
  readonly path?: number;
  /** The VM the route leads to. */
  readonly vm?: string;
  /** What was connected to (real address:port). */
  readonly target?: string;
  readonly result: ProbeOutcome;
  readonly status?: number;
  /** The answer's first line (the web server's name, by default). */
  readonly body?: string;
  readonly rttMs?: number;
  readonly detail?: string;
  /** The hops the probe's flow crossed (lab/trace.ts's walk, one path by its hash), the sender excluded. */
  readonly hops?: readonly string[];
  /** Where a lost probe died: the last hop it reached (no route there, a loop, TTL exceeded). */
  readonly diedAt?: string;
  /** The answer came from a router owning the address (it originates a prefix holding it): no socket, ADR 0032. */
  readonly emulated?: boolean;
}

export interface ProbeSummary {
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
  readonly lossPercent: number;
  readonly rttMs: { readonly min: number; readonly avg: number; readonly max: number } | null;
  /** Longest time between two successive replies (send times): the failover time plus one interval. */
  readonly longestGapMs: number | null;
  readonly longestGap?: { readonly fromSeq: number; readonly toSeq: number; readonly lost: number };
  /** Set when the last probes got no reply: the first of them. */
  readonly failingSinceSeq?: number;
  /** Replies per VM (or router) reached. */
  readonly reached: Readonly<Record<string, number>>;
  /** Lost probes by where they died: "site1: no route" → count. */
  readonly died?: Readonly<Record<string, number>>;
}

/**
 * A stretch without replies, as the failover chart shades it: from the last reply before it
 * (or, when none came before, its first lost probe) to the first reply after it — while no
 * reply has come yet, to its latest lost probe (`open`). The longest closed one is the
 * summary's longestGap.
 */
export interface ProbeGap {
  readonly fromSeq: number;
  readonly toSeq: number;
  /** Send times of fromSeq and toSeq (ms since probe 0, as ProbeResult.t). */
  readonly fromT: number;
  readonly toT: number;
  /** Probes without a reply in it. */
  readonly lost: number;
  readonly open: boolean;
}

/**
 * A probe run's progress on the lab's live channel (EventLog.publish 'probe'), so that any
 * watcher — the web page's failover chart — sees the probes of every run, the CLI's too.
 * `run` is the sequence number of the run's start event on the timeline.
 */
export type ProbeLive =
  | { readonly run: number; readonly type: 'start'; readonly info: ProbeInfo }
  | {
      readonly run: number;
      readonly type: 'probe';
      readonly result: ProbeResult;
      /** The gap this probe opened, extended (lost) or closed (a reply after losses). */
      readonly gap?: ProbeGap;
    }
  | { readonly run: number; readonly type: 'summary'; readonly summary: ProbeSummary };

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export const FIRST_SOURCE_PORT = 40000;

/** The source port of probe `seq` (see the module comment). */
export function probeSourcePort(seq: number, fixed?: number): number {
  if (fixed !== undefined) return fixed;
  return 1024 + ((FIRST_SOURCE_PORT - 1024 + seq) % (65536 - 1024));
}

/** Where probes are sent from: a VM's NIC, or a built-in router (its own address: a host behind it, ADR 0032). */
export interface ProbeSource {
  readonly name: string;
  readonly address: string;
  readonly vm?: VirtualMachine;
  readonly nic?: NetworkInterface;
}

/** The source VM and NIC a probe is sent from, or the built-in router. */
export function probeSource(lab: Lab, from: string): ProbeSource {
  const router = lab.graph.speaker(from);
  if (router?.kind === 'router' && router.rib)
    return { name: router.name, address: lab.graph.addressOf(router, { kind: 'router' }) };
  const m = lab.model;
  const [rg, name] = from.includes('/') ? (from.split('/', 2) as [string, string]) : [undefined, from];
  const vms = m.virtualMachines.filter(
    (v) => sameName(v.name, name) && (rg === undefined || sameName(v.resourceGroup, rg)),
  );
  let vm: VirtualMachine | undefined = vms[0];
  let nic: NetworkInterface | undefined;
  if (vms.length > 1)
    throw AzureErrors.ambiguousVirtualMachine(
      from,
      vms.map((v) => v.resourceGroup),
    );
  if (!vm) {
    nic = m.networkInterfaces.find(
      (n) => sameName(n.name, name) && (rg === undefined || sameName(n.resourceGroup, rg)),
    );
    vm = nic?.virtualMachine ? byId(m.virtualMachines, nic.virtualMachine) : undefined;
  }
  const routers = lab.graph.speakers({ kind: 'router' }).map((r) => r.name);
  if (!vm)
    throw AzureErrors.virtualMachineNotFound(
      from,
      m.virtualMachines.map((v) => v.name),
      routers,
    );
  nic ??= byId(m.networkInterfaces, vm.networkInterfaces[0]);
  const address = nic ? primaryIpConfig(nic)?.privateIPAddress : undefined;
  if (!nic || !address) throw AzureErrors.noNetworkInterface(vm.name);
  return { name: vm.name, vm, nic, address };
}

/** Checks a request's numbers and addresses (before anything is sent). */
export function checkProbeRequest(r: ProbeRequest): void {
  const bad = AzureErrors.invalidParameter;
  if (typeof r.from !== 'string' || !r.from) throw bad('from', 'a source virtual machine is required');
  if (typeof r.to !== 'string' || parseIpv4(r.to) === undefined)
    throw bad('to', `expected an IPv4 address, got '${r.to}'`);
  if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) throw bad('port', `expected 1-65535, got ${r.port}`);
  if (!(r.intervalMs >= 1) || r.intervalMs > 3_600_000)
    throw bad('interval', `expected 1 ms to 1 h, got ${r.intervalMs} ms`);
  if (r.timeoutMs !== undefined && !(r.timeoutMs >= 1))
    throw bad('timeout', `expected at least 1 ms, got ${r.timeoutMs} ms`);
  if (r.timeoutMs !== undefined && r.timeoutMs > r.intervalMs)
    throw bad('timeout', `${r.timeoutMs} ms is longer than the interval (${r.intervalMs} ms): one probe at a time`);
  if (r.count !== undefined && (!Number.isInteger(r.count) || r.count < 1))
    throw bad('count', `expected a whole number of at least 1, got ${r.count}`);
  if (r.durationMs !== undefined && !(r.durationMs > 0))
    throw bad('duration', `expected more than 0, got ${r.durationMs} ms`);
  if (r.sourcePort !== undefined && (!Number.isInteger(r.sourcePort) || r.sourcePort < 1 || r.sourcePort > 65535))
    throw bad('source-port', `expected 1-65535, got ${r.sourcePort}`);
}

interface Target {
  readonly address: string;
  readonly port: number;
}

/** Where a VM serves `port`: its http node on that port, else its mapped address and port (a real server bound there). */
function targetOf(lab: Lab, vm: VirtualMachine, address: string, port: number): Target {
  const host = lab.graph.hosts().find((h) => h.port === port && idKey(h.vm) === idKey(vm.id));
  if (host) return { address: host.realAddress, port: host.realPort };
  return { address: lab.addresses.add(address), port: httpBoundPort({ port }, lab.mode, process.getuid?.() === 0) };
}

type Exchange =
  | { ok: true; status: number; body: string; rttMs: number }
  | { ok: false; result: 'unreachable' | 'timeout'; detail: string };

/** TCP connect + `GET /` within `timeoutMs`; the answer's status and first body line. */
function httpGet(
  target: Target,
  host: string,
  timeoutMs: number,
  via: { localAddress?: string; connector?: Connector },
): Promise<Exchange> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let socket: net.Socket | undefined;
    let connected = false;
    let done = false;
    const chunks: Buffer[] = [];
    const finish = (r: Exchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          result: 'timeout',
          detail: connected ? `connected, no answer within ${timeoutMs} ms` : `no connection within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
    const parse = (): Exchange | undefined => {
      const buf = Buffer.concat(chunks);
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) return undefined;
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(buf.subarray(0, head).toString('latin1'));
      if (!m) return { ok: false, result: 'unreachable', detail: 'not an HTTP answer' };
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, head + 2).toString('latin1'));
      const body = buf.subarray(head + 4);
      if (length && body.length < Number(length[1])) return undefined;
      const first = body.toString('utf8').split('\n')[0]!.trim();
      return {
        ok: true,
        status: Number(m[1]),
        body: first.length > 60 ? `${first.slice(0, 57)}...` : first,
        rttMs: round(performance.now() - t0),
      };
    };
    const use = (s: net.Socket) => {
      socket = s;
      if (done) return void s.destroy();
      connected = true;
      s.on('data', (c: Buffer) => {
        chunks.push(c);
        const r = parse();
        if (r) finish(r);
      });
      s.on('end', () =>
        finish(
          parse() ?? {
            ok: false,
            result: 'unreachable',
            detail: chunks.length ? 'connection closed mid-answer' : 'connection closed without an answer',
          },
        ),
      );
      s.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, result: 'unreachable', detail: describe(e) }));
      s.write(
        `GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: arslab-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
      );
    };
    if (via.connector) {
      via.connector({ remote: { address: target.address, port: target.port }, localAddress: '' }).then(
        (s) => {
          s.resume();
          use(s);
        },
        (e: NodeJS.ErrnoException) => finish({ ok: false, result: 'unreachable', detail: describe(e) }),
      );
      return;
    }
    const s = net.connect({
      host: target.address,
      port: target.port,
      noDelay: true,
      ...(via.localAddress ? { localAddress: via.localAddress } : {}),
    });
    socket = s;
    s.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, result: 'unreachable', detail: describe(e) }));
    s.once('connect', () => use(s));
  });
}

function describe(e: NodeJS.ErrnoException): string {
  const m = e.code ?? e.message;
  if (/ECONNREFUSED|connection refused/i.test(m) || /ECONNREFUSED/.test(e.message)) return 'connection refused';
  if (/ECONNRESET/.test(m)) return 'connection reset';
  if (/EHOSTUNREACH|ENETUNREACH/.test(m)) return 'host unreachable';
  return m;
}

/** Probe outcome of a walk that did not reach the destination. */
const LOST: Partial<Record<TraceEnd, ProbeOutcome>> = {
  'no-route': 'no route',
  loop: 'loop',
  'ttl-exceeded': 'ttl exceeded',
  'link-down': 'timeout',
};

/**
 * One probe: the flow walked hop by hop on the routes of now (lab/trace.ts, one path by the
 * flow's hash), then a real connection to what it reached — a VM's server (an http node), a
 * node on the address — or, for an address a built-in router owns, the router's answer
 * without a socket (ADR 0032).
 */
async function probeOnce(
  lab: Lab,
  src: ProbeSource,
  req: ProbeRequest,
  timeoutMs: number,
  seq: number,
  t: number,
  labT: number,
  tables: DaemonTableCache,
): Promise<ProbeResult> {
  const sourcePort = probeSourcePort(seq, req.sourcePort);
  const t0 = performance.now();
  const flow = { source: src.address, destination: req.to, protocol: 6, sourcePort, destinationPort: req.port };
  // Real daemons on the path forward by their own tables, as of this probe's instant within
  // the cache's bounds (DaemonTableCache: re-read on any change the lab sees of them).
  const daemons = lab.graph.speakers({ kind: 'daemon' }).length ? await tables.tables() : undefined;
  const { result, first: d } = followPacket(lab, src.name, req.to, {
    flow,
    ...(daemons ? { daemons } : {}),
    ...(src.vm && src.nic ? { source: { vm: src.vm, nic: src.nic } } : {}),
  });
  const path = result.paths[0]!;
  const last = path.hops.at(-1)!;
  const crossed = path.hops.filter((h) => !h.source).map((h) => h.name);
  const base = {
    seq,
    t: round(t),
    labT: round(labT),
    sourcePort,
    ...(d?.prefix ? { prefix: d.prefix } : {}),
    ...(d?.nextHopType ? { nextHopType: d.nextHopType } : {}),
    ...(d?.nextHopIp ? { nextHopIp: d.nextHopIp } : {}),
    ...(d && d.paths > 1 ? { paths: d.paths, path: d.pathIndex! + 1 } : {}),
    ...(crossed.length ? { hops: crossed } : {}),
  };
  // The VM the flow reaches: the NIC's next hop (an NVA, the VIP's server), or at the end of the walk.
  const vm =
    d?.outcome === 'forward' && d.vm
      ? d.vm
      : path.end === 'reached' && last.kind === 'vm'
        ? lab.model.virtualMachines.find((v) => v.name === last.name)
        : undefined;
  if (!vm && path.end === 'reached' && (last.kind === 'router' || last.kind === 'nva'))
    return {
      ...base,
      vm: last.name,
      result: 'ok',
      emulated: true,
      body: `reply from ${last.name}`,
      rttMs: round(performance.now() - t0),
      detail: path.detail,
    };
  if (!vm) {
    const lost = LOST[path.end] ?? (d && d.outcome === 'no route' ? 'no route' : 'unreachable');
    return { ...base, result: lost, detail: path.detail, diedAt: last.name };
  }
  const nextHop = d?.outcome === 'forward' && d.nextHopIp ? d.nextHopIp : req.to;
  const target = targetOf(lab, vm, nextHop, req.port);
  const connector = lab.probeConnector();
  const localAddress = connector ? undefined : lab.addresses.add(src.address);
  const r = await httpGet(target, req.to, timeoutMs, {
    ...(connector ? { connector } : {}),
    ...(localAddress ? { localAddress } : {}),
  });
  const where = { vm: vm.name, target: `${target.address}:${target.port}` };
  return r.ok
    ? { ...base, ...where, result: 'ok', status: r.status, body: r.body, rttMs: r.rttMs }
    : { ...base, ...where, result: r.result, detail: r.detail, diedAt: vm.name };
}

/**
 * Runs probes until `count`, `duration` or `signal`; `onResult` gets them in sequence
 * order as they complete (a probe's timeout is at most the interval, so at most one
 * interval late).
 */
export async function runProbe(
  lab: Lab,
  req: ProbeRequest,
  handlers: { onStart?: (info: ProbeInfo) => void; onResult?: (r: ProbeResult) => void },
  signal?: AbortSignal,
): Promise<{ info: ProbeInfo; summary: ProbeSummary }> {
  checkProbeRequest(req);
  const src = probeSource(lab, req.from);
  const timeoutMs = Math.min(req.timeoutMs ?? req.intervalMs, req.intervalMs);
  const startEvent = lab.events.emit(
    'probe',
    src.name,
    `probing ${req.to}:${req.port} every ${req.intervalMs} ms (timeout ${timeoutMs} ms${req.count ? `, ${req.count} probes` : ''}${req.durationMs ? `, for ${req.durationMs} ms` : ''})`,
  );
  const t0 = performance.now();
  const info: ProbeInfo = {
    from: src.name,
    nic: src.nic?.name ?? '',
    source: src.address,
    to: req.to,
    port: req.port,
    intervalMs: req.intervalMs,
    timeoutMs,
    ...(req.count !== undefined ? { count: req.count } : {}),
    ...(req.durationMs !== undefined ? { durationMs: req.durationMs } : {}),
    sourcePort: req.sourcePort ?? 'varying',
    mode: lab.mode,
    labT: startEvent.t,
  };
  const run = startEvent.seq;
  const live = (m: ProbeLive) => lab.events.publish('probe', m);
  live({ run, type: 'start', info });
  handlers.onStart?.(info);
  const tally = new ProbeTally();
  // One cache of the daemons' tables for the run: a probe every few ms need not re-read them.
  const tables = new DaemonTableCache(lab);
  const done = new Map<number, ProbeResult>();
  let next = 0;
  const deliver = () => {
    while (done.has(next)) {
      const r = done.get(next)!;
      done.delete(next);
      const gap = tally.add(r);
      next++;
      live({ run, type: 'probe', result: r, ...(gap ? { gap } : {}) });
      handlers.onResult?.(r);
    }
  };
  const pending: Promise<void>[] = [];
  for (let seq = 0; ; seq++) {
    if (req.count !== undefined && seq >= req.count) break;
    const due = seq * req.intervalMs;
    if (req.durationMs !== undefined && due >= req.durationMs) break;
    await sleep(t0 + due - performance.now(), signal);
    if (signal?.aborted || lab.isStopped) break;
    const t = performance.now() - t0;
    pending.push(
      probeOnce(lab, src, req, timeoutMs, seq, t, startEvent.t + t, tables)
        .catch(
          (e: Error): ProbeResult => ({
            seq,
            t: round(t),
            labT: round(startEvent.t + t),
            sourcePort: probeSourcePort(seq, req.sourcePort),
            result: 'unreachable',
            detail: e.message,
          }),
        )
        .then((r) => {
          done.set(seq, r);
          deliver();
        }),
    );
  }
  await Promise.all(pending);
  const summary = tally.summary();
  live({ run, type: 'summary', summary });
  lab.events.emit(
    'probe',
    src.name,
    `probe of ${req.to}:${req.port} ${signal?.aborted ? 'interrupted' : 'done'}: ${summary.sent} sent, ${summary.received} received` +
      (summary.longestGapMs !== null ? `, longest gap ${summary.longestGapMs} ms` : ''),
    { run, ...summary },
  );
  return { info, summary };
}

/**
 * hping's statistics and the longest gap between replies (the failover time), kept as
 * probes arrive in sequence order: constant memory however long a probe runs.
 */
export class ProbeTally {
  private sent = 0;
  private received = 0;
  private rttMin = Infinity;
  private rttMax = -Infinity;
  private rttSum = 0;
  private lastOk?: { seq: number; t: number };
  private gapMs: number | null = null;
  private gap?: { fromSeq: number; toSeq: number; lost: number };
  private failingSince?: number;
  private openGap?: { fromSeq: number; fromT: number; lost: number };
  private readonly reached: Record<string, number> = {};
  private readonly died: Record<string, number> = {};

  /** Counts a probe (in sequence order); returns the gap it opened, extended or closed, if any. */
  add(r: ProbeResult): ProbeGap | undefined {
    this.sent++;
    if (r.result !== 'ok') {
      this.failingSince ??= r.seq;
      const at = `${r.diedAt ? `${r.diedAt}: ` : ''}${r.result}`;
      this.died[at] = (this.died[at] ?? 0) + 1;
      this.openGap ??= this.lastOk
        ? { fromSeq: this.lastOk.seq, fromT: this.lastOk.t, lost: 0 }
        : { fromSeq: r.seq, fromT: r.t, lost: 0 };
      this.openGap.lost++;
      return { ...this.openGap, toSeq: r.seq, toT: r.t, open: true };
    }
    const closed = this.openGap && { ...this.openGap, toSeq: r.seq, toT: r.t, open: false };
    this.openGap = undefined;
    this.failingSince = undefined;
    this.received++;
    const rtt = r.rttMs ?? 0;
    this.rttMin = Math.min(this.rttMin, rtt);
    this.rttMax = Math.max(this.rttMax, rtt);
    this.rttSum += rtt;
    if (r.vm) this.reached[r.vm] = (this.reached[r.vm] ?? 0) + 1;
    if (this.lastOk) {
      const ms = round(r.t - this.lastOk.t);
      if (this.gapMs === null || ms > this.gapMs) {
        this.gapMs = ms;
        this.gap = { fromSeq: this.lastOk.seq, toSeq: r.seq, lost: r.seq - this.lastOk.seq - 1 };
      }
    }
    this.lastOk = { seq: r.seq, t: r.t };
    return closed;
  }

  summary(): ProbeSummary {
    const { sent, received } = this;
    return {
      sent,
      received,
      lost: sent - received,
      lossPercent: sent ? round(((sent - received) / sent) * 100, 1) : 0,
      rttMs: received ? { min: round(this.rttMin), avg: round(this.rttSum / received), max: round(this.rttMax) } : null,
      longestGapMs: this.gapMs,
      ...(this.gap ? { longestGap: { ...this.gap } } : {}),
      ...(this.failingSince !== undefined ? { failingSinceSeq: this.failingSince } : {}),
      reached: { ...this.reached },
      ...(Object.keys(this.died).length ? { died: { ...this.died } } : {}),
    };
  }
}

/** The statistics of a set of probes (any order). Pure. */
export function summarize(results: readonly ProbeResult[]): ProbeSummary {
  const tally = new ProbeTally();
  for (const r of [...results].sort((a, b) => a.seq - b.seq)) tally.add(r);
  return tally.summary();
}

const ms = (x: number) => `${x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1)} ms`;

/** The first line `arslab probe` prints (hping's "HPING host ..."). */
export function formatProbeHeader(i: ProbeInfo): string {
  const sport =
    i.sourcePort === 'varying'
      ? `source port ${FIRST_SOURCE_PORT}+seq (a new flow per probe)`
      : `source port ${i.sourcePort} (one flow)`;
  return `PROBE ${i.to}:${i.port} from ${i.from} (${i.source}${i.nic ? `, ${i.nic}` : ''}): every ${i.intervalMs} ms, timeout ${i.timeoutMs} ms, ${sport}\n`;
}

/** One line per probe: seq, time, the route followed and the hops crossed, what was reached, the result. */
export function formatProbeLine(r: ProbeResult): string {
  const route = r.prefix
    ? `${r.prefix} ${r.nextHopType ?? ''}${r.nextHopIp && r.nextHopType !== 'VnetLocal' ? ` ${r.nextHopIp}` : ''}${r.paths ? ` [path ${r.path}/${r.paths}]` : ''}`
    : r.hops
      ? ''
      : 'no route';
  const hops = r.hops && r.hops.length > 1 ? ` via ${r.hops.join(' > ')}` : '';
  const at = r.vm ? ` -> ${r.vm}` : '';
  const what =
    r.result === 'ok'
      ? r.emulated
        ? `${r.body ?? 'reply'} rtt=${ms(r.rttMs ?? 0)}`
        : `${r.status} ${r.body ? `"${r.body}" ` : ''}rtt=${ms(r.rttMs ?? 0)}`
      : `${r.result}${r.diedAt && r.diedAt !== r.vm ? ` at ${r.diedAt}` : ''}${r.detail ? ` (${r.detail})` : ''}`;
  return `seq=${r.seq} t=${(r.t / 1000).toFixed(3)}s sport=${r.sourcePort} ${route}${hops}${at}: ${what}\n`.replace(
    / {2,}/g,
    ' ',
  );
}

/** hping's closing statistics, with the longest gap between replies. */
export function formatSummary(i: Pick<ProbeInfo, 'to' | 'port' | 'from'>, s: ProbeSummary): string {
  let out = `--- ${i.to}:${i.port} probe statistics (from ${i.from}) ---\n`;
  out += `${s.sent} probes sent, ${s.received} received, ${s.lossPercent}% lost\n`;
  if (s.rttMs)
    out += `round-trip min/avg/max = ${s.rttMs.min.toFixed(3)}/${s.rttMs.avg.toFixed(3)}/${s.rttMs.max.toFixed(3)} ms\n`;
  if (s.longestGapMs !== null && s.longestGap) {
    out += `longest gap between replies = ${ms(s.longestGapMs)} (seq ${s.longestGap.fromSeq} -> ${s.longestGap.toSeq}, ${s.longestGap.lost} lost)\n`;
  } else out += `longest gap between replies = - (fewer than two replies)\n`;
  if (s.failingSinceSeq !== undefined) out += `no reply since seq ${s.failingSinceSeq}\n`;
  const reached = Object.entries(s.reached);
  if (reached.length) out += `replies from: ${reached.map(([vm, n]) => `${vm} ${n}`).join(', ')}\n`;
  const died = Object.entries(s.died ?? {});
  if (died.length) out += `lost at: ${died.map(([at, n]) => `${at} ${n}`).join(', ')}\n`;
  return out;
}
