/**
 * @module lab/state
 * Where running labs are recorded, so that the CLI finds them and `arslab down` can clean
 * up after a lab whose process died: one folder per lab with a state.json (pid, API
 * address, token, child PIDs, namespaces).
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcStat } from './daemons/process.js';

export interface LabState {
  readonly name: string;
  readonly file: string;
  readonly pid: number;
  readonly api: { readonly host: string; readonly port: number };
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
