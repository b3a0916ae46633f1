// Runs the compiled tests (dist/**/*.test.js) with node:test, a bounded time per file.
// Arguments filter files by substring. Exits non-zero when any test fails.
// Only outputs whose source (the .ts beside it in the tree) still exists run: tsc never
// deletes outputs, so a deleted or renamed test's stale .js must not keep running
// (scripts/build.mjs removes such orphans; this guards a plain `tsc` build too).
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
})(dist);
const filters = process.argv.slice(2);
const orphans = files.filter((f) => !existsSync(join(root, relative(dist, f).replace(/\.js$/, '.ts'))));
for (const f of orphans) console.log(`run-tests: not running ${relative(root, f)}: its source is gone`);
const selected = files
  .filter((f) => !orphans.includes(f))
  .filter((f) => filters.length === 0 || filters.some((s) => relative(dist, f).includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
console.log(`run-tests: ${selected.length} files`);
let failed = false;
const stream = run({ files: selected, concurrency: 2, timeout: 5 * 60_000 });
stream.on('test:fail', () => {
  failed = true;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  process.exitCode = failed ? 1 : 0;
});
