/**
 * @module lab/kinds/daemon
 * A real routing daemon (BIRD 2, FRR bgpd, GoBGP, ExaBGP) run from the user's own
 * configuration, on the node's mapped address (loopback mode) or inside its network
 * namespace (netns mode, the configuration verbatim). Process control is the driver's
 * (src/lab/daemons); this kind adds the lab's lifecycle, events and addressing.
 */
import { join } from 'node:path';
import { startDaemon } from '../daemons/index.js';
import type { DaemonHandle, DaemonRoute, DaemonSession } from '../daemons/types.js';
import type { AzureModel } from '../../azure/index.js';
import type { DaemonNodeSpec } from '../spec.js';
import type { NodeContext } from './context.js';
import type { NodeRuntime, NodeState, NodeStatus } from './types.js';

export class DaemonNode implements NodeRuntime {
  private handle?: DaemonHandle;
  private state: NodeState = 'created';
  private detail?: string;
  private readonly realAddress: string;
  private stopping = false;

  constructor(
    readonly spec: DaemonNodeSpec,
    private readonly ctx: NodeContext,
  ) {
    this.realAddress = ctx.addresses.add(spec.address);
    // The daemon's AS as Azure knows it: its route-server peering's, or on premises its
    // circuit's peerASN or its site's bgpSettings.asn (the loader checks they agree).
    const asn =
      ctx.model.routeServers.flatMap((r) => r.bgpConnections).find((c) => c.peerIp === spec.address)?.peerAsn ??
      attachedAsn(spec, ctx.model);
    const addresses = [spec.address, ...(ctx.moreAddresses ?? [])].filter((a, i, all) => a && all.indexOf(a) === i);
    const what = spec.kind === 'agent' ? 'failover agent' : spec.kind === 'exec' ? 'daemon' : `${spec.kind} daemon`;
    ctx.graph.addSpeaker({
      kind: spec.kind === 'agent' ? 'agent' : 'daemon',
      name: spec.name,
      title: `${what} ${spec.name} (${spec.address}${asn !== undefined ? `, AS ${asn}` : ''})`,
      at: `node ${spec.name}`,
      aliases: [spec.name.toLowerCase(), ...addresses],
      addresses: addresses.map((address) => ({ address, claim: 'own' as const })),
      ...(asn !== undefined ? { asn } : {}),
      owner: { kind: 'node', node: this },
    });
  }

  /** Loopback mode runs the loopback variant of the config; a namespace runs it verbatim. */
  configFile(): string {
    return this.ctx.mode === 'loopback' ? (this.spec.loopbackConfig ?? this.spec.config) : this.spec.config;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const name = this.spec.name;
    const handle = await startDaemon(this.spec.kind, {
      name,
      workDir: join(this.ctx.workDir, 'run'),
      configFile: this.configFile(),
      listenAddress: this.realAddress,
      listenPort: this.ctx.port,
      routerId: this.spec.address,
      ...(this.ctx.netns ? { netns: this.ctx.netns } : {}),
      env: { ...(this.spec.env ?? {}) },
      ...(this.spec.command
        ? {
            exec: {
              command: this.spec.command,
              ...(this.spec.routesCommand ? { routesCommand: this.spec.routesCommand } : {}),
            },
          }
        : {}),
      ...(this.ctx.maxLifetimeSeconds ? { maxLifetimeSeconds: this.ctx.maxLifetimeSeconds } : {}),
      // The daemon's own output goes to lab.log, the file `arslab up` names (issue 9, item 5).
      log: (line) => this.ctx.logger.log('info', `node ${name}: ${line}`),
      onExit: (code, signal) => {
        if (this.stopping) return;
        this.state = 'exited';
        this.detail = `code ${code ?? '-'}, signal ${signal ?? '-'}`;
        this.ctx.events.emit('node', name, `${this.spec.kind} exited (${this.detail})`, { code, signal });
      },
    });
    this.handle = handle;
    try {
      await handle.ready(20_000);
    } catch (e) {
      await handle.kill().catch(() => {});
      this.state = 'failed';
      throw e;
    }
    this.state = 'running';
    this.detail = undefined;
    this.ctx.events.emit('node', name, `${this.spec.kind} started (pid ${handle.pid})`, { pid: handle.pid });
  }

  async stop(opts: { kill?: boolean } = {}): Promise<void> {
    const h = this.handle;
    if (!h) return;
    this.stopping = true;
    if (this.state === 'paused') h.resume();
    if (opts.kill) await h.kill();
    else await h.stop({ graceMs: 5000 });
    this.state = 'stopped';
    this.ctx.events.emit(
      'node',
      this.spec.name,
      opts.kill ? `${this.spec.kind} killed (SIGKILL, no NOTIFICATION)` : `${this.spec.kind} stopped (SIGTERM)`,
    );
  }

  pause(): void {
    this.handle?.pause();
    this.state = 'paused';
    this.ctx.events.emit('node', this.spec.name, `${this.spec.kind} paused (SIGSTOP)`);
  }

  resume(): void {
    this.handle?.resume();
    this.state = 'running';
    this.ctx.events.emit('node', this.spec.name, `${this.spec.kind} resumed (SIGCONT)`);
  }

  status(): NodeStatus {
    const commandPipe = (this.handle as { commandPipe?: string } | undefined)?.commandPipe;
    return {
      name: this.spec.name,
      kind: this.spec.kind,
      address: this.spec.address,
      realAddress: this.realAddress,
      state: this.state,
      ...(this.handle && !this.handle.exited ? { pid: this.handle.pid } : {}),
      ...(this.detail ? { detail: this.detail } : {}),
      ...(commandPipe ? { commandPipe } : {}),
    };
  }

  pids(): number[] {
    return this.handle ? this.handle.pids() : [];
  }

  private live(): DaemonHandle {
    if (!this.handle || this.state === 'stopped' || this.state === 'exited')
      throw new Error(`node ${this.spec.name} is not running`);
    return this.handle;
  }

  async command(text: string): Promise<string> {
    const h = this.live();
    if (!h.command) throw new Error(`${this.spec.kind} nodes take no commands`);
    return h.command(text);
  }

  async sessions(): Promise<DaemonSession[]> {
    return (await this.live().sessions()).map((x) => ({ ...x, neighbor: this.ctx.addresses.display(x.neighbor) }));
  }

  /** What the daemon learned, with its neighbours shown by their emulated addresses (ADR 0001). */
  async receivedRoutes(): Promise<DaemonRoute[]> {
    const d = (a: string) => this.ctx.addresses.display(a);
    return (await this.live().receivedRoutes()).map((r) => ({
      ...r,
      nextHop: d(r.nextHop),
      ...(r.peer ? { peer: d(r.peer) } : {}),
    }));
  }

  /** The driver's handle (tests drive daemons directly through it). */
  get daemon(): DaemonHandle | undefined {
    return this.handle;
  }
}

/** The AS an attached daemon has on its first attachment (circuit peerASN, site bgpSettings.asn). */
function attachedAsn(spec: DaemonNodeSpec, model: AzureModel): number | undefined {
  const a = spec.attach?.[0];
  if (!a) return undefined;
  if (a.kind === 'expressRoute') {
    const c = model.expressRouteCircuits.find((x) => x.id.toLowerCase() === a.circuit.toLowerCase());
    return c?.peerings[0]?.peerASN;
  }
  return model.localNetworkGateways.find((l) => l.id.toLowerCase() === a.localNetworkGateway.toLowerCase())?.bgpSettings
    ?.asn;
}
