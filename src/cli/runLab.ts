/**
 * @module cli/runLab
 * `arslab up` in the foreground: take the lab's lock, load the lab file, start the lab and
 * its API, record it in the state folder, and take it all down on Ctrl-C, SIGTERM,
 * `arslab down` or a crash — every process and namespace it created goes with it.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleLogger, type Logger, type LogLevel } from '../bgp/log.js';
import { ApiServer } from '../api/server.js';
import { ensureLabCertificate } from '../api/tls.js';
import { formatLabFileError, loadLabFile, takeLoadedSpec, waitForLoadedSpec } from '../lab/topology/index.js';
import { Lab } from '../lab/lab.js';
import { removeIdleNamespacesSync } from '../lab/netns.js';
import {
  acquireLabLock,
  labDir,
  pidStarts,
  removeLabState,
  removeLeftoversSync,
  tlsDir,
  writeLabState,
  type LabState,
} from '../lab/state.js';
import type { AddressingMode } from '../lab/spec.js';

export interface RunOptions {
  readonly mode?: AddressingMode;
  readonly port?: number;
  readonly capture?: boolean;
  /** The API's port on 127.0.0.1 (default: any free one). */
  readonly apiPort?: number;
  readonly logLevel?: LogLevel;
  /** Called once the lab answers queries. */
  readonly onReady?: (state: LabState, lab: Lab) => void;
}

export class LabFileInvalid extends Error {
  override name = 'LabFileInvalid';
}

function fileLogger(path: string, minLevel: LogLevel): Logger {
  const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const con = consoleLogger(minLevel);
  return {
    log(level, message, fields) {
      if (rank[level] < rank[minLevel]) return;
      try {
        appendFileSync(
          path,
          `${new Date().toISOString()} ${level.toUpperCase()} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`,
        );
      } catch {
        con.log(level, message, fields);
      }
    },
  };
}

/**
 * On the way out of any crash (an uncaught exception, an unhandled rejection) the lab
 * removes what it started — processes by PID, namespaces by name (ARCHITECTURE rule 6;
 * issue 8, finding 7) — synchronously: a crashed process cannot rely on its event loop,
 * and the graceful stop may be what throws again. Then its state and lock, then exit 1.
 * Returns the function that uninstalls the handlers (after a normal stop).
 */
function cleanUpOnCrash(
  name: string,
  logger: Logger,
  current: () => Lab | undefined,
  releaseLock: () => void,
): () => void {
  let crashing = false;
  const crash = (kind: string) => (e: unknown) => {
    if (crashing) return; // an error while cleaning up: the cleanup under way goes on
    crashing = true;
    const say = (m: string) => {
      logger.log('error', m);
      process.stderr.write(`${m}\n`);
    };
    say(`the lab crashed (${kind}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    const lab = current();
    const left = { pids: lab?.pids() ?? [], namespaces: lab?.namespaces() ?? [] };
    say(
      `removing what it started: ${left.pids.length} process(es)${left.namespaces.length ? `, namespaces ${left.namespaces.join(', ')}` : ''}`,
    );
    try {
      removeLeftoversSync(left, say);
      if (lab?.mode === 'netns') {
        const late = removeIdleNamespacesSync(name);
        if (late.length) say(`also removed ${late.join(', ')} (made while it crashed)`);
      }
      removeLabState(name);
    } finally {
      releaseLock();
      process.exit(1);
    }
  };
  const onException = crash('uncaught exception');
  const onRejection = crash('unhandled promise rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

/**
 * Test-only: `ARSLAB_TEST_CRASH=exception|rejection:MS[:start][:repeat]` throws an uncaught
 * exception (or leaves a promise rejection unhandled) MS ms after the lab is up — with
 * `:start`, MS ms after the starting lab created its first namespace or process — and, with
 * `:repeat`, again every 20 ms after that (a fault that recurs on every event, as the
 * UPDATE of issue 8's finding 1 did). So tests check the crash path on a real lab process
 * (test/lab/lifecycle.test.ts). Nothing else reads it.
 */
function injectTestCrash(when: 'start' | 'ready', current: () => Lab | undefined): void {
  const v = process.env['ARSLAB_TEST_CRASH'];
  if (!v) return;
  const [kind, ms, ...flags] = v.split(':');
  if ((flags.includes('start') ? 'start' : 'ready') !== when) return;
  const fire = () => {
    const error = new Error('injected crash (ARSLAB_TEST_CRASH)');
    if (kind === 'rejection') void Promise.reject(error);
    else throw error;
  };
  const arm = () =>
    setTimeout(
      () => {
        if (flags.includes('repeat')) setInterval(fire, 20);
        fire();
      },
      Number(ms ?? 0),
    );
  if (when === 'ready') return void arm();
  const started = setInterval(() => {
    const lab = current();
    if (lab && (lab.namespaces().length > 0 || lab.pids().length > 0)) {
      clearInterval(started);
      arm();
    }
  }, 5);
}

/** Runs a lab until it is told to stop; resolves when everything is down. */
export async function runLab(file: string, opts: RunOptions = {}): Promise<void> {
  // `up --detach` checked the file already and hands over the result (loaded once per up),
  // having started this process while it checked.
  if (!(await waitForLoadedSpec())) throw new Error('arslab up stopped before starting the lab');
  let spec = takeLoadedSpec(file);
  const checkedByUp = spec !== undefined;
  if (!spec) {
    const loaded = await loadLabFile(file);
    if (!loaded.ok) throw new LabFileInvalid(loaded.errors.map(formatLabFileError).join('\n'));
    spec = loaded.spec;
  }
  // One process per lab, before anything is created (the loser of two `up` at once says
  // "already running" instead of failing on a port, or removing the winner's namespaces).
  const releaseLock = acquireLabLock(spec.name);
  const dir = labDir(spec.name);
  const logger = fileLogger(join(dir, 'lab.log'), opts.logLevel ?? 'info');
  logger.log('info', checkedByUp ? `${file}: checked by arslab up, not loaded again` : `${file}: loaded and checked`);
  let lab: Lab | undefined;
  const uninstallCrashCleanup = cleanUpOnCrash(spec.name, logger, () => lab, releaseLock);
  const failedToStart = () => {
    uninstallCrashCleanup();
    releaseLock();
  };
  injectTestCrash('start', () => lab);
  // Ctrl-C/SIGTERM/SIGHUP while the lab starts (namespaces made, daemons starting) abort the
  // start, which removes what was already created; once the lab is up they stop it (below).
  const starting = new AbortController();
  let earlySignal: string | undefined;
  const early = (sig: NodeJS.Signals) => () => {
    earlySignal ??= sig;
    starting.abort(new Error(`${sig} while the lab was starting; everything it had started was removed`));
  };
  const earlyHandlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, early(sig)] as const);
  for (const [sig, h] of earlyHandlers) process.on(sig, h);
  const removeEarlyHandlers = () => {
    for (const [sig, h] of earlyHandlers) process.off(sig, h);
  };
  let running: Lab;
  try {
    running = await Lab.start(spec, {
      stateDir: dir,
      ...(opts.mode ? { mode: opts.mode } : {}),
      ...(opts.port ? { port: opts.port } : {}),
      ...(opts.capture !== undefined ? { capture: opts.capture } : {}),
      logger,
      signal: starting.signal,
      onCreated: (l) => (lab = l),
    });
  } catch (e) {
    removeEarlyHandlers();
    failedToStart();
    throw e;
  }
  let api: ApiServer;
  let addr;
  try {
    // HTTPS for real Azure clients (ADR 0027): the certificate is made once per state folder.
    const cert = ensureLabCertificate(tlsDir());
    api = new ApiServer(running, { tls: { cert: cert.cert, key: cert.key, caFile: cert.caFile } });
    addr = await api.listen('127.0.0.1', opts.apiPort ?? 0);
  } catch (e) {
    removeEarlyHandlers();
    await running.stop();
    failedToStart();
    throw e;
  }
  const state: LabState = {
    name: spec.name,
    file: spec.file,
    pid: process.pid,
    api: { host: addr.address, port: addr.port, ...(api.endpoint ? { endpoint: api.endpoint } : {}) },
    ...(api.caFile ? { caFile: api.caFile } : {}),
    identitySecret: api.identitySecret,
    mode: running.mode,
    bgpPort: running.port,
    startedAt: running.startedAt.toISOString(),
    subscriptionId: spec.model.subscriptionId,
    token: api.token,
    pids: running.pids(),
    namespaces: running.namespaces(),
  };
  state.pidStarts = pidStarts(state.pids);
  writeLabState(state);
  // Daemons restart with new PIDs: keep the record current for cleanup after a crash.
  const refresh = setInterval(() => {
    state.pids = running.pids();
    state.pidStarts = pidStarts(state.pids);
    state.namespaces = running.namespaces();
    writeLabState(state);
  }, 2000);
  refresh.unref();

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (why: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(refresh);
      logger.log('info', `stopping: ${why}`);
      await running.stop().catch((e) => logger.log('error', `stop: ${(e as Error).message}`));
      await api.close().catch(() => {});
      removeLabState(spec.name);
      releaseLock();
      uninstallCrashCleanup();
      resolve();
    };
    api.onShutdown = () => void stop('arslab down');
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGHUP', () => void stop('SIGHUP'));
    removeEarlyHandlers();
    if (earlySignal) void stop(earlySignal);
    else {
      opts.onReady?.(state, running);
      injectTestCrash('ready', () => lab);
    }
  });
}
