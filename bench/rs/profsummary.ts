/**
 * Summarises V8 .cpuprofile files (node --cpu-prof): self time per function (name, file:line)
 * and time per source file, largest first. Usage:
 *
 *   node dist/bench/rs/profsummary.js PROFILE.cpuprofile [--top 30] [--filter src/] [--busiest MS]
 *
 * --busiest MS: only the MS-millisecond window with the least idle time.
 * --during NAME: only the samples between the first and the last whose stack holds a function
 * NAME (e.g. `--during onUpdate`: the route load in a profile of a whole lab process).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function main(): void {
  const argv = process.argv.slice(2);
  let top = 30;
  let filter: string | undefined;
  let busiest: number | undefined;
  let during: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') top = Number(argv[++i]);
    else if (argv[i] === '--filter') filter = argv[++i];
    else if (argv[i] === '--busiest') busiest = Number(argv[++i]) * 1000;
    else if (argv[i] === '--during') during = argv[++i];
    else files.push(argv[i]!);
  }
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    // Self time per node from samples and time deltas (microseconds).
    const self = new Map<number, number>();
    const samples = p.samples ?? [];
    const deltas = p.timeDeltas ?? [];
    let from = 0;
    let to = samples.length;
    if (busiest !== undefined) {
      const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
      const t: number[] = [];
      let acc = 0;
      for (let i = 0; i < samples.length; i++) t.push((acc += deltas[i] ?? 0));
      let best = -1;
      let j = 0;
      let busy = 0;
      for (let i = 0; i < samples.length; i++) {
        if (!idle.has(samples[i]!)) busy += deltas[i + 1] ?? 0;
        while (t[i]! - t[j]! > busiest) {
          if (!idle.has(samples[j]!)) busy -= deltas[j + 1] ?? 0;
          j++;
        }
        if (busy > best) {
          best = busy;
          from = j;
          to = i + 1;
        }
      }
      console.log(
        `${file}: busiest ${busiest / 1000} ms window: ${(t[from]! / 1000).toFixed(0)}–${(t[to - 1]! / 1000).toFixed(0)} ms after the start, ${(best / 1000).toFixed(0)} ms busy`,
      );
    }
    if (during !== undefined) {
      const parent = new Map<number, number>();
      for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const byId = new Map(p.nodes.map((n) => [n.id, n]));
      const holds = new Map<number, boolean>();
      const has = (id: number): boolean => {
        let v = holds.get(id);
        if (v === undefined) {
          const par = parent.get(id);
          v = byId.get(id)?.callFrame.functionName === during || (par !== undefined && has(par));
          holds.set(id, v);
        }
        return v;
      };
      let first = -1;
      let last = -1;
      for (let i = 0; i < samples.length; i++)
        if (has(samples[i]!)) {
          if (first < 0) first = i;
          last = i;
        }
      if (first >= 0) {
        from = first;
        to = last + 1;
        const span = deltas.slice(first + 1, last + 1).reduce((a, b) => a + b, 0);
        console.log(`${file}: during ${during}: samples ${first}–${last}, ${(span / 1000).toFixed(0)} ms`);
      }
    }
    for (let i = from; i < to; i++)
      self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const byFn = new Map<string, number>();
    const byFile = new Map<string, number>();
    for (const n of p.nodes) {
      const us = self.get(n.id) ?? 0;
      if (!us) continue;
      const url = n.callFrame.url.replace(/^file:\/\/.*?\/(dist\/|node_modules\/)/, '$1');
      const short = url ? url.replace(/^.*\/(dist\/)/, '$1') : '(native)';
      const key = `${n.callFrame.functionName || '(anonymous)'}  ${short}${url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
      byFn.set(key, (byFn.get(key) ?? 0) + us);
      byFile.set(short, (byFile.get(short) ?? 0) + us);
    }
    const pct = (us: number) =>
      `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms`;
    console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
    console.log('  self time by function:');
    for (const [k, us] of [...byFn]
      .filter(([k]) => !filter || k.includes(filter))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top))
      console.log(`  ${pct(us)}  ${k}`);
    console.log('  self time by file:');
    for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(us)}  ${k}`);
  }
}

main();
