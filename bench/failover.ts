/**
 * Benchmark (d): next-hop failover time, detection + propagation, over N failovers (default
 * 20), for `arslab agent` and, in the same run, ExaBGP's own healthcheck
 * (`exabgp-healthcheck --withdraw-on-down`, Debian's exabgp package) with the same check
 * interval, timeout, rise and fall. Run by hand, as root, not in CI:
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/failover.js [--rounds 20] [--interval 200] [--fall 3] [--rise 3] [--only agent-per-backend,exabgp-healthcheck,agent-watcher]
 *
 * The lab is the seed-000 VNet (10.91.0.0/16, loopback mode on 127.91.x): a Route Server,
 * web servers on ws1 and ws2 (`kind: http`, real processes), lt1. Variants:
 * - `agent-per-backend`: `arslab agent` on ws1 and on ws2 (`kind: agent`), each checking its
 *   own web server and announcing the VIP 100.64.0.1/32 with itself as next hop; withdraws
 *   when unhealthy. The route server holds two ECMP paths.
 * - `exabgp-healthcheck`: the same with ExaBGP on ws1 and ws2 (`kind: exabgp`), each running
 *   `exabgp-healthcheck --cmd 'curl …' --withdraw-on-down --next-hop SELF` as its process —
 *   the reference recipe, in its Route Server-correct form (withdraw, not MED).
 * - `agent-watcher`: seed 000's pattern, one agent on watch1 checking both servers and
 *   moving the next hop (what `scenarios/next-hop-failover/lab.yml` runs).
 *
 * One failover: the bench stops ws1's web server (`POST /arslab/nodes/ws1/stop`: SIGTERM,
 * connections refused from then on). Measured on the lab's own event timeline (one
 * monotonic clock, `arslab events`): from the node event "stopped" to the later of the two
 * route-server instances' best-path events that no longer hold ws1 (10.91.0.4). Then ws1 is
 * started again, the bench waits for the VIP to come back on ws1 (failback, after `rise`
 * good checks; also timed), and waits a random 0–interval ms so that stops fall at every
 * phase of the check cycle.
 *
 * With `--timing azure` (ADR 0018, docs/rules.md R-TIME-1/2) the labs run Azure's programming
 * timing, and each failover is also timed to the NICs: from the route server's best-path
 * change to the fabric's `programmed in NICs` event (the seed author's "single UPDATE"
 * measure, 0.9-5.4 s on Azure), and from ws1's stop to that event (what `probe` shows: the
 * data path follows the NIC). One more variant then runs, `exabgp-move`: seed 000 by hand,
 * ExaBGP on watch1 (its `static` VIP via ws1), each round (a) one UPDATE moving the next hop
 * to ws2 (`announce route … next-hop ws2`), then (b) withdraw, and 6 s later announce via
 * ws1 — a daemon restarted with a new configuration (stop, start, reconnect, OPEN; later
 * than the withdraw's programming, at most 5.4 s): the gap without a route is measured
 * (about 30 s on Azure: "routes can only be updated once every 30 seconds"). Rounds are 31 s
 * apart so that each starts outside the previous dampening window.
 *
 *   node dist/bench/failover.js --timing azure --rounds 5 --only agent-watcher,exabgp-move
 *
 * Everything listens on 127.91.0.0/16 only; the lab runs under ManagedProcess (own process
 * group, 900 s lifetime) and is stopped by PID; its daemons are the lab's, stopped with it.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from './rs/lab.js';

const VARIANTS = ['agent-per-backend', 'exabgp-healthcheck', 'agent-watcher', 'exabgp-move'] as const;
type Variant = (typeof VARIANTS)[number];
/** Short names for folders and labs: control sockets live below them (107 bytes at most). */
const SHORT: Record<Variant, string> = {
  'agent-per-backend': 'apb',
  'exabgp-healthcheck': 'exh',
  'agent-watcher': 'aw',
  'exabgp-move': 'em',
};

interface Args {
  rounds: number;
  intervalMs: number;
  timeoutMs: number;
  fall: number;
  rise: number;
  only: Variant[];
  keep: boolean;
  timing: 'ideal' | 'azure';
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    rounds: 20,
    intervalMs: 200,
    timeoutMs: 150,
    fall: 3,
    rise: 3,
    only: [],
    keep: false,
    timing: 'ideal',
  };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const v = (): string => inline ?? argv[++i] ?? '';
    switch (k) {
      case '--rounds':
        a.rounds = Number(v());
        break;
      case '--interval':
        a.intervalMs = Number(v());
        break;
      case '--timeout':
        a.timeoutMs = Number(v());
        break;
      case '--fall':
        a.fall = Number(v());
        break;
      case '--rise':
        a.rise = Number(v());
        break;
      case '--only':
        a.only = v()
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean) as Variant[];
        break;
      case '--keep':
        a.keep = true;
        break;
      case '--timing': {
        const t = v();
        if (t !== 'ideal' && t !== 'azure') throw new Error(`--timing: ideal or azure, not ${t}`);
        a.timing = t;
        break;
      }
      default:
        console.error(`unknown argument ${k}; see the header of bench/failover.ts`);
        process.exit(2);
    }
  }
  // exabgp-move measures the fabric's timing: only with --timing azure, unless asked for.
  if (a.only.length === 0) a.only = VARIANTS.filter((x) => x !== 'exabgp-move' || a.timing === 'azure');
  for (const o of a.only)
    if (!VARIANTS.includes(o)) throw new Error(`--only: unknown variant ${o}; known: ${VARIANTS.join(', ')}`);
  return a;
}

// ---------------------------------------------------------------------------------------------
// The lab files

const N = 91;
const ip = (host: string): string => `10.${N}.${host}`;
const lo = (host: string): string => `127.${N}.${host}`;
const VIP = '100.64.0.1/32';
const WS = { ws1: '0.4', ws2: '0.5' } as const;

function labFile(variant: Variant, timing: Args['timing']): string {
  const watcher = variant === 'agent-watcher' || variant === 'exabgp-move';
  const peerings = watcher
    ? `          watcher: { peerIp: ${ip('0.7')}, peerAsn: 65001 }`
    : `          ws1: { peerIp: ${ip('0.4')}, peerAsn: 65001 }\n          ws2: { peerIp: ${ip('0.5')}, peerAsn: 65001 }`;
  const bgpNodes =
    variant === 'agent-watcher'
      ? `  watch1: { kind: agent, vm: watch1, config: watch1.yaml }`
      : variant === 'exabgp-move'
        ? `  watch1: { kind: exabgp, vm: watch1, config: watch1.conf }`
        : variant === 'agent-per-backend'
          ? `  ws1-agent: { kind: agent, vm: ws1, config: ws1.yaml }\n  ws2-agent: { kind: agent, vm: ws2, config: ws2.yaml }`
          : `  ws1-exabgp: { kind: exabgp, vm: ws1, config: ws1.conf }\n  ws2-exabgp: { kind: exabgp, vm: ws2, config: ws2.conf }`;
  return `name: bfo-${SHORT[variant]}
location: uksouth
settings: { timing: { profile: ${timing}, seed: 0 } }
resourceGroups:
  rg:
    virtualNetworks:
      vnet:
        addressPrefixes: [${ip('0.0')}/16]
        subnets:
          default: { addressPrefix: ${ip('0.0')}/24 }
          RouteServerSubnet: { addressPrefix: ${ip('1.0')}/24 }
    routeServers:
      rs:
        subnet: vnet/RouteServerSubnet
        peerings:
${peerings}
    virtualMachines:
      ws1: { subnet: vnet/default, privateIPAddress: ${ip('0.4')}, enableIPForwarding: true }
      ws2: { subnet: vnet/default, privateIPAddress: ${ip('0.5')}, enableIPForwarding: true }
      lt1: { subnet: vnet/default, privateIPAddress: ${ip('0.6')} }
      watch1: { subnet: vnet/default, privateIPAddress: ${ip('0.7')} }
nodes:
  ws1: { kind: http, vm: ws1, port: 80, loopbackPort: 8080 }
  ws2: { kind: http, vm: ws2, port: 80, loopbackPort: 8080 }
${bgpNodes}
`;
}

function checkYaml(a: Args, host: string): string {
  return `{ type: http, url: http://${lo(host)}:8080/, interval: ${a.intervalMs}ms, timeout: ${a.timeoutMs}ms, rise: ${a.rise}, fall: ${a.fall} }`;
}

function agentPerBackend(a: Args, name: 'ws1' | 'ws2'): string {
  const host = WS[name];
  return `asn: 65001
routerId: ${ip(host)}
localAddress: ${lo(host)}
neighbors: [ { address: ${lo('1.4')} }, { address: ${lo('1.5')} } ]
vips:
  - prefix: ${VIP}
    pattern: per-backend
    backend: { name: ${name}, nextHop: ${ip(host)}, check: ${checkYaml(a, host)} }
    unhealthy: { action: withdraw }
`;
}

function agentWatcher(a: Args): string {
  return `asn: 65001
routerId: ${ip('0.7')}
localAddress: ${lo('0.7')}
neighbors: [ { address: ${lo('1.4')} }, { address: ${lo('1.5')} } ]
vips:
  - prefix: ${VIP}
    pattern: watcher
    failback: true
    backends:
      - { name: ws1, nextHop: ${ip('0.4')}, check: ${checkYaml(a, '0.4')} }
      - { name: ws2, nextHop: ${ip('0.5')}, check: ${checkYaml(a, '0.5')} }
`;
}

/**
 * ExaBGP with its healthcheck as the process, as its documentation shows it: the check is a
 * curl with the same timeout; interval and fast interval are both the check interval (the
 * agent has no faster interval here either); `--withdraw-on-down` (Route Server ignores MED,
 * R-ARS-7, so the default MED-based "down" would not fail over).
 */
function exabgpConf(a: Args, dir: string, name: 'ws1' | 'ws2'): string {
  const host = WS[name];
  const check = join(dir, `check-${name}.sh`);
  writeFileSync(
    check,
    `#!/bin/sh\nexec curl -sf -o /dev/null --max-time ${(a.timeoutMs / 1000).toFixed(3)} http://${lo(host)}:8080/\n`,
  );
  chmodSync(check, 0o755);
  const hc = [
    '/usr/bin/exabgp-healthcheck',
    `--cmd ${check}`,
    `--interval ${a.intervalMs / 1000}`,
    `--fast-interval ${a.intervalMs / 1000}`,
    '--timeout 1',
    `--rise ${a.rise}`,
    `--fall ${a.fall}`,
    '--withdraw-on-down',
    `--ip ${VIP}`,
    `--next-hop ${ip(host)}`,
    '--no-ip-setup',
    '--no-syslog',
  ].join(' ');
  const neighbor = (rs: string): string => `neighbor ${lo(rs)} {
    router-id ${ip(host)};
    local-address ${lo(host)};
    local-as 65001;
    peer-as 65515;
    api { processes [ healthcheck ]; }
}
`;
  return `process healthcheck {
    run ${hc};
    encoder text;
}

${neighbor('1.4')}
${neighbor('1.5')}`;
}

/**
 * Seed 000 by hand (scenarios/next-hop-failover/watch1/exabgp.loopback.conf): ExaBGP on
 * watch1 announces the VIP via ws1 and takes commands through the lab's API.
 */
function exabgpWatcherConf(): string {
  const neighbor = (rs: string): string => `neighbor ${lo(rs)} {
    router-id ${ip('0.7')};
    local-address ${lo('0.7')};
    local-as 65001;
    peer-as 65515;
    api { processes [ cmd-pipe ]; }
    static { route ${VIP} next-hop ${ip('0.4')}; }
}
`;
  return `process cmd-pipe {
    run exabgp-cmd-pipe.py;
    encoder text;
}

${neighbor('1.4')}
${neighbor('1.5')}`;
}

// ---------------------------------------------------------------------------------------------
// The lab's API

interface LabEvent {
  seq: number;
  t: number;
  type: string;
  source: string;
  message: string;
}

class LabApi {
  /** `token`: the lab's, from its state file (ADR 0010). */
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async get<T>(path: string): Promise<T> {
    const r = await fetch(this.base + path, { headers: this.headers, signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }

  async post(path: string, body?: unknown): Promise<void> {
    const r = await fetch(this.base + path, {
      method: 'POST',
      headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  }

  async events(since: number): Promise<LabEvent[]> {
    return (await this.get<{ value: LabEvent[] }>(`/arslab/events?since=${since}`)).value;
  }

  async lastSeq(): Promise<number> {
    return (await this.events(0)).at(-1)?.seq ?? 0;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The VIP's next hops on one instance, from a best-path event, or undefined for other events. */
function vipHops(e: LabEvent): string[] | undefined {
  if (e.type !== 'route') return undefined;
  const m = /^best (?:added|changed|removed): 100\.64\.0\.1\/32 -> \[(.*)\]$/.exec(e.message);
  return m ? m[1]!.split(', ').filter(Boolean) : undefined;
}

/**
 * Waits until both instances' latest VIP event satisfies `ok`, polling the timeline every
 * 10 ms from `since`; returns the lab time of the later of the two satisfying events.
 */
async function waitVip(
  api: LabApi,
  since: number,
  ok: (hops: string[]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  const at = new Map<string, number>();
  let seq = since;
  while (Date.now() < until) {
    for (const e of await api.events(seq)) {
      seq = Math.max(seq, e.seq);
      const hops = vipHops(e);
      if (!hops) continue;
      const inst = /\/(IN_[01])$/.exec(e.source)?.[1];
      if (!inst) continue;
      if (ok(hops)) at.set(inst, e.t);
      else at.delete(inst);
    }
    if (at.size === 2) return Math.max(...at.values());
    await sleep(10);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * The NICs' VIP from a fabric event (`settings.timing: azure`, src/lab/fabric.ts): its next
 * hops, [] when removed, undefined for other events.
 */
function nicVipHops(e: LabEvent): string[] | undefined {
  if (e.type !== 'route' || !e.source.startsWith('fabric/')) return undefined;
  const m = /^(programmed|removed) in NICs: 100\.64\.0\.1\/32(?: -> \[(.*?)\])?/.exec(e.message);
  if (!m) return undefined;
  return m[1] === 'removed' ? [] : m[2]!.split(', ').filter(Boolean);
}

/** Waits for the fabric to program the VIP into the NICs as `ok` wants; the event's lab time. */
async function waitNic(
  api: LabApi,
  since: number,
  ok: (hops: string[]) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  let seq = since;
  while (Date.now() < until) {
    for (const e of await api.events(seq)) {
      seq = Math.max(seq, e.seq);
      const hops = nicVipHops(e);
      if (hops && ok(hops)) return e.t;
    }
    await sleep(10);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function nodeEventTime(api: LabApi, since: number, node: string, re: RegExp): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const e = (await api.events(since)).find((x) => x.type === 'node' && x.source === node && re.test(x.message));
    if (e) return e.t;
    await sleep(10);
  }
  throw new Error(`no node event for ${node} matching ${re}`);
}

// ---------------------------------------------------------------------------------------------
// One variant

interface Result {
  variant: Variant;
  failoverMs: number[];
  failbackMs: number[];
  /** --timing azure: from the route server's change to the NICs' (the seed's single-UPDATE measure). */
  updateToNicMs: number[];
  /** --timing azure: from the failure (or the withdraw) to the NICs' new next hop: probe's gap. */
  dataGapMs: number[];
  /** exabgp-move: withdraw then announce, time the NICs had no route for the VIP. */
  noRouteMs: number[];
}

async function runVariant(a: Args, variant: Variant, root: string): Promise<Result> {
  const dir = join(root, SHORT[variant]);
  const labPath = join(dir, 'lab.yml');
  mkdirSync(dir, { recursive: true });
  writeFileSync(labPath, labFile(variant, a.timing));
  if (variant === 'agent-per-backend')
    for (const w of ['ws1', 'ws2'] as const) writeFileSync(join(dir, `${w}.yaml`), agentPerBackend(a, w));
  if (variant === 'agent-watcher') writeFileSync(join(dir, 'watch1.yaml'), agentWatcher(a));
  if (variant === 'exabgp-move') writeFileSync(join(dir, 'watch1.conf'), exabgpWatcherConf());
  if (variant === 'exabgp-healthcheck')
    for (const w of ['ws1', 'ws2'] as const) writeFileSync(join(dir, `${w}.conf`), exabgpConf(a, dir, w));

  const lab = await startLab({ dir, labFile: labPath, name: `bfo-${SHORT[variant]}` });
  try {
    const base = `http://${lab.api.host}:${lab.api.port}`;
    const api = new LabApi(base, lab.token);
    const ws1 = ip('0.4');
    // Ready: both instances hold the VIP via ws1 (with ws2 too, per backend).
    await waitVip(
      api,
      0,
      (h) => h.includes(ws1) && (variant === 'agent-watcher' || variant === 'exabgp-move' || h.length === 2),
      'the VIP on both instances',
      60_000,
    );
    const azure = a.timing === 'azure';
    if (azure) {
      await waitNic(api, 0, (h) => h.includes(ws1), 'the VIP in the NICs');
      // Start outside the dampening window of the first programming (R-TIME-2).
      await sleep(31_000);
    } else await sleep(1000);

    const r: Result = { variant, failoverMs: [], failbackMs: [], updateToNicMs: [], dataGapMs: [], noRouteMs: [] };
    const ws2 = ip('0.5');
    const command = (text: string) => api.post('/arslab/nodes/watch1/command', { text });
    for (let round = 1; round <= a.rounds && variant === 'exabgp-move'; round++) {
      // (a) One UPDATE moves the next hop to ws2 (the seed's `announce route … next-hop ws2`).
      let since = await api.lastSeq();
      await command(`announce route ${VIP} next-hop ${ws2}`);
      const u1 = await waitVip(api, since, (h) => h.length === 1 && h[0] === ws2, 'the VIP via ws2');
      const n1 = await waitNic(api, since, (h) => h.length === 1 && h[0] === ws2, 'the NICs via ws2');
      r.updateToNicMs.push(n1 - u1);
      r.dataGapMs.push(n1 - u1);
      await sleep(31_000);
      // (b) Withdraw, and 6 s later announce via ws1: a daemon restarted with a new configuration.
      since = await api.lastSeq();
      await command(`withdraw route ${VIP} next-hop ${ws2}`);
      const w = await waitVip(api, since, (h) => h.length === 0, 'the VIP withdrawn');
      await sleep(6000);
      await command(`announce route ${VIP} next-hop ${ws1}`);
      const gone = await waitNic(api, since, (h) => h.length === 0, 'the VIP removed from the NICs');
      const back = await waitNic(api, since, (h) => h.length === 1 && h[0] === ws1, 'the VIP back via ws1');
      r.noRouteMs.push(back - gone);
      r.failoverMs.push(back - w);
      process.stdout.write(
        `  ${variant} round ${round}: one UPDATE → NICs ${(n1 - u1).toFixed(0)} ms; withdraw → announce in NICs ${(back - w).toFixed(0)} ms, no route for ${(back - gone).toFixed(0)} ms\n`,
      );
      await sleep(31_000);
    }
    for (let round = 1; round <= a.rounds && variant !== 'exabgp-move'; round++) {
      let since = await api.lastSeq();
      await api.post('/arslab/nodes/ws1/stop');
      const t0 = await nodeEventTime(api, since, 'ws1', /stopped/);
      const t1 = await waitVip(api, since, (h) => !h.includes(ws1), 'ws1 out of the VIP');
      r.failoverMs.push(t1 - t0);
      if (azure) {
        const t2 = await waitNic(api, since, (h) => !h.includes(ws1), 'ws1 out of the NICs');
        r.updateToNicMs.push(t2 - t1);
        r.dataGapMs.push(t2 - t0);
      }
      since = await api.lastSeq();
      await api.post('/arslab/nodes/ws1/start');
      const s0 = await nodeEventTime(api, since, 'ws1', /started|running/);
      const s1 = await waitVip(
        api,
        since,
        (h) => h.includes(ws1) && (variant === 'agent-watcher' ? h.length === 1 : h.length === 2),
        'ws1 back in the VIP',
      );
      r.failbackMs.push(s1 - s0);
      const nic = azure
        ? `; NICs ${r.updateToNicMs.at(-1)!.toFixed(0)} ms after the route server, probe gap ${r.dataGapMs.at(-1)!.toFixed(0)} ms`
        : '';
      process.stdout.write(
        `  ${variant} round ${round}: failover ${(t1 - t0).toFixed(0)} ms, failback ${(s1 - s0).toFixed(0)} ms${nic}\n`,
      );
      // The failback reaches the NICs after the dampening window; the next round starts after it.
      if (azure) {
        await waitNic(api, since, (h) => h.includes(ws1), 'ws1 back in the NICs');
        await sleep(31_000);
      } else await sleep(300 + Math.random() * a.intervalMs);
    }
    return r;
  } finally {
    await lab.stop();
  }
}

// ---------------------------------------------------------------------------------------------

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'bfo-'));
  console.log(
    `failover benchmark: ${a.rounds} failovers per variant; checks every ${a.intervalMs} ms, timeout ${a.timeoutMs} ms, fall ${a.fall}, rise ${a.rise}`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    "failover: ws1 web server stopped (lab event) → both route-server instances' best path without ws1 (lab events), one clock",
  );
  console.log("failback: ws1 started → both instances' best path with ws1 again (rise checks)");
  console.log(`run folder: ${root}`);
  const results: Result[] = [];
  try {
    for (const v of a.only) results.push(await runVariant(a, v, root));
  } finally {
    if (!a.keep) rmSync(root, { recursive: true, force: true });
  }
  const expected = `expected detection ≈ (fall − 1) × interval … fall × interval = ${(a.fall - 1) * a.intervalMs}–${a.fall * a.intervalMs} ms, plus the check's own time`;
  console.log(`\n${expected}\n`);
  const head = ['variant', 'n', 'failover p50 ms', 'p95 ms', 'min ms', 'max ms', 'failback p50 ms', 'p95 ms'];
  const f = (xs: number[], x: (v: number[]) => number) => (xs.length ? x(xs).toFixed(0) : '-');
  const rows = results.map((r) => [
    r.variant,
    String(r.failoverMs.length),
    f(r.failoverMs, (v) => pct(v, 50)),
    f(r.failoverMs, (v) => pct(v, 95)),
    f(r.failoverMs, (v) => Math.min(...v)),
    f(r.failoverMs, (v) => Math.max(...v)),
    f(r.failbackMs, (v) => pct(v, 50)),
    f(r.failbackMs, (v) => pct(v, 95)),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log(head.map((h, i) => h.padEnd(w[i]!)).join('  '));
  console.log(w.map((x) => '-'.repeat(x)).join('  '));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
  if (a.timing === 'azure') {
    console.log(
      '\nAzure timing (R-TIME-1, R-TIME-2): published bands — one UPDATE 0.9–5.4 s; withdraw then announce ≈ 30 s',
    );
    const th = ['variant', 'n', 'UPDATE→NICs min/p50/max ms', 'probe gap min/p50/max ms', 'no route min/p50/max ms'];
    const mm = (xs: number[]) =>
      xs.length ? `${Math.min(...xs).toFixed(0)}/${pct(xs, 50).toFixed(0)}/${Math.max(...xs).toFixed(0)}` : '-';
    const trows = results.map((r) => [
      r.variant,
      String(r.updateToNicMs.length),
      mm(r.updateToNicMs),
      mm(r.dataGapMs),
      mm(r.noRouteMs),
    ]);
    const tw = th.map((h, i) => Math.max(h.length, ...trows.map((r) => r[i]!.length)));
    console.log(th.map((h, i) => h.padEnd(tw[i]!)).join('  '));
    console.log(tw.map((x) => '-'.repeat(x)).join('  '));
    for (const r of trows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(tw[i]!) : c.padStart(tw[i]!))).join('  '));
  }
  const ref = results.find((r) => r.variant === 'exabgp-healthcheck');
  if (ref) {
    console.log('');
    for (const r of results.filter((x) => x !== ref && x.variant !== 'exabgp-move')) {
      console.log(
        `${r.variant} ÷ exabgp-healthcheck: failover p50 ${(pct(r.failoverMs, 50) / pct(ref.failoverMs, 50)).toFixed(2)}, p95 ${(pct(r.failoverMs, 95) / pct(ref.failoverMs, 95)).toFixed(2)} (< 1: the agent is faster)`,
      );
    }
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
