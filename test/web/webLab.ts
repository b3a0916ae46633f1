/**
 * A scenario lab and its web page in a real browser, as a user opens them: the scenario's
 * folder copied, `arslab up --detach`, `arslab ui` for the address, Debian's Chromium on
 * that address. Everything is stopped by PID at the end (browser, lab, daemons), and the
 * lab is checked down.
 *
 * The copy keeps every emulated address of the scenario (what the page and the CLI show)
 * and only moves the loopback addresses it binds into this suite's range (seed 000:
 * 127.247, seed 001: 127.248; settings.loopbackAddresses, and the same change in the
 * daemons' loopback configs), so that these tests never meet the scenario's other tests on
 * 127.10.x or 127.1.x, nor each other.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadLabFile, formatLabFileError } from '../../src/lab/topology/index.js';
import { binUsable, LabCli, ROOT } from '../lab/labCli.js';
import { waitFor } from '../helpers/waitFor.js';
import { launchChromium, type TestBrowser } from '../helpers/chromium.js';
import './pageHooks.js';

/** Where screenshots go when ARSLAB_SCREENSHOTS names a folder (docs/web is the README's). */
export const SCREENSHOTS = process.env['ARSLAB_SCREENSHOTS'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/**
 * Where the copy binds what the scenario binds at 127.A.x.y (ADR 0001's default for 10.A.x.y):
 * second octet A → [N, k], for 127.N.(x + k).y — two of a scenario's /16s can share one.
 */
export type Moves = Readonly<Record<number, readonly [number, number]>>;

/**
 * Copies `scenario` to a fresh folder with its loopback addresses moved (`moves`), in the
 * daemons' loopback configs and, as settings.loopbackAddresses, for every address the model
 * has (route-server instances, NICs). Returns the copied lab file.
 */
export async function copyScenario(scenario: string, labFile: string, moves: Moves): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `arslab-web-${basename(scenario)}-`));
  cpSync(scenario, dir, { recursive: true });
  const move = (a: number, x: number, y: number) => {
    const [n, k] = moves[a]!;
    assert.ok(x + k < 256, `127.${a}.${x}.${y} does not fit in 127.${n}.x with offset ${k}`);
    return `127.${n}.${x + k}.${y}`;
  };
  const octets = Object.keys(moves).join('|');
  for (const f of filesUnder(dir)) {
    if (basename(f).startsWith('lab.')) continue;
    const text = readFileSync(f, 'utf8').replace(
      new RegExp(`\\b127\\.(${octets})\\.(\\d{1,3})\\.(\\d{1,3})\\b`, 'g'),
      (_m, a: string, x: string, y: string) => move(Number(a), Number(x), Number(y)),
    );
    writeFileSync(f, text);
  }
  const file = join(dir, labFile);
  const loaded = await loadLabFile(file);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatLabFileError).join('\n'));
  const m = loaded.spec.model;
  const addresses = new Set<string>([
    ...m.routeServers.flatMap((r) => r.virtualRouterIps),
    ...m.networkInterfaces.flatMap((n) => n.ipConfigurations.map((c) => c.privateIPAddress)),
  ]);
  const map: string[] = [];
  for (const a of addresses) {
    const [o1, o2, o3, o4] = a.split('.').map(Number);
    if (o1 === 10 && moves[o2!]) map.push(`"${a}": ${move(o2!, o3!, o4!)}`);
  }
  const text = readFileSync(file, 'utf8');
  assert.ok(!/^settings:/m.test(text), `${labFile} has its own settings: merge loopbackAddresses by hand`);
  writeFileSync(file, text.replace(/^(name: .*)$/m, `$1\nsettings:\n  loopbackAddresses: { ${map.join(', ')} }`));
  return file;
}

export interface WebLab {
  readonly cli: LabCli;
  readonly page: Page;
  /** The page's own address (where the sign-in link redirected). */
  readonly url: string;
  readonly name: string;
  /** GET a path of the lab's API with the lab's token, as the CLI sends it (ADR 0010): its JSON. */
  api<T>(path: string): Promise<T>;
  /** `arslab ARGS… -o json`. */
  json<T>(args: readonly string[]): Promise<T>;
  shot(name: string): Promise<void>;
}

/**
 * Runs `body` with the scenario up and its page open; then closes the browser, takes the
 * lab down (checked: nothing left) and removes the copy — by PID whatever happens.
 */
export async function withWebLab(
  id: string,
  scenario: string,
  labFile: string,
  moves: Moves,
  body: (w: WebLab) => Promise<void>,
): Promise<void> {
  const file = await copyScenario(join(ROOT, 'scenarios', scenario), labFile, moves);
  const cli = new LabCli(id, binUsable());
  let browser: TestBrowser | undefined;
  let name = '';
  const errors: string[] = [];
  try {
    const up = await cli.ok(['up', file, '--detach'], 60_000);
    name = /lab '([^']+)' is up/.exec(up)?.[1] ?? '';
    assert.ok(name, `arslab up said: ${up}`);
    const state = cli.record(name);
    const base = `http://${state.api.host}:${state.api.port}`;
    // `arslab ui` prints a one-time sign-in link on the lab's own API address (ADR 0010);
    // the browser signs in the way a user does: it opens the link, which sets the page's
    // cookie and redirects to the page. Every request of the page (the event stream too)
    // then rides on that cookie alone.
    const link = (await cli.ok(['ui'])).trim();
    assert.match(link, new RegExp(`^${base.replace(/\./g, '\\.')}/arslab/ui/login\\?code=[\\w-]{20,}$`));
    browser = await launchChromium();
    const page = await browser.newPage({ width: 1280, height: 800 });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(link);
    const url = page.url();
    assert.equal(url, `${base}/arslab/ui/`, 'the sign-in link leads to the page');
    await page.waitForFunction(() => window.__arslab?.ready || window.__arslab?.error, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => window.__arslab?.error ?? ''), '', 'the page loaded');
    await waitFor(
      'the page to follow the event stream',
      () => page.evaluate(() => window.__arslab!.connected()),
      10_000,
    );
    await body({
      cli,
      page,
      url,
      name,
      json: <T>(args: readonly string[]) => cli.json<T>(args),
      api: async <T>(path: string) => {
        const r = await fetch(new URL(path, base), { headers: { Authorization: `Bearer ${state.token}` } });
        assert.equal(r.status, 200, `GET ${path}: ${r.status}`);
        return (await r.json()) as T;
      },
      shot: async (shot) => {
        if (!SCREENSHOTS) return;
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, `${shot}.png`) });
      },
    });
    assert.deepEqual(errors, [], 'no script error on the page');
    await browser.close();
    browser = undefined;
    const out = await cli.ok(['down'], 60_000);
    assert.match(out, new RegExp(`lab '${name}' is down`));
    await cli.waitClean(name, 5000);
  } catch (e) {
    (e as Error).message += cli.logTail();
    throw e;
  } finally {
    await browser?.close();
    await cli.cleanup(name ? [name] : []);
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
}

/** The test id of a drawn node (window.__arslab.at) as a point to click. */
export async function clickDrawn(page: Page, id: string): Promise<void> {
  const at = await page.evaluate((x) => window.__arslab!.at(x), id);
  assert.ok(at, `${id} is drawn on the graph`);
  await page.mouse.click(at.x, at.y);
}
