/**
 * ADR 0030 kept: the error codes ARSLab names itself are the ones docs/azure-differences.md
 * lists as ARSLab's (no invented code goes unsaid, no Azure code is called ARSLab's), and
 * errors are built in src/azure/errors.ts only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, WARNING_CODES } from '../src/azure/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The codes of the "Error codes" table of docs/azure-differences.md. */
function documentedCodes(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/azure-differences.md'), 'utf8');
  const start = doc.indexOf('## Error codes');
  assert.ok(start >= 0, 'docs/azure-differences.md has an "Error codes" section');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `(\w+)` \| \d{3} \|/gm)].map((m) => m[1]!);
}

test('every code ARSLab names is documented as its own, and only those', () => {
  const own = Object.entries(ERROR_CODES)
    .filter(([, k]) => k.origin === 'arslab')
    .map(([c]) => c)
    .sort();
  assert.deepEqual(documentedCodes().sort(), own);
  const doc = readFileSync(join(ROOT, 'docs/azure-differences.md'), 'utf8');
  for (const w of Object.keys(WARNING_CODES)) assert.ok(doc.includes(`\`${w}\``), `warning ${w} is documented`);
});

test('the documented statuses are the catalogue’s', () => {
  const doc = readFileSync(join(ROOT, 'docs/azure-differences.md'), 'utf8');
  for (const m of doc.matchAll(/^\| `(\w+)` \| (\d{3}) \|/gm)) {
    const kind = ERROR_CODES[m[1] as keyof typeof ERROR_CODES];
    if (kind) assert.equal(kind.status, Number(m[2]), m[1]);
  }
});

test('errors are built in src/azure/errors.ts only', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const rel = `${dir}/${name}`;
      if (statSync(join(ROOT, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && rel !== 'src/azure/errors.ts') {
        const text = readFileSync(join(ROOT, rel), 'utf8');
        if (/new AzureError\(|error: \{ code:/.test(text)) offenders.push(rel);
      }
    }
  };
  walk('src');
  assert.deepEqual(offenders, []);
});
