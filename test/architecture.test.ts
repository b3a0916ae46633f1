/**
 * The layering rules of ARCHITECTURE.md, checked on every import of every source file:
 * protocol → routing tables → Azure model → lab runtime → interfaces, never backwards;
 * configuration files (src/config) read below the lab and the agent alike; and no import
 * cycle anywhere in src/ (a cycle is a load-time ReferenceError waiting for a module-level
 * constant). Type-only imports (`import type`, `export type`) are erased by tsc and cannot
 * cause one, so the cycle check leaves them out: the lab graph names the runtimes that own
 * its speakers (types), while the runtimes register into the graph (values) — ADR 0012.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory()
      ? files(p)
      : p.endsWith('.ts') && !/(\.test|testkit|arbitraries|testFixtures)\.ts$/.test(p)
        ? [p]
        : [];
  });
}

function imports(file: string, { values = false } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /^\s*(import|export)(\s+type\b)?[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
  )) {
    if (values && m[2]) continue; // `import type …`: erased at compile time
    out.push((m[3] ?? m[4])!);
  }
  return out;
}

/** The layer of a path under src/ ("bgp/wire", "bgp", "rib", "azure", "config", "lab", "api", "cli", "agent"). */
function layer(p: string): string {
  const r = relative(src, p).split('/');
  if (r[0] === 'bgp' && r[1] === 'wire') return 'bgp/wire';
  if (r[0] === 'bgp' && r[1] === 'fsm') return 'bgp/fsm';
  return r[0]!;
}

const ALLOWED: Record<string, string[]> = {
  'bgp/wire': ['bgp/wire'],
  'bgp/fsm': ['bgp/fsm', 'bgp/wire'],
  bgp: ['bgp', 'bgp/fsm', 'bgp/wire'],
  rib: ['rib', 'bgp/wire'],
  azure: ['azure', 'rib', 'bgp/wire'],
  config: ['config'],
  lab: ['lab', 'config', 'azure', 'rib', 'bgp', 'bgp/fsm', 'bgp/wire'],
  api: ['api', 'lab', 'config', 'azure', 'rib', 'bgp', 'bgp/fsm', 'bgp/wire'],
  cli: ['cli', 'agent', 'api', 'lab', 'config', 'azure', 'rib', 'bgp', 'bgp/fsm', 'bgp/wire'],
  agent: ['agent', 'config', 'bgp', 'bgp/fsm', 'bgp/wire', 'rib'],
};

/** Layers that do no I/O (src/config reads text it is given, not files). */
const PURE = ['bgp/wire', 'bgp/fsm', 'rib', 'azure', 'config'];

/** Node modules that do I/O or read time: forbidden where the code must stay pure. */
const IO = /^node:(fs|net|http|https|child_process|dgram|dns|os|worker_threads|timers)/;

test('imports follow the layers (ARCHITECTURE.md, hard rules 1-4)', () => {
  const bad: string[] = [];
  for (const f of files(src)) {
    const from = layer(f);
    for (const spec of imports(f)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(f), spec);
        const to = layer(target);
        if (!(ALLOWED[from] ?? []).includes(to)) bad.push(`${relative(root, f)} (${from}) imports ${spec} (${to})`);
      } else if (IO.test(spec) && PURE.includes(from)) {
        bad.push(`${relative(root, f)} (${from}) imports ${spec}: no I/O in the pure layers`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('the pure layers read no clock and start no timer', () => {
  const bad: string[] = [];
  for (const f of files(src)) {
    if (!['bgp/wire', 'bgp/fsm', 'azure', 'config'].includes(layer(f))) continue;
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const w of ['Date.now(', 'new Date(', 'performance.now(', 'setTimeout(', 'setInterval(', 'process.hrtime']) {
      if (text.includes(w)) bad.push(`${relative(root, f)} uses ${w}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the web page (web/) takes only types from src/: no server code is bundled into it', () => {
  const web = join(root, 'web/src');
  const bad: string[] = [];
  for (const f of readdirSync(web, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts')) continue;
    const text = readFileSync(join(web, f), 'utf8');
    for (const m of text.matchAll(/^\s*(import|export)(\s+type)?\b[^;]*?from\s+['"]([^'"]+)['"]/gm)) {
      const target = resolve(dirname(join(web, f)), m[3]!);
      if (m[3]!.startsWith('.') && target.startsWith(`${src}/`) && !m[2])
        bad.push(`web/src/${f} imports ${m[3]} (not as a type)`);
    }
  }
  assert.deepEqual(bad, []);
});

/**
 * Cycles known today, each by the import that closes it (importer → imported, under src/).
 * None: the API's route groups import api/router, never the server (issue 11, item 2). No
 * line belongs here: break the cycle instead.
 */
const KNOWN_CYCLE_EDGES: readonly (readonly [string, string])[] = [];

/** src/-relative module → the src/ modules it imports at run time (relative specifiers, `import type` left out). */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const f of files(src)) {
    const to = new Set<string>();
    for (const spec of imports(f, { values: true })) {
      if (!spec.startsWith('.')) continue;
      let target = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
      if (!target.endsWith('.ts')) target = join(target, 'index.ts');
      to.add(relative(src, target));
    }
    graph.set(relative(src, f), to);
  }
  return graph;
}

/** The strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || graph.get(v)!.has(v)) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

test('no import cycle in src/ but the known ones, each named by the import that closes it', () => {
  const graph = importGraph();
  for (const [from, to] of KNOWN_CYCLE_EDGES) {
    assert.ok(graph.get(from)?.has(to), `known cycle edge ${from} → ${to} is gone: remove it from KNOWN_CYCLE_EDGES`);
    graph.get(from)!.delete(to);
  }
  assert.deepEqual(cycles(graph), []);
});

test('the cycle check finds every cycle and a module that imports itself', () => {
  const g = new Map<string, Set<string>>([
    ['a.ts', new Set(['b.ts'])],
    ['b.ts', new Set(['c.ts'])],
    ['c.ts', new Set(['a.ts'])],
    ['d.ts', new Set(['a.ts', 'd.ts'])],
  ]);
  assert.deepEqual(cycles(g), [['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
});
