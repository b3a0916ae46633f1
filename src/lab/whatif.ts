/**
 * @module lab/whatif
 * What-if in virtual time (issue 10 item 9, ADR 0019): a fault timeline run against a lab of
 * built-in speakers on the virtual clock — "what happens at minute 3 if the NVA dies" —
 * without waiting for it. The lab runs as `arslab up` would run it (the same route servers,
 * gateways, speakers and lab graph, ADR 0012), but time moves from one due timer or fault to
 * the next, so a 180-s hold expiry takes milliseconds. The result is the event timeline and
 * every NIC's gateway-route changes, each at its Azure time (the lab's timing profile,
 * ADR 0018).
 *
 * Only built-in speakers follow a virtual clock: a real daemon (BIRD, FRR, GoBGP, ExaBGP,
 * the agent) keeps its own time, so a lab with one is refused (`WhatIfRefused`). Web servers
 * (`kind: http`) are not started: the what-if is the control plane and the NICs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from './clock/virtual.js';
import { Lab } from './lab.js';
import type { LabEvent } from './events.js';
import type { LabSpec, TimingSettings } from './spec.js';
import type { Session } from './graph/index.js';

/** One fault of the timeline, at `atMs` after the lab has converged. */
export type WhatIfAction =
  | { readonly kind: 'link-down'; readonly session: string; readonly graceful: boolean }
  | { readonly kind: 'link-up'; readonly session: string }
  | { readonly kind: 'circuit-down' | 'circuit-up'; readonly circuit: string; readonly path: 'primary' | 'secondary' }
  | {
      readonly kind: 'maintenance';
      readonly instance: string;
      readonly durationMs?: number;
      readonly graceful: boolean;
    }
  | { readonly kind: 'maintenance-end'; readonly instance: string }
  | {
      readonly kind: 'router';
      readonly action: 'stop' | 'kill' | 'pause' | 'start' | 'resume';
      readonly router: string;
    };

export interface WhatIfFault {
  readonly atMs: number;
  readonly action: WhatIfAction;
  /** As the user wrote it. */
  readonly text: string;
}

/** A lab the what-if cannot run in virtual time, and why. */
export class WhatIfRefused extends Error {}

/** A fault spec the what-if does not understand. */
export class WhatIfSyntax extends Error {}

/** "90", "90s", "1500ms", "3m", "1h" → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  const v = Math.round(Number(m[1]) * unit);
  return Number.isFinite(v) ? v : undefined;
}

const FAULT_FORMS = [
  'AT link down SESSION [graceful]',
  'AT link up SESSION',
  'AT link down|up circuit CIRCUIT primary|secondary',
  'AT maintenance INSTANCE [for DURATION] [graceful]',
  'AT maintenance end INSTANCE',
  'AT router stop|kill|pause|start|resume ROUTER',
];

/**
 * One fault of `--fault`: "AT WHAT…", e.g. `60s link down hubrs/IN_0<->nva`,
 * `2m maintenance hubrs/IN_0 for 5m`, `30s link down circuit c1 primary`.
 */
export function parseFault(text: string): WhatIfFault {
  const w = text.trim().split(/\s+/);
  const fail = (why: string): never => {
    throw new WhatIfSyntax(`--fault '${text}': ${why}; forms: ${FAULT_FORMS.join(' | ')}`);
  };
  const atMs = parseDuration(w[0] ?? '');
  if (atMs === undefined) fail(`'${w[0] ?? ''}' is not a time (90s, 3m, 1500ms)`);
  const [verb, a1, a2, a3, a4, a5] = w.slice(1).map((x) => x);
  const at = atMs!;
  if (verb === 'link' && (a1 === 'down' || a1 === 'up')) {
    if (a2 === 'circuit') {
      if (!a3 || (a4 !== 'primary' && a4 !== 'secondary')) fail('a circuit link is CIRCUIT primary|secondary');
      return {
        atMs: at,
        text,
        action: { kind: a1 === 'down' ? 'circuit-down' : 'circuit-up', circuit: a3!, path: a4 as 'primary' },
      };
    }
    if (!a2) fail('name the session (arslab link list shows them)');
    if (a1 === 'up' && a3) fail(`unexpected '${a3}'`);
    if (a3 && a3 !== 'graceful') fail(`unexpected '${a3}'`);
    return {
      atMs: at,
      text,
      action:
        a1 === 'down'
          ? { kind: 'link-down', session: a2!, graceful: a3 === 'graceful' }
          : { kind: 'link-up', session: a2! },
    };
  }
  if (verb === 'maintenance') {
    if (a1 === 'end') {
      if (!a2) fail('name the route-server instance');
      return { atMs: at, text, action: { kind: 'maintenance-end', instance: a2! } };
    }
    if (!a1) fail('name the route-server instance (hubrs/IN_0)');
    let durationMs: number | undefined;
    let graceful = false;
    const rest = [a2, a3, a4, a5].filter((x): x is string => x !== undefined);
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === 'for') {
        durationMs = parseDuration(rest[++i] ?? '');
        if (durationMs === undefined) fail(`'${rest[i] ?? ''}' is not a duration`);
      } else if (rest[i] === 'graceful') graceful = true;
      else fail(`unexpected '${rest[i]}'`);
    }
    return {
      atMs: at,
      text,
      action: { kind: 'maintenance', instance: a1!, graceful, ...(durationMs !== undefined ? { durationMs } : {}) },
    };
  }
  if (verb === 'router') {
    const actions = ['stop', 'kill', 'pause', 'start', 'resume'] as const;
    if (!actions.includes(a1 as 'stop') || !a2) fail('router ACTION ROUTER');
    return { atMs: at, text, action: { kind: 'router', action: a1 as 'stop', router: a2! } };
  }
  return fail(`unknown fault '${verb ?? ''}'`);
}

/** One change of one NIC's gateway routes (R-NIC-2), at its Azure time. */
export interface NicChange {
  readonly atMs: number;
  readonly nic: string;
  readonly prefix: string;
  /** Next hops before and after ([] : no gateway route). */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface WhatIfReport {
  readonly lab: string;
  readonly timing: TimingSettings;
  /** Virtual time the timeline covered (ms from the converged start). */
  readonly untilMs: number;
  /** Wall time the timeline took to compute (ms). */
  readonly computeMs: number;
  /** Lab events from the first fault's run on, times from the converged start. */
  readonly events: readonly (LabEvent & { readonly atMs: number })[];
  readonly nicChanges: readonly NicChange[];
}

/** Kinds of nodes that keep their own time: a what-if cannot run them. */
const REAL_TIME_KINDS = new Set(['bird', 'frr', 'gobgp', 'exabgp', 'agent']);

/** Why this lab cannot run in virtual time, or undefined when it can. */
export function refusal(spec: LabSpec): string | undefined {
  const real = spec.nodes.filter((n) => REAL_TIME_KINDS.has(n.kind));
  if (real.length === 0) return undefined;
  return `lab '${spec.name}' runs real daemons (${real
    .map((n) => `${n.name}: ${n.kind}`)
    .join(
      ', ',
    )}), which keep their own time: what-if runs only labs of built-in speakers (kind: speaker, routers:) in virtual time. Run this one in real time: arslab up, then arslab link down / routeserver maintenance / node stop`;
}

/** Lets socket I/O between built-in speakers run (their TCP sessions are real). */
async function io(lab: Lab): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    await lab.settled();
  }
}

/**
 * Runs `faults` on a fresh instance of the lab on a virtual clock and reports what happened
 * up to `untilMs` after the last fault (default: when nothing is left to happen, at most
 * 15 min). The lab first converges (sessions up, routes programmed), then the clock starts
 * from 0.
 */
export async function runWhatIf(
  spec: LabSpec,
  faults: readonly WhatIfFault[],
  opts: { untilMs?: number; timing?: TimingSettings; stateDir?: string } = {},
): Promise<WhatIfReport> {
  const why = refusal(spec);
  if (why) throw new WhatIfRefused(why);
  const timing = opts.timing ?? spec.settings.timing ?? { profile: 'ideal', seed: 1 };
  const clock = new VirtualClock();
  const dir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'arslab-whatif-'));
  const lab = await Lab.start(
    { ...spec, settings: { ...spec.settings, timing } },
    { stateDir: dir, clock, startNodes: false },
  );
  try {
    for (const n of lab.graph.nodes()) if (n.spec.kind === 'speaker') await n.start();
    // Converge: TCP sessions come up over real sockets; timers (connect retry, keepalives,
    // the fabric's programming) run on the virtual clock, a second at a time, for at most
    // 60 virtual seconds after the last session came up and everything was programmed.
    const settle = async (): Promise<void> => {
      let quiet = 0;
      // Quiet: 40 virtual seconds without an event (longer than the azure profile's 30-s
      // window); a peering no node answers retries for ever, hence the bound.
      for (let i = 0; i < 240 && quiet < 40; i++) {
        await io(lab);
        const before = lab.events.since().at(-1)?.seq ?? 0;
        clock.advance(1000);
        await io(lab);
        quiet = (lab.events.since().at(-1)?.seq ?? 0) === before ? quiet + 1 : 0;
      }
    };
    await settle();
    const t0 = clock.now();
    const nics = lab.model.networkInterfaces;
    const snapshot = () => {
      const out = new Map<string, Map<string, string[]>>();
      for (const nic of nics) {
        const rows = new Map<string, string[]>();
        for (const r of lab.effectiveRoutes(nic).value)
          if (r.source === 'VirtualNetworkGateway' && r.state === 'Active')
            rows.set(r.addressPrefix[0]!, [...(rows.get(r.addressPrefix[0]!) ?? []), ...r.nextHopIpAddress]);
        out.set(nic.name, rows);
      }
      return out;
    };
    let last = snapshot();
    const nicChanges: NicChange[] = [];
    const diff = () => {
      const now = snapshot();
      for (const [nic, rows] of now) {
        const was = last.get(nic) ?? new Map<string, string[]>();
        for (const p of new Set([...was.keys(), ...rows.keys()])) {
          const a = was.get(p) ?? [];
          const b = rows.get(p) ?? [];
          if (a.join() !== b.join()) nicChanges.push({ atMs: clock.now() - t0, nic, prefix: p, before: a, after: b });
        }
      }
      last = now;
    };
    const firstSeq = (lab.events.since().at(-1)?.seq ?? 0) + 1;
    const started = performance.now();
    const pending = [...faults].sort((a, b) => a.atMs - b.atMs);
    const lastFault = pending.at(-1)?.atMs ?? 0;
    const end = t0 + (opts.untilMs ?? lastFault + 15 * 60_000);
    const autoEnd = opts.untilMs === undefined;
    for (;;) {
      const nextFault = pending[0] ? t0 + pending[0].atMs : undefined;
      const due = clock.nextDue();
      // Left to itself (no --until), the run ends when no fault is left and nothing but
      // periodic keepalives waits: the last change has happened.
      let target = Math.min(end, nextFault ?? Number.POSITIVE_INFINITY, due ?? Number.POSITIVE_INFINITY);
      if (target === Number.POSITIVE_INFINITY) break;
      target = Math.max(target, clock.now());
      clock.advance(target - clock.now());
      while (pending[0] && t0 + pending[0].atMs <= clock.now()) apply(lab, pending.shift()!);
      await io(lab);
      diff();
      if (clock.now() >= end) break;
      if (autoEnd && pending.length === 0 && quietSince(lab, firstSeq, clock.now() - t0, t0) >= 200_000) break;
    }
    const computeMs = performance.now() - started;
    const events = lab.events
      .since(firstSeq - 1)
      .filter((e) => e.type !== 'lab' || !e.message.startsWith('stopping'))
      .map((e) => ({ ...e, atMs: Math.round(e.t - t0) }));
    return {
      lab: spec.name,
      timing,
      untilMs: clock.now() - t0,
      computeMs,
      events,
      nicChanges,
    };
  } finally {
    await lab.stop();
    if (!opts.stateDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Virtual ms since the last event that is not a keepalive-era non-event (what-if's end). */
function quietSince(lab: Lab, firstSeq: number, nowMs: number, t0: number): number {
  const last = lab.events.since(firstSeq - 1).at(-1);
  return last ? nowMs - (last.t - t0) : nowMs;
}

function sessionsNamed(lab: Lab, name: string): Session[] {
  const s = lab.graph.findSessions(name);
  if (s.length === 0)
    throw new WhatIfSyntax(
      `no session '${name}' in lab '${lab.spec.name}' (sessions: ${lab.graph
        .sessions()
        .slice(0, 8)
        .map((x) => x.name)
        .join(', ')}${lab.graph.sessions().length > 8 ? ', …' : ''})`,
    );
  if (s.length > 1) throw new WhatIfSyntax(`'${name}' names ${s.length} sessions (${s.map((x) => x.name).join(', ')})`);
  return s;
}

function apply(lab: Lab, f: WhatIfFault): void {
  const g = lab.graph;
  const a = f.action;
  lab.events.emit('lab', 'what-if', `fault: ${f.text}`);
  switch (a.kind) {
    case 'link-down':
      g.faults.linkDown(sessionsNamed(lab, a.session), a.graceful);
      return;
    case 'link-up':
      g.faults.linkUp(sessionsNamed(lab, a.session));
      return;
    case 'circuit-down':
    case 'circuit-up': {
      const c = g.circuits().find((x) => x.resource.name.toLowerCase() === a.circuit.toLowerCase());
      if (!c) throw new WhatIfSyntax(`no ExpressRoute circuit '${a.circuit}' in lab '${lab.spec.name}'`);
      const list = g.sessionsOfCircuitLink(c, a.path === 'primary' ? 0 : 1).map((x) => x.session);
      if (a.kind === 'circuit-down') g.faults.linkDown(list, false);
      else g.faults.linkUp(list);
      return;
    }
    case 'maintenance':
    case 'maintenance-end': {
      const s = g.speaker(a.instance) ?? g.speakers().find((x) => x.aliases.includes(a.instance.toLowerCase()));
      if (s?.kind !== 'route-server')
        throw new WhatIfSyntax(`no route-server instance '${a.instance}' in lab '${lab.spec.name}' (e.g. rs/IN_0)`);
      if (a.kind === 'maintenance')
        g.faults.startMaintenance(s, {
          graceful: a.graceful,
          ...(a.durationMs !== undefined ? { durationMs: a.durationMs } : {}),
        });
      else g.faults.endMaintenance(s);
      return;
    }
    case 'router': {
      const r = g.speaker(a.router);
      if (r?.kind !== 'router') throw new WhatIfSyntax(`no built-in router '${a.router}' in lab '${lab.spec.name}'`);
      g.faults.routerAction(r, a.action);
      return;
    }
  }
}
