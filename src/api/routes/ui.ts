/**
 * @module api/routes/ui
 * The lab's web page (issue 14), served by the lab's own API so it is same-origin with every
 * call it makes. Like every path but the sign-in link, it needs the lab's credential: in a
 * browser, the cookie that `arslab ui`'s one-time link sets, then redirects here (ADR 0010):
 *
 *   GET /arslab/ui/        the page (dist/web/index.html)
 *   GET /arslab/ui/FILE    its bundled assets (app.js, app.css, elk-worker.min.js), built by
 *                          scripts/build-web.mjs from web/ and npm packages: nothing from a CDN
 *   GET /, /ui, /arslab/ui redirect to /arslab/ui/
 *
 * Only the flat files of dist/web are served (a name with a slash or '..' is not a file
 * here). The page may not be framed (its buttons stop nodes and cut links) and loads
 * nothing but its own files.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AzureErrors } from '../../azure/index.js';
import { PagePaths } from '../paths.js';
import type { Reply, Router } from '../router.js';

/** dist/web, beside dist/src (this file runs from dist/src/api/routes/). */
export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Scripts, styles, workers and fetches from this origin only; uPlot and cytoscape set inline styles. */
const CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function redirect(to: string): Reply {
  return { status: 302, headers: { Location: to }, body: { location: to } };
}

function file(name: string): Reply {
  const files = existsSync(WEB_ROOT) ? readdirSync(WEB_ROOT) : [];
  if (files.length === 0) throw AzureErrors.webPageNotBuilt(WEB_ROOT);
  if (!/^[\w][\w.-]*$/.test(name) || !files.includes(name) || !TYPES[extname(name)])
    throw AzureErrors.webFileNotFound(name);
  return {
    status: 200,
    raw: (_req, res, signal) =>
      new Promise<void>((resolve) => {
        res.writeHead(200, {
          'Content-Type': TYPES[extname(name)]!,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
          'X-Frame-Options': 'DENY',
          'Referrer-Policy': 'no-referrer',
          'Content-Security-Policy': CSP,
        });
        const s = createReadStream(`${WEB_ROOT}${name}`);
        s.on('error', () => res.destroy());
        s.on('close', () => resolve());
        signal.addEventListener('abort', () => s.destroy(), { once: true });
        s.pipe(res);
      }),
  };
}

/** Where the page is: the sign-in link's redirect (server.ts signIn) lands here. */
export const UI_PATH = '/arslab/ui/';

export function register(api: Router): void {
  api.add('GET', PagePaths.root, () => redirect(UI_PATH));
  api.add('GET', PagePaths.shortcut, () => redirect(UI_PATH));
  api.add('GET', '/arslab/ui', (_m, _b, url) => (url.pathname.endsWith('/') ? file('index.html') : redirect(UI_PATH)));
  // The router decodes the segment (a malformed escape stays as sent, and is no file).
  api.add('GET', '/arslab/ui/{file}', (p) => file(p.file!));
}
