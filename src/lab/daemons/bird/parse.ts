/**
 * @module lab/daemons/bird/parse
 * BIRD has no machine-readable output: `show protocols all` and `show route ... all` as
 * birdc prints them (reply codes removed), parsed into the drivers' shapes.
 */
import type { DaemonRoute, Origin } from '../types.js';
import { canonicalAddress, canonicalPrefix, normalizeCommunity, normalizeLargeCommunity } from '../common.js';

export interface BirdProtocol {
  name: string;
  proto: string;
  table: string;
  state: string;
  info: string;
  bgpState?: string;
  neighborAddress?: string;
  neighborAs?: number;
  localAs?: number;
  lastError?: string;
  channels: { name: string; table?: string; state?: string }[];
}

/** Parses `show protocols all`. */
export function parseBirdProtocols(text: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  let cur: BirdProtocol | undefined;
  let channel: BirdProtocol['channels'][number] | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || /^BIRD .* ready\.$/.test(line) || /^Name\s+Proto\s+Table/.test(line)) continue;
    if (!/^\s/.test(line)) {
      const f = line.trim().split(/\s+/);
      // name proto table state since... info: `since` may be one or two words (timeformat).
      const rest = f.slice(4).join(' ');
      const info = rest.replace(/^\S+(\s+\d\d:\d\d:\d\d(\.\d+)?)?\s*/, '');
      cur = { name: f[0]!, proto: f[1] ?? '', table: f[2] ?? '', state: f[3] ?? '', info: info.trim(), channels: [] };
      channel = undefined;
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    const ch = /^Channel\s+(\S+)$/.exec(t);
    if (ch) {
      channel = { name: ch[1]! };
      cur.channels.push(channel);
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9 ./-]*?):\s+(.*)$/.exec(t);
    if (!kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (channel) {
      if (key === 'Table') channel.table = value;
      else if (key === 'State') channel.state = value;
      continue;
    }
    if (key === 'BGP state') cur.bgpState = value;
    else if (key === 'Neighbor address') cur.neighborAddress = value.split(/\s|%/)[0]!;
    else if (key === 'Neighbor AS') cur.neighborAs = Number(value);
    else if (key === 'Local AS') cur.localAs = Number(value);
    else if (key === 'Last error') cur.lastError = value;
  }
  return out;
}

export interface BirdRouteEntry {
  table: string;
  prefix: string;
  protocol: string;
  from?: string;
  primary: boolean;
  /** "unicast", "blackhole", "unreachable"... */
  type: string;
  /** The route source type line ("BGP univ", "static univ"). */
  source?: string;
  attrs: Map<string, string>;
}

const ROUTE_HEAD =
  /^(\S+)?\s+(unicast|blackhole|unreachable|prohibit|multicast|[a-z]+)\s+\[([^\s\]]+)(?:\s+([^\]]*?))?(?:\s+from\s+([0-9a-fA-F:.]+))?\]\s*(\*)?\s*\((\d+)(?:\/[^)]*)?\)/;

/** Parses `show route [table T] all` into entries (one per path). */
export function parseBirdRoutes(text: string): BirdRouteEntry[] {
  const out: BirdRouteEntry[] = [];
  let table = '';
  let prefix = '';
  let cur: BirdRouteEntry | undefined;
  let lastAttr: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || /^BIRD .* ready\.$/.test(line)) continue;
    const tm = /^\s*Table\s+(\S+):\s*$/.exec(line);
    if (tm) {
      table = tm[1]!;
      continue;
    }
    const head = ROUTE_HEAD.exec(line);
    if (head && !line.startsWith('\t')) {
      if (head[1]) prefix = head[1];
      cur = { table, prefix, protocol: head[3]!, primary: head[6] === '*', type: head[2]!, attrs: new Map() };
      if (head[5]) cur.from = head[5];
      out.push(cur);
      lastAttr = undefined;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('\t\t') && lastAttr) {
      // Long sets continue on lines indented by two tabs.
      cur.attrs.set(lastAttr, `${cur.attrs.get(lastAttr)} ${line.trim()}`);
      continue;
    }
    const t = line.trim();
    const type = /^Type:\s+(.*)$/.exec(t);
    if (type) {
      cur.source = type[1]!;
      lastAttr = undefined;
      continue;
    }
    const attr = /^([A-Za-z][\w.]*):\s?(.*)$/.exec(t);
    if (attr) {
      lastAttr = attr[1]!;
      cur.attrs.set(lastAttr, attr[2]!.trim());
      continue;
    }
    const via = /^via\s+(\S+)/.exec(t);
    if (via && !cur.attrs.has('via')) cur.attrs.set('via', via[1]!);
    lastAttr = undefined;
  }
  return out;
}

const ORIGINS: Record<string, Origin> = { igp: 'IGP', egp: 'EGP', incomplete: 'INCOMPLETE' };

/** Converts parsed BGP entries to DaemonRoutes; `neighbors` maps protocol name to neighbour address. */
export function birdEntriesToRoutes(entries: BirdRouteEntry[], neighbors: Map<string, string>): DaemonRoute[] {
  const out: DaemonRoute[] = [];
  for (const e of entries) {
    if (!neighbors.has(e.protocol) && !/^BGP\b/.test(e.source ?? '')) continue;
    const a = e.attrs;
    const nh = (a.get('BGP.next_hop') ?? '').split(/\s+/)[0] ?? '';
    const r: DaemonRoute = {
      prefix: canonicalPrefix(e.prefix),
      nextHop: nh ? canonicalAddress(nh) : '',
      asPath: (a.get('BGP.as_path') ?? '').match(/\d+/g)?.map(Number) ?? [],
      origin: ORIGINS[(a.get('BGP.origin') ?? 'incomplete').toLowerCase()] ?? 'INCOMPLETE',
      communities: [...(a.get('BGP.community') ?? '').matchAll(/\(\s*\d+\s*,\s*\d+\s*\)/g)].map((m) =>
        normalizeCommunity(m[0]),
      ),
      largeCommunities: [...(a.get('BGP.large_community') ?? '').matchAll(/\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)/g)].map(
        (m) => normalizeLargeCommunity(m[0]),
      ),
      best: e.primary,
    };
    const med = a.get('BGP.med');
    if (med !== undefined && /^\d+$/.test(med)) r.med = Number(med);
    const lp = a.get('BGP.local_pref');
    if (lp !== undefined && /^\d+$/.test(lp)) r.localPref = Number(lp);
    const peer = e.from ?? neighbors.get(e.protocol);
    if (peer) r.peer = canonicalAddress(peer);
    out.push(r);
  }
  return out;
}
