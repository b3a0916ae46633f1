/**
 * @module cli/runLab
 * `arslab up` in the foreground: load the lab file, start the lab and its API, record
 * it in the state folder, and take it all down on Ctrl-C, SIGTERM, `arslab down` or a
 * crash — every process and namespace it created goes with it.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleLogger, type Logger, type LogLevel } from '../bgp/log.js';
import { ApiServer } from '../api/server.js';
import { formatLabFileError, loadLabFile, takeLoadedSpec } from '../lab/topology/index.js';
import { Lab } from '../lab/lab.js';
import {
  isAlive,
  labDir,
  pidStarts,
  readLabState,
  removeLabState,
  writeLabState,
  type LabState,
} from '../lab/state.js';
import type { AddressingMode } from '../lab/spec.js';

export interface RunOptions {
  readonly mode?: AddressingMode;
  readonly port?: number;
  readonly capture?: boolean;
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

/** Runs a lab until it is told to stop; resolves when everything is down. */
export async function runLab(file: string, opts: RunOptions = {}): Promise<void> {
  // `up --detach` checked the file already and hands over the result (loaded once per up).
  let spec = takeLoadedSpec(file);
  const checkedByUp = spec !== undefined;
  if (!spec) {
    const loaded = await loadLabFile(file);
    if (!loaded.ok) throw new LabFileInvalid(loaded.errors.map(formatLabFileError).join('\n'));
    spec = loaded.spec;
  }
  const prev = readLabState(spec.name);
  if (prev && isAlive(prev.pid) && prev.pid !== process.pid) {
    throw new Error(
      `lab '${spec.name}' is already running (pid ${prev.pid}); stop it with: arslab down --lab ${spec.name}`,
    );
  }
  const dir = labDir(spec.name);
  const logger = fileLogger(join(dir, 'lab.log'), opts.logLevel ?? 'info');
  logger.log('info', checkedByUp ? `${file}: checked by arslab up, not loaded again` : `${file}: loaded and checked`);
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
  let lab: Lab;
  try {
    lab = await Lab.start(spec, {
      stateDir: dir,
      ...(opts.mode ? { mode: opts.mode } : {}),
      ...(opts.port ? { port: opts.port } : {}),
      ...(opts.capture !== undefined ? { capture: opts.capture } : {}),
      logger,
      signal: starting.signal,
    });
  } catch (e) {
    removeEarlyHandlers();
    throw e;
  }
  const api = new ApiServer(lab);
  let addr;
  try {
    addr = await api.listen('127.0.0.1', 0);
  } catch (e) {
    removeEarlyHandlers();
    await lab.stop();
    throw e;
  }
  const state: LabState = {
    name: spec.name,
    file: spec.file,
    pid: process.pid,
    api: { host: addr.address, port: addr.port },
    mode: lab.mode,
    bgpPort: lab.port,
    startedAt: lab.startedAt.toISOString(),
    subscriptionId: spec.model.subscriptionId,
    pids: lab.pids(),
    namespaces: lab.namespaces(),
  };
  state.pidStarts = pidStarts(state.pids);
  writeLabState(state);
  // Daemons restart with new PIDs: keep the record current for cleanup after a crash.
  const refresh = setInterval(() => {
    state.pids = lab.pids();
    state.pidStarts = pidStarts(state.pids);
    state.namespaces = lab.namespaces();
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
      await lab.stop().catch((e) => logger.log('error', `stop: ${(e as Error).message}`));
      await api.close().catch(() => {});
      removeLabState(spec.name);
      resolve();
    };
    api.onShutdown = () => void stop('arslab down');
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGHUP', () => void stop('SIGHUP'));
    removeEarlyHandlers();
    process.once('uncaughtException', (e) => {
      logger.log('error', `uncaught exception: ${e.stack ?? e.message}`);
      void stop('crash').then(() => process.exit(1));
    });
    if (earlySignal) void stop(earlySignal);
    else opts.onReady?.(state, lab);
  });
}
