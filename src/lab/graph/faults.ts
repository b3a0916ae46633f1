/**
 * @module lab/graph/faults
 * Faults on any session of the lab graph, each on the timeline:
 *
 * - link down: cut (no NOTIFICATION; each side notices by its own detection: BFD's 0.9 s on
 *   ExpressRoute links, R-ER-1; the hold timer elsewhere, a real daemon's included) or, with
 *   graceful, closed with a NOTIFICATION Cease/2, Administrative Shutdown (RFC 4486 §4: the
 *   subcode for a session shut by an operator); link up brings it back;
 * - a built-in router stopped, killed, paused, started or resumed (`arslab node …`);
 * - planned maintenance of one route-server instance: every session of the instance drops
 *   at once, as Azure's maintenance does ("BGP peering might go down between your NVA and
 *   one of Route Server's instances", Azure Route Server FAQ), and comes back when it ends.
 *
 * A session held down by a fault stays down whatever else would bring it up (branch-to-branch
 * turned on, a GatewaySubnet route restored) until the fault ends.
 */
import { AzureErrors } from '../../azure/index.js';
import type { Clock, TimerHandle } from '../../bgp/clock.js';
import type { EventLog } from '../events.js';
import type { LabGraph } from './graph.js';
import type { Fault, LabSpeaker, Session } from './types.js';

export type RouterAction = 'stop' | 'kill' | 'start' | 'pause' | 'resume';

export interface Maintenance {
  /** The route-server instance ("hub1rs/IN_0"). */
  readonly instance: string;
  readonly graceful: boolean;
  /** Lab clock time it started and, with a duration, ends (ms). */
  readonly since: number;
  readonly until?: number;
  /** The sessions it took down. */
  readonly sessions: readonly string[];
}

interface Running {
  readonly speaker: LabSpeaker;
  readonly graceful: boolean;
  readonly since: number;
  readonly until?: number;
  readonly sessions: Session[];
  timer?: TimerHandle;
}

export class SessionFaults {
  private readonly held = new Map<Session, Fault>();
  private readonly running = new Map<LabSpeaker, Running>();

  constructor(
    private readonly graph: LabGraph,
    private readonly clock: Clock,
    private readonly events: EventLog,
  ) {}

  /** The fault holding a session down, if any. */
  fault(s: Session): Fault | undefined {
    return this.held.get(s);
  }

  /** Whether the session named `name` is held down by a fault (builders ask before opening a session). */
  isHeld(name: string): boolean {
    const s = this.graph.session(name);
    return s !== undefined && this.held.has(s);
  }

  /** What `link list` shows in its Fault column. */
  describe(s: Session): string {
    const f = this.held.get(s);
    if (!f) return s.active ? '' : 'branch-to-branch off';
    if (f.kind === 'link') return 'link down';
    if (f.kind === 'router') return `router ${f.router} stopped`;
    return `maintenance of ${f.instance}`;
  }

  /** Link down: cut, or (graceful) closed with a NOTIFICATION at once. */
  linkDown(list: readonly Session[], graceful: boolean, why = 'link down'): void {
    for (const s of list) {
      if (!this.held.has(s)) this.held.set(s, { kind: 'link' });
      const d = s.detection;
      this.events.emit(
        'session',
        s.name,
        graceful
          ? `fault: ${why}, graceful (NOTIFICATION Cease, both sides at once)`
          : `fault: ${why}, cut (no NOTIFICATION; detection by ${d.kind === 'bfd' ? `BFD in ${d.intervalMs * d.multiplier} ms` : `hold timer in ${d.seconds} s`})`,
      );
      if (graceful) s.close(why);
      else s.cut();
    }
  }

  /** Link up: the sessions come back (a cut not yet detected heals without a reset). Refused for sessions another fault holds. */
  linkUp(list: readonly Session[]): void {
    for (const s of list) {
      const f = this.held.get(s);
      if (f?.kind === 'router') throw AzureErrors.routerStopped(s.name, f.router);
      if (f?.kind === 'maintenance') throw AzureErrors.underMaintenance(s.name, f.instance);
    }
    for (const s of list) {
      this.held.delete(s);
      this.events.emit('session', s.name, 'fault cleared: link up');
      if (s.active) s.open();
    }
  }

  /**
   * `arslab node stop|kill|start|pause|resume` on a built-in router: stop closes its sessions
   * with a NOTIFICATION; kill and pause cut them (the peers notice by BFD or hold timer);
   * start opens them again (a restarted router's sessions are new ones); resume heals the cut.
   */
  routerAction(
    r: LabSpeaker,
    action: RouterAction,
  ): { name: string; kind: 'router'; address: string; realAddress: string; state: string } {
    if (r.owner.kind !== 'router') throw new Error(`${r.name} is not a built-in router`);
    const router = r.owner.runtime;
    const name = router.spec.name;
    const sessions = this.graph.sidesOf(r).map((x) => x.session);
    this.events.emit('node', name, `${action} (built-in router: ${sessions.length} session(s))`);
    switch (action) {
      case 'stop':
      case 'kill':
      case 'pause':
        for (const s of sessions) {
          this.held.set(s, { kind: 'router', router: name });
          if (action === 'stop') s.close(`router ${name} stopped`);
          else s.cut();
        }
        router.state = action === 'pause' ? 'paused' : 'stopped';
        break;
      case 'start':
      case 'resume':
        for (const s of sessions) {
          this.held.delete(s);
          if (action === 'start' && s.state === 'Cut') s.close(`router ${name} restarted`);
          s.open();
        }
        router.state = 'running';
        break;
    }
    return {
      name,
      kind: 'router',
      address: router.spec.routerId,
      realAddress: router.spec.routerId,
      state: router.state,
    };
  }

  /**
   * Planned maintenance of one route-server instance: every session of the instance drops.
   * Microsoft documents that BGP peering "might go down between your NVA and one of Route
   * Server's instances" and gives no advance notice (Azure Route Server FAQ); it says neither
   * how long nor whether a NOTIFICATION is sent (docs/azure-differences.md). By default the
   * instance is gone at once without a word: it forgets what it learned (the NICs keep what
   * the other instance programs, R-ARS-8) and each peer notices at its own hold-timer expiry
   * (BFD on none of these sessions). `graceful`: it sends Cease/2 first, the peers flush at
   * once. With `durationMs` it ends by itself on the lab clock.
   */
  startMaintenance(instance: LabSpeaker, opts: { graceful: boolean; durationMs?: number }): Maintenance {
    if (instance.kind !== 'route-server') throw new Error(`${instance.name} is not a route-server instance`);
    if (this.running.has(instance)) throw AzureErrors.maintenanceRunning(instance.name);
    const taken: Session[] = [];
    const why = `maintenance of ${instance.name}`;
    for (const { session, side } of this.graph.sidesOf(instance)) {
      if (this.held.has(session)) continue; // another fault holds it already: left as it is
      this.held.set(session, { kind: 'maintenance', instance: instance.name });
      taken.push(session);
      const d = session.detection;
      this.events.emit(
        'session',
        session.name,
        opts.graceful
          ? `fault: ${why}, graceful (NOTIFICATION Cease, both sides at once)`
          : `fault: ${why}, instance gone (no NOTIFICATION; the peer notices by ${d.kind === 'bfd' ? `BFD in ${d.intervalMs * d.multiplier} ms` : `hold timer in ${d.seconds} s`})`,
      );
      if (opts.graceful) session.close(why);
      else session.drop(side, why);
    }
    const now = this.clock.now();
    const run: Running = {
      speaker: instance,
      graceful: opts.graceful,
      since: now,
      ...(opts.durationMs !== undefined ? { until: now + opts.durationMs } : {}),
      sessions: taken,
    };
    this.running.set(instance, run);
    this.events.emit(
      'lab',
      instance.name,
      `planned maintenance: ${taken.length} session(s) down${opts.durationMs !== undefined ? `, for ${opts.durationMs / 1000} s` : ''}`,
      { sessions: taken.length, graceful: opts.graceful },
    );
    if (opts.durationMs !== undefined)
      run.timer = this.clock.setTimer(opts.durationMs, () => this.endMaintenance(instance));
    return this.view(run);
  }

  /** Ends an instance's maintenance: its sessions come back. */
  endMaintenance(instance: LabSpeaker): Maintenance {
    const run = this.running.get(instance);
    if (!run) throw AzureErrors.noMaintenance(instance.name);
    if (run.timer) this.clock.clearTimer(run.timer);
    this.running.delete(instance);
    for (const s of run.sessions) {
      if (this.held.get(s)?.kind !== 'maintenance') continue;
      this.held.delete(s);
      if (s.active) s.open();
    }
    this.events.emit('lab', instance.name, `maintenance over: ${run.sessions.length} session(s) come back`);
    return this.view(run);
  }

  /** Maintenances under way. */
  maintenances(): Maintenance[] {
    return [...this.running.values()].map((r) => this.view(r));
  }

  private view(r: Running): Maintenance {
    return {
      instance: r.speaker.name,
      graceful: r.graceful,
      since: r.since,
      ...(r.until !== undefined ? { until: r.until } : {}),
      sessions: r.sessions.map((s) => s.name),
    };
  }

  /** The lab stops: maintenance timers end, and no socket is kept silent by a cut. */
  stop(): void {
    for (const r of this.running.values()) if (r.timer) this.clock.clearTimer(r.timer);
    for (const s of this.graph.sessions()) s.release();
  }
}
