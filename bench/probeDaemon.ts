/**
 * Benchmark (j): `arslab probe` through a real daemon (ADR 0038). The cloud-exchange scenario
 * (scenarios/cloud-exchange: FRR as the exchange router on the circuit) in netns mode, probes
 * from the VM to the other cloud's VPC — each walks the circuit and FRR's own table — at
 * several intervals, one flow onto the primary MSEE. Probe 0 of each run reads FRR's table
 * (vtysh) as every probe did before the cache; the others reuse it while FRR tells the lab
 * nothing new. Printed per interval: probe 0's decision time (a read), the median and p95 of
 * the others, their ratio, the longest gap. Run by hand, as root, not in CI:
 *
 *   npx tsc -p tsconfig.json
 *   sudo node dist/bench/probeDaemon.js [--count 50] [--intervals 100,20]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const count = Number(arg('count', '50'));
const intervals = arg('intervals', '100,20').split(',').map(Number);
// A flow the VM's NIC hashes onto the primary MSEE (the one link with FRR behind it): the
// scenario README's probe.
const SOURCE_PORT = '40001';

if (process.getuid?.() !== 0) {
  console.error('netns mode needs root: sudo node dist/bench/probeDaemon.js');
  process.exit(2);
}
const state = mkdtempSync(join(tmpdir(), 'arslab-bench-probe-'));
const env = { ...process.env, ARSLAB_STATE_DIR: state };
const arslab = (args: string[], timeout = 120_000) =>
  execFileSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });

interface Probe {
  result: string;
  rttMs?: number;
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

try {
  arslab(['up', join(ROOT, 'scenarios/cloud-exchange/lab.yml'), '--netns', '--detach']);
  // FRR's sessions and the circuit's routes: until the VM reaches the VPC through the circuit.
  for (let i = 0; ; i++) {
    const t = JSON.parse(arslab(['trace', '--from', 'app25', '--to', '10.28.5.5', '-o', 'json'])) as {
      paths: { end: string; hops: { name: string }[] }[];
    };
    if (t.paths.some((p) => p.end === 'reached' && p.hops[1]?.name === 'c25/primary')) break;
    if (i > 60) throw new Error('the circuit never carried the VPC');
    execFileSync('sleep', ['0.5']);
  }
  console.log(`load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`);
  console.log('interval  probes  lost  probe 0 (read) ms  others p50 ms  p95 ms  ratio p50  longest gap ms');
  for (const ms of intervals) {
    const out = JSON.parse(
      arslab(
        [
          'probe',
          '--from',
          'app25',
          '--to',
          '10.28.5.5',
          '-c',
          String(count),
          '-i',
          `${ms}ms`,
          '--source-port',
          SOURCE_PORT,
          '-o',
          'json',
        ],
        count * ms + 60_000,
      ),
    ) as { probes: Probe[]; summary: { lost: number; longestGapMs: number | null } };
    const first = out.probes[0]?.rttMs ?? Number.NaN;
    const rest = out.probes
      .slice(1)
      .filter((p) => p.result === 'ok')
      .map((p) => p.rttMs ?? 0)
      .sort((a, b) => a - b);
    const p50 = pct(rest, 50);
    console.log(
      `${`${ms} ms`.padEnd(8)}  ${String(count).padStart(6)}  ${String(out.summary.lost).padStart(4)}  ${first.toFixed(1).padStart(17)}  ${p50.toFixed(2).padStart(13)}  ${pct(rest, 95).toFixed(2).padStart(6)}  ${(first / p50).toFixed(0).padStart(9)}  ${String(out.summary.longestGapMs).padStart(14)}`,
    );
  }
} finally {
  try {
    arslab(['down'], 60_000);
  } catch (e) {
    console.error(`down: ${(e as Error).message}`);
  }
  rmSync(state, { recursive: true, force: true });
}
