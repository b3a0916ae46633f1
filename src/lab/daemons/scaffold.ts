/**
 * @module lab/daemons/scaffold
 * The start-up and process control every driver shares, written once: the work directory, the
 * process (ManagedProcess), the exit check in front of every control call, the memoised
 * `ready()` (the control interface answers, then the listening sockets are audited), the
 * serial chain for commands that must not interleave, and the handle's process controls.
 * A driver (one folder per daemon: config, parse, control, driver) brings its configuration
 * checks, its command line and its control language; `kind: exec` (src/lab/daemons/exec)
 * is a driver like the others.
 */
import { ManagedProcess } from './process.js';
import { auditListeners, makeWorkDir, noteFor, pollUntil } from './common.js';
import { DaemonError, type DaemonHandle, type DaemonKind, type DaemonSpec } from './types.js';

/** How a driver's daemon is run, once its work directory exists. */
export interface LaunchOptions {
  readonly argv: readonly string[];
  /** Replaces `spec.env` when given (ExaBGP adds its own settings over the node's). */
  readonly env?: Record<string, string | undefined>;
  /** Rescan for descendants in other process groups (ExaBGP's API helpers). */
  readonly watchDescendants?: boolean;
}

/** A started daemon process, as its driver uses it. */
export interface RunningDaemon {
  readonly kind: DaemonKind;
  readonly spec: DaemonSpec;
  /** "bird r1": the start of every message about this instance. */
  readonly label: string;
  /** Absolute path of the instance's work directory. */
  readonly work: string;
  readonly proc: ManagedProcess;
  /** The driver's own notes about the node (warnings), to the node's log. */
  readonly note: (text: string) => void;
  /** The error to throw once the process has exited (with its last output), else undefined. */
  exitedError(): DaemonError | undefined;
  /** Throws exitedError() when the process has exited: every control call starts with it. */
  checkAlive(): void;
  /** Runs `f` after every earlier serial() call settled (re-renders must not interleave). */
  serial<T>(f: () => Promise<T>): Promise<T>;
}

/**
 * Creates the work directory, lets the driver prepare its files in it (`prepare` returns the
 * command line), and starts the process. The spec must have passed prepareSpec() and the
 * driver's configuration checks before.
 */
export async function launch(
  kind: DaemonKind,
  spec: DaemonSpec,
  prepare: (work: string) => LaunchOptions | Promise<LaunchOptions>,
): Promise<RunningDaemon> {
  const work = makeWorkDir(spec);
  const how = await prepare(work);
  const label = `${kind} ${spec.name}`;
  const proc = await ManagedProcess.start({
    label,
    argv: how.argv,
    cwd: work,
    env: how.env ?? spec.env,
    netns: spec.netns,
    maxLifetimeSeconds: spec.maxLifetimeSeconds,
    log: spec.log,
    onExit: spec.onExit,
    ...(how.watchDescendants ? { watchDescendants: true } : {}),
  });
  const exitedError = () =>
    proc.exited
      ? new DaemonError('exited', `${label} exited (${JSON.stringify(proc.exitStatus)})`, proc.recentOutput())
      : undefined;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    kind,
    spec,
    label,
    work,
    proc,
    note: noteFor(spec, kind),
    exitedError,
    checkAlive() {
      const e = exitedError();
      if (e) throw e;
    },
    serial<T>(f: () => Promise<T>): Promise<T> {
      const next = chain.then(f, f);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}

/** What `ready()` waits for. */
export interface ReadyCheck<T> {
  /** What is polled, for the timeout message: "control socket WORK/bird.ctl". */
  readonly what: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Answers a value once the control interface works, undefined (or throws) before. */
  readonly probe: () => Promise<T | undefined>;
  /** The driver's checks once it answered (router id, listening errors), before the audit. */
  readonly check?: (value: T) => Promise<void> | void;
  /** Audit the listening sockets (ARSLab's agent listens on nothing: false). Default true. */
  readonly audit?: boolean;
}

/** The members a driver writes itself: its control language. */
export type DaemonControl = Pick<DaemonHandle, 'sessions' | 'receivedRoutes' | 'announce' | 'withdraw' | 'command'> &
  Partial<Pick<DaemonHandle, 'stop' | 'kill'>>;

/**
 * The handle of a started daemon: identity and process controls, `exited`, the memoised
 * `ready()`, and the driver's control members (which may add their own, as ExaBGP's
 * `commandPipe`, or wrap stop/kill).
 */
export function daemonHandle<T, C extends DaemonControl>(
  d: RunningDaemon,
  ready: ReadyCheck<T>,
  control: C,
): DaemonHandle & C {
  const { proc } = d;
  let readyPromise: Promise<void> | undefined;
  const base = {
    kind: d.kind,
    name: d.spec.name,
    pid: proc.pid,
    pids: () => proc.livePids(),
    recentOutput: () => proc.recentOutput(),
    stop: (opts?: { graceMs?: number }) => proc.stop(opts?.graceMs),
    kill: () => proc.kill(),
    pause: () => proc.pause(),
    resume: () => proc.resume(),
    get exited() {
      return proc.exited;
    },
    ready(timeoutMs = ready.timeoutMs ?? 15_000) {
      readyPromise ??= (async () => {
        const value = await pollUntil(`${d.label}: ${ready.what}`, timeoutMs, ready.probe, {
          abort: d.exitedError,
          ...(ready.intervalMs ? { intervalMs: ready.intervalMs } : {}),
        });
        await ready.check?.(value);
        if (ready.audit !== false) await auditListeners(proc, d.spec, d.kind);
        // Helpers the daemon started meanwhile are tracked from now on (cleanup by PID).
        proc.refresh();
      })();
      return readyPromise;
    },
  };
  // Object.assign sets the control members on `base`: its `exited` getter stays a getter.
  return Object.assign(base, control);
}

/** The error a driver throws for what its daemon does not do (the agent's announce). */
export function unsupported(d: RunningDaemon, message: string): Promise<never> {
  return Promise.reject(new DaemonError('usage', `${d.label}: ${message}`));
}
