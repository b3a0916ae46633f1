/**
 * @module lab/netns
 * Network-namespace addressing (root only, ADR 0006): every node gets its own namespace
 * where its emulated address is real (10.10.0.7 on eth0), and the Azure side (route-server
 * instances) gets one of its own; all are joined by veth pairs to a bridge in the Azure
 * namespace, so a seed's daemon configuration runs verbatim. The lab process speaks BGP
 * from inside a namespace through a small helper process that accepts and connects
 * there and passes the sockets over IPC (src/lab/netnsHelper.ts).
 *
 * Names: `arslab-<tag>-azure` and `arslab-<tag>-<node>`, where the tag is a hash of the lab
 * name; inside the Azure namespace `br0` and one `vethN` per node; inside a node's
 * namespace `eth0`. Veth pairs are created directly in their namespaces, so nothing is
 * ever left in the host's own namespace.
 *
 * Every namespace and helper is recorded; destroy() removes them all (processes still
 * inside a namespace are killed first), and `arslab down` removes those of a lab whose
 * process died (deleteNamespace). A new run of the same lab deletes unused leftovers with
 * its tag first, and refuses to touch namespaces that still hold processes.
 */
import { execFile, execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../bgp/log.js';
import type { BgpListener, Connector } from '../bgp/transport/index.js';

const run = promisify(execFile);

async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args, { timeout: 10_000 })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(err.stderr || err.message).trim()}`);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The tag a lab's namespace names carry (`arslab-<tag>-…`). */
export function namespaceTag(labName: string): string {
  return createHash('sha1').update(labName).digest('hex').slice(0, 6);
}

export async function listNamespaces(): Promise<string[]> {
  try {
    return (await ip('netns', 'list'))
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** PIDs of the processes whose network namespace is `name` (none when it does not exist). */
export async function namespacePids(name: string): Promise<number[]> {
  try {
    return (await ip('netns', 'pids', name))
      .split('\n')
      .map(Number)
      .filter((p) => Number.isInteger(p) && p > 0);
  } catch {
    return [];
  }
}

/**
 * Removes a namespace: SIGKILL to every process still inside it (a namespace is only
 * really gone once its last process is), then `ip netns del`. Missing namespaces are fine.
 */
export async function deleteNamespace(name: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const pids = await namespacePids(name);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await sleep(50);
  }
  await run('ip', ['netns', 'del', name], { timeout: 10_000 }).catch(() => {});
}

/**
 * deleteNamespace without the event loop, for a crashing lab process (ARCHITECTURE rule 6):
 * the same steps, each `ip` run to completion.
 */
export function deleteNamespaceSync(name: string): void {
  const ipSync = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
  for (let i = 0; i < 3; i++) {
    let pids: number[] = [];
    try {
      pids = ipSync('netns', 'pids', name)
        .split('\n')
        .map(Number)
        .filter((p) => Number.isInteger(p) && p > 0 && p !== process.pid);
    } catch {
      return; // no such namespace
    }
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  try {
    ipSync('netns', 'del', name);
  } catch {
    // Gone already.
  }
}

/**
 * After a crash: namespaces of lab `labName` that nothing runs in — one an `ip netns add`
 * still under way at the crash may have made after the recorded ones were removed. Only
 * idle ones, as Netns.create's own sweep of leftovers does.
 */
export function removeIdleNamespacesSync(labName: string, settleMs = 100): string[] {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, settleMs);
  const prefix = `arslab-${namespaceTag(labName)}-`;
  const ipSync = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
  let names: string[] = [];
  try {
    names = ipSync('netns', 'list')
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    try {
      if (ipSync('netns', 'pids', n).trim() !== '') continue;
      ipSync('netns', 'del', n);
      removed.push(n);
    } catch {
      // Gone meanwhile.
    }
  }
  return removed;
}

type HelperMessage = { type: string; id?: number; message?: string };

/** A helper process in one namespace, and the Connector/listen functions that use it. */
export class NamespaceEndpoint {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private gone = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s?: net.Socket) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<number, BgpListener>();

  constructor(
    readonly name: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const helper = fileURLToPath(new URL('./netnsHelper.js', import.meta.url));
    // `ip netns exec` execs node in the namespace: the helper keeps this pid.
    const child = fork(helper, [this.name], {
      execPath: 'ip',
      execArgv: ['netns', 'exec', this.name, process.execPath],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.on('data', (d: Buffer) =>
      this.logger.log('warn', `netns helper ${this.name}: ${d.toString().trim()}`),
    );
    // A helper that dies (killed, or its namespace deleted) fails what is pending; later
    // requests fail at once: the BGP sessions retry and report it, the lab keeps running.
    child.on('error', (e) => this.logger.log('warn', `netns helper ${this.name}: ${e.message}`));
    child.once('exit', (code, signal) => {
      this.gone = true;
      const err = new Error(`netns helper of ${this.name} exited (code ${code ?? '-'}, signal ${signal ?? '-'})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.child) this.logger.log('warn', err.message);
    });
    child.on('message', (msg: HelperMessage, handle?: net.Socket) => this.onMessage(msg, handle));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`netns helper in ${this.name} did not start in 10 s`)), 10_000);
      const fail = (e: Error) => {
        clearTimeout(t);
        reject(new Error(`netns helper in ${this.name}: ${e.message}`));
      };
      child.once('error', fail);
      child.once('exit', (code, signal) =>
        fail(new Error(`exited at start (code ${code ?? '-'}, signal ${signal ?? '-'})`)),
      );
      this.pending.set(0, {
        resolve: () => {
          clearTimeout(t);
          child.off('error', fail);
          resolve();
        },
        reject: fail,
      });
    }).catch(async (e: Error) => {
      await this.stop();
      throw e;
    });
  }

  private onMessage(msg: HelperMessage, handle?: net.Socket): void {
    if (msg.type === 'ready') {
      const p = this.pending.get(0);
      this.pending.delete(0);
      p?.resolve();
      return;
    }
    if (msg.type === 'accepted') {
      const l = this.listeners.get(msg.id!);
      if (handle && l) l.accept(handle);
      else handle?.destroy();
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
  }

  private post(msg: Record<string, unknown>): boolean {
    const c = this.child;
    if (!c || this.gone || !c.connected) return false;
    c.send(msg, (err) => err && this.logger.log('debug', `netns helper ${this.name}: ${err.message}`));
    return true;
  }

  private request(msg: Record<string, unknown>, id = this.nextId++): Promise<net.Socket | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (!this.post({ ...msg, id })) {
        this.pending.delete(id);
        reject(new Error(`the netns helper of ${this.name} is not running`));
      }
    });
  }

  readonly connector: Connector = async ({ remote, localAddress }) => {
    const s = await this.request({ type: 'connect', host: remote.address, port: remote.port, localAddress });
    if (!s) throw new Error('no socket from the namespace helper');
    s.resume();
    return s;
  };

  /** Listens in the namespace for `listener`; its close() stops that again. */
  readonly listen = async (listener: BgpListener): Promise<void> => {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    try {
      await this.request({ type: 'listen', host: listener.address, port: listener.port }, id);
    } catch (e) {
      this.listeners.delete(id);
      throw e;
    }
    const close = listener.close.bind(listener);
    listener.close = () => {
      if (this.listeners.delete(id)) this.post({ type: 'unlisten', id });
      return close();
    };
  };

  get pid(): number | undefined {
    return this.gone ? undefined : this.child?.pid;
  }

  /** SIGTERM, SIGKILL after 2 s; resolves when the helper is gone. */
  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || this.gone) return;
    c.kill('SIGTERM');
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => (t = setTimeout(() => r(true), 2000)));
    if (await Promise.race([this.exited!.then(() => false), late])) {
      c.kill('SIGKILL');
      await this.exited;
    }
    clearTimeout(t);
  }
}

export class Netns {
  private readonly made: string[] = [];
  private azureEndpoint?: NamespaceEndpoint;
  private readonly endpoints: NamespaceEndpoint[] = [];
  private vethCount = 0;

  private constructor(
    /** Short tag unique to the lab: namespace names derive from it. */
    readonly tag: string,
    private readonly logger: Logger,
  ) {}

  /** `made`: called with the instance before the first namespace exists (crash cleanup). */
  static async create(labName: string, _stateDir: string, logger: Logger, made?: (n: Netns) => void): Promise<Netns> {
    if (process.getuid?.() !== 0)
      throw new Error('netns mode needs root (it creates network namespaces); use loopback mode instead');
    const n = new Netns(namespaceTag(labName), logger);
    made?.(n);
    try {
      await n.removeLeftovers(labName);
      const az = n.nsName('azure');
      await n.addNamespace(az);
      await ip('-n', az, 'link', 'add', 'br0', 'type', 'bridge');
      await ip('-n', az, 'link', 'set', 'br0', 'up');
      await ip('-n', az, 'route', 'add', 'default', 'dev', 'br0');
      const ep = new NamespaceEndpoint(az, logger);
      n.endpoints.push(ep);
      await ep.start();
      n.azureEndpoint = ep;
    } catch (e) {
      await n.destroy();
      throw e;
    }
    return n;
  }

  /** Namespaces of an earlier run of this lab that died: removed, unless something still runs in them. */
  private async removeLeftovers(labName: string): Promise<void> {
    const prefix = `arslab-${this.tag}-`;
    const old = (await listNamespaces()).filter((x) => x.startsWith(prefix));
    for (const name of old) {
      const pids = await namespacePids(name);
      if (pids.length > 0) {
        throw new Error(
          `network namespace ${name} of lab '${labName}' is in use (pids ${pids.join(', ')}): is the lab running from another state folder? ` +
            `Stop it with \`arslab down --lab ${labName}\`, or remove it with \`ip netns del ${name}\``,
        );
      }
    }
    for (const name of old) {
      this.logger.log('info', `removing network namespace ${name} left by an earlier run`);
      await deleteNamespace(name);
    }
  }

  nsName(what: string): string {
    return `arslab-${this.tag}-${what.replace(/[^A-Za-z0-9_-]/g, '_')}`;
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
   * A namespace for one node, with its emulated addresses on eth0 and every other address
   * on-link through the bridge (ARP resolves across it, whatever the subnets).
   */
  async addNode(
    node: string,
    address: string,
    /** Its other addresses (a daemon's further attachments and customer links), on eth0 too. */
    more: readonly string[] = [],
  ): Promise<{ name: string; connector: Connector; listen: (l: BgpListener) => Promise<void> }> {
    const ns = this.nsName(node);
    const az = this.nsName('azure');
    await this.addNamespace(ns);
    const peer = `veth${this.vethCount++}`;
    await ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', peer, 'netns', az);
    await ip('-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'eth0');
    for (const a of more) if (a !== address) await ip('-n', ns, 'addr', 'add', `${a}/32`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'route', 'add', 'default', 'dev', 'eth0');
    await ip('-n', az, 'link', 'set', peer, 'master', 'br0');
    await ip('-n', az, 'link', 'set', peer, 'up');
    const ep = new NamespaceEndpoint(ns, this.logger);
    this.endpoints.push(ep);
    await ep.start();
    return { name: ns, connector: ep.connector, listen: ep.listen };
  }

  names(): string[] {
    return [...this.made];
  }

  helperPids(): number[] {
    return this.endpoints.map((e) => e.pid).filter((p): p is number => p !== undefined);
  }

  /** Stops every helper, kills whatever still runs in the namespaces, deletes them. */
  async destroy(): Promise<void> {
    await Promise.allSettled(this.endpoints.map((e) => e.stop()));
    this.endpoints.length = 0;
    for (const n of [...this.made].reverse()) await deleteNamespace(n);
    this.made.length = 0;
  }
}
