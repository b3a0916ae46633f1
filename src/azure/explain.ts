/**
 * @module azure/explain
 * `arslab explain` without the lab: the shape of an explanation, the one table from what
 * the code records (a Rejection's rule, the best-path step that decided, conditions explain
 * finds itself) to the rule it prints (R-… of azure-routing.md, RFC sections otherwise),
 * the lines for one speaker's candidates, for an export decision and for a NIC's effective
 * routes, and the text rendering. Pure: src/lab/explain.ts walks the lab's speakers and
 * calls these.
 *
 * Invariant: every line that says a route lost, was dropped or was withheld carries a rule
 * (`lossesWithoutRule` finds the ones that do not; tests assert there are none).
 */
import { formatPrefix, prefixContains, type Prefix } from '../bgp/wire/index.js';
import {
  compare,
  describeLoss,
  equalCost,
  formatAsPathAzure,
  formatCommunity,
  rank,
  selectBest,
  type BestPathConfig,
  type BestPathStep,
  type Path,
  type Rejection,
  type RouteAttrs,
} from '../rib/index.js';
import type { EffectiveRoute, EffectiveRouteDetail } from './effectiveRoutes.js';

// ---------------------------------------------------------------------------
// The result

/** Who holds a table explain reads. */
export type SpeakerKind = 'route-server' | 'expressroute-gateway' | 'vpn-gateway' | 'msee' | 'router' | 'nva' | 'nic';

/**
 * - best / equal: the route used (and its equal-cost peers);
 * - lost: a candidate outranked (best path, longest match, ECMP cap, an Invalid NIC row);
 * - dropped: refused on the way in, or not programmed;
 * - withheld: not advertised to a neighbour;
 * - advertised / received: what crossed a session;
 * - info: context (where a route came from, what covers a missing prefix).
 */
export type LineStatus = 'best' | 'equal' | 'lost' | 'dropped' | 'withheld' | 'advertised' | 'received' | 'info';

/** Statuses that say a route lost or did not get through: they must carry a rule. */
export const LOSS_STATUSES: readonly LineStatus[] = ['lost', 'dropped', 'withheld'];

/** One candidate route, in the words of the listings (R-ARS-10, R-ER-3). */
export interface RouteInfo {
  readonly prefix: string;
  /** Peering or neighbour name; the speaker's own name for originated routes. */
  readonly from: string;
  readonly fromAddress: string;
  readonly kind: 'ebgp' | 'ibgp' | 'local';
  readonly role?: string;
  readonly asPath: string;
  readonly nextHop: string;
  readonly origin: 'Igp' | 'Egp' | 'Incomplete';
  readonly weight: number;
  readonly preference: number;
  readonly communities: readonly string[];
}

export interface ExplainLine {
  readonly status: LineStatus;
  /** The whole line without its mark and rule. */
  readonly text: string;
  /** Why it lost or was dropped (also part of `text`). */
  readonly reason?: string;
  /** R-…, or an RFC section, from RULE_MAP. */
  readonly rule?: string;
  readonly route?: RouteInfo;
  /** For NIC lines: the effective-route row. */
  readonly row?: EffectiveRoute;
  /** For NIC gateway rows: which gateway programmed it. */
  readonly origin?: string;
}

export interface ExplainSection {
  readonly title: string;
  /** The table read, when the section is one speaker's (or the NIC's). */
  readonly at?: { readonly kind: SpeakerKind; readonly name: string; readonly address?: string };
  /** The prefix this section is about (a trace may change it: longest match). */
  readonly prefix?: string;
  readonly lines: ExplainLine[];
  readonly children: ExplainSection[];
}

export interface ExplainQuery {
  readonly kind: 'nic' | 'peer';
  /** As given: a prefix or an address. */
  readonly target: string;
  readonly nic?: string;
  readonly resourceGroup?: string;
  readonly peer?: string;
  readonly routeServer?: string;
  readonly gateway?: string;
}

export interface ExplainResult {
  readonly query: ExplainQuery;
  /** The prefix explained: the target, or the longest match for an address. */
  readonly prefix: string;
  /** One or two lines: the answer in short. */
  readonly summary: readonly string[];
  readonly sections: readonly ExplainSection[];
}

/** What the user asked about: a prefix, or an address (a /32 resolved by longest match). */
export interface ExplainTarget {
  readonly prefix: Prefix;
  readonly address: boolean;
}

// ---------------------------------------------------------------------------
// The rule table

/** What explain found, before it is named by a rule. */
export type Cause =
  | `step:${BestPathStep}` // a best-path step decided (describeLoss)
  | 'tie' // tied on every step, one path used: the oldest stays
  | 'ecmp-cap' // equal cost, beyond the ECMP width
  | `rejected:${string}` // a Rejection.rule recorded by a policy or by effectiveRoutes
  | 'split-horizon' // the best path came from that neighbour
  | 'no-route' // no best path: nothing to advertise
  | 'session-down' // the session is not Established
  | 'branch-to-branch-off' // a route-server ↔ gateway session closed
  | 'longest-match' // NIC: a less specific row
  | 'gateway-programs' // route server: the best path is a gateway's, programmed by that gateway
  | 'ecmp-collapse' // ExpressRoute next hops collapsed beside a route server
  | 'covering'; // a less specific route carries traffic for a missing prefix

export interface RuleMapping {
  readonly cause: Cause;
  /** Where the mapping applies; absent: everywhere (entries with `at` are looked at first). */
  readonly at?: readonly SpeakerKind[];
  readonly rule: string;
  /** What the rule says, for documentation and the table in the report. */
  readonly what: string;
}

/**
 * THE table: every cause explain can report, and the rule it prints. First entry whose
 * cause matches and whose `at` (if any) includes the speaker wins. Rejection codes that are
 * already R-numbers are listed too, so that this table is the whole vocabulary.
 */
export const RULE_MAP: readonly RuleMapping[] = [
  // Best-path steps, by the speaker that applies them.
  {
    cause: 'step:preference',
    at: ['route-server', 'nic'],
    rule: 'R-ARS-7',
    what: 'hubRoutingPreference class: ExpressRoute-learned beats VPN/NVA (default), or the reverse',
  },
  {
    cause: 'step:as-path-length',
    at: ['route-server', 'nic'],
    rule: 'R-ARS-7',
    what: 'shortest AS path (MED, local preference, router ID not used)',
  },
  {
    cause: 'step:source-rank',
    at: ['route-server', 'nic'],
    rule: 'R-ARS-7',
    what: 'equal class and AS path: one origin wins (ExpressRoute, then VPN, then NVA), never an ECMP set across origins',
  },
  {
    cause: 'step:locally-originated',
    at: ['route-server'],
    rule: 'R-ARS-9',
    what: 'the instance originates its VNet ranges itself',
  },
  { cause: 'ecmp-cap', at: ['route-server', 'nic'], rule: 'R-ARS-7', what: 'ECMP width (ARSLab setting maxEcmpPaths)' },
  {
    cause: 'step:preference',
    at: ['expressroute-gateway', 'vpn-gateway'],
    rule: 'R-VPN-3',
    what: "beside a route server with branch-to-branch on, the route server's copy of a prefix before the other gateway's direct iBGP copy",
  },
  { cause: 'step:weight', rule: 'R-ER-3', what: 'higher weight first: MSEE-learned 32769 + routingWeight beats 32768' },
  {
    cause: 'step:locally-originated',
    at: ['expressroute-gateway', 'vpn-gateway'],
    rule: 'R-ER-3',
    what: "the gateway's own Network rows first",
  },
  { cause: 'step:locally-originated', rule: 'RFC 4271 §9.1.1', what: 'degree of preference: local routes first' },
  { cause: 'step:preference', rule: 'R-ARS-7', what: 'preference class' },
  { cause: 'step:local-pref', rule: 'RFC 4271 §9.1.1', what: 'higher LOCAL_PREF' },
  { cause: 'step:as-path-length', rule: 'RFC 4271 §9.1.2.2 (a)', what: 'shortest AS_PATH' },
  { cause: 'step:origin', rule: 'RFC 4271 §9.1.2.2 (b)', what: 'lowest ORIGIN' },
  { cause: 'step:med', rule: 'RFC 4271 §9.1.2.2 (c)', what: 'lowest MED from the same neighbour AS' },
  { cause: 'step:ebgp-over-ibgp', rule: 'RFC 4271 §9.1.2.2 (d)', what: 'eBGP-learned over iBGP-learned' },
  { cause: 'step:source-rank', rule: 'R-ARS-7', what: 'one origin wins a tie' },
  { cause: 'step:router-id', rule: 'RFC 4271 §9.1.2.2 (f)', what: 'lowest BGP Identifier' },
  { cause: 'step:neighbor-address', rule: 'RFC 4271 §9.1.2.2 (g)', what: 'lowest neighbour address' },
  { cause: 'ecmp-cap', at: ['expressroute-gateway'], rule: 'R-ER-4', what: 'ECMP across links and up to 4 circuits' },
  { cause: 'ecmp-cap', rule: 'RFC 4271 §9.1.2.2', what: 'one path per prefix beyond the multipath width' },
  { cause: 'tie', rule: 'RFC 5004', what: 'equal external paths: the oldest stays best' },
  // Rejections as policies record them (Rejection.rule, EffectiveRouteDetail.note.rule).
  { cause: 'rejected:R-ARS-6', rule: 'R-ARS-6', what: 'AS_PATH containing 65515 or AS 0 is dropped' },
  { cause: 'rejected:R-ARS-7', rule: 'R-ARS-7', what: 'gateway route merge by hubRoutingPreference, then AS path' },
  {
    cause: 'rejected:R-ARS-8',
    rule: 'R-ARS-8',
    what: 'not programmed: inside the VNet ranges, or propagation disabled',
  },
  { cause: 'rejected:R-ARS-9', rule: 'R-ARS-9', what: 'NO_ADVERTISE (and other RFC 1997 communities) withheld' },
  {
    cause: 'rejected:R-ARS-11',
    rule: 'R-ARS-11',
    what: 'no route exchange with the gateways while branch-to-branch is off',
  },
  {
    cause: 'rejected:R-ARS-21',
    rule: 'R-ARS-21',
    what: 'each NIC is programmed by one route-server instance: a route only the other holds does not reach it',
  },
  { cause: 'rejected:R-ARS-12', rule: 'R-ARS-12', what: '65517:65517 from the MSEE dropped beside a route server' },
  {
    cause: 'rejected:R-ARS-5',
    rule: 'R-ARS-5',
    what: "route limit per NVA: routes held plus the UPDATE's; past it the session is reset",
  },
  {
    cause: 'rejected:R-ER-8',
    rule: 'R-ER-8',
    what: 'private-peering prefix limit (4,000/10,000 from on-premises, 1,000 toward it): the session is down until the count falls',
  },
  {
    cause: 'rejected:R-VPN-6',
    rule: 'R-VPN-6',
    what: 'VPN gateway prefix limit per BGP peer (4,000): the session is down until the count falls',
  },
  { cause: 'rejected:R-ER-4', rule: 'R-ER-4', what: 'MSEE link /30s neither programmed nor passed to NVAs' },
  { cause: 'rejected:R-ER-5', rule: 'R-ER-5', what: 'no transit between circuits' },
  { cause: 'rejected:R-ER-6', rule: 'R-ER-6', what: 'Global Reach routes stay between the circuits' },
  { cause: 'rejected:R-VPN-1', rule: 'R-VPN-1', what: 'no default route, no VNet-overlapping prefix over VPN' },
  {
    cause: 'rejected:R-VPN-2',
    rule: 'R-VPN-2',
    what: "no ER↔VPN transit without a route server; a GatewaySubnet route table that breaks the gateways' iBGP mesh withdraws every gateway route from NICs",
  },
  { cause: 'rejected:R-NIC-4', rule: 'R-NIC-4', what: 'NIC route selection' },
  { cause: 'rejected:RFC4271-9.1.2', rule: 'RFC 4271 §9.1.2', what: 'own AS in AS_PATH: a loop' },
  {
    cause: 'rejected:RFC4271-4.1',
    rule: 'RFC 4271 §4.1',
    what: 'no UPDATE of at most 4,096 octets can carry the route to this peer: not sent (ADR 0013)',
  },
  {
    cause: 'rejected:RFC4271-9.1.3',
    rule: 'RFC 4271 §9.1.3',
    what: 'a transit router does not send a route back to the neighbour it came from',
  },
  {
    cause: 'rejected:RFC4271-9.2',
    rule: 'RFC 4271 §9.2',
    what: 'iBGP-learned routes are not advertised to iBGP peers',
  },
  {
    cause: 'rejected:router',
    rule: 'lab: built-in router',
    what: 'a built-in on-premises router advertises its own routes only',
  },
  {
    cause: 'rejected:router-import',
    rule: 'lab file: importPrefixes, import',
    what: "refused by the router's import policy (outside importPrefixes, or denied by an import entry)",
  },
  {
    cause: 'rejected:router-export',
    rule: 'lab file: export',
    what: "denied by the router's export policy (an export entry, or none permits it)",
  },
  {
    cause: 'rejected:speaker',
    rule: 'lab: built-in speaker',
    what: 'the built-in speaker advertises its own routes only',
  },
  // Conditions explain finds itself.
  { cause: 'split-horizon', at: ['route-server'], rule: 'R-ARS-9', what: 'never back to the peer it came from' },
  { cause: 'split-horizon', rule: 'RFC 4271 §9.1.3', what: 'the best path is not sent back to its neighbour' },
  { cause: 'no-route', rule: 'RFC 4271 §9.1.3', what: 'only Loc-RIB (best) routes are advertised' },
  { cause: 'session-down', rule: 'RFC 4271 §8', what: 'routes flow only over an Established session' },
  {
    cause: 'branch-to-branch-off',
    rule: 'R-ARS-11',
    what: 'route server ↔ gateway iBGP runs only with allowBranchToBranchTraffic',
  },
  { cause: 'longest-match', rule: 'R-NIC-4', what: 'longest prefix first' },
  {
    cause: 'gateway-programs',
    rule: 'R-ER-4',
    what: "a gateway's routes are programmed by the gateway toward the MSEE, not by the route server",
  },
  {
    cause: 'ecmp-collapse',
    rule: 'R-ER-4',
    what: 'beside a route server, ExpressRoute ECMP collapses to one next hop',
  },
  {
    cause: 'covering',
    at: ['router'],
    rule: 'R-ER-5',
    what: 'sites reach each other through Azure only by Global Reach or a covering supernet',
  },
  { cause: 'covering', rule: 'RFC 4271 §9.1.4', what: 'a less specific route covers the prefix' },
];

/** Rule ids as explain prints them (the test helper checks every loss line against it). */
export const RULE_ID = /^(R-(ARS|ER|VPN|NIC)-\d+|RFC \d+( §\d+(\.\d+)*( \([a-g]\))?)?|ADR \d{4}|lab( file)?: .+)$/;

/** The rule printed for `cause` at a `kind` of speaker (RULE_MAP; unknown R-codes as they are). */
export function ruleFor(cause: Cause, at?: SpeakerKind): string {
  const hit =
    RULE_MAP.find((m) => m.cause === cause && m.at && at && m.at.includes(at)) ??
    RULE_MAP.find((m) => m.cause === cause && !m.at);
  if (hit) return hit.rule;
  if (cause.startsWith('rejected:')) return cause.slice('rejected:'.length);
  return cause;
}

/** A policy's Rejection, as printed. */
export function ruleOfRejection(r: Pick<Rejection, 'rule'>, at?: SpeakerKind): string {
  return ruleFor(`rejected:${r.rule}`, at);
}

// ---------------------------------------------------------------------------
// Lines

const ORIGINS = ['Igp', 'Egp', 'Incomplete'] as const;

export function routeInfo(prefix: Prefix, p: Path, localName?: string): RouteInfo {
  return {
    prefix: formatPrefix(prefix),
    from: p.source.kind === 'local' ? (localName ?? p.source.name) : p.source.name,
    fromAddress: p.source.address,
    kind: p.source.kind,
    ...(p.source.role ? { role: p.source.role } : {}),
    asPath: formatAsPathAzure(p.attrs.asPath),
    nextHop: p.attrs.nextHop,
    origin: ORIGINS[p.attrs.origin] ?? 'Incomplete',
    weight: p.weight,
    preference: p.preference,
    communities: (p.attrs.communities ?? []).map(formatCommunity),
  };
}

/** "hub1nva (10.1.1.4): path 65001, next hop 10.1.1.4, weight 32768" (weight when set). */
export function describeRoute(r: RouteInfo): string {
  const who = r.kind === 'local' ? `originated by ${r.from}` : `${r.from}${r.fromAddress ? ` (${r.fromAddress})` : ''}`;
  const parts = [`path ${r.asPath || '(empty)'}`, `next hop ${r.nextHop}`];
  if (r.weight) parts.push(`weight ${r.weight}`);
  if (r.communities.length) parts.push(`communities ${r.communities.join(' ')}`);
  return `${who}: ${parts.join(', ')}`;
}

/** An attribute set as advertised (no source): "path 65515-12076-133937, next hop 10.1.0.4". */
export function describeAttrs(a: RouteAttrs): string {
  const parts = [
    `path ${formatAsPathAzure(a.asPath) || '(empty)'}`,
    `next hop ${a.nextHop}`,
    `origin ${ORIGINS[a.origin] ?? a.origin}`,
  ];
  if (a.communities?.length) parts.push(`communities ${a.communities.map(formatCommunity).join(' ')}`);
  return parts.join(', ');
}

/** A reason that already ends with its rule in parentheses loses that suffix (it is printed once). */
function stripRule(reason: string, rule: string): string {
  const suffix = ` (${rule})`;
  return reason.endsWith(suffix) ? reason.slice(0, -suffix.length) : reason;
}

export function lossLine(
  status: 'lost' | 'dropped' | 'withheld',
  subject: string,
  reason: string,
  rule: string,
  extra: Partial<ExplainLine> = {},
): ExplainLine {
  const why = stripRule(reason, rule);
  return { ...extra, status, text: subject ? `${subject}: ${why}` : why, reason: why, rule };
}

export function infoLine(text: string, rule?: string, extra: Partial<ExplainLine> = {}): ExplainLine {
  return { ...extra, status: 'info', text, ...(rule ? { rule } : {}) };
}

export interface CandidateOptions {
  /** How the speaker is named in "dropped at …" (e.g. RouteServiceRole_IN_0). */
  readonly at: string;
  /** Name shown for the speaker's own routes. */
  readonly localName?: string;
  /** Appended to preference-class losses (e.g. "hubRoutingPreference ExpressRoute"). */
  readonly preferenceGloss?: string;
}

/**
 * One line per candidate a speaker holds for a prefix, best first: ✓ best, = equal cost,
 * ✗ outranked (describeLoss mapped by RULE_MAP), ✗ beyond the ECMP width, ✗ dropped on the
 * way in (the Rejection's rule).
 */
export function candidateLines(
  kind: SpeakerKind,
  prefix: Prefix,
  candidates: readonly Path[],
  cfg: BestPathConfig,
  o: CandidateOptions,
): ExplainLine[] {
  const ranked = rank(candidates, cfg);
  const best = selectBest(ranked, cfg);
  const top = best[0];
  const out: ExplainLine[] = [];
  for (const p of ranked) {
    const route = routeInfo(prefix, p, o.localName);
    const subject = describeRoute(route);
    if (p.rejected) {
      out.push(
        lossLine('dropped', subject, `dropped at ${o.at}: ${p.rejected.reason}`, ruleOfRejection(p.rejected, kind), {
          route,
        }),
      );
      continue;
    }
    const i = best.indexOf(p);
    if (i === 0) out.push({ status: 'best', text: subject, route });
    else if (i > 0) out.push({ status: 'equal', text: subject, route });
    else if (top && equalCost(top, p, cfg)) {
      out.push(
        lossLine(
          'lost',
          subject,
          `equal cost, but beyond the ECMP width of ${cfg.maxPaths}`,
          ruleFor('ecmp-cap', kind),
          { route },
        ),
      );
    } else if (top) {
      const step = compare(top, p, cfg).step;
      if (!step)
        out.push(
          lossLine('lost', subject, 'tied on every step: the older path stays best', ruleFor('tie', kind), { route }),
        );
      else {
        let why = describeLoss(top, p, cfg);
        if (step === 'preference' && o.preferenceGloss) why += ` (${o.preferenceGloss})`;
        out.push(lossLine('lost', subject, why, ruleFor(`step:${step}`, kind), { route }));
      }
    }
  }
  return out;
}

/** A Rejection from an export decision (and not an attribute set). */
export function isRejection(d: RouteAttrs | Rejection | undefined): d is Rejection {
  return d !== undefined && (d as Rejection).rule !== undefined && (d as RouteAttrs).key === undefined;
}

// ---------------------------------------------------------------------------
// A NIC's effective routes for a target (R-NIC-4)

const ORIGIN_NAMES: Record<string, string> = {
  'route-server': 'route server',
  expressroute: 'ExpressRoute gateway',
  vpn: 'VPN gateway',
};

function rowText(d: EffectiveRouteDetail): string {
  const r = d.route;
  const ip = r.nextHopIpAddress.length ? ` ${r.nextHopIpAddress.join(' ')}` : '';
  const from = d.origin ? ` (from the ${ORIGIN_NAMES[d.origin] ?? d.origin})` : r.name ? ` (route ${r.name})` : '';
  return `${r.addressPrefix.join(' ')} ${r.source} ${r.nextHopType}${ip}${from}`;
}

export interface NicRows {
  readonly lines: ExplainLine[];
  /** The winning rows (longest match among Active rows), ECMP rows included. */
  readonly winners: readonly EffectiveRouteDetail[];
  /** Every row covering the target, winners first. */
  readonly covering: readonly EffectiveRouteDetail[];
}

/**
 * The effective-route rows covering the target, as Network Watcher would pick: the longest
 * Active prefix wins (ECMP rows as equal cost), less specific Active rows lose by longest
 * match, Invalid and hidden rows with their notes.
 */
export function nicRowLines(details: readonly EffectiveRouteDetail[], target: ExplainTarget): NicRows {
  const covering = details.filter((d) => prefixContains(d.prefix, target.prefix));
  const active = covering.filter((d) => !d.hidden && d.route.state === 'Active');
  const longest = active.reduce((m, d) => Math.max(m, d.prefix.len), -1);
  const winners = active.filter((d) => d.prefix.len === longest);
  const others = active.filter((d) => d.prefix.len !== longest).sort((a, b) => b.prefix.len - a.prefix.len);
  const invalid = covering
    .filter((d) => !d.hidden && d.route.state !== 'Active')
    .sort((a, b) => b.prefix.len - a.prefix.len);
  const hidden = covering.filter((d) => d.hidden).sort((a, b) => b.prefix.len - a.prefix.len);
  const lines: ExplainLine[] = [];
  const extra = (d: EffectiveRouteDetail): Partial<ExplainLine> => ({
    row: d.route,
    ...(d.origin ? { origin: d.origin } : {}),
  });
  winners.forEach((d, i) => lines.push({ status: i === 0 ? 'best' : 'equal', text: rowText(d), ...extra(d) }));
  const winnerText = winners[0] ? formatPrefix(winners[0].prefix) : '';
  for (const d of others)
    lines.push(
      lossLine(
        'lost',
        rowText(d),
        `less specific than ${winnerText}: longest prefix match`,
        ruleFor('longest-match', 'nic'),
        extra(d),
      ),
    );
  for (const d of invalid) {
    const n = d.note ?? { rule: 'R-NIC-4', reason: 'Invalid' };
    lines.push(lossLine('lost', rowText(d), `Invalid: ${n.reason}`, ruleOfRejection(n, 'nic'), extra(d)));
  }
  for (const d of hidden) {
    const n = d.note ?? { rule: 'R-NIC-4', reason: 'not shown' };
    lines.push(lossLine('dropped', rowText(d), `not in the table: ${n.reason}`, ruleOfRejection(n, 'nic'), extra(d)));
  }
  return { lines, winners, covering: [...winners, ...others, ...invalid, ...hidden] };
}

// ---------------------------------------------------------------------------
// Checking and rendering

/** Every loss line (lost, dropped, withheld) without a well-formed rule: should be none. */
export function lossesWithoutRule(r: ExplainResult): { section: string; line: ExplainLine }[] {
  const out: { section: string; line: ExplainLine }[] = [];
  const walk = (s: ExplainSection): void => {
    for (const l of s.lines)
      if (LOSS_STATUSES.includes(l.status) && !(l.rule && RULE_ID.test(l.rule)))
        out.push({ section: s.title, line: l });
    s.children.forEach(walk);
  };
  r.sections.forEach(walk);
  return out;
}

/** Every line of a result, depth first (tests and the UI search in it). */
export function allLines(r: ExplainResult): { section: ExplainSection; line: ExplainLine }[] {
  const out: { section: ExplainSection; line: ExplainLine }[] = [];
  const walk = (s: ExplainSection): void => {
    for (const l of s.lines) out.push({ section: s, line: l });
    s.children.forEach(walk);
  };
  r.sections.forEach(walk);
  return out;
}

export const MARKS: Record<LineStatus, string> = {
  best: '✓ best',
  equal: '= equal cost',
  lost: '✗',
  dropped: '✗',
  withheld: '✗',
  advertised: '→ advertised',
  received: '← received',
  info: '·',
};

/** The line as printed: mark, text, and the rule in parentheses at the end. */
export function formatLine(l: ExplainLine): string {
  return `${MARKS[l.status]} ${l.text}${l.rule ? ` (${l.rule})` : ''}`;
}

/** The readable tree: one line per candidate, sections as branches. */
export function renderExplain(r: ExplainResult): string {
  const out: string[] = [...r.summary];
  const walk = (s: ExplainSection, indent: string, last: boolean): void => {
    out.push(`${indent}${last ? '└─ ' : '├─ '}${s.title}`);
    const inner = indent + (last ? '   ' : '│  ');
    for (const l of s.lines) out.push(`${inner}${s.children.length ? '│ ' : '  '} ${formatLine(l)}`);
    s.children.forEach((c, i) => walk(c, inner, i === s.children.length - 1));
  };
  r.sections.forEach((s, i) => walk(s, '', i === r.sections.length - 1));
  return out.join('\n') + '\n';
}
