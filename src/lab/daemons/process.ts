/**
 * @module lab/daemons/process
 * Process management shared by the daemon drivers.
 *
 * Invariants:
 * - Every daemon runs in its own session and process group (`detached`), so one signal to the
 *   group reaches whatever it forked; helpers that leave the group (ExaBGP puts each API
 *   process in its own group) are found through /proc and tracked too.
 * - A process is identified by (pid, start time), never by pid alone: a pid reused by an
 *   unrelated process is neither waited for nor signalled.
 * - No instance outlives the Node process that started it, nor its `maxLifetimeSeconds`: a
 *   small bash "guardian" per instance (its own session) SIGKILLs the instance's process
 *   groups when its stdin — a pipe only we write to — reaches end of file, which the kernel
 *   does when we die however we die (even SIGKILL), or when the lifetime runs out. A clean
 *   stop disarms it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Socket } from 'node:net';
import { DaemonError } from './types.js';

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R, S, D, T, t, Z, X, I... */
  state: string;
  /** Start time in clock ticks since boot (field 22): with the pid, the process identity. */
  start: string;
}

/** Parses /proc/PID/stat; undefined when the process does not exist (any more). */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  if (f.length < 20) return undefined;
  return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), start: f[19]! };
}

function allProcStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st) out.push(st);
  }
  return out;
}

const isDead = (st: ProcStat | undefined, start: string): boolean =>
  st === undefined || st.start !== start || st.state === 'Z' || st.state === 'X';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for `p` or `ms`, whichever comes first, and leaves no timer behind (a pending one would keep Node alive). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (t = setTimeout(() => r(undefined), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

/** The argv that runs `argv` inside network namespace `netns` (iproute2 execs: same pid). */
export function inNetns(argv: readonly string[], netns: string | undefined): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : [...argv];
}

export interface ProcessOptions {
  /** Used in messages, e.g. "bird r1". */
  label: string;
  argv: readonly string[];
  cwd?: string;
  /** Merged over process.env; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  netns?: string;
  maxLifetimeSeconds?: number;
  /** Daemon output, one line at a time. */
  log?: (line: string) => void;
  onExit?: (code: number | null, signal: string | null) => void;
  /**
   * Rescan /proc every second for new descendants. Needed for daemons that fork helpers into
   * other process groups (ExaBGP); the others are rescanned only when signalled.
   */
  watchDescendants?: boolean;
}

export interface ListeningSocket {
  address: string;
  port: number;
  pid: number;
}

/**
 * Guardian, run by bash with arguments LIFETIME PGID. Reads lines from stdin:
 * "add PGID" (one more group to reap), "disarm" (clean stop: exit without killing).
 * End of file (ARSLab died) or the lifetime elapsing: SIGKILL every group, then exit.
 */
const GUARDIAN = `
life=$1; groups=$2
if [ "$life" -gt 0 ]; then deadline=$((SECONDS + life)); fi
while :; do
  if [ -n "$deadline" ]; then
    left=$((deadline - SECONDS)); [ "$left" -gt 0 ] || break
    read -r -t "$left" cmd arg || break
  else
    read -r cmd arg || break
  fi
  case "$cmd" in
    disarm) exit 0 ;;
    add) groups="$groups $arg" ;;
  esac
done
for g in $groups; do kill -9 -- "-$g" 2>/dev/null; done
`;

export class ManagedProcess {
  readonly pid: number;
  private readonly label: string;
  /** pid -> identity and group of every process we consider ours. */
  private readonly tracked = new Map<number, { start: string; pgid: number }>();
  private readonly groupsSentToGuardian = new Set<number>();
  private guardian: ChildProcess | undefined;
  private readonly ring: string[] = [];
  private exitInfo: { code: number | null; signal: string | null } | undefined;
  private readonly exitPromise: Promise<{ code: number | null; signal: string | null }>;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | undefined;
  private readonly log: ((line: string) => void) | undefined;

  private constructor(child: ChildProcess, opts: ProcessOptions) {
    this.pid = child.pid!;
    this.label = opts.label;
    this.log = opts.log;
    const st = readProcStat(this.pid);
    // The child may already be gone (exec failure inside `ip netns exec`); "?" never matches.
    this.tracked.set(this.pid, { start: st?.start ?? '?', pgid: this.pid });
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
        try {
          opts.onExit?.(code, signal);
        } catch {
          // A faulty callback must not break our own cleanup.
        }
        // The main process is gone: its helpers have no reason to live. Give them a moment to
        // notice (ExaBGP's exit on stdin EOF), then reap; unless a stop() is already doing it.
        if (!this.stopping) void this.reapAfterExit();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.output(line);
      });
      stream.on('end', () => {
        if (partial) this.output(partial);
        partial = '';
      });
    }
    if (opts.watchDescendants) {
      const t = setInterval(() => {
        if (!this.exitInfo) this.refresh();
      }, 1000);
      t.unref();
      this.timers.push(t);
    }
    const life = opts.maxLifetimeSeconds ?? 0;
    if (life > 0) {
      const t = setTimeout(() => {
        this.note(`maximum lifetime of ${life}s reached: killing every process`);
        void this.kill();
      }, life * 1000);
      t.unref();
      this.timers.push(t);
    }
    this.startGuardian(life);
  }

  /** Spawns `opts.argv` in a new session; rejects with DaemonError('spawn') when it cannot start. */
  static async start(opts: ProcessOptions): Promise<ManagedProcess> {
    const argv = inNetns(opts.argv, opts.netns);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      env,
      detached: true, // setsid(): own session and process group
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) =>
        reject(new DaemonError('spawn', `${opts.label}: cannot run ${argv[0]}: ${err.message}`)),
      );
    });
    return new ManagedProcess(child, opts);
  }

  private output(line: string): void {
    this.ring.push(line);
    if (this.ring.length > 200) this.ring.shift();
    this.log?.(line);
  }

  private note(text: string): void {
    this.output(`arslab: ${this.label}: ${text}`);
  }

  /** The last lines the process printed. */
  recentOutput(): string[] {
    return [...this.ring];
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  get exitStatus(): { code: number | null; signal: string | null } | undefined {
    return this.exitInfo;
  }

  /** Resolves when the main process has exited. */
  waitExit(): Promise<{ code: number | null; signal: string | null }> {
    return this.exitPromise;
  }

  private startGuardian(lifetime: number): void {
    try {
      const g = spawn('/bin/bash', ['-c', GUARDIAN, 'arslab-guard', String(lifetime), String(this.pid)], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      g.on('error', (err) => this.note(`guardian unavailable (${err.message}); relying on in-process timers`));
      // Neither the guardian nor its pipe may keep our event loop alive.
      g.unref();
      (g.stdin as Socket | null)?.unref?.();
      g.stdin?.on('error', () => undefined); // EPIPE once it has exited
      this.guardian = g;
      this.groupsSentToGuardian.add(this.pid);
    } catch (err) {
      this.note(`guardian unavailable (${(err as Error).message})`);
    }
  }

  private tellGuardian(line: string): void {
    const g = this.guardian;
    if (g?.stdin && !g.stdin.destroyed && g.exitCode === null) g.stdin.write(line + '\n');
  }

  private disarmGuardian(): void {
    this.tellGuardian('disarm');
    this.guardian?.stdin?.end();
    this.guardian = undefined;
  }

  /** Adds the live descendants of our processes, and members of our groups, to the tracked set. */
  refresh(): void {
    const procs = allProcStats();
    const alive = new Set(this.livePids());
    // Groups of live members only: the number of a group whose members all died may be reused.
    const groups = new Set([...alive].map((pid) => this.tracked.get(pid)!.pgid));
    let grew = true;
    while (grew) {
      grew = false;
      for (const p of procs) {
        if (alive.has(p.pid) || p.state === 'Z' || p.state === 'X') continue;
        if (alive.has(p.ppid) || groups.has(p.pgid)) {
          alive.add(p.pid);
          this.tracked.set(p.pid, { start: p.start, pgid: p.pgid });
          if (!groups.has(p.pgid)) groups.add(p.pgid);
          grew = true;
        }
      }
    }
    for (const g of groups) {
      if (!this.groupsSentToGuardian.has(g)) {
        this.groupsSentToGuardian.add(g);
        this.tellGuardian(`add ${g}`);
      }
    }
    for (const [pid, t] of this.tracked) if (isDead(readProcStat(pid), t.start)) this.tracked.delete(pid);
  }

  /** Live tracked pids (main process first). */
  livePids(): number[] {
    const out: number[] = [];
    for (const [pid, t] of this.tracked) if (!isDead(readProcStat(pid), t.start)) out.push(pid);
    return out;
  }

  /** Sends `signal` to every live tracked process and to each of their process groups. */
  signalAll(signal: NodeJS.Signals): void {
    this.refresh();
    const live = this.livePids();
    const groups = new Set<number>();
    for (const pid of live) groups.add(this.tracked.get(pid)!.pgid);
    for (const g of groups) {
      try {
        process.kill(-g, signal);
      } catch {
        // Group already empty.
      }
    }
    for (const pid of live) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  pause(): void {
    this.signalAll('SIGSTOP');
  }

  resume(): void {
    this.signalAll('SIGCONT');
  }

  /** Waits until no tracked process is alive; false on timeout. */
  private async waitAllGone(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.livePids().length === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(25);
    }
  }

  private finish(): void {
    for (const t of this.timers) clearTimeout(t);
    this.disarmGuardian();
  }

  /**
   * SIGTERM to the main process (a daemon's graceful path: Cease NOTIFICATION to its peers),
   * SIGKILL to everything left after `graceMs`. Resolves when every process is gone.
   */
  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      this.refresh();
      if (!this.exitInfo) {
        // A stopped process keeps SIGTERM pending until continued: continue first.
        this.signalAll('SIGCONT');
        try {
          process.kill(this.pid, 'SIGTERM');
        } catch {
          // Exited meanwhile.
        }
        await within(this.exitPromise, graceMs);
      }
      // Helpers usually follow their parent out (end of file on stdin): a short chance to.
      await this.waitAllGone(this.exitInfo ? 1000 : 0);
      await this.killAll();
    })();
    return this.stopping;
  }

  /** SIGKILL to every process at once. */
  kill(): Promise<void> {
    this.stopping ??= this.killAll();
    return this.stopping;
  }

  private async killAll(): Promise<void> {
    this.refresh();
    // The main process first, so that it cannot respawn a helper we are about to kill.
    try {
      if (!this.exitInfo) process.kill(-this.pid, 'SIGKILL');
    } catch {
      // Gone.
    }
    this.signalAll('SIGKILL');
    const gone = await this.waitAllGone(5000);
    if (!gone) {
      const left = this.livePids();
      this.finish();
      throw new DaemonError('timeout', `${this.label}: processes ${left.join(', ')} survived SIGKILL for 5 s`);
    }
    // The 'exit' event of our direct child follows its death by a tick or two; wait for it so
    // callers see `exited` true once stop() or kill() resolved.
    await within(this.exitPromise, 2000);
    this.finish();
  }

  private async reapAfterExit(): Promise<void> {
    await this.waitAllGone(1000);
    if (this.stopping) return;
    this.stopping = this.killAll().catch((err: Error) => this.note(err.message));
  }

  /**
   * TCP sockets in LISTEN state owned by our processes, read from /proc (so as seen in the
   * daemon's own network namespace).
   */
  listeningSockets(): ListeningSocket[] {
    const inodes = new Map<string, number>();
    for (const pid of this.livePids()) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m) inodes.set(m[1]!, pid);
        } catch {
          // fd closed meanwhile.
        }
      }
    }
    const out: ListeningSocket[] = [];
    for (const file of ['tcp', 'tcp6']) {
      let text: string;
      try {
        text = readFileSync(`/proc/${this.pid}/net/${file}`, 'latin1');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 10 || f[3] !== '0A') continue; // 0A = TCP_LISTEN
        const pid = inodes.get(f[9]!);
        if (pid === undefined) continue;
        const [hex, portHex] = f[1]!.split(':') as [string, string];
        out.push({ address: procNetAddress(hex), port: parseInt(portHex, 16), pid });
      }
    }
    return out;
  }
}

/** Decodes an address of /proc/net/tcp{,6}: 32-bit words in host byte order. */
export function procNetAddress(hex: string, littleEndian = endianness() === 'LE'): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex
      .slice(w, w + 8)
      .match(/../g)!
      .map((b) => parseInt(b, 16));
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // IPv4-mapped (::ffff:a.b.c.d): show the IPv4 form, which is what the loopback rule checks.
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') return `::ffff:${bytes.slice(12).join('.')}`;
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** True for 127.0.0.0/8, ::1 and ::ffff:127.x: what loopback mode may listen on. */
export function isLoopbackAddress(address: string): boolean {
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d+\.\d+\.\d+$/.test(v4);
}

export interface CommandResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a short control command (vtysh, gobgp, mkfifo...) in its own process group, killing the
 * group when it overruns `timeoutMs`.
 */
export async function runCommand(
  argv: readonly string[],
  opts: { timeoutMs?: number; netns?: string; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CommandResult> {
  const full = inNetns(argv, opts.netns);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), {
      cwd: opts.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      reject(new DaemonError('timeout', `${full.join(' ')}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new DaemonError('spawn', `cannot run ${full[0]}: ${e.message}`));
    });
    // 'close' (not 'exit'): every byte of output has been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Creates a FIFO (Node has no mkfifo); an existing FIFO is kept. */
export async function mkfifo(path: string, mode = '600'): Promise<void> {
  const r = await runCommand(['mkfifo', '-m', mode, path], { timeoutMs: 5000 });
  if (r.code !== 0 && !/File exists/.test(r.stderr)) {
    throw new DaemonError('spawn', `mkfifo ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
}
