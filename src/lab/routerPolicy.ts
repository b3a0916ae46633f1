/**
 * @module lab/routerPolicy
 * The built-in router's policy (lab file `routers`, ADR 0039): one import step and one export
 * step per neighbour, compiled once from the router's `policy` and the neighbour's override in
 * `neighbors`. The older shorthands are steps of the same pipeline: `importPrefixes` is a
 * prefix filter before the import route-map, `prependToAzure` a prepend after the export
 * route-map on the sessions to Azure (MSEEs, VPN gateways); a gateway profile gives each
 * imported path its preference class.
 *
 * Export, in FRR's order (bgpd's subgroup_announce_check): remove-private-AS, then
 * as-override, then the outbound route-map, then the router's own AS in front (RFC 4271
 * §5.1.2) — so a prepend of the route-map or of prependToAzure is never removed.
 */
import { formatPrefix, parsePrefix, type LargeCommunity, type Prefix } from '../bgp/wire/index.js';
import {
  applyRouteMap,
  asOverride,
  firstAsn,
  internAttrs,
  pathContains,
  prefixFilterMatches,
  prependAsPath,
  removePrivateAs,
  type ImportChange,
  type Neighbor,
  type PrefixFilter,
  type Rejection,
  type RouteAttrs,
  type RouteMapEntry,
  type SpeakerPolicy,
} from '../rib/index.js';
import { GATEWAY_PROFILE } from './gatewayProfiles.js';
import { parseCommunity, parseLargeCommunity } from './kinds/speaker.js';
import type { CommunityChangeSpec, NeighborPolicySpec, RoutePolicyEntrySpec, RouterNodeSpec } from './spec.js';

/**
 * A prefix-list line in FRR's words ("10.0.0.0/8", "10.0.0.0/8 le 24", "10.0.0.0/8 ge 16
 * le 24"), or what is wrong with it. FRR refuses a range unless len < ge <= le <= 32
 * ("Invalid prefix range … make sure: len < ge <= le").
 */
export function parsePrefixListLine(text: string): PrefixFilter | string {
  const m = /^\s*(\S+)(?:\s+ge\s+(\d{1,2}))?(?:\s+le\s+(\d{1,2}))?\s*$/.exec(text);
  const prefix = m ? parsePrefix(m[1]!) : undefined;
  if (!m || !prefix || prefix.afi !== 1)
    return `'${text}' is not a prefix-list line: write PREFIX, PREFIX le N, PREFIX ge N or PREFIX ge N le M (e.g. 10.0.0.0/8 le 24)`;
  if (formatPrefix(prefix) !== m[1]) return `'${text}': ${m[1]} is not a network address (${formatPrefix(prefix)})`;
  const ge = m[2] !== undefined ? Number(m[2]) : undefined;
  const le = m[3] !== undefined ? Number(m[3]) : undefined;
  if (
    (ge !== undefined && ge <= prefix.len) ||
    (le !== undefined && le <= prefix.len) ||
    (ge ?? 0) > (le ?? 32) ||
    (le ?? 0) > 32 ||
    (ge ?? 0) > 32
  )
    return `'${text}': invalid prefix range, make sure len < ge <= le <= 32 (here len is ${prefix.len})`;
  return { prefix, ge: ge ?? prefix.len, le: le ?? (ge !== undefined ? 32 : prefix.len) };
}

const community = (t: string): number => parseCommunity(t) ?? 0;
const large = (t: string): LargeCommunity => parseLargeCommunity(t) ?? { globalAdmin: 0, localData1: 0, localData2: 0 };

function changeOf<T>(c: CommunityChangeSpec, f: (t: string) => T) {
  return {
    ...(c.set ? { set: c.set.map(f) } : {}),
    ...(c.remove ? { remove: c.remove.map(f) } : {}),
    ...(c.add ? { add: c.add.map(f) } : {}),
  };
}

/** A lab-file entry as src/rib's route-map entry; `defaultAsn` is whom a bare prepend repeats. */
function compileEntry(e: RoutePolicyEntrySpec, defaultAsn: number | undefined): RouteMapEntry {
  const m = e.match ?? {};
  return {
    action: e.action,
    ...(m.prefix ? { prefixes: m.prefix.map((t) => parsePrefixListLine(t) as PrefixFilter) } : {}),
    ...(m.community ? { communities: m.community.map(community) } : {}),
    ...(m.largeCommunity ? { largeCommunities: m.largeCommunity.map(large) } : {}),
    ...(e.prepend ? { prepend: { count: e.prepend.count, asn: e.prepend.asn ?? defaultAsn ?? 0 } } : {}),
    ...(e.communities ? { setCommunities: changeOf(e.communities, community) } : {}),
    ...(e.largeCommunities ? { setLargeCommunities: changeOf(e.largeCommunities, large) } : {}),
    ...(e.localPref !== undefined ? { localPref: e.localPref } : {}),
    ...(e.med !== undefined ? { med: e.med } : {}),
  };
}

/** One neighbour's compiled policy. */
interface NeighborPolicy {
  readonly spec: NeighborPolicySpec;
  readonly import?: readonly RouteMapEntry[];
  readonly export?: readonly RouteMapEntry[];
}

/** The neighbour's key in `neighbors`: its attachment index, or its customer link's name. */
function neighborKey(n: Neighbor): string {
  const a = n.info?.['attachment'];
  if (a !== undefined) return `attach:${Number(a)}`;
  const l = n.info?.['link'];
  return l !== undefined ? `link:${String(l).toLowerCase()}` : '';
}

/** Sessions to Azure, where `prependToAzure` applies. */
const towardAzure = (n: Neighbor) => n.info?.['role'] === 'msee' || n.info?.['role'] === 'vpn-gateway';

/**
 * Built-in on-premises router: originates its routes and its links' connected subnets, takes
 * what its neighbours send through its import step, re-advertises it only when `transit` is
 * set, and sends through its export step.
 */
export function routerPolicy(spec: RouterNodeSpec): SpeakerPolicy {
  const allowed = (spec.importPrefixes ?? []).map((t) => parsePrefix(t)).filter((p): p is Prefix => !!p);
  const importFilter: PrefixFilter[] = allowed.map((p) => ({ prefix: p, ge: p.len, le: 32 }));
  // RouterRouteSpec.on: a route advertised on some attachments only (by index).
  const onlyOn = new Map<string, readonly number[]>();
  for (const r of spec.routes)
    if (r.on) onlyOn.set(formatPrefix(parsePrefix(r.prefix) ?? { afi: 1, addr: 0, len: 0 }), r.on);
  const extra = new Array<number>(spec.prependToAzure ?? 0).fill(spec.asn);
  const profile = spec.profile ? GATEWAY_PROFILE[spec.profile] : undefined;
  const base = spec.policy ?? {};
  const overrides = new Map<string, NeighborPolicySpec>();
  for (const n of spec.neighbors ?? [])
    overrides.set(n.attach !== undefined ? `attach:${n.attach}` : `link:${n.link.toLowerCase()}`, n);
  const compiled = new Map<string, NeighborPolicy>();
  const policyOf = (n: Neighbor): NeighborPolicy => {
    const key = neighborKey(n);
    let p = compiled.get(key);
    if (!p) {
      const o = overrides.get(key) ?? {};
      const s: NeighborPolicySpec = {
        ...base,
        ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'attach' && k !== 'link')),
      };
      p = {
        spec: s,
        ...(s.import ? { import: s.import.map((e) => compileEntry(e, undefined)) } : {}),
        ...(s.export ? { export: s.export.map((e) => compileEntry(e, spec.asn)) } : {}),
      };
      compiled.set(key, p);
    }
    return p;
  };
  const hasImportStep =
    importFilter.length > 0 || base.import !== undefined || (spec.neighbors ?? []).some((n) => n.import);

  /** The prefix-dependent part of the import step: importPrefixes, then the import route-map. */
  const importPrefix = (from: Neighbor, prefix: Prefix, attrs: RouteAttrs): Rejection | ImportChange | undefined => {
    if (importFilter.length && !importFilter.some((f) => prefixFilterMatches(f, prefix)))
      return { rule: 'router-import', reason: 'not in importPrefixes' };
    const map = policyOf(from).import;
    if (!map) return undefined;
    // A bare prepend on import repeats the neighbour's AS (FRR `set as-path prepend last-as`).
    const entries = map.map((e) =>
      e.prepend && e.prepend.asn === 0
        ? { ...e, prepend: { ...e.prepend, asn: firstAsn(attrs.asPath) ?? from.source.asn } }
        : e,
    );
    const r = applyRouteMap(entries, prefix, attrs);
    if (!r.permit)
      return {
        rule: 'router-import',
        reason: r.entry !== undefined ? `denied by import entry ${r.entry}` : 'no import entry permits it',
      };
    if (r.attrs === attrs) return undefined;
    return { attrs: r.attrs, ...(profile ? { preference: profile.preference(from, r.attrs) } : {}) };
  };

  return {
    bestPath: profile?.bestPath ?? {
      steps: ['locally-originated', 'local-pref', 'as-path-length', 'origin', 'med', 'router-id', 'neighbor-address'],
      maxPaths: 1,
    },
    import: (from, attrs) =>
      pathContains(attrs, spec.asn)
        ? { accept: false, rule: 'RFC4271-9.1.2', reason: `AS_PATH contains own AS ${spec.asn}` }
        : profile
          ? { accept: true, preference: profile.preference(from, attrs) }
          : { accept: true },
    ...(hasImportStep
      ? { importPrefix: (from: Neighbor, prefix: Prefix, path) => importPrefix(from, prefix, path.attrs) }
      : {}),
    exportDependsOnPrefix: true,
    export: (to, path, prefix) => {
      if (path.source.kind !== 'local') {
        if (!spec.transit) return { rule: 'router', reason: 'the built-in router does not transit' };
        // RFC 4271 §9.1.3: an eBGP speaker advertises its best routes to its other
        // neighbours; sending one back to where it came from is useless (the sender's AS is
        // in the path, RFC 4271 §9.1.2), so it is not sent.
        if (path.source.id === to.source.id)
          return { rule: 'RFC4271-9.1.3', reason: 'not sent back to the neighbour it came from' };
      } else {
        const on = onlyOn.get(formatPrefix(prefix));
        if (on && !on.includes(Number(to.info?.['attachment'] ?? -1)))
          return { rule: 'router', reason: 'not advertised on this attachment' };
      }
      const p = policyOf(to);
      const peerAs = to.source.asn;
      let asPath = path.attrs.asPath;
      if (p.spec.removePrivateAs) asPath = removePrivateAs(asPath, p.spec.removePrivateAs, spec.asn, peerAs);
      if (p.spec.asOverride) asPath = asOverride(asPath, peerAs, spec.asn);
      // LOCAL_PREF is not sent to an eBGP neighbour (RFC 4271 §5.1.5).
      const { key: _k, asPathLength: _l, localPref: _lp, ...rest } = path.attrs;
      let attrs = internAttrs({ ...rest, asPath });
      if (p.export) {
        const r = applyRouteMap(p.export, prefix, attrs);
        if (!r.permit)
          return {
            rule: 'router-export',
            reason: r.entry !== undefined ? `denied by export entry ${r.entry}` : 'no export entry permits it',
          };
        attrs = r.attrs;
      }
      const { key: _k2, asPathLength: _l2, localPref: _lp2, ...out } = attrs;
      return internAttrs({
        ...out,
        asPath: prependAsPath(attrs.asPath, spec.asn, ...(towardAzure(to) ? extra : [])),
        nextHop: String(to.info?.['localAddress'] ?? path.attrs.nextHop),
      });
    },
  };
}
