/**
 * @module lab/daemons/bird
 * BIRD 2 driver.
 *
 * Start: `bird -f -c WORK/bird.conf -s WORK/bird.ctl -P WORK/bird.pid`. WORK/bird.conf is a
 * wrapper rendered by us: `include "<the user's file>";` (verbatim, so BIRD's own messages
 * point at the user's lines), `log stderr all;` (BIRD otherwise logs to syslog only), and the
 * static protocols holding what announce() added. `configure` re-reads both.
 *
 * Control: BIRD's CLI protocol spoken directly on the control socket (what birdc does): one
 * connection per command, replies are lines "CODE-text" (more follows), " text" (continuation)
 * and "CODE text" (last). BIRD has no machine-readable output, so `show protocols all` and
 * `show route ... all` are parsed as text (parseBirdProtocols, parseBirdRoutes below).
 *
 * Listening: BIRD takes the listen address and port from the configuration only (`local ADDR
 * port N`), and without `strict bind yes` binds *:PORT: that exposes the daemon outside
 * loopback and collides with any other listener on that port ("No listening socket"). Outside
 * a network namespace a protocol lacking `strict bind yes` is therefore refused at start, with
 * the exact line to add; listenAddress/listenPort of the spec are checked (warnings).
 */
import { createConnection } from 'node:net';
import { readFileSync, writeFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
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
import { ManagedProcess, sleep } from './process.js';
import {
  canonicalAddress,
  canonicalPrefix,
  checkAnnouncement,
  checkPrefix,
  checkSocketPath,
  familyOfPrefix,
  normalizeCommunity,
  normalizeLargeCommunity,
  pollUntil,
  makeWorkDir,
  prepareSpec,
  stripComments,
  auditListeners,
  noteFor,
  processControls,
} from './common.js';

// ---------------------------------------------------------------------------------------------
// Configuration analysis

export interface BirdBgpProtocol {
  name: string;
  /** `strict bind` resolved through templates. */
  strictBind: boolean;
  localAddress?: string;
  localPort?: number;
  localAs?: number;
  neighbor?: string;
}

export interface BirdConfigFacts {
  protocols: BirdBgpProtocol[];
  /** `protocol kernel` blocks that export routes (they would write the host's routing table). */
  exportingKernelProtocols: string[];
  routerId?: string;
  /** Includes we could not follow (globs, missing files): the facts may be incomplete. */
  unresolvedIncludes: string[];
}

/** Reads a BIRD configuration with its includes, comments removed. */
function loadBirdText(file: string, unresolved: string[], depth = 0): string {
  const text = stripComments(readFileSync(file, 'utf8'), { hash: true, cBlock: true });
  if (depth > 8) return text;
  return text.replace(/\binclude\s+"([^"]+)"\s*;/g, (_all, path: string) => {
    // BIRD resolves a relative include against the directory of the including file.
    const full = resolve(dirname(file), path);
    if (/[*?[]/.test(path) || !existsSync(full)) {
      unresolved.push(path);
      return '';
    }
    return `\n${loadBirdText(full, unresolved, depth + 1)}\n`;
  });
}

/** Body of the block whose '{' is at `open` (index of the matching '}' excluded). */
function blockBody(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** The body with nested blocks removed: the protocol-level options only. */
function topLevel(body: string): string {
  let out = '';
  let depth = 0;
  for (const c of body) {
    if (c === '{') depth++;
    if (depth === 0) out += c;
    if (c === '}') depth--;
  }
  return out;
}

/** Extracts what the driver needs to know from a BIRD configuration (text with includes resolved). */
export function analyzeBirdConfigText(text: string): Omit<BirdConfigFacts, 'unresolvedIncludes'> {
  interface Raw {
    parent?: string;
    strictBind?: boolean;
    localAddress?: string;
    localPort?: number;
    localAs?: number;
    neighbor?: string;
  }
  const templates = new Map<string, Raw>();
  const protocols: { name: string; raw: Raw }[] = [];
  const exportingKernelProtocols: string[] = [];
  const kernelTemplates = new Map<string, boolean>();
  let unnamedBgp = 0;
  let unnamedKernel = 0;
  const re = /\b(protocol|template)\s+(bgp|kernel)\b\s*([A-Za-z_][\w]*)?\s*(?:from\s+([A-Za-z_]\w*))?\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [, what, type, givenName, parent] = m;
    const body = blockBody(text, m.index + m[0].length - 1);
    if (type === 'kernel') {
      // Channels default to `export none`; anything else writes routes into the kernel.
      const exports =
        /\bexport\s+(?!none\b)\S/.test(body) || (parent !== undefined && kernelTemplates.get(parent) === true);
      const name = givenName ?? `kernel${++unnamedKernel}`;
      if (what === 'template') kernelTemplates.set(name, exports);
      else if (exports) exportingKernelProtocols.push(name);
      continue;
    }
    const top = topLevel(body);
    const raw: Raw = {};
    if (parent) raw.parent = parent;
    const sb = /\bstrict\s+bind(?:\s+(\w+))?\s*;/.exec(top);
    if (sb) raw.strictBind = sb[1] === undefined || /^(yes|on|true|1)$/i.test(sb[1]);
    const local =
      /\blocal\s+(?:([0-9a-fA-F][0-9a-fA-F:.]*[0-9a-fA-F])\s*)?(?:port\s+(\d+)\s*)?(?:as\s+(\d+))?[^;]*;/.exec(top);
    if (local) {
      if (local[1]) raw.localAddress = local[1];
      if (local[2]) raw.localPort = Number(local[2]);
      if (local[3]) raw.localAs = Number(local[3]);
    }
    const src = /\bsource\s+address\s+([0-9a-fA-F:.]+)\s*;/.exec(top);
    if (src && !raw.localAddress) raw.localAddress = src[1];
    const nb = /\bneighbor\s+([0-9a-fA-F:.]+)/.exec(top);
    if (nb) raw.neighbor = nb[1];
    if (what === 'template') templates.set(givenName ?? '', raw);
    else protocols.push({ name: givenName ?? `bgp${++unnamedBgp}`, raw });
  }
  const resolveRaw = (raw: Raw, depth = 0): Raw => {
    const parent = raw.parent !== undefined && depth < 16 ? templates.get(raw.parent) : undefined;
    if (!parent) return raw;
    const p = resolveRaw(parent, depth + 1);
    const out: Raw = { ...p };
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    return out;
  };
  const rid = /\brouter\s+id\s+(\d+\.\d+\.\d+\.\d+)\s*;/.exec(text);
  const facts: Omit<BirdConfigFacts, 'unresolvedIncludes'> = {
    protocols: protocols.map(({ name, raw }) => {
      const r = resolveRaw(raw);
      const p: BirdBgpProtocol = { name, strictBind: r.strictBind ?? false };
      if (r.localAddress !== undefined) p.localAddress = r.localAddress;
      if (r.localPort !== undefined) p.localPort = r.localPort;
      if (r.localAs !== undefined) p.localAs = r.localAs;
      if (r.neighbor !== undefined) p.neighbor = r.neighbor;
      return p;
    }),
    exportingKernelProtocols,
  };
  if (rid) facts.routerId = rid[1]!;
  return facts;
}

export function analyzeBirdConfig(file: string): BirdConfigFacts {
  const unresolvedIncludes: string[] = [];
  const text = loadBirdText(file, unresolvedIncludes);
  return { ...analyzeBirdConfigText(text), unresolvedIncludes };
}

/**
 * Errors (thrown) and warnings (returned) about running this configuration where the spec says.
 */
export function checkBirdConfig(facts: BirdConfigFacts, spec: DaemonSpec): string[] {
  const warnings: string[] = [];
  const problems: string[] = [];
  const loopback = !spec.netns;
  if (facts.protocols.length === 0) warnings.push('no `protocol bgp` found in the configuration');
  for (const p of facts.protocols) {
    if (loopback && !p.strictBind) {
      problems.push(
        `protocol bgp ${p.name} has no \`strict bind yes;\`: BIRD would listen on *:${p.localPort ?? 179} (outside ` +
          `loopback, and failing with "No listening socket" as soon as anything else holds port ${p.localPort ?? 179} ` +
          `on any address). Add to protocol bgp ${p.name}:\n    local ${spec.listenAddress}` +
          `${spec.listenPort > 0 && spec.listenPort !== 179 ? ` port ${spec.listenPort}` : ''} as ${p.localAs ?? 'YOUR_ASN'};\n    strict bind yes;`,
      );
    }
    if (loopback && p.strictBind && !p.localAddress) {
      problems.push(
        `protocol bgp ${p.name} has \`strict bind yes\` but no local address: add \`local ${spec.listenAddress} as ${p.localAs ?? 'YOUR_ASN'};\``,
      );
    }
    if (p.localAddress && canonicalAddress(p.localAddress) !== canonicalAddress(spec.listenAddress)) {
      warnings.push(`protocol bgp ${p.name} uses local address ${p.localAddress}, not ${spec.listenAddress}`);
    }
    const port = p.localPort ?? 179;
    if (spec.listenPort === -1) warnings.push(`BIRD always listens: protocol bgp ${p.name} listens on port ${port}`);
    else if (port !== spec.listenPort)
      warnings.push(`protocol bgp ${p.name} listens on port ${port}, not ${spec.listenPort}`);
  }
  if (loopback && facts.exportingKernelProtocols.length > 0) {
    problems.push(
      `protocol kernel ${facts.exportingKernelProtocols.join(', ')} exports routes: outside a network namespace ` +
        `BIRD would write them into this host's routing table. Run the node in a network namespace, or use ` +
        `\`export none;\` in its channels.`,
    );
  }
  if (spec.routerId && facts.routerId && facts.routerId !== spec.routerId) {
    warnings.push(`router id ${facts.routerId} in the configuration, ${spec.routerId} expected`);
  }
  if (facts.unresolvedIncludes.length > 0) {
    warnings.push(`includes not checked: ${facts.unresolvedIncludes.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new DaemonError(
      'config',
      `BIRD configuration ${spec.configFile} (node ${spec.name}):\n- ${problems.join('\n- ')}`,
    );
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// Output parsers (text as birdc prints it: reply codes removed)

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

// ---------------------------------------------------------------------------------------------
// Control socket

export interface BirdReply {
  /** Final reply code: 0xxx success, 8xxx run-time error, 9xxx syntax error. */
  code: number;
  /** Every line, codes removed. */
  lines: { code: number; text: string }[];
}

/** Sends one command on BIRD's control socket. */
export function birdRequest(socketPath: string, command: string, timeoutMs = 10_000): Promise<BirdReply> {
  return new Promise((resolvePromise, reject) => {
    const sock = createConnection({ path: socketPath });
    let buf = '';
    let greeted = false;
    let lastCode = 0;
    const lines: BirdReply['lines'] = [];
    const timer = setTimeout(
      () => done(new DaemonError('timeout', `BIRD ${socketPath}: "${command}" not answered within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let settled = false;
    const done = (err?: Error, reply?: BirdReply) => {
      // destroy() below fires 'close': only the first outcome counts.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolvePromise(reply!);
    };
    sock.setEncoding('utf8');
    sock.on('error', (err) => done(new DaemonError('command', `BIRD ${socketPath}: ${err.message}`)));
    sock.on('close', () =>
      done(new DaemonError('command', `BIRD ${socketPath}: connection closed during "${command}"`)),
    );
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('+')) continue; // asynchronous message (log echo), not part of the reply
        const m = /^(\d{4})([ -])(.*)$/.exec(line);
        const code = m ? Number(m[1]) : lastCode;
        const text = m ? m[3]! : line.slice(1); // continuation: one leading space
        lastCode = code;
        if (!greeted) {
          // "0001 BIRD 2.0.12 ready." then our command.
          if (m && m[2] === ' ') {
            greeted = true;
            sock.write(command + '\n');
          }
          continue;
        }
        lines.push({ code, text });
        if (m && m[2] === ' ') return done(undefined, { code, lines });
      }
    });
  });
}

/** The reply as birdc prints it: codes removed, code-0 lines (bare "OK") left out. */
const replyText = (r: BirdReply): string =>
  r.lines
    .filter((l) => l.code !== 0)
    .map((l) => l.text)
    .join('\n');

// ---------------------------------------------------------------------------------------------
// Driver

function renderAnnouncement(route: AnnounceRoute, communities: string[], large: string[]): string {
  const attrs: string[] = [`bgp_next_hop = ${route.nextHop};`, 'bgp_origin = ORIGIN_IGP;'];
  for (const c of communities) attrs.push(`bgp_community.add((${c.replace(':', ',')}));`);
  for (const c of large) attrs.push(`bgp_large_community.add((${c.split(':').join(',')}));`);
  // prepend() puts an ASN in front: the last of the list goes first.
  for (const asn of [...(route.asPathPrepend ?? [])].reverse()) attrs.push(`bgp_path.prepend(${asn});`);
  if (route.med !== undefined) attrs.push(`bgp_med = ${route.med};`);
  return `  route ${route.prefix} blackhole {\n${attrs.map((a) => `    ${a}`).join('\n')}\n  };`;
}

export function renderBirdWrapper(userConfig: string, announced: Iterable<AnnounceRoute>): string {
  const byFamily: Record<AddressFamily, string[]> = { ipv4: [], ipv6: [] };
  for (const r of announced) {
    const { family, communities, largeCommunities } = checkAnnouncement(r);
    byFamily[family].push(renderAnnouncement(r, communities, largeCommunities));
  }
  const parts = [
    "# Rendered by ARSLab: the user's configuration, included verbatim, then the routes",
    '# announced through the driver. Regenerated on every announce()/withdraw().',
    'log stderr all;',
    `include "${userConfig.replace(/["\\]/g, '\\$&')}";`,
  ];
  for (const fam of ['ipv4', 'ipv6'] as const) {
    if (byFamily[fam].length === 0) continue;
    parts.push(`protocol static arslab_announce${fam === 'ipv4' ? 4 : 6} {\n  ${fam};\n${byFamily[fam].join('\n')}\n}`);
  }
  return parts.join('\n') + '\n';
}

export async function startBird(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const note = noteFor(spec, 'bird');
  const userConfig = resolve(spec.configFile);
  const facts = analyzeBirdConfig(userConfig);
  for (const w of checkBirdConfig(facts, spec)) note(`warning: ${w}`);

  const work = makeWorkDir(spec);
  const ctl = checkSocketPath(join(work, 'bird.ctl'), spec);
  const wrapper = join(work, 'bird.conf');
  const announced = new Map<string, AnnounceRoute>();
  writeFileSync(wrapper, renderBirdWrapper(userConfig, []));
  rmSync(ctl, { force: true });

  const proc = await ManagedProcess.start({
    label: `bird ${spec.name}`,
    argv: ['bird', '-f', '-c', wrapper, '-s', ctl, '-P', join(work, 'bird.pid')],
    cwd: work,
    env: spec.env,
    netns: spec.netns,
    maxLifetimeSeconds: spec.maxLifetimeSeconds,
    log: spec.log,
    onExit: spec.onExit,
  });

  const exitedError = () =>
    proc.exited
      ? new DaemonError('exited', `bird ${spec.name} exited (${JSON.stringify(proc.exitStatus)})`, proc.recentOutput())
      : undefined;

  const request = async (command: string, timeoutMs?: number): Promise<BirdReply> => {
    const e = exitedError();
    if (e) throw e;
    return birdRequest(ctl, command, timeoutMs);
  };

  const protocols = async (): Promise<BirdProtocol[]> =>
    parseBirdProtocols(replyText(await request('show protocols all'))).filter((p) => p.proto === 'BGP');

  // announce/withdraw re-render and reconfigure; serialise them so renders never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = chain.then(f, f);
    chain = next.catch(() => undefined);
    return next;
  };
  const reconfigure = async (): Promise<void> => {
    const text = renderBirdWrapper(userConfig, announced.values());
    const tmp = `${wrapper}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, wrapper);
    const r = await request('configure');
    // 0003 Reconfigured, 0004 Reconfiguration in progress, 0018 Reconfiguration confirmed,
    // 0020 Configuration OK (unchanged); 8xxx/9xxx errors (e.g. "8002 file:line:col ...").
    if (r.code >= 8000) throw new DaemonError('command', `bird ${spec.name}: configure failed: ${replyText(r)}`);
  };

  let readyPromise: Promise<void> | undefined;
  const handle: DaemonHandle = {
    ...processControls('bird', spec.name, proc),
    get exited() {
      return proc.exited;
    },
    ready(timeoutMs = 15_000) {
      readyPromise ??= (async () => {
        await pollUntil(
          `bird ${spec.name}: control socket ${ctl}`,
          timeoutMs,
          async () => {
            const r = await birdRequest(ctl, 'show status', 2000);
            return r.code < 8000 ? true : undefined;
          },
          { abort: exitedError },
        );
        // BIRD reports a failed listening socket only as a protocol error: turn it into ours.
        await sleep(50);
        const failed = (await protocols()).filter((p) => /No listening socket/i.test(`${p.info} ${p.lastError ?? ''}`));
        if (failed.length > 0) {
          await proc.stop(1000).catch(() => undefined);
          throw new DaemonError(
            'listen',
            `bird ${spec.name}: protocol ${failed.map((p) => p.name).join(', ')}: "No listening socket": another process ` +
              `already listens on the BGP port. Give each protocol bgp \`local ${spec.listenAddress} as ASN;\` and ` +
              `\`strict bind yes;\` so that BIRD binds ${spec.listenAddress} only.`,
            proc.recentOutput(),
          );
        }
        await auditListeners(proc, spec, 'bird');
      })();
      return readyPromise;
    },
    async sessions(): Promise<DaemonSession[]> {
      return (await protocols()).map((p) => {
        const state = p.bgpState ?? p.info ?? p.state;
        const s: DaemonSession = {
          neighbor: p.neighborAddress ? canonicalAddress(p.neighborAddress) : '',
          state,
          established: /^Established$/i.test(state),
          name: p.name,
        };
        if (p.neighborAs !== undefined) s.remoteAs = p.neighborAs;
        return s;
      });
    },
    async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
      const bgp = await protocols();
      const neighbors = new Map(bgp.map((p) => [p.name, p.neighborAddress ?? '']));
      // The tables the BGP channels import into (master4/master6 unless the user says otherwise).
      const tables = new Set<string>();
      for (const p of bgp) {
        for (const c of p.channels) {
          const fam: AddressFamily | undefined = /^ipv4/.test(c.name)
            ? 'ipv4'
            : /^ipv6/.test(c.name)
              ? 'ipv6'
              : undefined;
          if (c.table && fam && (!family || fam === family)) tables.add(c.table);
        }
      }
      if (tables.size === 0)
        for (const f of family ? [family] : (['ipv4', 'ipv6'] as const))
          tables.add(f === 'ipv4' ? 'master4' : 'master6');
      const routes: DaemonRoute[] = [];
      for (const t of tables) {
        const r = await request(`show route table ${t} all`);
        if (r.code >= 8000) continue; // e.g. a table that does not exist
        routes.push(...birdEntriesToRoutes(parseBirdRoutes(replyText(r)), neighbors));
      }
      return family ? routes.filter((r) => familyOfPrefix(r.prefix) === family) : routes;
    },
    announce(route: AnnounceRoute) {
      checkAnnouncement(route);
      return serial(async () => {
        const previous = announced.get(route.prefix);
        announced.set(route.prefix, { ...route });
        try {
          await reconfigure();
        } catch (err) {
          if (previous) announced.set(route.prefix, previous);
          else announced.delete(route.prefix);
          throw err;
        }
      });
    },
    withdraw(prefix: string) {
      checkPrefix(prefix);
      return serial(async () => {
        const previous = announced.get(prefix);
        if (!previous) return;
        announced.delete(prefix);
        try {
          await reconfigure();
        } catch (err) {
          announced.set(prefix, previous);
          throw err;
        }
      });
    },
    async command(text: string): Promise<string> {
      const r = await request(text, 30_000);
      const out = replyText(r);
      if (r.code >= 8000) throw new DaemonError('command', `bird ${spec.name}: ${text}: ${out}`);
      return out;
    },
  };
  return handle;
}
