/**
 * @module azure/effectiveRouteLayers
 * NIC effective routes kept incrementally (issue 12, ADR 0015). A NIC's table is the merge
 * of a few layers shared by many NICs (effectiveRoutes.ts): its VNet's system routes
 * (R-NIC-1, one layer per VNet), the gateway routes its hub programs (R-NIC-2, R-ARS-8, one
 * layer per hub), the user routes of its subnet's route table (R-NIC-3, one layer per
 * table) and the default routes (one per profile). Each layer is computed once and updated
 * by diff; a NIC query composes the layers of its NIC (R-NIC-4, `composeEffectiveRoutes`,
 * the same code the from-scratch computation uses), which copies rows but evaluates no rule
 * over the hub's thousands of routes.
 *
 * The gateway layer is fed by its source: the lab reports every prefix whose best paths
 * changed in a speaker of the hub (route-server instances, gateway instances), and the layer
 * asks the source for that prefix's candidates only when a NIC is next read (`refresh`),
 * merges them (R-ARS-7, `mergeGatewayRoutes`), and moves the prefix's rows in its sorted list.
 * Model changes (peerings, route tables) are found by comparing what each layer was built
 * from with the new model.
 *
 * Versions: one counter for the whole structure; a layer's version is the counter's value at
 * its last change, a NIC's table version the highest of its layers'. The gateway layer logs
 * which prefixes changed at which version, so `changesSince` can say what changed in a NIC's
 * table since a version it saw.
 *
 * Pure: no I/O and no clock; the source is the only way in.
 */
import {
  AFI_IPV4,
  comparePrefixes,
  formatPrefix,
  parsePrefix,
  prefixContains,
  type Prefix,
} from '../bgp/wire/index.js';
import {
  composedDetails,
  composedValue,
  composeTable,
  defaultLayer,
  effectiveRow,
  nicPlace,
  systemLayer,
  userLayer,
  type ComposedTable,
  type DefaultLayer,
  type EffectiveRoute,
  type EffectiveRouteDetail,
  type GatewaySegment,
  type SystemLayer,
  type UserLayer,
} from './effectiveRoutes.js';
import {
  effectiveRoutingPreference,
  hubOf,
  mergeGatewayRoutes,
  servedByHub,
  type GatewayRoute,
} from './gatewayRoutes.js';
import { idKey } from './ids.js';
import { byId, routeServerOfVnet } from './lookup.js';
import type { AzureModel, HubRoutingPreference, NetworkInterface, RouteTable, SystemRouteProfile } from './model.js';
import { NONE_RANGES } from './systemRoutes.js';

/**
 * Where a hub's gateway routes come from (the lab's speakers). A hub's NICs may get
 * different routes (R-ARS-21: each is programmed by one route-server instance, which may
 * lack an NVA's routes); `view` names what a NIC gets, '' being what every NIC gets in the
 * usual case. One layer is kept per hub and view in use.
 */
export interface GatewayRouteSource {
  /** R-ARS-21: the view of the hub's routes a NIC gets ('' in the usual case). */
  viewOf(hubId: string, nic: NetworkInterface): string;
  /** Every candidate of the hub, in the order `candidates` gives them per prefix (read when a layer is built). */
  allCandidates(hubId: string, view: string): readonly GatewayRoute[];
  /**
   * The gateway-route candidates of one prefix at the hub, in the order the from-scratch
   * computation merges them: the route server's programmed route, then each gateway's
   * (model order). Empty when none.
   */
  candidates(hubId: string, prefix: Prefix, view: string): readonly GatewayRoute[];
  /** R-VPN-2: the hub's gateways' iBGP mesh is broken and down: no gateway route reaches a NIC. */
  meshDown(hubId: string): boolean;
}

/** A NIC's table from the layers, with the versions it was made of. */
export interface EffectiveRouteTable {
  /** The highest version of the layers below. */
  readonly version: number;
  readonly layers: { readonly system: number; readonly gateway: number; readonly user: number };
  /** `show-effective-route-table`'s value (rows shared with other NICs: read only). */
  readonly value: readonly EffectiveRoute[];
  /** The shown rows with their prefixes (next hop, forwarding). */
  readonly details: readonly EffectiveRouteDetail[];
  /** `{"value":[…]}` as JSON.stringify would write it (the text of `jsonBytes`). */
  json(): string;
  /**
   * The same as UTF-8 bytes, in pieces to be written one after another: the API's answer.
   * The hub's rows are one piece shared by every NIC of the hub (or slices of it around the
   * few rows R-NIC-4 changes for this NIC), so answering copies no more than the NIC's own rows.
   */
  jsonBytes(): JsonBytes;
}

/** JSON text as UTF-8 pieces (read only: pieces are shared between answers). */
export interface JsonBytes {
  readonly chunks: readonly Uint8Array[];
  /** Their total length in bytes. */
  readonly size: number;
}

const utf8 = new TextEncoder();

/** A JSON text as JsonBytes (one piece). */
export function jsonBytesOf(text: string): JsonBytes {
  const b = utf8.encode(text);
  return { chunks: [b], size: b.length };
}

/** The text of JsonBytes. */
export function jsonTextOf(j: JsonBytes): string {
  if (j.chunks.length === 1) return new TextDecoder().decode(j.chunks[0]);
  const all = new Uint8Array(j.size);
  let at = 0;
  for (const c of j.chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/**
 * Rows' JSON texts joined by commas, as UTF-8, with where each row starts: `starts[i]` is
 * row i's first byte, and row i ends one byte (its comma) before `starts[i + 1]`.
 */
interface RowBytes {
  readonly bytes: Uint8Array;
  readonly starts: Uint32Array;
}

function encodeRows(texts: readonly string[]): RowBytes {
  const joined = texts.join(',');
  const bytes = utf8.encode(joined);
  const starts = new Uint32Array(texts.length + 1);
  // ASCII text (the common case: prefixes, addresses, enum names) has one byte per unit;
  // otherwise measure each row.
  const ascii = bytes.length === joined.length;
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    starts[i] = at;
    at += (ascii ? texts[i]!.length : utf8.encode(texts[i]!).length) + 1;
  }
  starts[texts.length] = bytes.length + 1;
  return { bytes, starts };
}

export interface EffectiveRouteChanges {
  readonly version: number;
  /** True when the rows below are the whole table (a change not tracked per prefix, or an old version). */
  readonly full: boolean;
  /** The prefixes whose rows may have changed (empty when full). */
  readonly prefixes: readonly string[];
  /** The NIC's rows now for those prefixes (or all of them when full), in table order. */
  readonly value: readonly EffectiveRoute[];
}

type Key = number | string;

/** A prefix as a Map key: exact for IPv4 (len·2³² + address), the text otherwise. */
function keyOf(p: Prefix): Key {
  return p.afi === AFI_IPV4 ? p.len * 4294967296 + (p.addr as number) : formatPrefix(p);
}

function maskV4(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

/** "Is this prefix inside one of these": one probe per distinct length, not one per prefix. */
class PrefixCover {
  private readonly v4 = new Map<number, Set<number>>();
  private readonly lens: number[];
  private readonly other: Prefix[] = [];
  /** The set's identity, to tell a change. */
  readonly key: string;

  constructor(prefixes: readonly Prefix[]) {
    for (const p of prefixes) {
      if (p.afi !== AFI_IPV4) {
        this.other.push(p);
        continue;
      }
      let s = this.v4.get(p.len);
      if (!s) this.v4.set(p.len, (s = new Set()));
      s.add(p.addr as number);
    }
    this.lens = [...this.v4.keys()].sort((a, b) => a - b);
    this.key = prefixes.map(formatPrefix).sort().join(',');
  }

  covers(p: Prefix): boolean {
    if (p.afi !== AFI_IPV4) return this.other.some((o) => prefixContains(o, p));
    for (const len of this.lens) {
      if (len > p.len) break;
      if (this.v4.get(len)!.has(maskV4(p.addr as number, len))) return true;
    }
    return false;
  }
}

interface HubEntry {
  readonly key: Key;
  readonly prefix: Prefix;
  /** The merged route (R-ARS-7) of the prefix. */
  route: GatewayRoute;
  /** Its rows, one per next hop, when a NIC may show it (not inside a served VNet, R-ARS-8). */
  rows: readonly EffectiveRouteDetail[];
  /** Position of its first row in the hub's segment (valid right after a refresh). */
  at: number;
  /** JSON of each row, made when an API answer first needs it (reset with `rows`). */
  json?: readonly string[];
}

const NO_ROWS: readonly EffectiveRouteDetail[] = Object.freeze([]);
/** Past this many changed prefixes, the sorted list is rebuilt rather than patched. */
const BULK = 64;
/** Changes kept per hub for changesSince; older versions get the whole table. */
const LOG_LIMIT = 100_000;

function byPrefixDescending(a: { prefix: Prefix }, b: { prefix: Prefix }): number {
  return -comparePrefixes(a.prefix, b.prefix);
}

function sameRows(a: GatewayRoute, b: GatewayRoute): boolean {
  return (
    a.origin === b.origin &&
    a.nextHops.length === b.nextHops.length &&
    a.nextHops.every((x, i) => x === b.nextHops[i]) &&
    a.paths.length === b.paths.length &&
    a.paths.every((x, i) => x === b.paths[i])
  );
}

function freezeRow(d: EffectiveRouteDetail): EffectiveRouteDetail {
  Object.freeze(d.route.addressPrefix);
  Object.freeze(d.route.nextHopIpAddress);
  Object.freeze(d.route);
  return Object.freeze(d);
}

/** The gateway routes of one hub, as rows sorted the way NICs list them (R-NIC-5). */
class HubLayer implements GatewaySegment {
  version = 0;
  private readonly entries = new Map<Key, HubEntry>();
  /** Entries with rows, by descending prefix (mergeGatewayRoutes' order). */
  private sorted: HubEntry[] = [];
  private readonly dirty = new Map<Key, Prefix>();
  private allDirty = true;
  private model?: AzureModel;
  private served = new PrefixCover([]);
  private pref: HubRoutingPreference = 'ExpressRoute';
  private maxEcmp = 0;
  private mesh = false;
  private segmentVersion = -1;
  rows: readonly EffectiveRouteDetail[] = NO_ROWS;
  routes: readonly EffectiveRoute[] = [];
  defaultPositions: readonly number[] = [];
  /** The rows' JSON as bytes, made when an API answer first needs them (per segment version). */
  private bytes?: RowBytes;
  /** (version, prefix) of each change, oldest first; `logFloor`: versions up to it are not all logged. */
  private log: { version: number; prefix: Prefix }[] = [];
  logFloor = 0;

  constructor(
    readonly hubId: string,
    readonly view: string,
    private readonly tick: () => number,
  ) {}

  changed(prefix: Prefix): void {
    if (!this.allDirty) this.dirty.set(keyOf(prefix), prefix);
  }

  rebuildAll(): void {
    this.allDirty = true;
    this.dirty.clear();
  }

  get meshDown(): boolean {
    return this.mesh;
  }

  /** Brings the layer up to date with the model and the source; O(changed prefixes) when the model is the same. */
  refresh(model: AzureModel, source: GatewayRouteSource): void {
    let reseat = false;
    if (model !== this.model) {
      this.model = model;
      const hub = byId(model.virtualNetworks, this.hubId);
      const pref = effectiveRoutingPreference(hub && routeServerOfVnet(model, hub));
      const maxEcmp = model.routeServerSettings.maxEcmpPaths;
      if (pref !== this.pref || maxEcmp !== this.maxEcmp) {
        this.pref = pref;
        this.maxEcmp = maxEcmp;
        this.rebuildAll();
      }
      // R-ARS-8: the served VNets' spaces are never programmed; a peering change moves them.
      const served = new PrefixCover(hub ? servedByHub(model, hub).flatMap((v) => v.prefixes) : []);
      if (served.key !== this.served.key) {
        this.served = served;
        reseat = true;
      }
    }
    // Changes to every row at once are not logged per prefix (untracked): changesSince
    // answers whole tables for versions before them.
    let untracked = false;
    const mesh = source.meshDown(this.hubId);
    if (mesh !== this.mesh) {
      this.mesh = mesh;
      untracked = true;
    }
    if (this.allDirty) {
      // Built whole: every candidate merged at once (R-ARS-7), already in row order.
      this.allDirty = false;
      this.dirty.clear();
      this.entries.clear();
      this.sorted = [];
      for (const route of mergeGatewayRoutes(source.allCandidates(this.hubId, this.view), this.pref, this.maxEcmp)
        .routes) {
        const e: HubEntry = { key: keyOf(route.prefix), prefix: route.prefix, route, rows: this.rowsOf(route), at: 0 };
        this.entries.set(e.key, e);
        if (e.rows.length > 0) this.sorted.push(e);
      }
      this.version = this.tick();
      untracked = true;
    } else if (reseat) {
      // Every prefix may change visibility: recompute the rows of all of them.
      for (const e of this.entries.values()) this.dirty.set(e.key, e.prefix);
      untracked = true;
    }
    if (this.dirty.size > 0) this.apply(source);
    if (untracked) {
      this.version = this.tick();
      this.logFloor = this.version;
      this.log = [];
    }
    if (this.segmentVersion !== this.version) this.buildSegment();
  }

  private apply(source: GatewayRouteSource): void {
    const bulk = this.dirty.size > BULK;
    for (const [key, prefix] of this.dirty) {
      const candidates = source.candidates(this.hubId, prefix, this.view);
      const route =
        candidates.length > 0 ? mergeGatewayRoutes(candidates, this.pref, this.maxEcmp).routes[0] : undefined;
      const old = this.entries.get(key);
      if (!route) {
        if (!old) continue;
        this.entries.delete(key);
        if (old.rows.length > 0) this.moved(old, false, bulk);
        continue;
      }
      const visible = !this.served.covers(route.prefix);
      if (old && old.rows.length > 0 === visible && (!visible || sameRows(old.route, route))) {
        old.route = route;
        continue;
      }
      const rows = this.rowsOf(route);
      if (old) {
        if (old.rows.length > 0) this.moved(old, false, bulk);
        old.route = route;
        old.rows = rows;
        old.json = undefined;
        if (rows.length > 0) this.moved(old, true, bulk);
      } else {
        const e: HubEntry = { key, prefix: route.prefix, route, rows, at: 0 };
        this.entries.set(key, e);
        if (rows.length > 0) this.moved(e, true, bulk);
      }
    }
    this.dirty.clear();
    if (bulk) this.sorted = [...this.entries.values()].filter((e) => e.rows.length > 0).sort(byPrefixDescending);
  }

  /** A route's rows, one per next hop (R-NIC-5), or none inside a served VNet (R-ARS-8). */
  private rowsOf(route: GatewayRoute): readonly EffectiveRouteDetail[] {
    if (this.served.covers(route.prefix)) return NO_ROWS;
    return route.nextHops.map((ip) =>
      freezeRow(
        effectiveRow('VirtualNetworkGateway', route.prefix, 'VirtualNetworkGateway', [ip], {
          origin: route.origin,
          paths: route.paths,
        }),
      ),
    );
  }

  /** An entry's rows appear (in) or go (out): patch the sorted list (unless bulk) and log it. */
  private moved(e: HubEntry, into: boolean, bulk: boolean): void {
    this.version = this.tick();
    if (this.version > this.logFloor) {
      this.log.push({ version: this.version, prefix: e.prefix });
      if (this.log.length > LOG_LIMIT) {
        const drop = this.log.length - LOG_LIMIT / 2;
        this.logFloor = this.log[drop - 1]!.version;
        this.log = this.log.slice(drop);
      }
    }
    if (bulk) return;
    // Binary search: the first entry not before e in descending prefix order.
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byPrefixDescending(this.sorted[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (into) this.sorted.splice(lo, 0, e);
    else if (this.sorted[lo] === e) this.sorted.splice(lo, 1);
  }

  private buildSegment(): void {
    const rows: EffectiveRouteDetail[] = [];
    const defaults: number[] = [];
    if (!this.mesh) {
      for (const e of this.sorted) {
        e.at = rows.length;
        if (e.prefix.len === 0) for (let i = 0; i < e.rows.length; i++) defaults.push(rows.length + i);
        for (const r of e.rows) rows.push(r);
      }
    }
    this.rows = rows;
    this.routes = rows.map((d) => d.route);
    this.defaultPositions = defaults;
    this.segmentVersion = this.version;
    this.bytes = undefined;
  }

  /**
   * The rows' JSON as UTF-8 (valid until the next refresh), in segment order. Each entry keeps
   * its rows' text until they change, so a new version re-encodes the changed prefixes' rows
   * only and copies the rest once: one buffer per hub version, shared by every NIC's answer.
   */
  rowsBytes(): RowBytes {
    if (!this.bytes) {
      const texts: string[] = [];
      if (!this.mesh) {
        for (const e of this.sorted) {
          e.json ??= e.rows.map((d) => JSON.stringify(d.route));
          for (const t of e.json) texts.push(t);
        }
      }
      this.bytes = encodeRows(texts);
    }
    return this.bytes;
  }

  positionsOf(prefix: Prefix): readonly number[] | undefined {
    if (this.mesh) return undefined;
    const e = this.entries.get(keyOf(prefix));
    if (!e || e.rows.length === 0) return undefined;
    return e.rows.map((_, i) => e.at + i);
  }

  /** Whether every prefix is inside a VNet the hub serves (then a gateway row never is, R-ARS-8). */
  covers(p: Prefix): boolean {
    return this.served.covers(p);
  }

  /** Prefixes changed after `since`, or undefined when the log does not reach back that far. */
  changedSince(since: number): Prefix[] | undefined {
    if (since < this.logFloor) return undefined;
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.version <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo).map((x) => x.prefix);
  }
}

const EMPTY_SEGMENT: GatewaySegment = {
  rows: NO_ROWS,
  routes: [],
  positionsOf: () => undefined,
  defaultPositions: [],
};

interface Versioned<T> {
  readonly layer: T;
  readonly version: number;
}

/** Views of one hub kept at most (R-ARS-21); past it, the views other than '' are dropped and rebuilt when asked for. */
const VIEWS_PER_HUB = 4;

/** Every NIC's effective routes, from layers kept across changes. */
export class EffectiveRouteLayers {
  private clock = 0;
  /** Per hub, its layer per view (R-ARS-21; '' only, in the usual case). */
  private readonly hubs = new Map<string, Map<string, HubLayer>>();
  private readonly systems = new Map<string, { model: AzureModel; key: string } & Versioned<SystemLayer>>();
  private readonly users = new Map<string, { table: RouteTable } & Versioned<UserLayer>>();
  private readonly defaults = new Map<SystemRouteProfile, DefaultLayer>();
  private readonly noTable: Versioned<UserLayer> = { layer: userLayer(undefined), version: 0 };
  /**
   * Per NIC, the view it was last answered from and the version at which it moved there
   * (R-ARS-21): a NIC moving to another view changes its table without any layer changing.
   */
  private readonly nicViews = new Map<string, { view: string; at: number }>();

  constructor(private readonly source: GatewayRouteSource) {}

  /** The current version: every change counts one up. */
  get version(): number {
    return this.clock;
  }

  private readonly tick = () => ++this.clock;

  /** A speaker of the hub `hubId` changed its best paths for `prefix` (cheap: marks it). */
  prefixChanged(hubId: string, prefix: Prefix): void {
    for (const h of this.hubs.get(idKey(hubId))?.values() ?? []) h.changed(prefix);
  }

  /** Everything the hub programs may have changed (a gateway or route server reset). */
  hubChanged(hubId: string): void {
    for (const h of this.hubs.get(idKey(hubId))?.values() ?? []) h.rebuildAll();
  }

  /** The hub layer of a view (R-ARS-21), brought up to date. */
  private hubLayer(model: AzureModel, hubId: string, view: string): HubLayer {
    const k = idKey(hubId);
    let views = this.hubs.get(k);
    if (!views) this.hubs.set(k, (views = new Map()));
    let h = views.get(view);
    if (!h) {
      if (views.size >= VIEWS_PER_HUB) for (const v of [...views.keys()]) if (v !== '') views.delete(v);
      views.set(view, (h = new HubLayer(hubId, view, this.tick)));
    }
    h.refresh(model, this.source);
    return h;
  }

  /** R-NIC-1: rebuilt when the model changed, kept (with its version) when its rows are the same. */
  private systemOf(model: AzureModel, vnet: { id: string } & Parameters<typeof systemLayer>[1]) {
    const k = idKey(vnet.id);
    const cached = this.systems.get(k);
    if (cached?.model === model) return cached;
    const layer = systemLayer(model, vnet);
    const key = [...layer.vnetRows, ...layer.peerRows]
      .map((d) => `${d.route.addressPrefix[0]} ${d.route.nextHopType}`)
      .join(',');
    const next =
      cached?.key === key
        ? { ...cached, model }
        : { model, key, layer: freezeSystem(layer), version: cached ? this.tick() : 0 };
    this.systems.set(k, next);
    return next;
  }

  private userOf(table: RouteTable | undefined): Versioned<UserLayer> {
    if (!table) return this.noTable;
    const k = idKey(table.id);
    const cached = this.users.get(k);
    if (cached?.table === table) return cached;
    const layer = userLayer(table);
    layer.rows.forEach(freezeRow);
    const next = { table, layer, version: cached ? this.tick() : 0 };
    this.users.set(k, next);
    return next;
  }

  private defaultsOf(profile: SystemRouteProfile): DefaultLayer {
    let d = this.defaults.get(profile);
    if (!d) {
      d = defaultLayer(profile);
      freezeRow(d.internet);
      d.noneRows.forEach(freezeRow);
      this.defaults.set(profile, d);
    }
    return d;
  }

  /**
   * A NIC's table now. R-NIC-4 is applied to the few rows a user route or a default row
   * shares a prefix with; the hub's rows are not looked at one by one. `value` and
   * `details` copy the layers' arrays whole when first read; `json` joins their JSON text.
   */
  table(model: AzureModel, nic: NetworkInterface): EffectiveRouteTable {
    const place = nicPlace(model, nic);
    if (!place) return emptyTable(this.clock);
    const system = this.systemOf(model, place.vnet);
    const user = this.userOf(place.table);
    const hub = hubOf(model, place.vnet);
    const view = hub ? this.source.viewOf(hub.id, nic) : '';
    const gw = hub ? this.hubLayer(model, hub.id, view) : undefined;
    const moved = this.viewMove(nic, view);
    const segment = gw && user.layer.propagation && !gw.meshDown ? gw : EMPTY_SEGMENT;
    // Only spaces outside every served VNet can hold a shown gateway row (R-NIC-4 vs R-ARS-8).
    const systemSpaces =
      segment === EMPTY_SEGMENT
        ? []
        : [...system.layer.vnetRows, ...system.layer.peerRows].map((d) => d.prefix).filter((p) => !gw!.covers(p));
    const c = composeTable({
      system: system.layer,
      gateway: segment,
      defaults: this.defaultsOf(model.systemRouteProfile),
      user: user.layer,
      systemSpaces,
    });
    const layers = { system: system.version, gateway: Math.max(gw?.version ?? 0, moved), user: user.version };
    return new ComposedRouteTable(
      Math.max(layers.system, layers.gateway, layers.user),
      layers,
      c,
      segment === gw ? gw : undefined,
      gw,
      moved,
    );
  }

  /** The version at which `nic` moved to `view` (0: it never moved). */
  private viewMove(nic: NetworkInterface, view: string): number {
    const k = idKey(nic.id);
    const was = this.nicViews.get(k);
    if (was?.view === view) return was.at;
    const at = was ? this.tick() : 0;
    this.nicViews.set(k, { view, at });
    return at;
  }

  /**
   * What changed in a NIC's table after version `since`: the rows now of the prefixes whose
   * gateway routes changed (and, when a default route changed, of the default rows it
   * overrides or removes, R-NIC-4); the whole table when a system or user layer changed, or
   * the log does not reach back to `since`.
   */
  changesSince(model: AzureModel, nic: NetworkInterface, since: number): EffectiveRouteChanges {
    const t = this.table(model, nic);
    const version = this.clock;
    if (since >= t.version) return { version, full: false, prefixes: [], value: [] };
    // The NIC's own view's layer (R-ARS-21): a NIC moved to another view since gets its whole table.
    const c = t instanceof ComposedRouteTable ? t : undefined;
    const changed =
      t.layers.system > since || t.layers.user > since || (c?.movedAt ?? 0) > since
        ? undefined
        : c?.hubLayer
          ? c.hubLayer.changedSince(since)
          : [];
    if (!changed) return { version, full: true, prefixes: [], value: t.value };
    const prefixes = [...changed];
    if (changed.some((p) => p.len === 0)) {
      for (const n of ['0.0.0.0/0', ...NONE_RANGES[model.systemRouteProfile]]) prefixes.push(parsePrefix(n)!);
    }
    const texts = new Set(prefixes.map(formatPrefix));
    // The rows of those prefixes only: O(changes), not a copy of the NIC's thousands of rows.
    const value =
      t instanceof ComposedRouteTable
        ? t.rowsOf(prefixes, texts)
        : t.value.filter((r) => texts.has(r.addressPrefix[0]!));
    return { version, full: false, prefixes: [...texts], value };
  }
}

function emptyTable(version: number): EffectiveRouteTable {
  return {
    version,
    layers: { system: 0, gateway: 0, user: 0 },
    value: [],
    details: [],
    json: () => '{"value":[]}',
    jsonBytes: () => jsonBytesOf('{"value":[]}'),
  };
}

/** A NIC's table as its layers' parts: the arrays and the text are made when first asked for. */
class ComposedRouteTable implements EffectiveRouteTable {
  private value_?: readonly EffectiveRoute[];
  private details_?: readonly EffectiveRouteDetail[];

  constructor(
    readonly version: number,
    readonly layers: EffectiveRouteTable['layers'],
    private readonly c: ComposedTable,
    private readonly hub: HubLayer | undefined,
    /** The hub layer of the NIC's view, whether its rows are shown or not (changesSince). */
    readonly hubLayer?: HubLayer,
    /** When the NIC moved to that view (R-ARS-21; 0: never). */
    readonly movedAt = 0,
  ) {}

  get value(): readonly EffectiveRoute[] {
    return (this.value_ ??= composedValue(this.c));
  }

  get details(): readonly EffectiveRouteDetail[] {
    return (this.details_ ??= composedDetails(this.c));
  }

  json(): string {
    return jsonTextOf(this.jsonBytes());
  }

  /**
   * The shown rows whose prefix is one of `prefixes` (their texts: `texts`), in table order,
   * as `value` would list them: the hub's found by position, the NIC's few own rows by text.
   */
  rowsOf(prefixes: readonly Prefix[], texts: ReadonlySet<string>): EffectiveRoute[] {
    const pick = (rows: readonly EffectiveRouteDetail[]) =>
      rows.filter((d) => texts.has(d.route.addressPrefix[0]!)).map((d) => d.route);
    const { gateway, gatewayOver } = this.c;
    const at = new Set<number>();
    if (gateway.rows.length > 0) for (const p of prefixes) for (const i of gateway.positionsOf(p) ?? []) at.add(i);
    const hub = [...at].sort((a, b) => a - b).map((i) => (gatewayOver.get(i) ?? gateway.rows[i]!).route);
    return [...pick(this.c.system), ...hub, ...pick(this.c.defaults), ...pick(this.c.user)];
  }

  jsonBytes(): JsonBytes {
    // Small rows (system, default, user, per-NIC copies) are gathered as text and encoded
    // together; the hub's rows are its shared buffer, sliced around the rows R-NIC-4 changed
    // for this NIC. Byte for byte what JSON.stringify({ value }) writes.
    const chunks: Uint8Array[] = [];
    let size = 0;
    let text = '{"value":[';
    let first = true;
    const flush = () => {
      if (text === '') return;
      const b = utf8.encode(text);
      chunks.push(b);
      size += b.length;
      text = '';
    };
    const addText = (t: string) => {
      text += first ? t : ',' + t;
      first = false;
    };
    const addBytes = (b: Uint8Array) => {
      if (b.length === 0) return;
      if (!first) text += ',';
      first = false;
      flush();
      chunks.push(b);
      size += b.length;
    };
    const addRows = (rows: readonly EffectiveRouteDetail[]) => {
      for (const d of rows) addText(JSON.stringify(d.route));
    };
    addRows(this.c.system);
    const n = this.c.gateway.rows.length;
    if (this.hub && n > 0) {
      const { bytes, starts } = this.hub.rowsBytes();
      // Rows [from, to) of the hub's buffer, without the comma after the last.
      const span = (from: number, to: number) => {
        if (from < to) addBytes(bytes.subarray(starts[from]!, starts[to]! - 1));
      };
      let next = 0;
      for (const i of [...this.c.gatewayOver.keys()].sort((a, b) => a - b)) {
        span(next, i);
        addText(JSON.stringify(this.c.gatewayOver.get(i)!.route));
        next = i + 1;
      }
      span(next, n);
    }
    addRows(this.c.defaults);
    addRows(this.c.user);
    text += ']}';
    flush();
    return { chunks, size };
  }
}

function freezeSystem(layer: SystemLayer): SystemLayer {
  layer.vnetRows.forEach(freezeRow);
  layer.peerRows.forEach(freezeRow);
  return layer;
}
