// Builds the lab's web page (issue 14, web/) into dist/web/: the TypeScript bundled by esbuild
// with its npm dependencies (cytoscape, elkjs, uPlot: nothing from a CDN),
// index.html, and ELK's worker script. The API serves dist/web at /ui/ (src/api/routes/ui.ts).
// Type checking is `tsc -p web/tsconfig.json` (npm run build runs both).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web');
const require = createRequire(import.meta.url);
// ARSLAB_WEB_DEV=1: not minified (readable names in profiles and stack traces).
const dev = process.env.ARSLAB_WEB_DEV === '1';

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'web/src/main.ts' },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: !dev,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
copyFileSync(join(root, 'web/index.html'), join(out, 'index.html'));
copyFileSync(require.resolve('elkjs/lib/elk-worker.min.js'), join(out, 'elk-worker.min.js'));
const bytes = Object.entries(result.metafile.outputs)
  .filter(([f]) => !f.endsWith('.map'))
  .map(([f, o]) => `${f.slice(f.lastIndexOf('/') + 1)} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`build-web: dist/web: ${bytes.join(', ')}`);
