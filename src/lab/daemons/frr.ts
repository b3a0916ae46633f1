/**
 * @module lab/daemons/frr
 * FRR driver: bgpd alone, without zebra.
 *
 * Start: `/usr/lib/frr/bgpd -f CONF -p PORT -l ADDR -Z -S -P 0 --vty_socket WORK
 * -i WORK/bgpd.pid --log stdout`. -Z: no zebra (nothing is installed in a kernel table, and
 * nothing learned from one); -S: no user switch (we are root, the files are ours); -P 0: no
 * TCP vty (bgpd would otherwise listen on port 2605 of every address); -p 0 when the spec says
 * not to listen; -l binds the BGP listener to the spec's address only.
 *
 * Without zebra, FRR 8.4 needs lines that a config written for a full FRR usually lacks; they
 * are checked before start (checkFrrConfig) and their absence is an error naming the line.
 *
 * Control: vtysh on the private vty socket (`vtysh --vty_socket WORK -d bgpd -c ...`), JSON
 * output (`show bgp neighbors json`, `show bgp ipv4 unicast json detail`). announce() adds
 * `network P route-map ARSLAB-ANNOUNCE-n` with a route-map carrying the attributes; the
 * route-map is created before the network statement refers to it, because bgpd applies a
 * route-map change to existing networks only after `bgp route-map delay-timer` (5 s).
 */
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import {
  DaemonError,
  type AddressFamily,
  type AnnounceRoute,
  type DaemonHandle,
  type DaemonRoute,
  type DaemonSession,
  type DaemonSpec,
  type Origin,
} from './types.js';
import { ManagedProcess, runCommand } from './process.js';
import {
  auditListeners,
  canonicalAddress,
  canonicalPrefix,
  checkAnnouncement,
  checkPrefix,
  checkSocketPath,
  noteFor,
  normalizeCommunity,
  normalizeLargeCommunity,
  pollUntil,
  makeWorkDir,
  prepareSpec,
  processControls,
} from './common.js';

export const FRR_BGPD = '/usr/lib/frr/bgpd';

// ---------------------------------------------------------------------------------------------
// Configuration check

export interface FrrBgpInstance {
  asn: number;
  vrf?: string;
  line: number;
  routerId?: string;
  lines: string[];
}

export interface FrrConfigFacts {
  instances: FrrBgpInstance[];
}

const TOP_LEVEL =
  /^(router|interface|route-map|ip|ipv6|line|hostname|log|frr|debug|end|access-list|vrf|key|password|enable|service|agentx|segment-routing|mpls|nexthop-group|pbr-map|bfd|rpki|fpm|zebra|table|bgp\s+(as-path|community-list|large-community-list|extcommunity-list))\b/;

/** Splits an FRR configuration into its `router bgp` blocks. */
export function analyzeFrrConfigText(text: string): FrrConfigFacts {
  const instances: FrrBgpInstance[] = [];
  let cur: FrrBgpInstance | undefined;
  let inAf = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    const t = line.trim();
    if (!t || t.startsWith('!') || t.startsWith('#')) return;
    const rb = /^router\s+bgp\s+(\d+)(?:\s+(?:vrf|view)\s+(\S+))?$/.exec(t);
    if (rb) {
      cur = { asn: Number(rb[1]), line: i + 1, lines: [] };
      if (rb[2]) cur.vrf = rb[2];
      inAf = false;
      instances.push(cur);
      return;
    }
    if (!cur) return;
    if (!/^\s/.test(line) && TOP_LEVEL.test(t)) {
      cur = undefined;
      return;
    }
    if (/^address-family\b/.test(t)) inAf = true;
    else if (t === 'exit-address-family') inAf = false;
    else if (t === 'exit') {
      if (inAf) inAf = false;
      else cur = undefined;
      return;
    }
    cur.lines.push(t);
    const rid = /^bgp\s+router-id\s+(\S+)$/.exec(t);
    if (rid) cur.routerId = rid[1]!;
  });
  return { instances };
}

interface FrrNeighbor {
  name: string;
  remoteAs?: string;
  group?: string;
  isGroup: boolean;
  flags: Set<string>;
}

function frrNeighbors(inst: FrrBgpInstance): Map<string, FrrNeighbor> {
  const out = new Map<string, FrrNeighbor>();
  const get = (name: string) => {
    let n = out.get(name);
    if (!n) out.set(name, (n = { name, isGroup: false, flags: new Set() }));
    return n;
  };
  for (const l of inst.lines) {
    const m = /^neighbor\s+(\S+)\s+(.*)$/.exec(l);
    if (!m) continue;
    const n = get(m[1]!);
    const rest = m[2]!;
    let r: RegExpExecArray | null;
    if ((r = /^remote-as\s+(\S+)/.exec(rest))) n.remoteAs = r[1]!;
    else if (rest === 'peer-group') n.isGroup = true;
    else if ((r = /^peer-group\s+(\S+)/.exec(rest))) n.group = r[1]!;
    else if ((r = /^interface(?:\s+peer-group\s+(\S+))?/.exec(rest))) {
      n.flags.add('interface');
      if (r[1]) n.group = r[1];
    } else n.flags.add(rest.split(/\s+/)[0]!);
  }
  return out;
}

/** Returns warnings; throws DaemonError('config') naming each missing line. */
export function checkFrrConfig(facts: FrrConfigFacts, spec: DaemonSpec, file = spec.configFile): string[] {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (facts.instances.length === 0) problems.push('no `router bgp ASN` block');
  for (const inst of facts.instances) {
    const where = `under \`router bgp ${inst.asn}${inst.vrf ? ` vrf ${inst.vrf}` : ''}\` (line ${inst.line})`;
    const has = (re: RegExp) => inst.lines.some((l) => re.test(l));
    if (!has(/^no\s+bgp\s+ebgp-requires-policy$/)) {
      problems.push(
        `${where} add \`no bgp ebgp-requires-policy\`: otherwise FRR sends and accepts no route on eBGP sessions without policy`,
      );
    }
    if (!has(/^no\s+bgp\s+network\s+import-check$/)) {
      problems.push(
        `${where} add \`no bgp network import-check\`: without zebra no route is ever "in the RIB", so \`network\` statements (and announce()) would originate nothing`,
      );
    }
    if (!inst.routerId) {
      problems.push(
        `${where} add \`bgp router-id ${spec.routerId ?? 'A.B.C.D'}\`: without zebra bgpd learns no router id and stays at 0.0.0.0, which peers refuse`,
      );
    } else if (spec.routerId && inst.routerId !== spec.routerId) {
      warnings.push(`${where}: bgp router-id ${inst.routerId}, ${spec.routerId} expected`);
    }
    const neighbors = frrNeighbors(inst);
    for (const n of neighbors.values()) {
      if (n.isGroup) continue;
      const group = n.group ? neighbors.get(n.group) : undefined;
      const remoteAs = n.remoteAs ?? group?.remoteAs;
      const ibgp = remoteAs === 'internal' || remoteAs === String(inst.asn);
      const flag = (f: string) => n.flags.has(f) || (group?.flags.has(f) ?? false);
      if (!ibgp && !flag('interface') && !flag('disable-connected-check') && !flag('ebgp-multihop')) {
        problems.push(
          `${where} add \`neighbor ${n.name} disable-connected-check\` (or \`neighbor ${n.name} ebgp-multihop\`): ` +
            `without zebra bgpd knows no connected network, so a single-hop eBGP session never starts`,
        );
      }
      if (!spec.netns && !flag('update-source') && !flag('interface')) {
        warnings.push(
          `${where}: neighbor ${n.name} has no update-source; outside a network namespace its connections come from ` +
            `127.0.0.1, not ${spec.listenAddress} (add \`neighbor ${n.name} update-source ${spec.listenAddress}\`)`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new DaemonError(
      'config',
      `FRR configuration ${file} (node ${spec.name}): bgpd runs without zebra (-Z), which needs:\n- ${problems.join('\n- ')}`,
    );
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// JSON conversion

interface FrrPath {
  aspath?: { string?: string; segments?: { type: string; list: number[] }[] };
  origin?: string;
  metric?: number;
  locPrf?: number;
  community?: { list?: string[]; string?: string };
  largeCommunity?: { list?: string[]; string?: string };
  nexthops?: { ip?: string; afi?: string; scope?: string; used?: boolean }[];
  peer?: { peerId?: string; routerId?: string; type?: string };
  bestpath?: { overall?: boolean };
  sourced?: boolean;
  local?: boolean;
}

const ORIGINS: Record<string, Origin> = { igp: 'IGP', egp: 'EGP', incomplete: 'INCOMPLETE', '?': 'INCOMPLETE' };

/** Converts `show bgp <afi> unicast json detail` to DaemonRoutes (locally originated paths left out). */
export function frrJsonToRoutes(json: unknown): DaemonRoute[] {
  const routes = (json as { routes?: Record<string, unknown[]> }).routes ?? {};
  const out: DaemonRoute[] = [];
  for (const [prefix, entries] of Object.entries(routes)) {
    for (const e of entries as FrrPath[]) {
      // FRR 8.4 puts a header object ({prefix, version, advertisedTo}) first in each array.
      if (!e.nexthops && !e.aspath) continue;
      if (e.sourced || e.local || !e.peer?.peerId || e.peer.peerId === '0.0.0.0' || e.peer.peerId === '::') continue;
      const nh = e.nexthops?.find((n) => n.scope !== 'link-local' && n.ip) ?? e.nexthops?.[0];
      const asPath: number[] = [];
      for (const seg of e.aspath?.segments ?? []) asPath.push(...seg.list);
      const r: DaemonRoute = {
        prefix: canonicalPrefix(prefix),
        nextHop: nh?.ip ? canonicalAddress(nh.ip) : '',
        asPath,
        origin: ORIGINS[(e.origin ?? 'incomplete').toLowerCase()] ?? 'INCOMPLETE',
        communities: (e.community?.list ?? []).map(normalizeCommunity),
        largeCommunities: (e.largeCommunity?.list ?? []).map(normalizeLargeCommunity),
        peer: canonicalAddress(e.peer.peerId),
        best: e.bestpath?.overall === true,
      };
      if (typeof e.metric === 'number') r.med = e.metric;
      if (typeof e.locPrf === 'number') r.localPref = e.locPrf;
      out.push(r);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Driver

export async function startFrr(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const note = noteFor(spec, 'frr');
  const conf = resolve(spec.configFile);
  const facts = analyzeFrrConfigText(readFileSync(conf, 'utf8'));
  for (const w of checkFrrConfig(facts, spec, conf)) note(`warning: ${w}`);
  const main = facts.instances.find((i) => !i.vrf) ?? facts.instances[0]!;

  const work = makeWorkDir(spec);
  checkSocketPath(join(work, 'bgpd.vty'), spec);
  const argv = [
    FRR_BGPD,
    '-f',
    conf,
    '-p',
    String(spec.listenPort === -1 ? 0 : spec.listenPort),
    '-l',
    spec.listenAddress,
    '-Z',
    '-S',
    '-P',
    '0',
    '--vty_socket',
    work,
    '-i',
    join(work, 'bgpd.pid'),
    '--log',
    'stdout',
  ];
  const proc = await ManagedProcess.start({
    label: `frr ${spec.name}`,
    argv,
    cwd: work,
    env: spec.env,
    netns: spec.netns,
    maxLifetimeSeconds: spec.maxLifetimeSeconds,
    log: spec.log,
    onExit: spec.onExit,
  });
  const exitedError = () =>
    proc.exited
      ? new DaemonError('exited', `frr ${spec.name} exited (${JSON.stringify(proc.exitStatus)})`, proc.recentOutput())
      : undefined;

  /** Runs vtysh with one -c per command; throws on "%" error lines (vtysh's error marker). */
  const vtysh = async (commands: string[], timeoutMs = 15_000): Promise<string> => {
    const e = exitedError();
    if (e) throw e;
    const r = await runCommand(['vtysh', '--vty_socket', work, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])], {
      timeoutMs,
    });
    const errors = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^%/.test(l.trim()));
    if (r.code !== 0 || errors.length > 0) {
      throw new DaemonError(
        'command',
        `frr ${spec.name}: vtysh ${commands.map((c) => `-c '${c}'`).join(' ')}: ${(errors.join('; ') || r.stderr || r.stdout).trim()} (exit ${r.code})`,
      );
    }
    return r.stdout;
  };
  const vtyJson = async (command: string): Promise<unknown> => {
    const out = await vtysh([command]);
    try {
      return JSON.parse(out);
    } catch {
      throw new DaemonError('command', `frr ${spec.name}: "${command}" did not return JSON: ${out.slice(0, 200)}`);
    }
  };

  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = chain.then(f, f);
    chain = next.catch(() => undefined);
    return next;
  };
  const routeMaps = new Map<string, string>(); // prefix -> route-map in use
  let mapCounter = 0;

  let readyPromise: Promise<void> | undefined;
  const handle: DaemonHandle = {
    ...processControls('frr', spec.name, proc),
    get exited() {
      return proc.exited;
    },
    ready(timeoutMs = 15_000) {
      readyPromise ??= (async () => {
        await pollUntil(
          `frr ${spec.name}: vty ${work}/bgpd.vty`,
          timeoutMs,
          async () => {
            await vtysh(['show bgp summary json'], 3000);
            return true;
          },
          { abort: exitedError },
        );
        await auditListeners(proc, spec, 'frr');
      })();
      return readyPromise;
    },
    async sessions(): Promise<DaemonSession[]> {
      const json = (await vtyJson('show bgp neighbors json')) as Record<
        string,
        { bgpState?: string; remoteAs?: number }
      >;
      return Object.entries(json).map(([neighbor, v]) => {
        const s: DaemonSession = {
          neighbor: canonicalAddress(neighbor),
          state: v.bgpState ?? 'unknown',
          established: v.bgpState === 'Established',
        };
        if (typeof v.remoteAs === 'number') s.remoteAs = v.remoteAs;
        return s;
      });
    },
    async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
      const out: DaemonRoute[] = [];
      for (const f of family ? [family] : (['ipv4', 'ipv6'] as const)) {
        out.push(...frrJsonToRoutes(await vtyJson(`show bgp ${f} unicast json detail`)));
      }
      return out;
    },
    announce(route: AnnounceRoute) {
      const { family, communities, largeCommunities } = checkAnnouncement(route);
      return serial(async () => {
        const name = `ARSLAB-ANNOUNCE-${++mapCounter}`;
        const sets = [
          family === 'ipv4' ? `set ip next-hop ${route.nextHop}` : `set ipv6 next-hop global ${route.nextHop}`,
          'set origin igp',
        ];
        if (communities.length > 0) sets.push(`set community ${communities.join(' ')}`);
        if (largeCommunities.length > 0) sets.push(`set large-community ${largeCommunities.join(' ')}`);
        if (route.asPathPrepend?.length) sets.push(`set as-path prepend ${route.asPathPrepend.join(' ')}`);
        if (route.med !== undefined) sets.push(`set metric ${route.med}`);
        await vtysh([
          'configure terminal',
          `route-map ${name} permit 10`,
          ...sets,
          'exit',
          `router bgp ${main.asn}${main.vrf ? ` vrf ${main.vrf}` : ''}`,
          `address-family ${family} unicast`,
          `network ${route.prefix} route-map ${name}`,
        ]);
        const old = routeMaps.get(route.prefix);
        routeMaps.set(route.prefix, name);
        if (old) await vtysh(['configure terminal', `no route-map ${old}`]);
      });
    },
    withdraw(prefix: string) {
      const family = checkPrefix(prefix);
      return serial(async () => {
        const old = routeMaps.get(prefix);
        if (!old) return;
        await vtysh([
          'configure terminal',
          `router bgp ${main.asn}${main.vrf ? ` vrf ${main.vrf}` : ''}`,
          `address-family ${family} unicast`,
          `no network ${prefix}`,
          'exit-address-family',
          'exit',
          `no route-map ${old}`,
        ]);
        routeMaps.delete(prefix);
      });
    },
    command(text: string): Promise<string> {
      return vtysh(
        text
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
        30_000,
      );
    },
  };
  return handle;
}
