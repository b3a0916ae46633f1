/**
 * The layering rules of ARCHITECTURE.md, checked on every import of every source file:
 * protocol → routing tables → Azure model → lab runtime → interfaces, never backwards.
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

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
  ))
    out.push((m[1] ?? m[2])!);
  return out;
}

/** The layer of a path under src/ ("bgp/wire", "bgp", "rib", "azure", "lab", "api", "cli", "agent"). */
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
  lab: ['lab', 'azure', 'rib', 'bgp', 'bgp/fsm', 'bgp/wire'],
  api: ['api', 'lab', 'azure', 'rib', 'bgp', 'bgp/fsm', 'bgp/wire'],
  cli: ['cli', 'agent', 'api', 'lab', 'azure', 'rib', 'bgp', 'bgp/fsm', 'bgp/wire'],
  agent: ['agent', 'bgp', 'bgp/fsm', 'bgp/wire', 'rib', 'lab'],
};

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
      } else if (IO.test(spec) && ['bgp/wire', 'bgp/fsm', 'rib', 'azure'].includes(from)) {
        bad.push(`${relative(root, f)} (${from}) imports ${spec}: no I/O in the pure layers`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('the pure layers read no clock and start no timer', () => {
  const bad: string[] = [];
  for (const f of files(src)) {
    if (!['bgp/wire', 'bgp/fsm', 'azure'].includes(layer(f))) continue;
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
