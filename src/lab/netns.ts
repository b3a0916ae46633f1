/**
 * @module lab/netns
 * Network-namespace addressing (root only): every node gets its own namespace where its
 * emulated address is real (10.10.0.7 on eth0), and the Azure side (route-server
 * instances) gets one of its own; all are joined by veth pairs to a bridge in the Azure
 * namespace, so a seed's daemon configuration runs verbatim. The lab process speaks BGP
 * from inside a namespace through a small helper process that accepts and connects
 * there and passes the sockets over IPC (src/lab/netnsHelper.ts).
 *
 * Every namespace and helper is recorded; destroy() removes them all, and
 * `arslab down` removes those of a lab whose process died (ADR 0006).
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../bgp/log.js';
import type { BgpListener, Connector } from '../bgp/transport/index.js';

const run = promisify(execFile);

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args, { timeout: 10_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`);
  }
}

export async function listNamespaces(): Promise<string[]> {
  try {
    const { stdout } = await run('ip', ['netns', 'list'], { timeout: 10_000 });
    return stdout
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter(Boolean);
  } catch {
    return [];
  }
}

export async function deleteNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name], { timeout: 10_000 }).catch(() => {});
}

/** A helper process in one namespace, and the Connector/listen functions that use it. */
export class NamespaceEndpoint {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s?: net.Socket) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<number, BgpListener>();

  constructor(
    readonly name: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const helper = fileURLToPath(new URL('./netnsHelper.js', import.meta.url));
    const child = fork(helper, [], { execPath: 'ip', execArgv: ['netns', 'exec', this.name, process.execPath], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => this.logger.log('warn', `netns helper ${this.name}: ${d.toString().trim()}`));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`netns helper in ${this.name} did not start`)), 10_000);
      child.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      child.on('message', (msg: { type: string; id?: number; message?: string }, handle?: net.Socket) => {
        if (msg.type === 'ready') {
          clearTimeout(t);
          resolve();
          return;
        }
        if (msg.type === 'accepted' && handle) {
          const l = this.listeners.get(msg.id!);
          if (l) l.accept(handle);
          else handle.destroy();
          return;
        }
        const p = this.pending.get(msg.id!);
        if (!p) {
          handle?.destroy();
          return;
        }
        this.pending.delete(msg.id!);
        if (msg.type === 'connected' || msg.type === 'listening') p.resolve(handle);
        else p.reject(new Error(msg.message ?? msg.type));
      });
    });
  }

  private request(msg: Record<string, unknown>): Promise<net.Socket | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child!.send({ ...msg, id });
    });
  }

  readonly connector: Connector = async ({ remote, localAddress }) => {
    const s = await this.request({ type: 'connect', host: remote.address, port: remote.port, localAddress });
    if (!s) throw new Error('no socket from the namespace helper');
    s.resume();
    return s;
  };

  readonly listen = async (listener: BgpListener): Promise<void> => {
    const id = this.nextId;
    this.listeners.set(id, listener);
    await this.request({ type: 'listen', host: listener.address, port: listener.port });
  };

  get pid(): number | undefined {
    return this.child?.pid;
  }

  stop(): void {
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}

export class Netns {
  private readonly made: string[] = [];
  private azureEndpoint?: NamespaceEndpoint;
  private readonly endpoints: NamespaceEndpoint[] = [];
  private vethCount = 0;

  private constructor(
    /** Short tag unique to the lab: namespace and interface names derive from it. */
    readonly tag: string,
    private readonly logger: Logger,
  ) {}

  static async create(labName: string, _stateDir: string, logger: Logger): Promise<Netns> {
    if (process.getuid?.() !== 0) throw new Error('netns mode needs root (it creates network namespaces); use loopback mode instead');
    const tag = createHash('sha1').update(labName).digest('hex').slice(0, 6);
    const n = new Netns(tag, logger);
    try {
      // Leftovers of a crashed run of the same lab go first.
      for (const name of await listNamespaces()) if (name.startsWith(`arslab-${tag}-`)) await deleteNamespace(name);
      const az = n.nsName('azure');
      await n.addNamespace(az);
      await ip('-n', az, 'link', 'add', 'br0', 'type', 'bridge');
      await ip('-n', az, 'link', 'set', 'br0', 'up');
      await ip('-n', az, 'route', 'add', 'default', 'dev', 'br0');
      const ep = new NamespaceEndpoint(az, logger);
      await ep.start();
      n.azureEndpoint = ep;
      n.endpoints.push(ep);
    } catch (e) {
      await n.destroy();
      throw e;
    }
    return n;
  }

  nsName(what: string): string {
    return `arslab-${this.tag}-${what.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 60);
  }

  private async addNamespace(name: string): Promise<void> {
    await ip('netns', 'add', name);
    this.made.push(name);
    await ip('-n', name, 'link', 'set', 'lo', 'up');
  }

  azure(): { connector: Connector; listen: (l: BgpListener) => Promise<void> } {
    const ep = this.azureEndpoint!;
    return { connector: ep.connector, listen: ep.listen };
  }

  /** A route-server instance address, on the Azure namespace's bridge. */
  async addAzureAddress(address: string): Promise<void> {
    await ip('-n', this.nsName('azure'), 'addr', 'add', `${address}/32`, 'dev', 'br0');
  }

  /**
   * A namespace for one node, with its emulated address on eth0 and every other address
   * on-link through the bridge (ARP resolves across it, whatever the subnets).
   */
  async addNode(node: string, address: string): Promise<{ name: string; connector: Connector; listen: (l: BgpListener) => Promise<void> }> {
    const ns = this.nsName(node);
    await this.addNamespace(ns);
    const i = this.vethCount++;
    const a = `ar${this.tag}${i}a`.slice(0, 15);
    const b = `ar${this.tag}${i}b`.slice(0, 15);
    await ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
    await ip('link', 'set', a, 'netns', ns);
    await ip('link', 'set', b, 'netns', this.nsName('azure'));
    await ip('-n', ns, 'link', 'set', a, 'name', 'eth0');
    await ip('-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'route', 'add', 'default', 'dev', 'eth0');
    await ip('-n', this.nsName('azure'), 'link', 'set', b, 'master', 'br0');
    await ip('-n', this.nsName('azure'), 'link', 'set', b, 'up');
    const ep = new NamespaceEndpoint(ns, this.logger);
    await ep.start();
    this.endpoints.push(ep);
    return { name: ns, connector: ep.connector, listen: ep.listen };
  }

  names(): string[] {
    return [...this.made];
  }

  helperPids(): number[] {
    return this.endpoints.map((e) => e.pid).filter((p): p is number => p !== undefined);
  }

  async destroy(): Promise<void> {
    for (const e of this.endpoints) e.stop();
    for (const n of [...this.made].reverse()) await deleteNamespace(n);
    this.made.length = 0;
  }
}
