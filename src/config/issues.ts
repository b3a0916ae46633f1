/**
 * @module config/issues
 * Schema issues (zod) in the file's words: what was expected, what was found, and a
 * "did you mean" where one is likely.
 */
import type { z } from 'zod';
import type { Path, PathSegment } from './source.js';
import { closest, listOf } from './suggest.js';

type Issue = z.core.$ZodIssue;

export interface IssueReport {
  readonly path: Path;
  /** 'key' for an unknown or badly named key: the key's line is the place to fix. */
  readonly at: 'value' | 'key';
  readonly message: string;
  /** Set on "missing required key" reports: the key. */
  readonly missingKey?: string;
  /** Set on "unknown key" reports: the key it probably meant. */
  readonly meant?: string;
}

export interface DescribeOptions {
  /**
   * The words for a discriminated union whose tag is missing or unknown, by the tag's key
   * (a lab file's node `kind`): `found` is what the file holds there, undefined when none.
   */
  readonly discriminators?: Readonly<Record<string, (found: unknown) => string>>;
}

/**
 * All issues of one parse, described. A misspelt key gives zod two issues, the unknown
 * key and the missing one; users need only the first, which already names the second.
 */
export function describeIssues(
  issues: readonly Issue[],
  input: unknown,
  schema: z.ZodType,
  options: DescribeOptions = {},
): IssueReport[] {
  const reports = issues.flatMap((i) => describeIssue(i, input, schema, options));
  const meant = new Set(
    reports.filter((r) => r.meant !== undefined).map((r) => JSON.stringify([...r.path.slice(0, -1), r.meant])),
  );
  return reports.filter((r) => r.missingKey === undefined || !meant.has(JSON.stringify(r.path)));
}

/**
 * Turns one zod issue into the problems to report. `input` is the parsed YAML (to show
 * what was found), `schema` the file's schema (to list the keys an object allows).
 */
function describeIssue(issue: Issue, input: unknown, schema: z.ZodType, options: DescribeOptions): IssueReport[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s === 'string' || typeof s === 'number');
  const parent = valueAt(input, path.slice(0, -1));
  const last = path[path.length - 1];
  const missing =
    path.length > 0 && isPlainObject(parent.value) && parent.found && !Object.hasOwn(parent.value, String(last));
  const found = valueAt(input, path).value;

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, path, input);
      return issue.keys.map((key) => {
        if (key === '<<') {
          return {
            path: [...path, key],
            at: 'key' as const,
            message:
              "merge keys ('<<') are YAML 1.1, not YAML 1.2, and are not supported: write the keys out, or alias a whole value (*anchor)",
          };
        }
        const hint = closest(key, allowed);
        const suggestion = hint
          ? hint.toLowerCase() === key.toLowerCase()
            ? ` (did you mean '${hint}'? keys are case-sensitive)`
            : ` (did you mean '${hint}'?)`
          : '';
        const known = allowed.length > 0 ? `; allowed here: ${listOf(allowed, 20)}` : '';
        return {
          path: [...path, key],
          at: 'key' as const,
          message: `unknown key '${key}'${suggestion}${known}`,
          ...(hint ? { meant: hint } : {}),
        };
      });
    }
    case 'invalid_key': {
      const messages = issue.issues.map((i) => i.message);
      return [{ path, at: 'key', message: messages.join('; ') || `invalid key '${String(last)}'` }];
    }
    case 'invalid_union': {
      const words = issue.discriminator === undefined ? undefined : options.discriminators?.[issue.discriminator];
      if (words) return [{ path, at: 'value', message: words(missing ? undefined : found) }];
      return [
        {
          path,
          at: 'value',
          message: missing
            ? `missing required key '${String(last)}': ${issue.message}`
            : `${issue.message}, got ${describeValue(found)}`,
        },
      ];
    }
    default:
      break;
  }

  if (missing) {
    // A refinement that asks for a key words why; keep its words after the usual start.
    const why = issue.code === 'custom' ? `: ${issue.message}` : expectation(issue);
    return [{ path, at: 'value', message: `missing required key '${String(last)}'${why}`, missingKey: String(last) }];
  }

  switch (issue.code) {
    case 'invalid_type':
      return [{ path, at: 'value', message: `expected ${typeName(issue.expected)}, got ${describeValue(found)}` }];
    case 'invalid_value': {
      const values = issue.values.map(String);
      const hint = typeof found === 'string' ? closest(found, values) : undefined;
      const message =
        values.length === 1
          ? `expected ${describeValue(issue.values[0])}, got ${describeValue(found)}`
          : `${describeValue(found)} is not one of: ${values.join(', ')}${hint ? ` (did you mean '${hint}'?)` : ''}`;
      return [{ path, at: 'value', message }];
    }
    case 'too_small':
      return [
        { path, at: 'value', message: rangeMessage('at least', issue.origin, issue.minimum, issue.inclusive, found) },
      ];
    case 'too_big':
      return [
        { path, at: 'value', message: rangeMessage('at most', issue.origin, issue.maximum, issue.inclusive, found) },
      ];
    default:
      // Formats, refinements, unions: the schema words these messages itself.
      return [{ path, at: 'value', message: issue.message }];
  }
}

function expectation(issue: Issue): string {
  if (issue.code === 'invalid_value' && issue.values.length > 1)
    return ` (one of ${issue.values.map(String).join(', ')})`;
  return '';
}

function rangeMessage(
  bound: 'at least' | 'at most',
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  found: unknown,
): string {
  const exclusive = inclusive === false;
  if (origin === 'array' || origin === 'set') {
    const n = Number(limit) + (exclusive ? (bound === 'at least' ? 1 : -1) : 0);
    return `needs ${bound} ${n} item${n === 1 ? '' : 's'}`;
  }
  if (origin === 'string') return `must be ${bound} ${limit} characters long`;
  const relation =
    bound === 'at least' ? (exclusive ? 'greater than' : 'at least') : exclusive ? 'less than' : 'at most';
  return `must be ${relation} ${limit}, got ${describeValue(found)}`;
}

function typeName(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping (key: value)';
    case 'array':
    case 'tuple':
    case 'set':
      return 'a list';
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

/** What the user wrote, for messages: strings quoted, collections named. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'nothing (an empty value)';
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(input: unknown, path: Path): { found: boolean; value: unknown } {
  let value = input;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isPlainObject(value) && Object.hasOwn(value, String(segment))) value = value[String(segment)];
    else return { found: false, value: undefined };
  }
  return { found: true, value };
}

// ---------------------------------------------------------------------------
// Which keys the schema allows at a path (for "unknown key" hints).

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
}

function defOf(schema: z.ZodType): Def {
  return schema.def as unknown as Def;
}

/** Strips optional/default/prefault/pipe wrappers, the layers that do not change the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 16; i++) {
    const d = defOf(s);
    const inner = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!inner) return s;
    s = inner;
  }
  return s;
}

function allowedKeys(schema: z.ZodType, path: Path, input: unknown): string[] {
  let s: z.ZodType | undefined = schema;
  let value: unknown = input;
  const step = (segment: PathSegment | undefined): void => {
    s = s && unwrap(s);
    const d = s && defOf(s);
    if (d?.type === 'union' && d.options) {
      // A discriminated union (nodes): pick the option the input's discriminator names.
      const tag = d.discriminator && isPlainObject(value) ? value[d.discriminator] : undefined;
      s = d.options.find((o) => {
        const kind = defOf(unwrap(o)).shape?.[d.discriminator ?? ''];
        // `_zod.values` is the set of literal values zod itself dispatches discriminated unions on.
        return kind?._zod.values?.has(tag as never) ?? false;
      });
      s = s && unwrap(s);
    }
    if (segment === undefined) return;
    const def = s && defOf(s);
    if (def?.type === 'object') s = def.shape?.[String(segment)];
    else if (def?.type === 'record') s = def.valueType;
    else if (def?.type === 'array') s = def.element;
    else s = undefined;
    value = isPlainObject(value)
      ? value[String(segment)]
      : Array.isArray(value) && typeof segment === 'number'
        ? value[segment]
        : undefined;
  };
  for (const segment of path) step(segment);
  step(undefined);
  const final = s ? defOf(s) : undefined;
  return final?.type === 'object' && final.shape ? Object.keys(final.shape) : [];
}
