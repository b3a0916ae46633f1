/**
 * The official JMESPath compliance suite (test/fixtures/jmespath: the files jmespath.py 1.0.1
 * carries) run against `--query` (`applyQuery`), the way jmespath.py's
 * tests/test_compliance.py runs it against jmespath.py, which is what az evaluates `--query`
 * with: a `result` case must give that result; an `error` case must be refused as an
 * invalid query (az's `--query` syntax error, or a JMESPath error at run time: jmespath.py
 * raises a ValueError subclass for both), not by any other failure; `bench` cases only have
 * to run. Every case runs; a case ARSLab does not pass must be listed in SKIPPED with the
 * reason, naming the divergence az itself documents. (None is: jmespath.py 1.0.1 passes the
 * whole suite, and neither it nor azure-cli documents a deviation from it.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyQuery, OutputError } from './index.js';
import { dictEntries, isDict } from './python.js';
import { PythonRuntimeError } from './query.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/jmespath/', import.meta.url));

interface Case {
  readonly expression: string;
  readonly result?: unknown;
  readonly error?: string;
  readonly bench?: string;
}
interface Suite {
  readonly given: unknown;
  readonly cases: readonly Case[];
}

/** Cases ARSLab does not pass on purpose, by "file: expression", with az's reason. */
const SKIPPED: Readonly<Record<string, string>> = {};

/** JSON equality as the suite means it: objects by their keys (unordered), numbers by value. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isDict(a) || isDict(b)) {
    if (!isDict(a) || !isDict(b)) return false;
    const ea = dictEntries(a);
    const eb = new Map(dictEntries(b));
    return ea.length === eb.size && ea.every(([k, v]) => eb.has(k) && jsonEqual(v, eb.get(k)));
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') return Number(a) === Number(b);
  return a === b || (a == null && b == null);
}

/**
 * Whether jmespath.py would have raised a ValueError here, the one exception its compliance
 * runner accepts for an error case: its parse and JMESPath errors (az: an invalid `--query`,
 * at parsing or at run time), or Python's own ValueError (az: an unexpected error, e.g.
 * `slice step cannot be zero` for the suite's invalid-value cases). A TypeError is not one.
 */
function raisesValueError(e: unknown): boolean {
  if (!(e instanceof OutputError)) return false;
  if (e.kind === 'query-syntax' || e.kind === 'query-runtime') return true;
  return e.kind === 'unexpected' && e.cause instanceof PythonRuntimeError && e.cause.pythonClass === 'ValueError';
}

/** What running the case gives: 'pass', or why not. */
function run(file: string, given: unknown, c: Case): string {
  let value: unknown;
  try {
    value = applyQuery(structuredClone(given), c.expression);
  } catch (e) {
    if (c.error !== undefined && raisesValueError(e)) return 'pass';
    return `${file}: ${c.expression}: ${c.error ? `expected a ${c.error} error, got` : 'failed:'} ${e instanceof OutputError ? `${e.kind}: ${e.message}` : String(e)}`;
  }
  if (c.error !== undefined)
    return `${file}: ${c.expression}: expected a ${c.error} error, got ${JSON.stringify(value)}`;
  if (c.bench !== undefined) return 'pass';
  return jsonEqual(value, c.result)
    ? 'pass'
    : `${file}: ${c.expression}: expected ${JSON.stringify(c.result)}, got ${JSON.stringify(value)}`;
}

const files = [
  ...readdirSync(DIR).filter((f) => f.endsWith('.json')),
  ...readdirSync(join(DIR, 'legacy')).map((f) => `legacy/${f}`),
].sort();

test('the fixtures hold the suite jmespath.py 1.0.1 passes (17 files, 917 cases)', () => {
  const cases = files.flatMap((f) =>
    (JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Suite[]).flatMap((s) => s.cases),
  );
  assert.equal(files.length, 17);
  assert.equal(cases.length, 917);
});

for (const file of files) {
  test(`JMESPath compliance: ${file}`, () => {
    const suites = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Suite[];
    const failures: string[] = [];
    const skippedSeen: string[] = [];
    for (const s of suites)
      for (const c of s.cases) {
        const key = `${file}: ${c.expression}`;
        if (key in SKIPPED) {
          skippedSeen.push(key);
          continue;
        }
        const r = run(file, s.given, c);
        if (r !== 'pass') failures.push(r);
      }
    assert.deepEqual(failures, []);
    // A skip names a case of the suite: none is stale.
    const stale = Object.keys(SKIPPED).filter((k) => k.startsWith(`${file}: `) && !skippedSeen.includes(k));
    assert.deepEqual(stale, []);
  });
}
