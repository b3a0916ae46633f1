/**
 * @module lab/daemons/bird/config
 * What the BIRD driver reads in the user's configuration (protocols, `strict bind`, local
 * address and port, exporting kernel protocols) and the checks that name the line to add.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DaemonError, type DaemonSpec } from '../types.js';
import { canonicalAddress, stripComments } from '../common.js';

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
