/**
 * The address-octet registry (test/helpers/addresses.ts) holds: test files run two at a
 * time, and two files binding the same 127.N.x.y (an emulated 10.N.x.y in loopback mode,
 * ADR 0001) would take each other's port 179. Checked here:
 * - no second octet is bound by two files, none inside a range held for tests on their way;
 * - every octet a test source writes in an address is declared by that file (bound or
 *   data), found by a static scan of the sources: the address literals (10.N.x.y, 127.N.x.y;
 *   prefixes with a length are not bound), template octets (`10.${N}`) resolved through the
 *   file's integer constants, for-of lists and default parameters, integers named as octets
 *   (`N`, `M`, `n`, `octet`) where they are passed on to a helper, and integer arguments of
 *   the file's own functions at a parameter used as an octet;
 * - every declared file exists, and declares what it writes (no stale entries).
 * Tests of the pure layers (src/bgp/wire, src/bgp/fsm, src/rib, src/azure) are not scanned:
 * they cannot do I/O (test/architecture.test.ts), so every address there is data. 127.0.x.x
 * is the host's own (the API on 127.0.0.1, ephemeral ports), never a lab's (ADR 0001).
 * Limits: an octet computed any other way (arithmetic, a value from another module) is not
 * seen; such a file must still declare it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESERVED_OCTETS, TEST_ADDRESSES } from './helpers/addresses.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PURE = ['src/bgp/wire/', 'src/bgp/fsm/', 'src/rib/', 'src/azure/'];

/** The test sources: every .ts under test/, the *.test.ts under src/ outside the pure layers. */
function testSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string, all: boolean): void => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const rel = `${dir}/${name}`;
      if (statSync(join(ROOT, rel)).isDirectory()) walk(rel, all);
      else if (name.endsWith('.ts') && (all || name.endsWith('.test.ts'))) out.push(rel);
    }
  };
  walk('test', true);
  walk('src', false);
  // This file's own samples of each rule are not addresses it uses.
  return out.filter((f) => !PURE.some((p) => f.startsWith(p)) && f !== 'test/addressOctets.test.ts').sort();
}

/** The text without comments (a `//` after ':' is a URL's, kept). */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\w'"`])\/\/.*$/gm, '$1');

/** Splits the arguments of a call whose '(' is at `open`; undefined when unbalanced. */
function callArgs(text: string, open: number): string[] | undefined {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  let quote = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) {
        args.push(text.slice(start, i).trim());
        return args.filter((a, k) => a !== '' || k < args.length - 1);
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return undefined;
}

const OCTET_NAMES = new Set(['N', 'M', 'n', 'octet']);
const PART = String.raw`(?:\d{1,3}|\$\{[^}]*\})`;
/** A host address 10.x.y.z / 127.x.y.z (a literal, or a template with `${…}` parts); not a prefix. */
const ADDRESS = new RegExp(String.raw`(?<![\w.$])(10|127)\.(${PART})\.${PART}\.${PART}(?![\w/]|\.\d)`, 'g');

/** Every second octet a source writes in an address, by the rules of the header. */
function octetsIn(source: string): Set<number> {
  const text = code(source);
  // Integer values an identifier takes in this file: constants, for-of lists, default parameters.
  const values = new Map<string, Set<number>>();
  const bind = (name: string, v: number): void => {
    if (!values.has(name)) values.set(name, new Set());
    values.get(name)!.add(v);
  };
  for (const m of text.matchAll(/\b(?:const|let)\s+(\w+)\s*=\s*(\d+)\s*;/g)) bind(m[1]!, Number(m[2]));
  for (const m of text.matchAll(/\bfor\s*\(\s*const\s+(\w+)\s+of\s+\[([\d,\s]+)\]/g))
    for (const v of m[2]!.split(',')) bind(m[1]!, Number(v));
  for (const m of text.matchAll(/[(,]\s*(\w+)\s*=\s*(\d+)\s*(?=[,)])/g)) bind(m[1]!, Number(m[2]));
  // Derived constants: const M = N + 1.
  for (const m of text.matchAll(/\bconst\s+(\w+)\s*=\s*(\w+)\s*([+-])\s*(\d+)\s*;/g))
    for (const v of values.get(m[2]!) ?? []) bind(m[1]!, m[3] === '+' ? v + Number(m[4]) : v - Number(m[4]));

  const out = new Set<number>();
  const octetVars = new Set<string>();
  const add = (expr: string): void => {
    if (/^\d+$/.test(expr)) {
      out.add(Number(expr));
      return;
    }
    const m = /^\$\{\s*([\w.]+)\s*(?:([+-])\s*(\d+))?\s*\}$/.exec(expr);
    if (!m) return;
    const name = m[1]!.split('.').at(-1)!;
    octetVars.add(name);
    const k = m[2] === '-' ? -Number(m[3]) : Number(m[3] ?? 0);
    for (const v of values.get(name) ?? []) out.add(v + k);
  };
  for (const m of text.matchAll(ADDRESS)) {
    if (m[1] === '127' && m[2] === '0') continue;
    add(m[2]!);
  }
  // Integers named as octets, handed on to a helper (BareRouteServer(N), { octet: 31 }, { n: 68 }):
  // N, M and octet always; n where the file uses an n as an octet.
  const named = (name: string): boolean => OCTET_NAMES.has(name) && (name !== 'n' || octetVars.has('n'));
  for (const [name, vs] of values) if (named(name)) for (const v of vs) out.add(v);
  for (const m of text.matchAll(/\b(N|M|n|octet)\s*:\s*(\d+)\b/g)) if (named(m[1]!)) out.add(Number(m[2]));
  // The file's own functions with a parameter used as an octet: their integer arguments there.
  const fns = [
    ...text.matchAll(/\bfunction\s+(\w+)\s*(?:<[^>]*>)?\(([^)]*)\)/g),
    ...text.matchAll(/\bconst\s+(\w+)\s*=\s*(?:async\s*)?\(([^)]*)\)\s*(?::[^=]*)?=>/g),
  ];
  for (const f of fns) {
    const params = f[2]!.split(',').map((p) => p.trim().split(/[\s:=?]/)[0]!);
    const at = params.findIndex((p) => octetVars.has(p));
    if (at < 0) continue;
    for (const call of text.matchAll(new RegExp(String.raw`(?<![\w.])${f[1]}\s*\(`, 'g'))) {
      if (text.slice(Math.max(0, call.index - 9), call.index).includes('function')) continue;
      const arg = callArgs(text, call.index + call[0].length - 1)?.[at];
      if (arg && /^\d+$/.test(arg)) out.add(Number(arg));
    }
  }
  return new Set([...out].filter((o) => o >= 0 && o <= 255));
}

const writtenOctets = (file: string): Set<number> => octetsIn(readFileSync(join(ROOT, file), 'utf8'));

test('no second octet is bound by two test files, or inside a range held for tests on their way', () => {
  const owner = new Map<number, string>();
  const problems: string[] = [];
  for (const [file, claim] of Object.entries(TEST_ADDRESSES)) {
    for (const o of claim.binds ?? []) {
      const other = owner.get(o);
      if (other) problems.push(`10.${o}/127.${o}: bound by ${other} and by ${file}`);
      owner.set(o, file);
      for (const [name, [from, to]] of Object.entries(RESERVED_OCTETS))
        if (o >= from && o <= to)
          problems.push(
            `${file} binds ${o}, held for ${name} (${from}-${to}): when those tests merge, declare their files and shrink or remove the reservation`,
          );
      if (!Number.isInteger(o) || o < 1 || o > 254) problems.push(`${file}: ${o} is not a usable second octet`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every test source declares the octets it writes in addresses (bound or data), and nothing it does not', () => {
  const problems: string[] = [];
  const sources = testSources();
  for (const file of sources) {
    const claim = TEST_ADDRESSES[file];
    const declared = new Set([...(claim?.binds ?? []), ...(claim?.data ?? [])]);
    const undeclared = [...writtenOctets(file)].filter((o) => !declared.has(o)).sort((a, b) => a - b);
    if (undeclared.length > 0)
      problems.push(
        `${file} writes 10.N/127.N addresses with N in [${undeclared.join(', ')}]: declare them in test/helpers/addresses.ts (binds: a free octet; data: never bound)`,
      );
  }
  for (const file of Object.keys(TEST_ADDRESSES)) {
    if (!existsSync(join(ROOT, file))) problems.push(`${file} is declared but does not exist`);
    else if (!sources.includes(file)) problems.push(`${file} is declared but is not a scanned test source`);
  }
  assert.deepEqual(problems, []);
});

test('the scan finds the octets of each rule, and only those', () => {
  const sorted = (src: string) => [...octetsIn(src)].sort((a, b) => a - b);
  // Literal host addresses; not 127.0.x.x, not prefixes, not inside a longer number, not in comments.
  assert.deepEqual(sorted("const a = '10.150.1.4', b = '127.151.0.4:179', c = '127.0.0.1';"), [150, 151]);
  assert.deepEqual(sorted("const p = '10.152.0.0/16'; const q = '110.153.0.4'; // '10.154.0.4'"), []);
  // URLs keep their addresses ('//' after ':' is not a comment).
  assert.deepEqual(sorted("fetch('http://127.120.0.7:9179/status');"), [120]);
  // Template octets through constants, derived constants, for-of lists and default parameters.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a sample of test source, not a template
  assert.deepEqual(sorted('const N = 43;\nconst M = N + 1;\nconst a = `10.${N}.0.4`, b = `10.${M}.1.4`;'), [43, 44]);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a sample of test source, not a template
  assert.deepEqual(sorted('for (const n of [120, 121]) { x(`127.${n}.0.4`); }'), [120, 121]);
  // An integer named as an octet, handed on: { octet: 31 }, { n: 68 }, new BareRouteServer(N).
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a sample of test source, not a template
  assert.deepEqual(sorted("run({ kind: 'bird', octet: 31 }); plan({ n: 68 }); const a = `10.${p.n}.0.4`;"), [31, 68]);
  // ...but an n that is no octet in its file is none (a count, a size).
  assert.deepEqual(sorted('table({ n: 5 });'), []);
  assert.deepEqual(sorted('const N = 129;\nnew BareRouteServer(N);'), [129]);
  // The file's own function with a parameter used as an octet, and a default: its integer arguments there.
  assert.deepEqual(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a sample of test source, not a template
    sorted('function writeLab(cli: C, name: string, n: number) { return `10.${n}.0.4`; }\nwriteLab(c, "a", 62);'),
    [62],
  );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a sample of test source, not a template
  assert.deepEqual(sorted('function model(h = 150) { return `10.${h}.3.0`; }\nmodel(155);'), [150, 155]);
  // Integers not used as octets are not octets.
  assert.deepEqual(sorted('const T = 30_000; const HOLD = 9; wait(20, 150);'), []);
});
