/**
 * Every rule citation (`R-ARS-3`, `R-ER-4`, `R-TIME-2`, …) in the repository resolves to a
 * heading of the in-repository catalogue, docs/rules.md (issue 10 item 10): a fresh clone
 * must be able to look up what the code cites. A heading is `### R-XXX-N Title`; a citation
 * is any `R-` followed by an upper-case family and a number, anywhere in src/, test/, bench/,
 * scripts/, docs/ and the top-level notes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CATALOGUE = join(root, 'docs', 'rules.md');

/** A rule citation: `R-` + family (2–5 capitals) + number, not inside a longer word. */
const CITATION = /(?<![A-Za-z0-9-])R-([A-Z]{2,5})-(\d+)(?![0-9])/g;
/** A catalogue heading that defines a rule. */
const HEADING = /^#{2,4}\s+(R-[A-Z]{2,5}-\d+)\b/gm;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|mjs|js|md|yaml|yml)$/.test(n) ? [p] : [];
  });
}

/** The rules the catalogue defines (its headings). */
export function catalogueRules(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(HEADING)].map((m) => m[1]!));
}

/** Every citation in `text` that the catalogue does not define, with its line number. */
export function unresolved(text: string, rules: Set<string>): { rule: string; line: number }[] {
  const out: { rule: string; line: number }[] = [];
  text.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(CITATION)) {
      const rule = `R-${m[1]}-${m[2]}`;
      if (!rules.has(rule)) out.push({ rule, line: i + 1 });
    }
  });
  return out;
}

test('the catalogue defines each rule once, with a source', () => {
  const text = readFileSync(CATALOGUE, 'utf8');
  const headings = [...text.matchAll(HEADING)].map((m) => m[1]!);
  assert.equal(new Set(headings).size, headings.length, `a rule is defined twice: ${headings.join(' ')}`);
  // The families and numbers of the original reference (shared/azure-routing.md) are all kept.
  const kept = [
    ...Array.from({ length: 13 }, (_, k) => `R-ARS-${k + 1}`),
    ...Array.from({ length: 6 }, (_, k) => `R-ER-${k + 1}`),
    'R-VPN-1',
    'R-VPN-2',
    ...Array.from({ length: 5 }, (_, k) => `R-NIC-${k + 1}`),
  ];
  for (const r of kept) assert.ok(headings.includes(r), `${r} of the original reference is missing`);
  // Each rule's section names where it comes from.
  const sections = text.split(/^### /m).slice(1);
  for (const s of sections) {
    const name = s.slice(0, s.indexOf('\n'));
    assert.match(s, /^Sources?: /m, `${name} gives no source`);
  }
});

test('the checker reports a citation the catalogue does not define', () => {
  const rules = catalogueRules('### R-ARS-1 Identity\n\n### R-ER-3 ER gateway\n');
  // Built from parts so that this file's own text cites no unknown rule.
  const unknown = ['ARS-99', 'FOO-2'].map((r) => `${'R'}-${r}`);
  assert.deepEqual(unresolved(`// R-ARS-1 and R-ER-3 hold\n// but ${unknown[0]} does not, nor ${unknown[1]}`, rules), [
    { rule: unknown[0], line: 2 },
    { rule: unknown[1], line: 2 },
  ]);
  // Not citations: part of a longer word or number.
  assert.deepEqual(unresolved('XR-ARS-7, R-ARS-10 vs R-ARS-1', catalogueRules('### R-ARS-1 a\n### R-ARS-10 b\n')), []);
});

test('every R-number cited in the repository resolves in docs/rules.md', () => {
  const rules = catalogueRules(readFileSync(CATALOGUE, 'utf8'));
  const files = [
    ...['src', 'test', 'bench', 'scripts', 'docs', 'scenarios'].flatMap((d) => sourceFiles(join(root, d))),
    ...['ARCHITECTURE.md', 'README.md'].map((f) => join(root, f)).filter(existsSync),
  ];
  assert.ok(files.length > 100, `only ${files.length} files scanned`);
  const problems: string[] = [];
  let citations = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    citations += [...text.matchAll(CITATION)].length;
    for (const u of unresolved(text, rules)) problems.push(`${relative(root, f)}:${u.line}: ${u.rule}`);
  }
  assert.ok(citations > 500, `only ${citations} citations found: is the pattern right?`);
  assert.deepEqual(problems, [], `citations with no heading in docs/rules.md:\n${problems.join('\n')}`);
});
