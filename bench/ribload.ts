/**
 * The route-server benchmark's load, in process: N /24s with one attribute set (the same
 * UPDATEs the blaster of bench/routeserver.ts sends, 256 prefixes each) fed to a route-server
 * instance built from the same lab file, through the lab's own UPDATE handler
 * (lab/bgpNeighbor: validateUpdate → routesFromUpdate → Speaker.receive), without sockets.
 * For profiling where ARSLab spends time and memory on that load:
 *
 *   node --expose-gc dist/bench/ribload.js [--routes 300000] [--rounds 5] [--per-update 256] [--eager]
 *   node --expose-gc --cpu-prof --cpu-prof-dir /tmp/prof dist/bench/ribload.js --stages full
 *   node dist/bench/rs/profsummary.js /tmp/prof/*.cpuprofile
 *
 * Stages, each timed separately over fresh tables (median of --rounds):
 *   decode   the transport's decode of every UPDATE (decodeUpdateLazy: NLRI left in wire form;
 *            --eager: decodeMessage, a Prefix object per route)
 *   prepare  validateUpdate + routesFromUpdate of the decoded UPDATEs
 *   receive  Speaker.receive of the prepared routes (IN_0's speaker, fresh each round)
 *   wire     Speaker.receive of the decoded UPDATEs' NLRI in wire form (Ipv4Nlri), as the lab's handler
 *            passes them
 *   full     the transport's decode + the lab's onUpdate handler, as the lab runs it
 *   down     the session goes down after a full load: Speaker.neighborDown removes every route
 * and the V8 heap used after a full GC, before and after `full` (bytes per route). --no-gc
 * leaves out the forced GCs (for CPU profiles).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { realClock } from '../src/bgp/clock.js';
import { silentLogger } from '../src/bgp/log.js';
import { validateUpdate } from '../src/bgp/validate.js';
import { AFI_IPV4, CONTEXT_4OCTET, decodeMessage, type ReceivedUpdate } from '../src/bgp/wire/index.js';
import { decodeUpdateLazy, ipv4NlriOf } from '../src/bgp/wire/messages/update.js';
import { AddressMap } from '../src/lab/addressing.js';
import { EventLog } from '../src/lab/events.js';
import { RouteServerRuntime } from '../src/lab/routeServer.js';
import { LabGraph } from '../src/lab/graph/index.js';
import { loadLabFile } from '../src/lab/topology/index.js';
import { routesFromUpdate } from '../src/rib/index.js';
import { writeLabFile } from './rs/configs.js';
import { benchUpdates } from './rs/sink.js';

const STAGES = ['decode', 'prepare', 'receive', 'wire', 'full', 'down'] as const;
type Stage = (typeof STAGES)[number];

function args() {
  const a = { routes: 300_000, rounds: 5, perUpdate: 256, stages: [...STAGES] as Stage[], gc: true, eager: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i] ?? '';
    switch (argv[i]) {
      case '--routes':
        a.routes = Number(v());
        break;
      case '--rounds':
        a.rounds = Number(v());
        break;
      case '--per-update':
        a.perUpdate = Number(v());
        break;
      case '--stages':
        a.stages = v().split(',') as Stage[];
        break;
      case '--no-gc':
        a.gc = false;
        break;
      case '--eager':
        a.eager = true;
        break;
      default:
        console.error(
          'usage: node --expose-gc dist/bench/ribload.js [--routes N] [--rounds N] [--per-update N] [--stages decode,prepare,receive,wire,full,down] [--no-gc] [--eager]',
        );
        process.exit(2);
    }
  }
  return a;
}

let gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
  gc?.();
  gc?.();
  return v8.getHeapStatistics().used_heap_size;
}
const keep: unknown[] = [];
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** The UPDATEs as separate frames. */
function frames(buf: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < buf.length; ) {
    const len = buf.readUInt16BE(off + 16);
    out.push(buf.subarray(off, off + len));
    off += len;
  }
  return out;
}

async function main(): Promise<void> {
  const a = args();
  if (!a.gc)
    gc = undefined; // no forced GCs (profiles then show only the GC the load causes)
  else if (!gc) console.log('(run with --expose-gc for heap figures)');
  const dir = mkdtempSync(join(tmpdir(), 'arsb-rib-'));
  const labFile = writeLabFile(dir, {
    name: 'ribload',
    maxRoutes: Math.max(a.routes * 2, 1_000_000),
    senderIp: '10.90.0.4',
    senderLoopback: '127.90.0.4',
    rsLoopback: ['127.90.1.4', '127.90.1.5'],
  });
  const loaded = await loadLabFile(labFile);
  rmSync(dir, { recursive: true, force: true });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const spec = loaded.spec;
  const model = spec.model;
  const rs = model.routeServers[0]!;
  const runtime = () => {
    const events = new EventLog(realClock);
    const addresses = new AddressMap('loopback', spec.settings.loopbackAddresses);
    const rt = new RouteServerRuntime(model, rs, {
      addresses,
      port: 179,
      clock: realClock,
      logger: silentLogger,
      events,
      connectRetryTime: 1,
      graph: new LabGraph(realClock, events),
    });
    const inst = rt.instances[0];
    const session = inst.peerings.get('sender')!.session;
    // As in the lab once the session is up: the sender is an up neighbour (split horizon and
    // the Adj-RIB-Out lookup run for it), its session is not (nothing is written).
    inst.speaker.neighborUp(session.neighbor.source.id);
    return { rt, inst, session, onUpdate: session.peer.options.handlers.onUpdate! };
  };

  const msgs = frames(benchUpdates(a.routes, '10.90.0.4', a.perUpdate)).slice(0, -1); // without End-of-RIB
  const N = a.routes;
  console.log(
    `ribload: ${N.toLocaleString('en-US')} /24s, one attribute set, ${msgs.length} UPDATEs of ≤ ${a.perUpdate} prefixes; Node ${process.version}; median of ${a.rounds}`,
  );
  const rate = (ms: number) =>
    `${(((N / ms) * 1000) / 1e6).toFixed(2)} M routes/s (${((ms * 1e6) / N).toFixed(0)} ns/route, ${ms.toFixed(1)} ms)`;

  // As the transport decodes UPDATEs (src/bgp/transport/peer.ts), or eagerly with --eager.
  const decode = (f: Uint8Array): ReceivedUpdate => {
    const d = a.eager ? decodeMessage(f, CONTEXT_4OCTET) : decodeUpdateLazy(f, f.length, CONTEXT_4OCTET);
    if (!d.ok || d.value.type !== 'UPDATE') throw new Error('decode failed');
    return d.value;
  };
  const decodeAll = (): ReceivedUpdate[] => msgs.map(decode);
  const prepare = (us: ReceivedUpdate[]) =>
    us.map((u) => {
      const v = validateUpdate(u, { ebgp: true, families: ['ipv4-unicast'] });
      return routesFromUpdate(u, v.attributes, {
        treatAsWithdraw: v.treatAsWithdraw,
        families: new Set([AFI_IPV4]),
        displayNextHop: (t) => t,
      });
    });

  for (const stage of a.stages) {
    const times: number[] = [];
    let heapPerRoute: number | undefined;
    let prefixes = 0;
    for (let r = 0; r < a.rounds; r++) {
      if (stage === 'decode') {
        heapUsed();
        const t = performance.now();
        decodeAll();
        times.push(performance.now() - t);
      } else if (stage === 'prepare') {
        const us = decodeAll();
        heapUsed();
        const t = performance.now();
        prepare(us);
        times.push(performance.now() - t);
      } else if (stage === 'receive') {
        const routes = prepare(decodeAll());
        const { inst } = runtime();
        const id = inst.peerings.get('sender')!.session.neighbor.source.id;
        heapUsed();
        const t = performance.now();
        for (const g of routes) inst.speaker.receive(id, [], g.announced[0]);
        times.push(performance.now() - t);
        prefixes = inst.speaker.prefixCount;
      } else if (stage === 'wire') {
        const us = decodeAll();
        const routes = prepare(us.slice(0, 1));
        const attrs = routes[0]!.announced[0]!.attrs;
        const wires = us.map(
          (u) =>
            ipv4NlriOf(u) ??
            (() => {
              throw new Error('run without --eager');
            })(),
        );
        const { inst } = runtime();
        const id = inst.peerings.get('sender')!.session.neighbor.source.id;
        heapUsed();
        const t = performance.now();
        for (const w of wires) inst.speaker.receive(id, [], { attrs, prefixes: w });
        times.push(performance.now() - t);
        prefixes = inst.speaker.prefixCount;
      } else if (stage === 'down') {
        const rt = runtime();
        for (const f of msgs) rt.onUpdate(rt.session.peer, decode(f));
        heapUsed();
        const t = performance.now();
        rt.inst.speaker.neighborDown(rt.session.neighbor.source.id);
        times.push(performance.now() - t);
        prefixes = rt.inst.speaker.prefixCount;
        if (prefixes !== 0) throw new Error(`down: ${prefixes} prefixes left`);
        prefixes = N;
      } else {
        const rt = runtime();
        const before = heapUsed();
        const t = performance.now();
        for (const f of msgs) rt.onUpdate(rt.session.peer, decode(f));
        times.push(performance.now() - t);
        prefixes = rt.inst.speaker.prefixCount;
        // Heap from the first round only: later rounds may still see an earlier round's table.
        keep.push(rt); // reachable while the heap is measured
        if (gc && r === 0) heapPerRoute = (heapUsed() - before) / N;
        keep.length = 0;
      }
      if (stage !== 'decode' && stage !== 'prepare' && prefixes !== N)
        throw new Error(`${stage}: ${prefixes} prefixes, expected ${N}`);
    }
    const heap =
      heapPerRoute !== undefined ? `; V8 heap after GC +${heapPerRoute.toFixed(1)} B/route (first round)` : '';
    console.log(
      `  ${stage.padEnd(8)} ${rate(median(times))}  [rounds: ${times.map((x) => x.toFixed(0)).join(', ')} ms]${heap}`,
    );
  }
}

void main();
