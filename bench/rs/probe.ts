/**
 * Preloaded into the ARSLab lab process by the route-server benchmark
 * (`node --expose-gc --import dist/bench/rs/probe.js dist/src/cli/main.js up LAB.yml`), so that
 * the heap can be measured without changing src/: on SIGUSR2 it runs a full GC (twice, so that
 * FinalizationRegistry callbacks and weak cells settle) and writes V8's heap figures as one JSON
 * line to $ARSLAB_BENCH_PROBE_OUT. With $ARSLAB_BENCH_HEAP_SNAPSHOT_DIR set, SIGUSR2 also writes
 * a heap snapshot there (slow: seconds for a 300,000-route RIB; for profiling only).
 *
 * With $ARSLAB_BENCH_TARGET = N and $ARSLAB_BENCH_SPEAKER_MODULE = the file URL of the lab's
 * dist/src/rib/speaker.js (the module instance the lab uses), it also wraps
 * Speaker.prototype.receive and writes one line per speaker when its Loc-RIB first holds N
 * prefixes: the in-process completion time, with no polling error (a cross-check of the poll).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';

const out = process.env['ARSLAB_BENCH_PROBE_OUT'];
const snapDir = process.env['ARSLAB_BENCH_HEAP_SNAPSHOT_DIR'];
let n = 0;
const now = (): number => performance.timeOrigin + performance.now();

const target = Number(process.env['ARSLAB_BENCH_TARGET'] ?? 0);
const speakerModule = process.env['ARSLAB_BENCH_SPEAKER_MODULE'];
if (out && target > 0 && speakerModule) {
  type Receive = (this: { name: string; prefixCount: number }, ...a: unknown[]) => unknown;
  const m = (await import(speakerModule)) as { Speaker: { prototype: { receive: Receive } } };
  const original = m.Speaker.prototype.receive;
  const first = new Map<string, number>();
  const done = new Set<string>();
  m.Speaker.prototype.receive = function (this: { name: string; prefixCount: number }, ...a: unknown[]) {
    if (!first.has(this.name)) first.set(this.name, now());
    const r = original.apply(this, a);
    if (!done.has(this.name) && this.prefixCount >= target) {
      done.add(this.name);
      appendFileSync(
        out,
        JSON.stringify({
          event: 'target',
          speaker: this.name,
          t: now(),
          firstReceive: first.get(this.name),
          prefixes: this.prefixCount,
        }) + '\n',
      );
    }
    return r;
  };
}

process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  const t0 = performance.now();
  if (gc) {
    gc();
    gc();
  }
  const gcMs = performance.now() - t0;
  const h = v8.getHeapStatistics();
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size }]),
  );
  let snapshot: string | undefined;
  if (snapDir) snapshot = v8.writeHeapSnapshot(join(snapDir, `lab-${process.pid}-${++n}.heapsnapshot`));
  const line = {
    t: Date.now(),
    gc: gc !== undefined,
    gcMs,
    heapUsed: h.used_heap_size,
    heapTotal: h.total_heap_size,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    rss: m.rss,
    spaces,
    ...(snapshot ? { snapshot } : {}),
  };
  if (out) appendFileSync(out, JSON.stringify({ event: 'heap', ...line }) + '\n');
});
