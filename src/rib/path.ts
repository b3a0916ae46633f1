/**
 * @module rib/path
 * A Path is one candidate route for a prefix without the prefix: who it came from, its
 * interned attributes and the values import policy gave it. Paths are interned too, so a
 * table of N prefixes learned from one neighbour with one attribute set holds N
 * references to a single Path (gobgp keeps a Path per prefix; BIRD an `rte` per net).
 */
import type { RouteAttrs } from './attrs.js';

/** Where a path came from: a neighbour of the speaker, or the speaker itself. */
export interface RouteSource {
  /** Unique within the process; part of the Path identity. */
  readonly id: number;
  /** For humans: peering name, gateway instance, "local". */
  readonly name: string;
  /** The neighbour's address as Azure shows it (emulated address), "" for local routes. */
  readonly address: string;
  readonly asn: number;
  /** RFC 4271 §9.1.2.2 (d): eBGP-learned preferred over iBGP-learned. */
  readonly kind: 'ebgp' | 'ibgp' | 'local';
  /** BGP Identifier of the neighbour (tie-break), uint32. */
  readonly routerId: number;
  /**
   * What the neighbour is to the speaker, in its policy's words ('nva', 'msee',
   * 'route-server', 'customer'…): export policy decides by where a path came from.
   */
  readonly role?: string;
}

/** Why import policy refused a path: a rule number from azure-routing.md and one line. */
export interface Rejection {
  readonly rule: string;
  readonly reason: string;
}

export interface Path {
  readonly source: RouteSource;
  readonly attrs: RouteAttrs;
  /** Cisco-style weight (higher wins first); Azure gateways use 32768/32769 (R-ER-3). */
  readonly weight: number;
  /** Preference class set by import policy (higher wins; R-ARS-7 hubRoutingPreference). */
  readonly preference: number;
  /** Kept in the Adj-RIB-In but never a candidate (so `explain` can say why). */
  readonly rejected?: Rejection;
}

let nextSourceId = 1;

export function newRouteSource(init: Omit<RouteSource, 'id'>): RouteSource {
  return Object.freeze({ ...init, id: nextSourceId++ });
}

const paths = new Map<string, WeakRef<Path>>();
const registry = new FinalizationRegistry<string>((k) => {
  const r = paths.get(k);
  if (r && r.deref() === undefined) paths.delete(k);
});

export function internPath(
  source: RouteSource,
  attrs: RouteAttrs,
  weight = 0,
  preference = 0,
  rejected?: Rejection,
): Path {
  const key = `${source.id}#${weight}#${preference}#${rejected ? rejected.rule + rejected.reason : ''}#${attrs.key}`;
  const hit = paths.get(key)?.deref();
  if (hit) return hit;
  const p: Path = Object.freeze(
    rejected ? { source, attrs, weight, preference, rejected } : { source, attrs, weight, preference },
  );
  paths.set(key, new WeakRef(p));
  registry.register(p, key);
  return p;
}
