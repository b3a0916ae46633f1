/**
 * @module lab/daemons/exec/control
 * A user-given command line, with the lab's values put in: `{config}` (the configuration file
 * the mode runs: verbatim in netns mode, the loopback variant in loopback mode), `{address}`
 * and `{port}` (where the daemon must listen), `{workdir}` (its private folder), `{name}`.
 * And a reader for what a user's route-listing command prints, for `node routes`.
 */
import { isIP } from 'node:net';
import { DaemonError, type DaemonRoute, type Origin } from '../types.js';
import { canonicalAddress, canonicalPrefix, splitArgs } from '../common.js';

export type CommandValues = Readonly<Record<'config' | 'address' | 'port' | 'workdir' | 'name', string>>;

/** Splits a command line (quotes honoured) and puts the values in; an unknown `{x}` is an error. */
export function fillCommand(text: string, values: CommandValues): string[] {
  const argv = splitArgs(text).map((arg) =>
    arg.replace(/\{(\w+)\}/g, (all, key: string) => {
      const v = (values as Record<string, string>)[key];
      if (v === undefined)
        throw new DaemonError(
          'usage',
          `${all} in "${text}" is not a value ARSLab fills in (known: {config}, {address}, {port}, {workdir}, {name})`,
        );
      return v;
    }),
  );
  if (argv.length === 0) throw new DaemonError('usage', 'the command line is empty');
  return argv;
}

const ORIGINS: Record<string, Origin> = {
  i: 'IGP',
  igp: 'IGP',
  e: 'EGP',
  egp: 'EGP',
  '?': 'INCOMPLETE',
  incomplete: 'INCOMPLETE',
};

/**
 * What a route-listing command printed, as routes: JSON (OpenBGPD's `bgpctl -j show rib`: a
 * `rib` list of objects with `prefix`, `exit_nexthop` or `true_nexthop`, `aspath`, `origin`,
 * `best`; or any list of objects with `prefix` and `nexthop`), else text, one route per line
 * that holds a prefix: its first address after the prefix is the next hop, the origin code
 * (`i`, `e`, `?`) ending the line its origin, a `>` before the prefix the best. A text AS path
 * is not read: the metric, preference and weight columns before it are numbers too, and
 * which of them a daemon prints varies (JSON is unambiguous).
 */
export function parseRouteListing(output: string): DaemonRoute[] {
  const text = output.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (json !== undefined) return fromJson(json);
  }
  const out: DaemonRoute[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const at = words.findIndex((w) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(w) && isIP(w.split('/')[0]!) !== 0);
    if (at < 0) continue;
    const rest = words.slice(at + 1);
    const nh = rest.find((w) => isIP(w) !== 0) ?? '';
    const last = rest[rest.length - 1] ?? '';
    out.push({
      prefix: canonicalPrefix(words[at]!),
      nextHop: nh ? canonicalAddress(nh) : '',
      asPath: [],
      origin: ORIGINS[last] ?? 'INCOMPLETE',
      communities: [],
      largeCommunities: [],
      best: words.slice(0, at).some((w) => w.includes('>')),
    });
  }
  return out;
}

function fromJson(json: unknown): DaemonRoute[] {
  const list = Array.isArray(json) ? json : ((json as { rib?: unknown })?.rib ?? []);
  if (!Array.isArray(list)) return [];
  const out: DaemonRoute[] = [];
  for (const x of list as Record<string, unknown>[]) {
    if (typeof x?.['prefix'] !== 'string') continue;
    const nh = String(x['exit_nexthop'] ?? x['true_nexthop'] ?? x['nexthop'] ?? '');
    const path =
      String(x['aspath'] ?? '')
        .match(/\d+/g)
        ?.map(Number) ?? [];
    const origin = ORIGINS[String(x['origin'] ?? '').toLowerCase()] ?? 'INCOMPLETE';
    const neighbor = x['neighbor'] as { remote_addr?: string } | undefined;
    out.push({
      prefix: canonicalPrefix(x['prefix']),
      nextHop: isIP(nh) !== 0 ? canonicalAddress(nh) : '',
      asPath: path,
      origin,
      communities: [],
      largeCommunities: [],
      ...(neighbor?.remote_addr && isIP(neighbor.remote_addr) !== 0
        ? { peer: canonicalAddress(neighbor.remote_addr) }
        : {}),
      best: x['best'] === true,
    });
  }
  return out;
}
