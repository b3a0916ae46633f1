/**
 * @module lab/daemons/frr/config
 * The `router bgp` blocks of an FRR configuration, and the lines bgpd needs without zebra
 * (checkFrrConfig names each missing one).
 */
import { DaemonError, type DaemonSpec } from '../types.js';

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
