/**
 * @module lab/daemons/common
 * Daemon-independent helpers: normalising what the daemons print (communities, prefixes),
 * validating what callers ask for, polling.
 */
import { isIP } from 'node:net';
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonError, type AddressFamily, type AnnounceRoute, type DaemonSpec } from './types.js';
import { sleep, isLoopbackAddress, type ManagedProcess } from './process.js';

/**
 * Well-known communities (RFC 1997, 7611, 7999, 8326, 8642, 9494...) under the names the
 * daemons print them: FRR JSON ("noAdvertise"), FRR text and ExaBGP ("no-advertise"), GoBGP
 * ("NO_ADVERTISE"). Keys are lower case without separators.
 */
const WELL_KNOWN: Record<string, string> = {
  internet: '0:0',
  gshut: '65535:0',
  gracefulshutdown: '65535:0',
  acceptown: '65535:1',
  routefiltertranslatedv4: '65535:2',
  routefilterv4: '65535:3',
  routefiltertranslatedv6: '65535:4',
  routefilterv6: '65535:5',
  llgrstale: '65535:6',
  nollgr: '65535:7',
  acceptownnexthop: '65535:8',
  acceptownnh: '65535:8',
  blackhole: '65535:666',
  noexport: '65535:65281',
  noadvertise: '65535:65282',
  noexportsubconfed: '65535:65283',
  localas: '65535:65283',
  nopeer: '65535:65284',
};

/** "65517:65517", "(65517,65517)", "no-advertise", "noAdvertise", 4294967042 -> "hi:lo". */
export function normalizeCommunity(value: string | number): string {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`bad community ${value}`);
    return `${Math.floor(n / 65536)}:${n % 65536}`;
  }
  const text = value
    .trim()
    .replace(/^\(\s*/, '')
    .replace(/\s*\)$/, '');
  const m = /^(\d+)\s*[:,]\s*(\d+)$/.exec(text);
  if (m) return `${Number(m[1])}:${Number(m[2])}`;
  const known = WELL_KNOWN[text.toLowerCase().replace(/[-_\s]/g, '')];
  if (known) return known;
  throw new Error(`unrecognised community "${value}"`);
}

/** "65002:0:1", "(65002, 0, 1)" -> "65002:0:1". */
export function normalizeLargeCommunity(value: string): string {
  const m = /^\(?\s*(\d+)\s*[:,]\s*(\d+)\s*[:,]\s*(\d+)\s*\)?$/.exec(value.trim());
  if (!m) throw new Error(`unrecognised large community "${value}"`);
  return `${Number(m[1])}:${Number(m[2])}:${Number(m[3])}`;
}

/** Canonical text of an IPv6 address (RFC 5952): lower case, longest zero run compressed. */
export function canonicalIpv6(address: string): string {
  let head = address.toLowerCase();
  let tailV4: number[] | undefined;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (v4) {
    tailV4 = v4[1]!.split('.').map(Number);
    head = head.slice(0, -v4[1]!.length) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const l = left ? left.split(':') : [];
  const r = right === undefined ? [] : right ? right.split(':') : [];
  const fill = right === undefined ? 0 : 8 - l.length - r.length;
  const groups = [...l, ...Array<string>(fill).fill('0'), ...r].map((g) => parseInt(g, 16));
  if (tailV4) {
    groups[6] = (tailV4[0]! << 8) | tailV4[1]!;
    groups[7] = (tailV4[2]! << 8) | tailV4[3]!;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function canonicalAddress(address: string): string {
  return isIP(address) === 6 ? canonicalIpv6(address) : address;
}

export function canonicalPrefix(prefix: string): string {
  const [addr, len] = prefix.split('/');
  return `${canonicalAddress(addr!)}/${len}`;
}

export function familyOfPrefix(prefix: string): AddressFamily {
  return prefix.includes(':') ? 'ipv6' : 'ipv4';
}

/** Checks a prefix ("a.b.c.d/n", "x::/n"); throws DaemonError('usage'). */
export function checkPrefix(prefix: string): AddressFamily {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(prefix);
  const v = m ? isIP(m[1]!) : 0;
  if (!m || v === 0 || Number(m[2]) > (v === 4 ? 32 : 128)) {
    throw new DaemonError('usage', `"${prefix}" is not a prefix (expected 10.2.0.0/16 or 2001:db8::/32)`);
  }
  return v === 4 ? 'ipv4' : 'ipv6';
}

/** Validates an announcement and returns its family, with normalised communities. */
export function checkAnnouncement(route: AnnounceRoute): {
  family: AddressFamily;
  communities: string[];
  largeCommunities: string[];
} {
  const family = checkPrefix(route.prefix);
  const nh = isIP(route.nextHop);
  if (nh !== (family === 'ipv4' ? 4 : 6)) {
    throw new DaemonError('usage', `next hop "${route.nextHop}" is not an ${family} address (prefix ${route.prefix})`);
  }
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new DaemonError('usage', (err as Error).message);
    }
  };
  const communities = wrap(() => (route.communities ?? []).map(normalizeCommunity));
  const largeCommunities = wrap(() => (route.largeCommunities ?? []).map(normalizeLargeCommunity));
  for (const asn of route.asPathPrepend ?? []) {
    if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) throw new DaemonError('usage', `bad ASN ${asn}`);
  }
  if (route.med !== undefined && (!Number.isInteger(route.med) || route.med < 0 || route.med > 0xffffffff)) {
    throw new DaemonError('usage', `bad MED ${route.med}`);
  }
  return { family, communities, largeCommunities };
}

/** Validates the parts of a spec every driver relies on (the work directory is created at spawn time). */
export function prepareSpec(spec: DaemonSpec): void {
  if (!spec.name) throw new DaemonError('usage', 'DaemonSpec.name is empty');
  if (!existsSync(spec.configFile)) {
    throw new DaemonError('config', `${spec.name}: configuration file ${spec.configFile} does not exist`);
  }
  if (isIP(spec.listenAddress) === 0) {
    throw new DaemonError('usage', `${spec.name}: listenAddress "${spec.listenAddress}" is not an IP address`);
  }
  if (!Number.isInteger(spec.listenPort) || spec.listenPort < -1 || spec.listenPort > 65535 || spec.listenPort === 0) {
    throw new DaemonError(
      'usage',
      `${spec.name}: listenPort ${spec.listenPort} (expected 1..65535, or -1 not to listen)`,
    );
  }
}

/** Creates the work directory (once the configuration passed its checks) and returns its absolute path. */
export function makeWorkDir(spec: DaemonSpec): string {
  const dir = resolve(spec.workDir);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** AF_UNIX paths are limited to 107 bytes: fail early with a clear message. */
export function checkSocketPath(path: string, spec: DaemonSpec): string {
  const abs = resolve(path);
  if (Buffer.byteLength(abs) > 107) {
    throw new DaemonError(
      'usage',
      `${spec.name}: control socket path ${abs} is longer than the 107 bytes AF_UNIX allows; use a shorter workDir`,
    );
  }
  return abs;
}

/** Polls `probe` until it returns a value other than undefined, or throws on timeout. */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  opts: { intervalMs?: number; abort?: () => Error | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = opts.abort?.();
    if (aborted) throw aborted;
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new DaemonError('timeout', `${what}: not within ${timeoutMs} ms${detail}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

/**
 * Directory of the helper scripts (src/lab/daemons/helpers). They are not compiled, so from
 * dist/ we walk up to the repository root.
 */
export function helpersDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    for (const candidate of [join(dir, 'helpers'), join(dir, 'src', 'lab', 'daemons', 'helpers')]) {
      if (existsSync(join(candidate, 'exabgp-cmd-pipe.py'))) return candidate;
    }
    dir = dirname(dir);
  }
  throw new DaemonError('spawn', 'cannot find src/lab/daemons/helpers (exabgp-cmd-pipe.py)');
}

/** Strips comments from a configuration text, keeping line structure (for line numbers). */
export function stripComments(text: string, styles: { hash?: boolean; cBlock?: boolean; bang?: boolean }): string {
  let out = '';
  let i = 0;
  let inString: string | undefined;
  while (i < text.length) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c === inString) inString = undefined;
      i++;
      continue;
    }
    if (c === '"') {
      inString = c;
      out += c;
      i++;
      continue;
    }
    if (styles.cBlock && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const body = end < 0 ? text.slice(i) : text.slice(i, end + 2);
      out += body.replace(/[^\n]/g, ' ');
      i += body.length;
      continue;
    }
    if ((styles.hash && c === '#') || (styles.bang && c === '!')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** A logger for the driver's own notes about node `spec.name`. */
export function noteFor(spec: DaemonSpec, kind: string): (text: string) => void {
  return (text) => spec.log?.(`arslab: ${kind} ${spec.name}: ${text}`);
}

/**
 * Outside a network namespace nothing may listen beyond loopback: checks the daemon's listening
 * sockets, stops it and throws when one is bound elsewhere (0.0.0.0, ::, a real address).
 */
export async function auditListeners(proc: ManagedProcess, spec: DaemonSpec, kind: string): Promise<void> {
  const listeners = proc.listeningSockets();
  const note = noteFor(spec, kind);
  if (spec.netns) return;
  const bad = listeners.filter((l) => !isLoopbackAddress(l.address));
  if (bad.length > 0) {
    await proc.stop(1000).catch(() => undefined);
    throw new DaemonError(
      'listen',
      `${kind} ${spec.name} listens on ${bad.map((l) => `${l.address}:${l.port}`).join(', ')}: outside a network ` +
        `namespace a daemon may listen on 127.0.0.0/8 only (bind it to ${spec.listenAddress}); it was stopped.`,
      proc.recentOutput(),
    );
  }
  if (spec.listenPort > 0 && !listeners.some((l) => l.address === spec.listenAddress && l.port === spec.listenPort)) {
    note(
      `warning: not listening on ${spec.listenAddress}:${spec.listenPort} (listening on: ${listeners.map((l) => `${l.address}:${l.port}`).join(', ') || 'nothing'})`,
    );
  }
}

/** Splits a command line into arguments, honouring single and double quotes. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}
