/**
 * @module api/body
 * Typed reads of a request body's fields. A field of the wrong type is the caller's error —
 * 400 InvalidRequestFormat naming the field's path (`properties.remoteVirtualNetwork.id`) —
 * never a TypeError that surfaces as a 500 (issue 8, finding 6). Absent fields are
 * undefined; whether one is required is the handler's business.
 */
import { AzureErrors } from '../azure/index.js';

export type Json = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

/** A JSON object at `path` (the whole body when path is ''), or undefined when absent or null. */
export function objectAt(v: unknown, path = ''): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw AzureErrors.invalidRequestFormat(path || '(body)', `must be a JSON object, not ${describe(v)}`);
  return v as Json;
}

/**
 * Field `key` of `o`, where `o` sits at `base` in the body; `kind` its JSON type.
 * Returns undefined when the field is absent (null counts as absent, as ARM treats it).
 */
export function field(o: Json | undefined, base: string, key: string, kind: 'string'): string | undefined;
export function field(o: Json | undefined, base: string, key: string, kind: 'boolean'): boolean | undefined;
export function field(o: Json | undefined, base: string, key: string, kind: 'number'): number | undefined;
export function field(o: Json | undefined, base: string, key: string, kind: 'object'): Json | undefined;
export function field(
  o: Json | undefined,
  base: string,
  key: string,
  kind: 'string' | 'boolean' | 'number' | 'object',
): unknown {
  const path = base ? `${base}.${key}` : key;
  const v = o?.[key];
  if (v === undefined || v === null) return undefined;
  if (kind === 'object') return objectAt(v, path);
  if (typeof v !== kind || (kind === 'number' && !Number.isFinite(v)))
    throw AzureErrors.invalidRequestFormat(path, `must be a ${kind}, not ${describe(v)}`);
  return v;
}

/** The body's `properties` object (ARM's envelope), or an empty one. */
export function properties(body: unknown): Json {
  return field(objectAt(body), '', 'properties', 'object') ?? {};
}

/** A JSON array at `path`, or undefined when absent. */
export function arrayAt(o: Json | undefined, base: string, key: string): unknown[] | undefined {
  const v = o?.[key];
  if (v === undefined || v === null) return undefined;
  const path = base ? `${base}.${key}` : key;
  if (!Array.isArray(v)) throw AzureErrors.invalidRequestFormat(path, 'must be a JSON array');
  return v;
}

export const required = <T>(v: T | undefined, path: string): T => {
  if (v === undefined) throw AzureErrors.missingProperty(path);
  return v;
};

/** `{ "id": "…" }` at base.key: the id, or undefined. */
export function refId(o: Json | undefined, base: string, key: string): string | undefined {
  const ref = field(o, base, key, 'object');
  return field(ref, base ? `${base}.${key}` : key, 'id', 'string');
}

/** The body's `location`, as ARM keeps it (`West Europe` → `westeurope`), or undefined. */
export const location = (body: unknown): string | undefined =>
  field(objectAt(body), '', 'location', 'string')?.replace(/\s+/g, '').toLowerCase();
