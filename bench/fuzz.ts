/**
 * Benchmark: the end-to-end BGP fuzz suite (test/fuzz) for a long run against a lab started as
 * users start it (`arslab up`, its own process), issue 8. Per hub (10.166.x, 10.167.x; one
 * route server each) 7 fuzzing NVAs on both instances and an observer NVA: 28 fuzzing sessions
 * by default. Every input's outcome is checked against the RFC oracle, as in CI.
 *
 *   npx tsc -p tsconfig.json
 *   ARSLAB_STATE_DIR=/tmp/arslab-state-fuzz node dist/bench/fuzz.js [--messages 1000000]
 *     [--seed N] [--hubs 2] [--fuzzers 7] [--batch 24] [--minutes 180]
 *
 * Reports: messages tried, outcomes by class and by mutation, mismatches with the oracle,
 * crashes (the lab process died), hangs (no answer to a batch in 5 s, or `GET /arslab/status`
 * slower than 2 s — asked every second throughout), and the lab process's RSS and open fds at
 * the start, at intervals, and at the end. Findings are written to test/fixtures/fuzz/found/.
 * Runs as root (port 179 on 127.166/167.x), not in CI; every process is stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../src/cli/client.js';
import { readLabState, type LabState } from '../src/lab/state.js';
import { Fuzzer, Observer, seededRandom, Tally } from '../test/fuzz/driver.js';
import { saveFinding } from '../test/fuzz/corpus.js';
import { fuzzerOf, fuzzLabYaml, instanceOf, observerOf, vnetPrefixOf, type HubLayout } from '../test/fuzz/lab.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const NAME = 'fuzzbench';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const MESSAGES = arg('messages', 1_000_000);
const SEED = arg('seed', Date.now() & 0x7fffffff);
const HUBS = arg('hubs', 2);
const FUZZERS = arg('fuzzers', 7);
const BATCH = arg('batch', 24);
const MINUTES = arg('minutes', 180);
const hubs: HubLayout[] = Array.from({ length: HUBS }, (_, k) => ({ octet: 166 + k, fuzzers: FUZZERS }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS (kB → MB) and open file descriptors of a process, from /proc. */
function proc(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(rss / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length };
}

interface LabProcess {
  child: ChildProcess;
  state: LabState;
  client: ApiClient;
  exited: boolean;
}

async function startLab(dir: string): Promise<LabProcess> {
  const file = join(dir, 'lab.yml');
  writeFileSync(file, fuzzLabYaml(NAME, hubs));
  const log = openSync(join(dir, 'up.log'), 'a');
  // ARSLAB_FUZZ_LAB_NODE_ARGS: extra node flags for the lab process (e.g. --cpu-prof).
  const extra = (process.env['ARSLAB_FUZZ_LAB_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--enable-source-maps', MAIN, 'up', file], {
    stdio: ['ignore', log, log],
    env: process.env,
  });
  const lp = { child, exited: false } as LabProcess;
  child.once('exit', () => {
    lp.exited = true;
  });
  const end = Date.now() + 90_000;
  while (Date.now() < end && !lp.exited) {
    const s = readLabState(NAME);
    if (s && s.pid === child.pid) {
      const client = ApiClient.forLab(s);
      const r = await client.request('GET', '/arslab/status').catch(() => undefined);
      if (r?.status === 200) {
        lp.state = s;
        lp.client = client;
        return lp;
      }
    }
    await sleep(200);
  }
  throw new Error(`the lab did not come up (see ${join(dir, 'up.log')})`);
}

async function stopLab(lp: LabProcess): Promise<void> {
  if (lp.exited) return;
  lp.child.kill('SIGTERM');
  const end = Date.now() + 30_000;
  while (!lp.exited && Date.now() < end) await sleep(100);
  if (!lp.exited) lp.child.kill('SIGKILL');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the lab binds port 179 on 127.x addresses');
  const dir = mkdtempSync(join(tmpdir(), 'arslab-fuzzbench-'));
  process.env['ARSLAB_STATE_DIR'] ??= join(dir, 'state');
  console.log(
    `fuzz bench: ${MESSAGES} messages, seed ${SEED}, ${HUBS} hub(s) × 2 instances × ${FUZZERS} fuzzing NVAs, batches of ${BATCH}`,
  );
  let lab = await startLab(dir);
  const port = lab.state.bgpPort;
  const tally = new Tally();
  const observers = new Map<string, Observer>();
  for (const h of hubs)
    for (const i of [0, 1] as const) {
      const o = new Observer(instanceOf(h, i, port), observerOf(h), vnetPrefixOf(h));
      await o.open();
      observers.set(`${h.octet}/${i}`, o);
    }
  const fuzzers: Fuzzer[] = [];
  let index = 0;
  for (const h of hubs)
    for (const i of [0, 1] as const)
      for (let k = 0; k < FUZZERS; k++)
        fuzzers.push(
          new Fuzzer({
            target: instanceOf(h, i, port),
            peer: fuzzerOf(h, k),
            observer: observers.get(`${h.octet}/${i}`)!,
            vnetPrefix: vnetPrefixOf(h),
            index: index++,
            tally,
            alive: () => !lab.exited,
            batchSize: BATCH,
            openShare: 0.01,
            endShare: 0.1,
          }),
        );

  // Status every second, throughout, from a process of its own: the lab must answer within 2 s.
  const status = { asked: 0, slow: 0, failed: 0, maxMs: 0, sumMs: 0 };
  let poller: ChildProcess | undefined;
  const startPoller = () => {
    poller = spawn(process.execPath, [join(ROOT, 'dist/bench/statusPoller.js'), NAME], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let buf = '';
    poller.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const { ms, ok } = JSON.parse(buf.slice(0, nl)) as { ms: number; ok: boolean };
        buf = buf.slice(nl + 1);
        if (lab.exited) continue;
        status.asked++;
        status.sumMs += ms;
        status.maxMs = Math.max(status.maxMs, ms);
        if (ms > 2000) status.slow++;
        else if (!ok) status.failed++;
      }
    });
  };
  startPoller();

  const start = proc(lab.child.pid!);
  const samples: { t: number; messages: number; rssMb: number; fds: number }[] = [];
  const t0 = Date.now();
  samples.push({ t: 0, messages: 0, ...start });
  console.log(`lab pid ${lab.child.pid}: RSS ${start.rssMb} MB, ${start.fds} fds at the start`);
  const deadline = t0 + MINUTES * 60_000;
  const progress = setInterval(() => {
    if (lab.exited) return;
    const p = proc(lab.child.pid!);
    const s = (Date.now() - t0) / 1000;
    samples.push({ t: s, messages: tally.messages, ...p });
    console.log(
      `${s.toFixed(0)} s: ${tally.messages} messages (${Math.round(tally.messages / s)}/s), ${tally.mismatches.length} mismatches, ${tally.crashes} crashes, ${tally.hangs + status.slow} hangs; RSS ${p.rssMb} MB, ${p.fds} fds; status max ${status.maxMs.toFixed(0)} ms`,
    );
  }, 30_000);

  await Promise.all(
    fuzzers.map(async (f, k) => {
      const rng = seededRandom(SEED + k);
      while (tally.messages < MESSAGES && Date.now() < deadline) {
        const alive = await f.batch(rng).catch((e: Error) => {
          tally.findings.push({ why: `driver error: ${e.message}`, inputs: [] });
          return !lab.exited;
        });
        if (!alive) {
          // A crash: keep the batch, start the lab again and go on.
          if (!lab.exited) continue;
          console.log(`the lab died at ${tally.messages} messages; restarting it`);
          await stopLab(lab);
          lab = await startLab(dir);
          poller?.kill();
          startPoller();
          for (const o of observers.values()) {
            o.close();
            await o.open();
          }
        }
      }
      f.close();
    }),
  );
  clearInterval(progress);
  const elapsed = (Date.now() - t0) / 1000;
  const endBusy = proc(lab.child.pid!);
  // Sessions closed, a moment to settle: what the lab keeps when the load is gone.
  for (const o of observers.values()) o.close();
  await sleep(5000);
  const endIdle = proc(lab.child.pid!);
  poller?.kill();

  const lines: string[] = [];
  const out = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  out(`\n== fuzz bench, ${new Date().toISOString()}, seed ${SEED}`);
  out(
    `messages tried: ${tally.messages} in ${tally.batches} batches, ${elapsed.toFixed(0)} s (${Math.round(tally.messages / elapsed)}/s), ${fuzzers.length} fuzzing sessions`,
  );
  out('outcomes by class (expected, and observed for session resets):');
  for (const [k, n] of [...tally.byClass].sort((a, b) => b[1] - a[1])) out(`  ${k.padEnd(32)} ${n}`);
  out('inputs by message and mutation:');
  for (const [k, n] of [...tally.byMutation].sort((a, b) => b[1] - a[1])) out(`  ${k.padEnd(48)} ${n}`);
  out(`mismatches with the RFC oracle: ${tally.mismatches.length}`);
  for (const m of tally.mismatches.slice(0, 20)) out(`  ${m.input.message} ${m.input.mutation}: ${m.got}`);
  out(`crashes: ${tally.crashes}`);
  out(
    `hangs: ${tally.hangs} (no answer to a batch in 5 s); status slower than 2 s: ${status.slow}, failed: ${status.failed}`,
  );
  out(
    `status: asked ${status.asked} times, mean ${(status.sumMs / Math.max(1, status.asked)).toFixed(1)} ms, max ${status.maxMs.toFixed(0)} ms`,
  );
  out(
    `lab RSS / fds: start ${start.rssMb} MB / ${start.fds}; end (sessions open) ${endBusy.rssMb} MB / ${endBusy.fds}; end (fuzzers and observers gone, 5 s later) ${endIdle.rssMb} MB / ${endIdle.fds}`,
  );
  const rss = samples.slice(1).map((s) => s.rssMb);
  if (rss.length)
    out(
      `RSS during the run (every 30 s): min ${Math.min(...rss)} MB, max ${Math.max(...rss)} MB; fds min ${Math.min(...samples.slice(1).map((s) => s.fds))}, max ${Math.max(...samples.slice(1).map((s) => s.fds))}`,
    );
  out(`samples: ${samples.map((s) => `${s.t.toFixed(0)}s:${s.messages}:${s.rssMb}MB:${s.fds}fd`).join(' ')}`);
  const saved = tally.findings
    .slice(0, 100)
    .map((f) => saveFinding(f, `${NAME} ${hubs.map((h) => `10.${h.octet}`).join(',')}`));
  out(`findings: ${tally.findings.length}${saved.length ? `, saved: ${saved.join(' ')}` : ''}`);
  writeFileSync(join(dir, 'report.txt'), `${lines.join('\n')}\n`);
  await stopLab(lab);
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = tally.crashes + tally.hangs + status.slow + tally.mismatches.length > 0 ? 1 : 0;
}

main().catch((e: Error) => {
  console.error(e.stack ?? String(e));
  process.exitCode = 2;
});
