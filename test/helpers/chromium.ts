/**
 * Debian's Chromium for the web page's tests and benchmark, driven by playwright-core over
 * CDP: started here as our own child (its own process group, a fresh profile folder), so
 * that it is stopped by PID — the group killed, the folder removed — however the test ends.
 * The machine has no network: every flag that would make Chromium phone home is off.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false. */
export const noChromium = existsSync(CHROMIUM) ? false : 'Debian chromium is not installed (scripts/setup installs it)';

export interface TestBrowser {
  readonly browser: Browser;
  readonly pid: number;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Closes the browser, then kills its process group by PID and removes its profile. */
  close(): Promise<void>;
}

export async function launchChromium(timeoutMs = 20_000): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'arslab-web-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--mute-audio',
      `--user-data-dir=${profile}`,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const pid = child.pid!;
  const kill = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const ws = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(
        () => reject(new Error(`chromium did not start in ${timeoutMs} ms:\n${err}`)),
        timeoutMs,
      );
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`chromium exited (${code ?? signal}):\n${err}`));
      });
    });
    child.stderr!.resume();
    const browser = await chromium.connectOverCDP(ws, { timeout: timeoutMs });
    return {
      browser,
      pid,
      async newPage(viewport = { width: 1440, height: 900 }) {
        const context = browser.contexts()[0] ?? (await browser.newContext());
        const page = await context.newPage();
        await page.setViewportSize(viewport);
        return page;
      },
      async close() {
        await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
        kill();
      },
    };
  } catch (e) {
    kill();
    throw e;
  }
}
