/**
 * @module agent/agent
 * The next-hop fast-failover agent: health monitors per backend, the decision per VIP
 * (decide.ts), and one BGP session per neighbour (src/bgp BgpPeer) that carries the
 * decision as UPDATEs. Drains come from maintenance files and the local API (api.ts).
 *
 * Shutdown (`stop()`, SIGTERM/SIGINT in the CLI): every VIP is withdrawn on every
 * Established session, the agent waits until the withdraws are handed to the kernel,
 * then closes each session with NOTIFICATION Cease / Administrative Shutdown (RFC 4486
 * subcode 2), so peers drop the routes at once instead of after their hold time.
 */
import { existsSync } from 'node:fs';
import type { Clock, TimerHandle } from '../bgp/clock.js';
import { realClock } from '../bgp/clock.js';
import { describeDownReason, type SessionState } from '../bgp/fsm/index.js';
import { BgpListener, BgpPeer, defaultConnector, type Connector } from '../bgp/transport/index.js';
import { parseIpv4, type UpdateMessage } from '../bgp/wire/index.js';
import type { AgentConfig, BackendConfig, NeighborConfig, VipConfig } from './config.js';
import { decideVip, sameAnnouncement, type Announcement } from './decide.js';
import type { HealthState, HealthStep } from './health.js';
import type { AgentLog } from './log.js';
import { HealthMonitor, type Probe } from './monitor.js';
import { killRunningProbes, runProbe } from './probes.js';

export interface AgentOptions {
  readonly clock?: Clock;
  readonly probe?: Probe;
  /** How often maintenance files are looked at (ms). */
  readonly maintenancePollMs?: number;
  /** How sessions connect (tests: a connector that never reaches anyone). */
  readonly connector?: Connector;
}

interface Session {
  readonly neighbor: NeighborConfig;
  readonly name: string;
  readonly peer: BgpPeer;
  /** What this session's peer has from us: VIP prefix text → announcement. */
  readonly advertised: Map<string, Announcement>;
  announcements: number;
  withdrawals: number;
  lastChange: number;
}

interface VipRuntime {
  readonly config: VipConfig;
  current?: Announcement;
  changes: number;
  lastChange?: number;
}

export interface AgentCounters {
  announcements: number;
  withdrawals: number;
}

export class Agent {
  readonly clock: Clock;
  private readonly monitors = new Map<string, HealthMonitor>();
  private readonly backendConfigs = new Map<string, BackendConfig>();
  private readonly sessions: Session[] = [];
  private readonly vips: VipRuntime[];
  private listener?: BgpListener;
  private maintenanceTimer?: TimerHandle;
  private readonly maintenanceState = new Map<string, boolean>();
  /** Drains from the API. */
  readonly apiDrainedBackends = new Set<string>();
  apiDrainedAll = false;
  readonly apiDrainedVips = new Set<string>();
  private stopping = false;
  readonly startedAt = new Date();

  constructor(
    readonly config: AgentConfig,
    private readonly log: AgentLog,
    private readonly options: AgentOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.vips = config.vips.map((v) => ({ config: v, changes: 0 }));
    const probe = options.probe ?? runProbe;
    for (const v of config.vips) {
      for (const b of v.backends) {
        if (this.monitors.has(b.name)) continue;
        this.backendConfigs.set(b.name, b);
        this.monitors.set(
          b.name,
          new HealthMonitor(b.name, b.check, this.clock, probe, (m, s) => this.onHealthStep(m, s)),
        );
      }
    }
    for (const n of config.neighbors) this.sessions.push(this.makeSession(n));
  }

  // ---------------------------------------------------------------------------
  // Lifecycle

  async start(): Promise<void> {
    this.log.event('info', 'agent-start', {
      asn: this.config.asn,
      routerId: this.config.routerId,
      localAddress: this.config.localAddress,
      neighbors: this.config.neighbors.map((n) => `${n.address}:${n.port}`),
      vips: this.config.vips.map((v) => ({
        prefix: v.prefixText,
        pattern: v.pattern,
        backends: v.backends.map((b) => `${b.name}=${b.nextHop}`),
      })),
    });
    if (this.config.listenPort !== undefined) {
      const l = new BgpListener(this.config.localAddress, this.config.listenPort, { name: 'agent' });
      for (const s of this.sessions) l.register(s.neighbor.address, s.peer);
      l.onRefused = (r) =>
        this.log.event('warn', 'connection-refused', {
          remoteAddress: r.remoteAddress,
          reason: 'not a configured neighbor',
        });
      await l.listen();
      this.listener = l;
      this.log.event('info', 'listening', { address: `${this.config.localAddress}:${this.config.listenPort}` });
    }
    this.pollMaintenance(true);
    for (const m of this.monitors.values()) m.start();
    for (const s of this.sessions) s.peer.start();
  }

  /**
   * Withdraw every VIP on every Established session, wait until the UPDATEs are flushed,
   * then close with Cease / Administrative Shutdown (RFC 4486 §4, subcode 2).
   */
  async stop(reason = 'stop requested'): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.event('info', 'agent-stopping', { reason });
    for (const m of this.monitors.values()) m.stop();
    const killed = killRunningProbes();
    if (killed) this.log.event('info', 'checks-killed', { count: killed });
    if (this.maintenanceTimer) this.clock.clearTimer(this.maintenanceTimer);
    for (const v of this.vips) this.setAnnouncement(v, undefined, 'shutdown');
    await Promise.all(this.sessions.map((s) => s.peer.flush()));
    this.log.event('info', 'withdraws-flushed', {
      sessions: this.sessions.filter((s) => s.peer.isEstablished).map((s) => s.name),
    });
    for (const s of this.sessions) s.peer.stop();
    await this.listener?.close();
    this.log.event('info', 'agent-stopped', {});
  }

  // ---------------------------------------------------------------------------
  // Sessions

  private makeSession(n: NeighborConfig): Session {
    const name = n.name ?? `${n.address}`;
    const connector: Connector = this.options.connector ?? defaultConnector;
    const session: Session = {
      neighbor: n,
      name,
      advertised: new Map(),
      announcements: 0,
      withdrawals: 0,
      lastChange: this.clock.now(),
      peer: undefined as unknown as BgpPeer,
    };
    const peer = new BgpPeer({
      name,
      remote: { address: n.address, port: n.port },
      localAddress: this.config.localAddress,
      clock: this.clock,
      connector,
      idleHoldTime: 1,
      fsm: {
        localAs: this.config.asn,
        localId: parseIpv4(this.config.routerId)!,
        peerAs: n.asn,
        holdTime: n.holdTime,
        keepaliveTime: n.holdTime === 0 ? 0 : Math.max(1, Math.floor(n.holdTime / 3)),
        connectRetryTime: Math.max(1, Math.round(this.config.connectRetry / 1000)),
        passive: false,
        families: ['ipv4-unicast'],
      },
      handlers: {
        onStateChange: (_p, from, to, why) => {
          session.lastChange = this.clock.now();
          this.log.event('info', 'session-state', { neighbor: name, address: n.address, from, to, reason: why });
        },
        onEstablished: () => {
          session.advertised.clear();
          // A new session learns everything we announce now.
          for (const v of this.vips) if (v.current) this.sendAnnounce(session, v.config, v.current);
        },
        onDown: (_p, reason) => {
          session.advertised.clear();
          this.log.event('warn', 'session-down', {
            neighbor: name,
            address: n.address,
            reason: describeDownReason(reason),
          });
        },
        // Routes from the Route Server are not used: the agent only announces.
        onUpdate: () => {},
      },
    });
    (session as { peer: BgpPeer }).peer = peer;
    return session;
  }

  private sendAnnounce(s: Session, vip: VipConfig, a: Announcement): void {
    const asns = Array.from({ length: 1 + a.prepend }, () => this.config.asn);
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: {
        origin: 0,
        asPath: [{ type: 2, asns }],
        nextHop: parseIpv4(a.nextHop)!,
        ...(a.med !== undefined ? { med: a.med } : {}),
      },
      nlri: [vip.prefix],
    };
    if (s.peer.send(update)) {
      s.advertised.set(vip.prefixText, a);
      s.announcements++;
      this.log.event('info', 'announce', {
        neighbor: s.name,
        prefix: vip.prefixText,
        nextHop: a.nextHop,
        backend: a.backend,
        asPath: asns.join(' '),
        ...(a.med !== undefined ? { med: a.med } : {}),
      });
    }
  }

  private sendWithdraw(s: Session, vip: VipConfig): void {
    if (!s.advertised.has(vip.prefixText)) return;
    if (s.peer.send({ type: 'UPDATE', withdrawn: [vip.prefix], attributes: {}, nlri: [] })) {
      s.withdrawals++;
      this.log.event('info', 'withdraw', { neighbor: s.name, prefix: vip.prefixText });
    }
    s.advertised.delete(vip.prefixText);
  }

  // ---------------------------------------------------------------------------
  // Health and decisions

  private onHealthStep(m: HealthMonitor, s: HealthStep): void {
    const r = s.health.lastResult!;
    if (s.resultFlipped)
      this.log.event('info', 'check-result', {
        backend: m.name,
        ok: r.ok,
        detail: r.detail,
        durationMs: r.durationMs,
        state: s.health.state,
      });
    else
      this.log.event('debug', 'check-result', {
        backend: m.name,
        ok: r.ok,
        detail: r.detail,
        durationMs: r.durationMs,
        state: s.health.state,
      });
    if (s.changed) {
      this.log.event('info', 'backend-state', {
        backend: m.name,
        from: s.changed.from,
        to: s.changed.to,
        detail: r.detail,
      });
      this.reconcile(`backend ${m.name} ${s.changed.to}`);
    }
  }

  private pollMaintenance(first = false): void {
    let changed = false;
    const look = (key: string, file: string | undefined): void => {
      if (!file) return;
      const on = existsSync(file);
      if (this.maintenanceState.get(key) !== on) {
        if (!first || on) this.log.event('info', 'maintenance', { scope: key, file, drained: on });
        this.maintenanceState.set(key, on);
        changed = true;
      }
    };
    look('*', this.config.maintenanceFile);
    for (const b of this.backendConfigs.values()) look(b.name, b.maintenanceFile);
    if (changed && !first) this.reconcile('maintenance file');
    if (!this.stopping)
      this.maintenanceTimer = this.clock.setTimer(this.options.maintenancePollMs ?? 500, () => this.pollMaintenance());
  }

  drainedBackends(): Set<string> {
    const out = new Set(this.apiDrainedBackends);
    for (const b of this.backendConfigs.values()) if (this.maintenanceState.get(b.name)) out.add(b.name);
    return out;
  }

  vipDrained(v: VipConfig): boolean {
    return this.apiDrainedAll || this.apiDrainedVips.has(v.prefixText) || this.maintenanceState.get('*') === true;
  }

  /** Recompute every VIP; send what changed. */
  reconcile(why: string): void {
    if (this.stopping) return;
    const health = new Map<string, HealthState>();
    for (const [n, m] of this.monitors) health.set(n, m.health.state);
    const drained = this.drainedBackends();
    for (const v of this.vips) {
      const next = decideVip(v.config, {
        health,
        drainedBackends: drained,
        vipDrained: this.vipDrained(v.config),
        ...(v.current ? { current: v.current.backend } : {}),
      });
      if (!sameAnnouncement(v.current, next)) this.setAnnouncement(v, next, why);
    }
  }

  private setAnnouncement(v: VipRuntime, next: Announcement | undefined, why: string): void {
    const prev = v.current;
    if (sameAnnouncement(prev, next) && !(this.stopping && next === undefined)) return;
    v.current = next;
    if (!sameAnnouncement(prev, next)) {
      v.changes++;
      v.lastChange = this.clock.now();
      this.log.event('info', 'vip-change', {
        prefix: v.config.prefixText,
        from: prev
          ? `${prev.nextHop} (${prev.backend}${prev.prepend ? `, +${prev.prepend} prepends` : ''})`
          : 'withdrawn',
        to: next
          ? `${next.nextHop} (${next.backend}${next.prepend ? `, +${next.prepend} prepends` : ''})`
          : 'withdrawn',
        reason: why,
      });
    }
    for (const s of this.sessions) {
      if (!s.peer.isEstablished) continue;
      if (next) this.sendAnnounce(s, v.config, next);
      else this.sendWithdraw(s, v.config);
    }
  }

  // ---------------------------------------------------------------------------
  // Drains (API)

  drain(target: { backend?: string; vip?: string }): string {
    if (target.backend !== undefined) {
      if (!this.backendConfigs.has(target.backend))
        throw new Error(`no backend named '${target.backend}' (known: ${[...this.backendConfigs.keys()].join(', ')})`);
      this.apiDrainedBackends.add(target.backend);
    } else if (target.vip !== undefined) {
      if (!this.vips.some((v) => v.config.prefixText === target.vip)) throw new Error(`no VIP ${target.vip}`);
      this.apiDrainedVips.add(target.vip);
    } else this.apiDrainedAll = true;
    this.log.event('info', 'drain', { ...target, drained: true });
    this.reconcile('drain');
    return target.backend ?? target.vip ?? 'all';
  }

  undrain(target: { backend?: string; vip?: string }): string {
    if (target.backend !== undefined) {
      if (!this.backendConfigs.has(target.backend))
        throw new Error(`no backend named '${target.backend}' (known: ${[...this.backendConfigs.keys()].join(', ')})`);
      this.apiDrainedBackends.delete(target.backend);
    } else if (target.vip !== undefined) this.apiDrainedVips.delete(target.vip);
    else {
      this.apiDrainedAll = false;
      this.apiDrainedVips.clear();
    }
    this.log.event('info', 'drain', { ...target, drained: false });
    this.reconcile('undrain');
    return target.backend ?? target.vip ?? 'all';
  }

  // ---------------------------------------------------------------------------
  // Status (for /status and /metrics)

  status(): AgentStatus {
    const drained = this.drainedBackends();
    return {
      asn: this.config.asn,
      routerId: this.config.routerId,
      startedAt: this.startedAt.toISOString(),
      uptimeMs: Math.round(this.clock.now()),
      stopping: this.stopping,
      backends: [...this.monitors.values()].map((m) => {
        const h = m.health;
        const b = this.backendConfigs.get(m.name)!;
        return {
          name: m.name,
          nextHop: b.nextHop,
          check: describeCheck(b),
          state: h.state,
          drained: drained.has(m.name),
          maintenanceFile: b.maintenanceFile ?? null,
          successes: h.successes,
          failures: h.failures,
          transitions: h.transitions,
          lastResult: h.lastResult ?? null,
        };
      }),
      vips: this.vips.map((v) => ({
        prefix: v.config.prefixText,
        pattern: v.config.pattern,
        drained: this.vipDrained(v.config),
        nextHop: v.current?.nextHop ?? null,
        backend: v.current?.backend ?? null,
        prepend: v.current?.prepend ?? 0,
        med: v.current?.med ?? null,
        changes: v.changes,
      })),
      sessions: this.sessions.map((s) => ({
        neighbor: s.name,
        address: s.neighbor.address,
        port: s.neighbor.port,
        asn: s.neighbor.asn,
        state: s.peer.state,
        advertised: [...s.advertised].map(([p, a]) => ({ prefix: p, nextHop: a.nextHop, prepend: a.prepend })),
        announcements: s.announcements,
        withdrawals: s.withdrawals,
        lastDown: s.peer.counters.lastDown?.reason ?? null,
      })),
    };
  }
}

export interface AgentStatus {
  asn: number;
  routerId: string;
  startedAt: string;
  uptimeMs: number;
  stopping: boolean;
  backends: {
    name: string;
    nextHop: string;
    check: string;
    state: HealthState;
    drained: boolean;
    maintenanceFile: string | null;
    successes: number;
    failures: number;
    transitions: number;
    lastResult: { ok: boolean; detail: string; durationMs: number } | null;
  }[];
  vips: {
    prefix: string;
    pattern: string;
    drained: boolean;
    nextHop: string | null;
    backend: string | null;
    prepend: number;
    med: number | null;
    changes: number;
  }[];
  sessions: {
    neighbor: string;
    address: string;
    port: number;
    asn: number;
    state: SessionState;
    advertised: { prefix: string; nextHop: string; prepend: number }[];
    announcements: number;
    withdrawals: number;
    lastDown: string | null;
  }[];
}

function describeCheck(b: BackendConfig): string {
  const c = b.check;
  const what = c.type === 'http' ? `GET ${c.url}` : c.type === 'tcp' ? `connect ${c.address}` : `run ${c.command}`;
  return `${c.type}: ${what} every ${c.interval}ms${c.fastInterval !== undefined ? ` (${c.fastInterval}ms while changing)` : ''}, timeout ${c.timeout}ms, rise ${c.rise}, fall ${c.fall}`;
}
