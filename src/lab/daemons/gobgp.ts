/**
 * @module lab/daemons/gobgp
 * GoBGP driver.
 *
 * Start: `gobgpd -f CONF -t toml|yaml|json --api-hosts unix://WORK/gobgp.sock --pprof-disable -p`.
 * The gRPC API is put on a Unix socket in the work directory rather than on a TCP port: no
 * free-port hunting (and no race with another instance picking the same port), nothing more
 * listening on TCP, and the socket is reachable from outside the instance's network namespace
 * (a 127.0.0.1 port inside a namespace is not). `gobgp --target unix://...` talks to it.
 *
 * Listening: gobgpd takes its BGP listen address and port from the configuration only
 * (`[global.config] port`, `local-address-list`); there is no command-line override. The
 * spec's listenAddress/listenPort are therefore checks: a mismatch is a warning, and outside
 * a network namespace a configuration that would listen on every address (no
 * local-address-list) is refused with the line to add. After start, `gobgp global -j` (the
 * daemon's own view) is compared again and the listening sockets are audited.
 *
 * Control: `gobgp -j` JSON (`neighbor`, `global rib`); announce/withdraw with
 * `gobgp global rib add|del`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
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
import { isLoopbackAddress, ManagedProcess, runCommand } from './process.js';
import {
  auditListeners,
  canonicalAddress,
  canonicalPrefix,
  checkAnnouncement,
  checkPrefix,
  checkSocketPath,
  noteFor,
  normalizeCommunity,
  pollUntil,
  makeWorkDir,
  prepareSpec,
  processControls,
} from './common.js';

export type GobgpConfigType = 'toml' | 'yaml' | 'json';

export interface GobgpGlobalConfig {
  as?: number;
  routerId?: string;
  /** Absent: GoBGP's default 179. -1: does not listen. */
  port?: number;
  /** Absent: every address. */
  localAddressList?: string[];
}

export function gobgpConfigType(file: string): GobgpConfigType {
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : ext === '.json' ? 'json' : 'toml';
}

/** Parses one TOML value of the forms GoBGP configurations use: integers, strings, arrays of them. */
function tomlValue(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('[')) {
    const inner = t.slice(1, t.lastIndexOf(']'));
    return [...inner.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(-?\d+)/g)].map((m) =>
      m[3] !== undefined ? Number(m[3]) : (m[1] ?? m[2]),
    );
  }
  const s = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(t);
  if (s) return s[1] ?? s[2];
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return t;
}

/**
 * Reads `[global.config]` of a GoBGP TOML file: only the keys the driver checks. A deliberately
 * small reader (no TOML dependency): table headers and `key = value` lines, multi-line arrays
 * joined; `#` comments outside strings removed.
 */
export function readGobgpTomlGlobal(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/(^|[^"'])#.*$/, '$1').trim();
    if (!line) continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      section = header[1]!.replace(/\s+/g, '');
      continue;
    }
    const kv = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    let value = kv[2]!;
    // Multi-line array: keep reading until the brackets balance.
    while (
      value.trim().startsWith('[') &&
      (value.match(/\[/g)?.length ?? 0) > (value.match(/]/g)?.length ?? 0) &&
      i + 1 < lines.length
    ) {
      line = lines[++i]!.replace(/(^|[^"'])#.*$/, '$1').trim();
      value += ' ' + line;
    }
    const key = `${section}.${kv[1]}`.replace(/^\./, '');
    if (key.startsWith('global.config.')) out[key.slice('global.config.'.length)] = tomlValue(value);
  }
  return out;
}

/** The global settings of a GoBGP configuration in any of its three formats. */
export function readGobgpGlobal(file: string, type: GobgpConfigType = gobgpConfigType(file)): GobgpGlobalConfig {
  const text = readFileSync(file, 'utf8');
  let raw: Record<string, unknown>;
  if (type === 'toml') raw = readGobgpTomlGlobal(text);
  else {
    const doc = (type === 'yaml' ? parseYaml(text) : JSON.parse(text)) as Record<string, unknown> | null;
    // Viper matches keys case-insensitively.
    const pick = (o: unknown, k: string): unknown => {
      if (!o || typeof o !== 'object') return undefined;
      const hit = Object.keys(o).find((x) => x.toLowerCase() === k);
      return hit === undefined ? undefined : (o as Record<string, unknown>)[hit];
    };
    raw = (pick(pick(doc, 'global'), 'config') as Record<string, unknown> | undefined) ?? {};
    raw = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
  }
  const g: GobgpGlobalConfig = {};
  const as = raw['as'];
  if (typeof as === 'number') g.as = as;
  const rid = raw['router-id'] ?? raw['routerid'];
  if (typeof rid === 'string') g.routerId = rid;
  const port = raw['port'];
  if (typeof port === 'number') g.port = port;
  const lal = raw['local-address-list'] ?? raw['localaddresslist'];
  if (Array.isArray(lal)) g.localAddressList = lal.map(String);
  return g;
}

/** Returns warnings; throws DaemonError('config') when the daemon would listen beyond loopback. */
export function checkGobgpGlobal(g: GobgpGlobalConfig, spec: DaemonSpec): string[] {
  const warnings: string[] = [];
  const port = g.port ?? 179;
  const listens = port !== -1;
  if (!spec.netns && listens) {
    const addrs = g.localAddressList ?? [];
    const wide = addrs.length === 0 || addrs.some((a) => !isLoopbackAddress(a));
    if (wide) {
      throw new DaemonError(
        'config',
        `GoBGP configuration ${spec.configFile} (node ${spec.name}): gobgpd would listen on ` +
          `${addrs.length === 0 ? 'every address' : addrs.join(', ')} port ${port}. Outside a network namespace add ` +
          `under [global.config]:\n    local-address-list = ["${spec.listenAddress}"]\n(or \`port = -1\` not to listen)`,
      );
    }
  }
  if (spec.listenPort !== port) {
    warnings.push(
      spec.listenPort === -1
        ? `[global.config] port = ${port}: gobgpd listens (set port = -1 not to)`
        : `[global.config] port = ${port}, not ${spec.listenPort}`,
    );
  }
  if (
    listens &&
    g.localAddressList &&
    !g.localAddressList.map(canonicalAddress).includes(canonicalAddress(spec.listenAddress))
  ) {
    warnings.push(
      `[global.config] local-address-list = ${JSON.stringify(g.localAddressList)} does not hold ${spec.listenAddress}`,
    );
  }
  if (spec.routerId && g.routerId && g.routerId !== spec.routerId) {
    warnings.push(`[global.config] router-id = "${g.routerId}", ${spec.routerId} expected`);
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// JSON conversion

interface GobgpAttr {
  type: number;
  value?: unknown;
  as_paths?: { segment_type: number; asns?: number[] }[];
  nexthop?: string;
  metric?: number;
  communities?: number[];
}

interface GobgpPath {
  nlri?: { prefix?: string };
  best?: boolean;
  attrs?: GobgpAttr[];
  'neighbor-ip'?: string;
}

const ORIGINS: Origin[] = ['IGP', 'EGP', 'INCOMPLETE'];

/** Converts `gobgp global rib -j` to DaemonRoutes: paths with a neighbour (locally added ones left out). */
export function gobgpRibToRoutes(json: unknown): DaemonRoute[] {
  const out: DaemonRoute[] = [];
  for (const [prefix, paths] of Object.entries((json ?? {}) as Record<string, GobgpPath[]>)) {
    for (const p of paths) {
      const peer = p['neighbor-ip'];
      if (!peer) continue;
      const r: DaemonRoute = {
        prefix: canonicalPrefix(p.nlri?.prefix ?? prefix),
        nextHop: '',
        asPath: [],
        origin: 'INCOMPLETE',
        communities: [],
        largeCommunities: [],
        peer: canonicalAddress(peer),
        best: p.best === true,
      };
      for (const a of p.attrs ?? []) {
        switch (a.type) {
          case 1:
            r.origin = ORIGINS[Number(a.value)] ?? 'INCOMPLETE';
            break;
          case 2:
            for (const seg of a.as_paths ?? []) r.asPath.push(...(seg.asns ?? []));
            break;
          case 3:
          case 14: // MP_REACH_NLRI: the IPv6 next hop
            if (a.nexthop && !r.nextHop) r.nextHop = canonicalAddress(a.nexthop);
            break;
          case 4:
            if (typeof a.metric === 'number') r.med = a.metric;
            break;
          case 5:
            if (typeof a.value === 'number') r.localPref = a.value;
            break;
          case 8:
            r.communities = (a.communities ?? []).map(normalizeCommunity);
            break;
          case 32:
            r.largeCommunities = ((a.value ?? []) as { ASN: number; LocalData1: number; LocalData2: number }[]).map(
              (l) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`,
            );
            break;
        }
      }
      out.push(r);
    }
  }
  return out;
}

/** GoBGP's session states (apipb.PeerState.SessionState) as numbers or names. */
const SESSION_STATES = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

export function gobgpNeighborsToSessions(json: unknown): DaemonSession[] {
  return (
    (json ?? []) as {
      conf?: { neighbor_address?: string; peer_asn?: number };
      state?: { session_state?: number | string; peer_asn?: number };
    }[]
  ).map((n) => {
    const raw = n.state?.session_state;
    const state =
      typeof raw === 'number' ? (SESSION_STATES[raw] ?? String(raw)) : String(raw ?? 'unknown').toLowerCase();
    const s: DaemonSession = {
      neighbor: canonicalAddress(n.conf?.neighbor_address ?? ''),
      state,
      established: state === 'established',
    };
    const asn = n.state?.peer_asn ?? n.conf?.peer_asn;
    if (typeof asn === 'number') s.remoteAs = asn;
    return s;
  });
}

/** Splits a command line into arguments, honouring single and double quotes. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Driver

export async function startGobgp(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const note = noteFor(spec, 'gobgp');
  const conf = resolve(spec.configFile);
  const type = gobgpConfigType(conf);
  let global: GobgpGlobalConfig;
  try {
    global = readGobgpGlobal(conf, type);
  } catch (err) {
    throw new DaemonError(
      'config',
      `GoBGP configuration ${conf}: cannot read it as ${type}: ${(err as Error).message}`,
    );
  }
  for (const w of checkGobgpGlobal(global, spec)) note(`warning: ${w}`);

  const work = makeWorkDir(spec);
  const sock = checkSocketPath(join(work, 'gobgp.sock'), spec);
  // A socket file left by an instance that was killed makes gobgpd fail with EADDRINUSE.
  rmSync(sock, { force: true });
  const target = `unix://${sock}`;
  const proc = await ManagedProcess.start({
    label: `gobgp ${spec.name}`,
    argv: ['gobgpd', '-f', conf, '-t', type, '--api-hosts', target, '--pprof-disable', '-p'],
    cwd: work,
    env: spec.env,
    netns: spec.netns,
    maxLifetimeSeconds: spec.maxLifetimeSeconds,
    log: spec.log,
    onExit: spec.onExit,
  });
  const exitedError = () =>
    proc.exited
      ? new DaemonError('exited', `gobgp ${spec.name} exited (${JSON.stringify(proc.exitStatus)})`, proc.recentOutput())
      : undefined;

  const gobgp = async (args: string[], timeoutMs = 15_000): Promise<string> => {
    const e = exitedError();
    if (e) throw e;
    const r = await runCommand(['gobgp', '--target', target, ...args], { timeoutMs });
    if (r.code !== 0) {
      throw new DaemonError(
        'command',
        `gobgp ${spec.name}: gobgp ${args.join(' ')}: ${(r.stderr || r.stdout).trim()} (exit ${r.code})`,
      );
    }
    return r.stdout;
  };
  const gobgpJson = async (args: string[]): Promise<unknown> => {
    const out = await gobgp([...args, '-j']);
    try {
      return JSON.parse(out);
    } catch {
      throw new DaemonError(
        'command',
        `gobgp ${spec.name}: ${args.join(' ')} -j did not return JSON: ${out.slice(0, 200)}`,
      );
    }
  };

  let readyPromise: Promise<void> | undefined;
  const handle: DaemonHandle = {
    ...processControls('gobgp', spec.name, proc),
    get exited() {
      return proc.exited;
    },
    ready(timeoutMs = 15_000) {
      readyPromise ??= (async () => {
        // The API answers before the configuration is applied: wait for the global AS.
        const g = await pollUntil(
          `gobgp ${spec.name}: API ${target}`,
          timeoutMs,
          async () => {
            const j = (await gobgpJson(['global'])) as {
              asn?: number;
              router_id?: string;
              listen_port?: number;
              listen_addresses?: string[];
            };
            return j.asn ? j : undefined;
          },
          { abort: exitedError },
        );
        if (spec.routerId && g.router_id && g.router_id !== spec.routerId)
          note(`warning: router id ${g.router_id}, ${spec.routerId} expected`);
        await auditListeners(proc, spec, 'gobgp');
      })();
      return readyPromise;
    },
    async sessions(): Promise<DaemonSession[]> {
      return gobgpNeighborsToSessions(await gobgpJson(['neighbor']));
    },
    async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
      const out: DaemonRoute[] = [];
      for (const f of family ? [family] : (['ipv4', 'ipv6'] as const)) {
        out.push(...gobgpRibToRoutes(await gobgpJson(['global', 'rib', '-a', f])));
      }
      return out;
    },
    async announce(route: AnnounceRoute): Promise<void> {
      const { family, communities, largeCommunities } = checkAnnouncement(route);
      // Adding a prefix again replaces the locally originated path: no withdraw needed first.
      const args = ['global', 'rib', 'add', '-a', family, route.prefix, 'nexthop', route.nextHop, 'origin', 'igp'];
      if (communities.length > 0) args.push('community', communities.join(','));
      if (largeCommunities.length > 0) args.push('large-community', largeCommunities.join(','));
      // GoBGP prepends its own AS towards eBGP peers, so the path given is what follows it.
      if (route.asPathPrepend?.length) args.push('aspath', route.asPathPrepend.join(' '));
      if (route.med !== undefined) args.push('med', String(route.med));
      await gobgp(args);
    },
    async withdraw(prefix: string): Promise<void> {
      const family = checkPrefix(prefix);
      try {
        await gobgp(['global', 'rib', 'del', '-a', family, prefix]);
      } catch (err) {
        // Withdrawing what is not announced is not an error.
        if (!/not (found|in table)/i.test((err as Error).message)) throw err;
      }
    },
    command(text: string): Promise<string> {
      return gobgp(splitArgs(text), 30_000);
    },
  };
  return handle;
}
