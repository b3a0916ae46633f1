/**
 * Test helpers for `arslab agent`: the agent as a child process of the test (its own
 * config file, its JSON log lines parsed), killed by PID whatever happens; and small HTTP
 * servers standing in for the web servers ws1/ws2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN = join(ROOT, 'dist/src/cli/main.js');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface LogLine {
  time: string;
  mono: number;
  level: string;
  event: string;
  [k: string]: unknown;
}

export class AgentProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  private exited?: Promise<{ code: number | null; signal: string | null }>;
  exit?: { code: number | null; signal: string | null };

  private constructor(
    readonly dir: string,
    readonly configFile: string,
    argv: readonly string[],
  ) {
    this.child = spawn(process.execPath, ['--enable-source-maps', MAIN, ...argv], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.stderr += `[stdout, not JSON] ${line}\n`;
        }
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** Writes `config` to a fresh folder and runs `arslab agent --config FILE --log-level debug`. */
  static start(name: string, config: string, extraArgs: readonly string[] = ['--log-level', 'debug']): AgentProcess {
    const dir = mkdtempSync(join(tmpdir(), `arslab-agent-${name}-`));
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, config);
    return new AgentProcess(dir, file, ['agent', '--config', file, ...extraArgs]);
  }

  get pid(): number {
    return this.child.pid!;
  }

  events(name: string): LogLine[] {
    return this.lines.filter((l) => l.event === name);
  }

  async waitLog(what: string, pred: (l: LogLine) => boolean, ms = 15_000): Promise<LogLine> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (this.exit)
        throw new Error(`agent exited (${JSON.stringify(this.exit)}) while waiting for ${what}\n${this.tail()}`);
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${this.tail()}`);
      await sleep(25);
    }
  }

  tail(): string {
    return `--- agent log (last 30)\n${this.lines
      .slice(-30)
      .map((l) => JSON.stringify(l))
      .join('\n')}\n--- stderr\n${this.stderr.slice(-2000)}`;
  }

  /** Sends `signal` by PID and waits up to `ms` for the exit. */
  async signal(signal: NodeJS.Signals, ms = 10_000): Promise<{ code: number | null; signal: string | null }> {
    if (!this.exit) process.kill(this.pid, signal);
    const t = sleep(ms).then(() => undefined);
    const r = await Promise.race([this.exited!, t]);
    if (!r) throw new Error(`agent did not exit within ${ms} ms after ${signal}\n${this.tail()}`);
    return r;
  }

  /** By PID, SIGKILL if still running; removes its folder. Safe to call twice. */
  async kill(): Promise<void> {
    if (!this.exit) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await Promise.race([this.exited, sleep(3000)]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A web server on host:port that answers 200 "ok from NAME"; stop() and start() again to fail and recover. */
export class WebServer {
  private server?: http.Server;
  constructor(
    readonly name: string,
    readonly host: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://${this.host}:${this.port}/health`;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`ok from ${this.name}\n`);
      });
      s.once('error', reject);
      s.listen({ host: this.host, port: this.port }, () => {
        s.off('error', reject);
        this.server = s;
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return Promise.resolve();
    return new Promise((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }
}
