/**
 * @module lab/kinds/http
 * A web server on a VM's address (the seed's ws1 and ws2): a real HTTP server process
 * (src/lab/httpServer.ts), started and stopped by the lab like a daemon — its own process
 * group, tracked by PID and start time, killed with the lab however the lab dies
 * (ManagedProcess's guardian). Loopback mode binds the VM's mapped 127.x address; netns
 * mode runs it inside the VM's namespace on the VM's own port. Stop, kill, pause and resume
 * are SIGTERM, SIGKILL, SIGSTOP and SIGCONT, so that probes and health checks see what a
 * stopped, crashed or hung backend gives: refused connections, or no answer.
 */
import { fileURLToPath } from 'node:url';
import { ManagedProcess } from '../daemons/process.js';
import type { DaemonRoute, DaemonSession } from '../daemons/types.js';
import { httpBoundPort, type HttpNodeSpec } from '../spec.js';
import type { NodeContext } from './context.js';
import type { NodeRuntime, NodeState, NodeStatus } from './types.js';

const SERVER = fileURLToPath(new URL('../httpServer.js', import.meta.url));

export class HttpNode implements NodeRuntime {
  private proc?: ManagedProcess;
  private state: NodeState = 'created';
  private detail?: string;
  private stopping = false;
  readonly realAddress: string;
  /** The port bound: the VM's port in netns mode, else the loopback port (ADR 0001). */
  readonly realPort: number;

  constructor(
    readonly spec: HttpNodeSpec,
    private readonly ctx: NodeContext,
  ) {
    this.realAddress = ctx.addresses.add(spec.address);
    this.realPort = httpBoundPort(spec, ctx.mode, process.getuid?.() === 0);
    ctx.graph.addHost({
      name: spec.name,
      address: spec.address,
      port: spec.port,
      realAddress: this.realAddress,
      realPort: this.realPort,
      vm: spec.vm,
      node: this,
    });
  }

  /** What GET answers: the spec's body, else the node's name and a newline. */
  get body(): string {
    return this.spec.body ?? `${this.spec.name}\n`;
  }

  /** Whether the server is up (accepting connections; not paused). */
  get serving(): boolean {
    return this.state === 'running';
  }

  async start(): Promise<void> {
    if (this.proc && !this.proc.exited && this.state !== 'stopped') return;
    this.stopping = false;
    const name = this.spec.name;
    const where = `${this.realAddress}:${this.realPort}`;
    let ready: (() => void) | undefined;
    let failed: ((e: Error) => void) | undefined;
    const listening = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const lines: string[] = [];
    const proc = await ManagedProcess.start({
      label: `http ${name}`,
      argv: [process.execPath, SERVER, this.realAddress, String(this.realPort)],
      env: { ARSLAB_HTTP_BODY: Buffer.from(this.body).toString('base64'), NODE_OPTIONS: undefined },
      ...(this.ctx.netns ? { netns: this.ctx.netns } : {}),
      ...(this.ctx.maxLifetimeSeconds ? { maxLifetimeSeconds: this.ctx.maxLifetimeSeconds } : {}),
      log: (line) => {
        lines.push(line);
        this.ctx.logger.log('debug', `${name}: ${line}`);
        if (line.startsWith('listening ')) ready?.();
      },
      onExit: (code, signal) => {
        failed?.(
          new Error(
            `http server of node ${name} exited before listening on ${where} (code ${code ?? '-'}, signal ${signal ?? '-'}): ${lines.join(' ') || 'no output'}`,
          ),
        );
        if (this.stopping || this.proc !== proc) return;
        this.state = 'exited';
        this.detail = `code ${code ?? '-'}, signal ${signal ?? '-'}`;
        this.ctx.events.emit('node', name, `http server exited (${this.detail})`, { code, signal });
      },
    });
    this.proc = proc;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        listening,
        new Promise<never>(
          (_, reject) =>
            (timer = setTimeout(
              () => reject(new Error(`http server of node ${name} did not listen on ${where} within 10 s`)),
              10_000,
            )),
        ),
      ]);
    } catch (e) {
      this.stopping = true;
      await proc.kill().catch(() => {});
      this.state = 'failed';
      this.detail = (e as Error).message;
      throw e;
    } finally {
      clearTimeout(timer);
      ready = undefined;
      failed = undefined;
    }
    this.state = 'running';
    this.detail = undefined;
    this.ctx.events.emit(
      'node',
      name,
      `http server started on ${this.spec.address}:${this.spec.port} (pid ${proc.pid}, bound ${where})`,
      { pid: proc.pid },
    );
  }

  async stop(opts: { kill?: boolean } = {}): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.stopping = true;
    if (opts.kill) await p.kill();
    else await p.stop(2000);
    this.state = 'stopped';
    this.detail = undefined;
    this.ctx.events.emit(
      'node',
      this.spec.name,
      opts.kill ? 'http server killed (SIGKILL)' : 'http server stopped (SIGTERM)',
    );
  }

  pause(): void {
    if (!this.proc || this.proc.exited) throw new Error(`node ${this.spec.name} is not running`);
    this.proc.pause();
    this.state = 'paused';
    this.ctx.events.emit(
      'node',
      this.spec.name,
      'http server paused (SIGSTOP): connections are accepted by the kernel, never answered',
    );
  }

  resume(): void {
    if (!this.proc || this.proc.exited) throw new Error(`node ${this.spec.name} is not running`);
    this.proc.resume();
    this.state = 'running';
    this.ctx.events.emit('node', this.spec.name, 'http server resumed (SIGCONT)');
  }

  status(): NodeStatus {
    return {
      name: this.spec.name,
      kind: 'http',
      address: this.spec.address,
      realAddress: this.realAddress,
      port: this.spec.port,
      realPort: this.realPort,
      state: this.state,
      ...(this.proc && !this.proc.exited ? { pid: this.proc.pid } : {}),
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }

  pids(): number[] {
    return this.proc ? this.proc.livePids() : [];
  }

  async command(): Promise<string> {
    throw new Error(
      `node ${this.spec.name} is a web server (kind http): it takes no commands; use node stop|start|pause|resume`,
    );
  }

  async sessions(): Promise<DaemonSession[]> {
    return [];
  }

  async receivedRoutes(): Promise<DaemonRoute[]> {
    return [];
  }
}
