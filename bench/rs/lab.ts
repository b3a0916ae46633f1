/**
 * An ARSLab lab for the benchmarks, started as users start it: `arslab up LAB.yml` in its own
 * process (through the daemon drivers' ManagedProcess: own process group, guardian, lifetime
 * bound), with its state in the run folder. Up once the lab has written its state file with
 * its API address and token; stopped with SIGTERM, then anything it recorded and left behind is killed
 * by PID (only processes whose command line names this run's state folder).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, readProcStat } from '../../src/lab/daemons/process.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src/cli/main.js */
export const CLI_MAIN = join(here, '..', '..', 'src', 'cli', 'main.js');

export interface LabOptions {
  /** The run folder: the lab's state goes to DIR/st, its output to DIR/lab.out. */
  readonly dir: string;
  readonly labFile: string;
  /** The lab's name (the `name:` of the lab file). */
  readonly name: string;
  /** Node flags for the lab process. */
  readonly nodeFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly maxLifetimeSeconds?: number;
}

export interface RunningLab {
  readonly pid: number;
  readonly proc: ManagedProcess;
  readonly stateDir: string;
  readonly api: { readonly host: string; readonly port: number };
  /** The lab's API token, from its state file (every API request carries it: ADR 0010). */
  readonly token: string;
  /** Runs `arslab ARGS --output json` against this lab; its parsed output. */
  cli(args: readonly string[], timeoutMs?: number): Promise<unknown>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startLab(o: LabOptions): Promise<RunningLab> {
  const stateDir = join(o.dir, 'st');
  mkdirSync(stateDir, { recursive: true });
  const labLog = join(o.dir, 'lab.out');
  const env = { ARSLAB_STATE_DIR: stateDir, ...(o.env ?? {}) };
  const proc = await ManagedProcess.start({
    label: `arslab lab ${o.name}`,
    argv: [process.execPath, ...(o.nodeFlags ?? []), CLI_MAIN, 'up', o.labFile],
    cwd: o.dir,
    env,
    maxLifetimeSeconds: o.maxLifetimeSeconds ?? 900,
    log: (line) => writeFileSync(labLog, line + '\n', { flag: 'a' }),
  });
  const statePath = join(stateDir, o.name, 'state.json');
  const stop = async (): Promise<void> => {
    let pids: number[] = [];
    try {
      pids = (JSON.parse(readFileSync(statePath, 'utf8')) as { pids: number[] }).pids;
    } catch {
      /* no state file (any more) */
    }
    // SIGTERM: the lab stops its nodes (daemons, by PID) and its route servers, then exits.
    await proc.stop(15_000);
    for (const pid of pids) {
      const st = readProcStat(pid);
      if (!st || st.state === 'Z') continue;
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (cmd.includes(stateDir)) {
        console.error(`  the lab left pid ${pid} (${cmd.replace(/\0/g, ' ').trim()}): SIGKILL`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  };
  let api: { host: string; port: number } | undefined;
  let token = '';
  const deadline = Date.now() + 90_000;
  while (!api) {
    if (proc.exited) throw new Error(`the lab exited: ${proc.recentOutput().slice(-15).join('\n')}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the lab did not come up within 90 s');
    }
    try {
      const s = JSON.parse(readFileSync(statePath, 'utf8')) as {
        pid: number;
        api: { host: string; port: number };
        token: string;
      };
      if (s.pid === proc.pid) {
        api = s.api;
        token = s.token;
      }
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  const cli = (args: readonly string[], timeoutMs = 120_000): Promise<unknown> =>
    new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [CLI_MAIN, ...args, '--output', 'json'],
        { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) return reject(new Error(`arslab ${args.join(' ')}: ${err.message}\n${stderr}`));
          try {
            resolve(stdout.trim() ? JSON.parse(stdout) : undefined);
          } catch (e) {
            reject(new Error(`arslab ${args.join(' ')}: not JSON: ${(e as Error).message}`));
          }
        },
      );
    });
  return { pid: proc.pid, proc, stateDir, api, token, cli, stop };
}
