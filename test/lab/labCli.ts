/**
 * Helpers for tests that drive ARSLab as a user does: the `arslab` command line in child
 * processes, an isolated state folder (ARSLAB_STATE_DIR) per test, and a record of every
 * process and network namespace a lab reported, so that a test can assert by PID and by
 * `ip netns list` that nothing is left, and kill whatever is (by PID) when it fails.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteNamespace, namespaceTag } from '../../src/lab/netns.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';
import type { LabState } from '../../src/lab/state.js';

/** The repository (this file runs from dist/test/lab/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN = join(ROOT, 'dist/src/cli/main.js');
export const BIN = join(ROOT, 'bin/arslab');

/** Seed 000's look at lt1's routes: `az network nic show-effective-route-table … -o table`. */
export const LT1_EFFECTIVE_ROUTES: readonly string[] = [
  'network',
  'nic',
  'show-effective-route-table',
  '--name',
  'lt1VMNic',
  '--resource-group',
  'next-hop-ip-vm-rg',
  '--output',
  'table',
];

export const isRoot = process.getuid?.() === 0;

export function missingBinaries(paths: readonly string[]): string[] {
  return paths.filter((p) => !existsSync(p));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * True when bin/arslab would run the build as it is (no source or web page file newer than dist/.build-stamp,
 * as in CI after scripts/setup): then tests run `bin/arslab` exactly as a user does. While
 * someone edits the sources it would rebuild dist/ under the other tests' feet, so tests
 * then run the same entry point (`node dist/src/cli/main.js`) directly.
 */
export function binUsable(): boolean {
  const stamp = join(ROOT, 'dist/.build-stamp');
  if (!existsSync(stamp) || !existsSync(join(ROOT, 'node_modules'))) return false;
  const t = statSync(stamp).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) => {
      const p = join(dir, e.name);
      return e.isDirectory() ? newer(p) : statSync(p).mtimeMs > t;
    });
  return !newer(join(ROOT, 'src')) && !(existsSync(join(ROOT, 'web')) && newer(join(ROOT, 'web')));
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs argv to completion; SIGKILLs it (by PID) after timeoutMs. */
export function run(
  argv: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[test: killed after ${opts.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** /proc/PID/stat: state and start time (field 22); undefined when there is no such process. */
export function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, start: f[19]! };
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (and, given its start time, not a reused pid). */
export function processAlive(pid: number, start?: string): boolean {
  const st = procStat(pid);
  return !!st && st.state !== 'Z' && st.state !== 'X' && (start === undefined || st.start === start);
}

/** Processes whose command line or environment mentions `needle` (the lab's state folder, its namespace tag). */
export function processesMentioning(needles: readonly string[]): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || !processAlive(pid)) continue;
    let cmd = '';
    let env = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (needles.some((n) => cmd.includes(n) || env.includes(n))) out.push({ pid, cmd });
  }
  return out;
}

export function listNamespacesSync(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 })
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** The lab's namespaces present now (`ip netns list`). */
export function labNamespaces(labName: string): string[] {
  const prefix = `arslab-${namespaceTag(labName)}-`;
  return listNamespacesSync().filter((n) => n.startsWith(prefix));
}

/**
 * One test's view of ARSLab: its own state folder, the `arslab` command, and everything the
 * labs it started reported (lab processes, daemons, helpers, namespaces), for the checks
 * and for cleanup by PID.
 */
export class LabCli {
  readonly stateDir: string;
  /** pid -> start time of every process seen in a lab's state file or started here. */
  readonly seen = new Map<number, string | undefined>();
  readonly namespaces = new Set<string>();
  private readonly foreground: ChildProcess[] = [];

  constructor(
    prefix: string,
    /** Run bin/arslab (as a user) rather than node dist/src/cli/main.js. */
    readonly useBin = false,
  ) {
    this.stateDir = mkdtempSync(join(tmpdir(), `arslab-${prefix}-`));
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, ARSLAB_STATE_DIR: this.stateDir, ARSLAB_DEBUG: '1' };
  }

  argv(args: readonly string[]): string[] {
    return this.useBin ? [BIN, ...args] : [process.execPath, '--enable-source-maps', MAIN, ...args];
  }

  /** `arslab ARGS…` to completion. */
  arslab(args: readonly string[], timeoutMs = 30_000): Promise<RunResult> {
    return run(this.argv(args), { env: this.env, timeoutMs });
  }

  /** `arslab ARGS…`, which must succeed; its stdout. */
  async ok(args: readonly string[], timeoutMs = 30_000): Promise<string> {
    const r = await this.arslab(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `arslab ${args.join(' ')} failed (code ${r.code}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}${this.logTail()}`,
      );
    return r.stdout;
  }

  async json<T = unknown>(args: readonly string[], timeoutMs = 30_000): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'], timeoutMs)) as T;
  }

  /**
   * `arslab probe ARGS… -o json`: its JSON. The command exits 1 when no probe got a reply (as
   * ping does, ADR 0032), 0 otherwise: checked on every run.
   */
  async probe<T extends { summary: { sent: number; received: number } }>(
    args: readonly string[],
    timeoutMs = 30_000,
  ): Promise<T> {
    const r = await this.arslab(['probe', ...args, '-o', 'json'], timeoutMs);
    assert.ok(r.code === 0 || r.code === 1, `probe failed (code ${r.code}): ${r.stderr}${this.logTail()}`);
    const out = JSON.parse(r.stdout) as T;
    assert.equal(r.code, out.summary.sent > 0 && out.summary.received === 0 ? 1 : 0, 'exit status 1 iff no reply');
    return out;
  }

  /** A shell command with ARSLAB_STATE_DIR set (the seed's `echo … > PIPE`). */
  sh(script: string, timeoutMs = 10_000): Promise<RunResult> {
    return run(['sh', '-c', script], { env: this.env, timeoutMs });
  }

  /** `arslab up ARGS…` in the foreground, as from a terminal: its own process group, so Ctrl-C can go to all of it. */
  foregroundUp(args: readonly string[]): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, ['--enable-source-maps', MAIN, 'up', ...args], {
      cwd: ROOT,
      env: this.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.foreground.push(child);
    if (child.pid) this.seen.set(child.pid, procStat(child.pid)?.start);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { child, output: () => out };
  }

  state(labName: string): LabState | undefined {
    try {
      return JSON.parse(readFileSync(join(this.stateDir, labName, 'state.json'), 'utf8')) as LabState;
    } catch {
      return undefined;
    }
  }

  /** Reads the lab's state file and remembers every pid and namespace in it. */
  record(labName: string): LabState {
    const s = this.state(labName);
    if (!s) throw new Error(`no state file for lab ${labName} in ${this.stateDir}`);
    this.seen.set(s.pid, this.seen.get(s.pid) ?? procStat(s.pid)?.start);
    for (const pid of s.pids)
      if (!this.seen.has(pid)) this.seen.set(pid, s.pidStarts?.[String(pid)] ?? procStat(pid)?.start);
    for (const n of s.namespaces) this.namespaces.add(n);
    return s;
  }

  /** Recorded processes still alive. */
  alivePids(): number[] {
    return [...this.seen].filter(([pid, start]) => processAlive(pid, start)).map(([pid]) => pid);
  }

  /**
   * Nothing of `labName` left: no recorded process alive, no process mentioning this test's
   * state folder or the lab's namespace tag, no namespace of the lab.
   */
  leftovers(labName: string): string[] {
    const out: string[] = [];
    for (const pid of this.alivePids()) out.push(`pid ${pid} alive`);
    for (const p of processesMentioning([this.stateDir, `arslab-${namespaceTag(labName)}-`]))
      out.push(`pid ${p.pid} (${p.cmd.slice(0, 120)})`);
    for (const n of labNamespaces(labName)) out.push(`namespace ${n}`);
    return [...new Set(out)];
  }

  async waitClean(labName: string, timeoutMs = 5000): Promise<void> {
    await waitFor(`nothing left of lab ${labName}`, () => this.leftovers(labName).length === 0, {
      timeoutMs,
      intervalMs: 150,
      detail: () => `left: ${this.leftovers(labName).join('; ')}`,
    });
  }

  logTail(): string {
    const out: string[] = [];
    try {
      for (const lab of readdirSync(this.stateDir)) {
        for (const f of ['lab.out', 'lab.log']) {
          const p = join(this.stateDir, lab, f);
          if (existsSync(p)) out.push(`--- ${lab}/${f}\n${readFileSync(p, 'utf8').split('\n').slice(-25).join('\n')}`);
        }
      }
    } catch {
      // No state folder.
    }
    return out.length ? `\n${out.join('\n')}` : '';
  }

  /** By PID: SIGKILL to every recorded process still alive; then the recorded namespaces go. */
  async cleanup(labNames: readonly string[] = []): Promise<void> {
    for (const c of this.foreground) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const [pid, start] of this.seen) {
      if (!processAlive(pid, start)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    const names = new Set([...this.namespaces, ...labNames.flatMap(labNamespaces)]);
    // Processes inside them are killed too (deleteNamespace), whoever started them.
    for (const n of names) await deleteNamespace(n);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// A small lab with one daemon, and the steps the lifecycle tests share
// (cleanup.test.ts, lifecycle.test.ts).

/** Why a test of the ExaBGP lab below cannot run here (false when it can). */
export const noExabgp = missingBinaries(['/usr/sbin/exabgp']).length
  ? 'exabgp is not installed (scripts/setup --daemons all)'
  : false;
export const noRoot = isRoot ? false : 'needs root (netns mode, BGP port 179)';
export const skipNetns = noExabgp || noRoot;

/** A lab file (and ExaBGP's configs, verbatim and loopback) for ExaBGP on 10.N.0.4 peering with 10.N.1.4/.5. */
export function writeExabgpLab(cli: LabCli, name: string, n: number): string {
  const exa = (pfx: string) =>
    [4, 5]
      .map(
        (i) => `neighbor ${pfx}.${n}.1.${i} {
    router-id 10.${n}.0.4;
    local-address ${pfx}.${n}.0.4;
    local-as 65001;
    peer-as 65515;
    static { route 100.64.${n}.0/24 next-hop 10.${n}.0.4; }
}
`,
      )
      .join('\n');
  writeFileSync(join(cli.stateDir, 'exabgp.conf'), exa('10'));
  writeFileSync(join(cli.stateDir, 'exabgp.loopback.conf'), exa('127'));
  const file = join(cli.stateDir, 'lab.yml');
  writeFileSync(
    file,
    routeServerLabYaml({
      name,
      n,
      layout: 'flat',
      peers: [{ name: 'nva', vm: 'vm1', host: 4, asn: 65001 }],
      nodes: '  nva1: { kind: exabgp, vm: vm1, config: exabgp.conf, loopbackConfig: exabgp.loopback.conf }\n',
    }),
  );
  return file;
}

export interface Status {
  routeServers: { instances: { peerings: { state: string; routesReceived: number }[] }[] }[];
  nodes: { name: string; state: string; pid?: number; detail?: string }[];
}

export async function sessions(cli: LabCli): Promise<string[]> {
  const st = await cli.json<Status>(['status']);
  return st.routeServers[0]!.instances.map((i) => i.peerings[0]!.state);
}

export async function established(cli: LabCli): Promise<void> {
  await waitFor(
    'both sessions Established',
    async () => (await sessions(cli)).every((s) => s === 'Established'),
    15_000,
  );
}

export async function exited(child: ChildProcess, ms: number): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pid ${child.pid} did not exit in ${ms} ms`)), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal });
    });
  });
}

/** Runs `body` with a fresh LabCli; adds the lab's logs to a failure; kills by PID whatever is left. */
export async function withLab(prefix: string, name: string, body: (cli: LabCli) => Promise<void>): Promise<void> {
  const cli = new LabCli(prefix);
  try {
    await body(cli);
  } catch (e) {
    (e as Error).message += `\nleft: ${cli.leftovers(name).join('; ')}${cli.logTail()}`;
    throw e;
  } finally {
    await cli.cleanup([name]);
  }
}
