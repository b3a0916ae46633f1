// Builds dist/ with tsc, then removes every output whose source is gone: tsc writes outputs
// but never deletes them, so a deleted or renamed test would otherwise keep running from its
// stale dist/*.test.js (scripts/run-tests.mjs also refuses those, see there).
// --if-stale: run tsc only when a source, a folder (a deletion or a rename changes its folder)
// or the configuration changed since the last build (dist/.build-stamp). Orphans are removed
// either way: that is cheap, and a deletion is exactly what staleness by mtime can miss.
// The lab's web page (web/) is built with the rest: type-checked by its own tsconfig (DOM, not
// Node), then bundled into dist/web by scripts/build-web.mjs, which empties dist/web first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
/** The folders tsconfig.json compiles (its "include"), and the files a build depends on. */
const SOURCES = ['src', 'test', 'bench', 'scripts'];
const CONFIG = ['tsconfig.json', 'package.json'];
/** Sources of the web page: not tsc's outputs (never pruned), but they make the build stale. */
const WEB = ['web'];

function newerThan(path, t) {
  if (!existsSync(path)) return false;
  const st = statSync(path);
  if (st.mtimeMs > t) return true;
  return st.isDirectory() && readdirSync(path).some((n) => n !== 'node_modules' && newerThan(join(path, n), t));
}

function stale() {
  if (!existsSync(stamp)) return true;
  const t = statSync(stamp).mtimeMs;
  return [...SOURCES, ...WEB, ...CONFIG].some((p) => newerThan(join(root, p), t));
}

/** The source an output of dist/ was built from (undefined: not a tsc output, keep it). */
function sourceOf(rel) {
  const m = /^(.*)\.js(\.map)?$/.exec(rel);
  if (m) return `${m[1]}.ts`;
  if (rel.endsWith('.json')) return rel; // JSON modules (resolveJsonModule) are copied as they are
  return undefined;
}

/** Removes outputs under dist/ whose source no longer exists, and folders left empty; returns them. */
function pruneOrphans() {
  const removed = [];
  const walk = (rel) => {
    const abs = join(dist, rel);
    for (const name of readdirSync(abs)) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(dist, r)).isDirectory()) {
        walk(r);
        if (readdirSync(join(dist, r)).length === 0) rmdirSync(join(dist, r));
        continue;
      }
      const src = sourceOf(r);
      if (src !== undefined && !existsSync(join(root, src))) {
        rmSync(join(dist, r));
        removed.push(`dist/${r}`);
      }
    }
  };
  for (const top of SOURCES) if (existsSync(join(dist, top))) walk(top);
  return removed;
}

const ifStale = process.argv.includes('--if-stale');
if (!ifStale || stale()) {
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  console.error('build: tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  // A project without the page (test/testBed.test.ts's throwaway one) skips it.
  if (existsSync(join(root, 'web/tsconfig.json'))) {
    console.error('build: the web page (tsc -p web/tsconfig.json, esbuild)');
    const w = spawnSync(process.execPath, [tsc, '-p', join(root, 'web/tsconfig.json')], { stdio: 'inherit' });
    if (w.status !== 0) process.exit(w.status ?? 1);
    const b = spawnSync(process.execPath, [join(root, 'scripts/build-web.mjs')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
  writeFileSync(stamp, '');
}
const removed = existsSync(dist) ? pruneOrphans() : [];
if (removed.length > 0) console.error(`build: removed ${removed.length} outputs of deleted sources`);
