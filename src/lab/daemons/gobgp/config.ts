/**
 * @module lab/daemons/gobgp/config
 * GoBGP's global section (TOML, YAML or JSON): AS, router id, port, local addresses, and the
 * checks against where the spec says the daemon runs.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DaemonError, type DaemonSpec } from '../types.js';
import { isLoopbackAddress } from '../process.js';
import { canonicalAddress } from '../common.js';

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
