/**
 * @module lab/state
 * Where running labs are recorded, so that the CLI finds them and `arslab down` can clean
 * up after a lab whose process died: one folder per lab with a state.json (pid, API
 * address, token, child PIDs, namespaces), and a lock file held by the one process that
 * runs the lab.
 */
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcStat } from './daemons/process.js';
import { deleteNamespaceSync } from './netns.js';

export interface LabState {
  readonly name: string;
  readonly file: string;
  readonly pid: number;
  /** The API: plain HTTP for the CLI at host:port; `endpoint` the same port over HTTPS (ADR 0027). */
  readonly api: { readonly host: string; readonly port: number; readonly endpoint?: string };
  /** The CA certificate real Azure clients must trust to reach `api.endpoint`. */
  readonly caFile?: string;
  /** The identity endpoint's secret (IDENTITY_HEADER, MSI_SECRET; ADR 0027). */
  readonly identitySecret?: string;
  readonly mode: string;
  readonly bgpPort: number;
  readonly startedAt: string;
  readonly subscriptionId: string;
  /** The API's secret (ADR 0010); the file is mode 0600 because of it. */
  readonly token?: string;
  /** Processes started by the lab (daemons and helpers), updated as they change. */
  pids: number[];
  /** pid -> start time (/proc/PID/stat field 22) when recorded: a reused pid is never killed. */
  pidStarts?: Record<string, string>;
  namespaces: string[];
}

/** Start times of `pids` (Linux /proc), for LabState.pidStarts. */
export function pidStarts(pids: readonly number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pid of pids) {
    const start = readProcStat(pid)?.start;
    if (start) out[String(pid)] = start;
  }
  return out;
}

/** The one-letter state of a process (R, S, T for stopped, Z…), undefined when it is gone. */
export function processState(pid: number): string | undefined {
  return readProcStat(pid)?.state;
}

/** Whether `pid` still is the process recorded in `s` (alive, and not a reused pid). */
export function isRecordedProcess(s: Pick<LabState, 'pidStarts'>, pid: number): boolean {
  const st = readProcStat(pid);
  if (!st || st.state === 'Z') return false;
  const recorded = s.pidStarts?.[String(pid)];
  return recorded === undefined || recorded === st.start;
}

export function stateRoot(): string {
  const base =
    process.env['ARSLAB_STATE_DIR'] ??
    join(process.env['XDG_RUNTIME_DIR'] ?? tmpdir(), `arslab-${process.getuid?.() ?? 'user'}`);
  // Private to its owner when created here (it holds each lab's state file and token).
  mkdirSync(base, { recursive: true, mode: 0o700 });
  return base;
}

/** The API certificate's folder, shared by every lab of this state folder (api/tls). */
export function tlsDir(): string {
  return join(stateRoot(), '.tls');
}

export function labDir(name: string): string {
  return join(stateRoot(), name);
}

export function writeLabState(s: LabState): void {
  const dir = labDir(s.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, 'state.json.tmp');
  // It holds the API token: readable by its owner only (mode applies on creation; a
  // leftover tmp file is made private too).
  writeFileSync(tmp, JSON.stringify(s, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, join(dir, 'state.json'));
}

export function readLabState(name: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(join(labDir(name), 'state.json'), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export function removeLabState(name: string): void {
  rmSync(join(labDir(name), 'state.json'), { force: true });
  // A lock left by a process that died (down after a SIGKILL): gone with the state.
  if (lockHolder(name) === undefined) rmSync(lockPath(name), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every lab with a state file; `alive` says whether its process still runs. */
export function listLabs(): (LabState & { alive: boolean })[] {
  const out: (LabState & { alive: boolean })[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(stateRoot());
  } catch {
    return out;
  }
  for (const n of names) {
    const s = readLabState(n);
    if (s) out.push({ ...s, alive: isAlive(s.pid) });
  }
  return out;
}

// ---------------------------------------------------------------------------
// One running process per lab (issue 8, finding 7): two `up` of one lab at once must not
// both start (the loser used to fail on EADDRINUSE, in netns mode after deleting the
// winner's namespaces as "leftovers"). The lock is a file created atomically with its
// content (link(2) of a private temporary file: it exists whole or not at all), holding
// the holder's pid and start time; a holder that is gone, or a pid now used by another
// process, is stale and taken over.

/** Raised when another live process holds the lab's lock. */
export class LabAlreadyRunning extends Error {
  override name = 'LabAlreadyRunning';
  constructor(
    readonly lab: string,
    readonly pid: number,
  ) {
    super(`lab '${lab}' is already running (pid ${pid}); stop it with: arslab down --lab ${lab}`);
  }
}

interface LockRecord {
  pid: number;
  start: string;
}

function lockPath(name: string): string {
  return join(labDir(name), 'lock');
}

function readLock(path: string): { text: string; rec?: LockRecord } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const rec = JSON.parse(text) as LockRecord;
    if (Number.isInteger(rec.pid) && typeof rec.start === 'string') return { text, rec };
  } catch {
    // A torn or foreign file: stale.
  }
  return { text };
}

function holderAlive(rec: LockRecord | undefined): rec is LockRecord {
  if (!rec) return false;
  const st = readProcStat(rec.pid);
  return !!st && st.state !== 'Z' && st.start === rec.start;
}

/** The live process holding the lab's lock, if any. */
export function lockHolder(name: string): number | undefined {
  const l = readLock(lockPath(name));
  return holderAlive(l?.rec) ? l!.rec!.pid : undefined;
}

/**
 * Takes the lab's lock for this process, or throws LabAlreadyRunning naming the holder.
 * Returns the release function (idempotent; synchronous, so a crash handler can call it).
 */
export function acquireLabLock(name: string): () => void {
  const dir = labDir(name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = lockPath(name);
  const me: LockRecord = { pid: process.pid, start: readProcStat(process.pid)?.start ?? '' };
  const mine = JSON.stringify(me);
  const tmp = join(dir, `lock.${process.pid}.tmp`);
  writeFileSync(tmp, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, path);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          // Only our own lock: never one a later process took over.
          if (readLock(path)?.text === mine) rmSync(path, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = readLock(path);
      if (!held) continue; // released meanwhile: try again
      if (holderAlive(held.rec)) throw new LabAlreadyRunning(name, held.rec.pid);
      // Stale. Move it aside (atomic: of several processes taking it over, one moves it),
      // and check that what was moved is the stale lock read above, not a fresh one.
      const aside = join(dir, `lock.stale.${process.pid}`);
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = readLock(aside);
      if (moved?.text !== held.text && holderAlive(moved?.rec)) {
        try {
          linkSync(aside, path); // put the live one back
        } catch {
          // Someone else holds it now; either way we lost.
        }
        rmSync(aside, { force: true });
        throw new LabAlreadyRunning(name, moved!.rec!.pid);
      }
      rmSync(aside, { force: true });
    }
    throw new Error(`could not take the lock of lab '${name}' (${path}): it changes hands too often`);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone.
    }
  }
}

/**
 * What a lab left, removed synchronously (a crash handler has no event loop to wait on;
 * `arslab down` for a lab whose process died): SIGKILL to each recorded process group and
 * process (skipping a pid now used by another process), then each namespace with whatever
 * still runs in it. Returns how many recorded processes were still there.
 */
export function removeLeftoversSync(
  s: Pick<LabState, 'pids' | 'pidStarts' | 'namespaces'>,
  log: (line: string) => void = () => {},
): number {
  let killed = 0;
  for (const pid of s.pids) {
    if (pid === process.pid || !isRecordedProcess(s, pid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        continue; // gone meanwhile
      }
    }
    killed++;
  }
  for (const ns of s.namespaces) {
    try {
      deleteNamespaceSync(ns);
    } catch (e) {
      log(`could not remove network namespace ${ns}: ${(e as Error).message}`);
    }
  }
  return killed;
}
