/**
 * The test bed cannot go stale: a test whose source was deleted does not run, whether dist/
 * was rebuilt since (scripts/build.mjs removes the orphaned output) or not
 * (scripts/run-tests.mjs runs only outputs whose source exists). Runs the real scripts, copied
 * into a throwaway project of two tests, so the repository's own dist/ is never touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-testbed-'));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'test'));
  for (const s of ['build.mjs', 'run-tests.mjs']) copyFileSync(join(ROOT, 'scripts', s), join(dir, 'scripts', s));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        // Emit only: what is tested is which outputs exist and run, not the types (fast).
        types: [],
        noCheck: true,
        sourceMap: true,
        outDir: 'dist',
        rootDir: '.',
      },
      include: ['test/**/*.ts'],
    }),
  );
  for (const name of ['kept', 'throwaway'])
    writeFileSync(
      join(dir, 'test', `${name}.test.ts`),
      `import { test } from 'node:test';\ntest('${name} ran', () => {});\n`,
    );
  return dir;
}

/** Runs a script of the throwaway project as a user would, not as a child of this test run. */
function node(dir: string, script: string, ...args: string[]): string {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return execFileSync(process.execPath, [join(dir, 'scripts', script), ...args], {
    cwd: dir,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

test('a deleted test does not run from its stale output, rebuilt or not', { timeout: 90_000 }, () => {
  const dir = project();
  try {
    node(dir, 'build.mjs');
    const stale = join(dir, 'dist/test/throwaway.test.js');
    assert.ok(existsSync(stale), 'the build compiled the throwaway test');
    const before = node(dir, 'run-tests.mjs');
    assert.match(before, /throwaway ran/, 'both tests run while both sources exist');
    assert.match(before, /kept ran/);

    unlinkSync(join(dir, 'test/throwaway.test.ts'));
    // Not rebuilt: the output is still there, and the runner refuses it.
    assert.ok(existsSync(stale));
    const unbuilt = node(dir, 'run-tests.mjs');
    assert.doesNotMatch(unbuilt, /throwaway ran/);
    assert.match(unbuilt, /kept ran/);
    assert.match(unbuilt, /not running dist\/test\/throwaway\.test\.js: its source is gone/);

    // Rebuilt as `npm test` and scripts/setup do (--if-stale): the orphan and its map are gone.
    node(dir, 'build.mjs', '--if-stale');
    assert.ok(!existsSync(stale), 'the build removed the output of the deleted source');
    assert.ok(!existsSync(`${stale}.map`));
    assert.ok(existsSync(join(dir, 'dist/test/kept.test.js')), 'and kept the others');
    const rebuilt = node(dir, 'run-tests.mjs');
    assert.doesNotMatch(rebuilt, /throwaway/);
    assert.match(rebuilt, /kept ran/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
