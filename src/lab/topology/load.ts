/**
 * @module lab/topology/load
 * Loads a lab file into a LabSpec, or reports every problem in it at once, each at its
 * line: YAML syntax, then the schema, then references and the lab's own checks, then
 * Azure's rules over the resulting model (src/azure/validate.ts). Nothing is started and
 * nothing is written: `arslab validate` is this function and a printer.
 *
 * One schema error does not hide the rest. The entry it is in (a subnet, a VM, a node…)
 * is set aside, the remaining file is checked in full, and references into the entry set
 * aside are skipped rather than reported as missing.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter } from 'yaml';
import type { z } from 'zod';
import { idKey, validateModel, type ErrorCode, type ModelProblem } from '../../azure/index.js';
import {
  describeIssues,
  formatConfigError,
  isPlainObject,
  ProblemCollector,
  readYaml,
  SourceLocator,
  type ConfigError,
  type Path,
  type PathSegment,
} from '../../config/index.js';
import type { LabSpec } from '../spec.js';
import { buildLab, defaultCheckFile, type FileCheck, type ModelSource } from './build.js';
import { LAB_ISSUE_WORDS, unusableEntry } from './issues.js';
import type { Unusable } from './references.js';
import { labFileSchema, type LabFile } from './schema.js';

type LabFileError = ConfigError;

export type LoadResult =
  | { readonly ok: true; readonly spec: LabSpec; readonly warnings: readonly LabFileError[] }
  | { readonly ok: false; readonly errors: readonly LabFileError[]; readonly warnings: readonly LabFileError[] };

export interface LoadOptions {
  /** How node files (config, loopbackConfig) are checked. Default: they must be regular files on disk. */
  readonly checkFile?: (absolutePath: string) => FileCheck;
}

/**
 * Rules whose finding depends on resources elsewhere in the lab: when part of the file was
 * set aside, the resource they miss may be the one set aside, so they would mislead.
 */
const NEEDS_WHOLE_LAB = new Set<ErrorCode>([
  'RemoteVnetHasNoGateways',
  'RemotePeeringIsDisconnectedOrGatewayTransitNotAllowed',
]);

/** How deep a lab file may nest and how far its aliases may expand (src/config/yaml.ts). */
const YAML_LIMITS = {
  maxNesting: 64,
  nestingNeeded: 'a lab file needs 7',
  maxAliasCount: 1000,
  emptyMessage: 'the lab file is empty: it needs at least a name',
};

export async function loadLabFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const problems = new ProblemCollector(file, new SourceLocator(undefined, new LineCounter()));
    problems.atFile(`cannot read the lab file: ${(e as Error).message}`);
    return { ok: false, errors: problems.errors(), warnings: [] };
  }
  const text = decodeUtf8(bytes, file);
  if (typeof text !== 'string') return { ok: false, errors: text, warnings: [] };
  return loadLabText(text, file, options);
}

const MAX_ENCODING_ERRORS = 10;

/**
 * The file's text, or where it is not UTF-8. A lab file is YAML, which is Unicode text (YAML
 * 1.2 §5.2); decoding with replacement would turn a Latin-1 "é" into U+FFFD and load a file
 * that says something else than what its author wrote, so each bad sequence is reported at
 * its line and column (columns count UTF-16 units, as the other messages do).
 */
function decodeUtf8(bytes: Uint8Array, file: string): string | LabFileError[] {
  try {
    // ignoreBOM keeps a leading BOM in the text, as readFile(…, 'utf8') did; YAML skips it.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const errors: LabFileError[] = [];
    const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
    let line = 1;
    let lineStart = 0;
    for (let at = 0; at < bytes.length && errors.length < MAX_ENCODING_ERRORS; ) {
      const n = utf8SequenceLength(bytes, at);
      if (n > 0) {
        if (bytes[at] === 0x0a) {
          line++;
          lineStart = at + 1;
        }
        at += n;
        continue;
      }
      const column = lenient.decode(bytes.subarray(lineStart, at)).length + 1;
      const shown = Array.from(bytes.subarray(at, Math.min(at + 4, bytes.length)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join(' ');
      errors.push({
        file,
        line,
        column,
        field: '',
        message: `not UTF-8: bytes ${shown}… do not form a character here (a lab file is UTF-8 text; save it as UTF-8)`,
      });
      at++;
    }
    return errors;
  }
}

/** Octets of the well-formed UTF-8 sequence at `at` (RFC 3629 §4), or 0 when there is none. */
function utf8SequenceLength(b: Uint8Array, at: number): number {
  const c = b[at]!;
  if (c < 0x80) return 1;
  const cont = (i: number, lo = 0x80, hi = 0xbf) => at + i < b.length && b[at + i]! >= lo && b[at + i]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no surrogates
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0; // up to U+10FFFF
  return 0;
}

/**
 * Loads a lab from its text. `file` names it in messages and anchors relative paths (node
 * configuration files resolve against its folder). Never throws on any input.
 */
export function loadLabText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  // 1. YAML. Past a syntax error the document's shape is a guess: report and stop.
  const read = readYaml(text, file, YAML_LIMITS);
  if (!read.ok) return failure(read.problems);
  const { input, locator, problems } = read;

  // 2. Schema, and recovery so the checks below still see the rest of the file.
  let lab: LabFile | undefined;
  let unusable: Unusable[] = [];
  let partial = false;
  const parsed = labFileSchema.safeParse(input);
  if (parsed.success) {
    lab = parsed.data;
  } else {
    for (const r of describeIssues(parsed.error.issues, input, labFileSchema, LAB_ISSUE_WORDS))
      problems.error(r.path, r.message, r.at);
    const recovered = recover(input, parsed.error.issues);
    if (recovered) ({ lab, unusable } = recovered);
    partial = true;
  }
  if (!lab) return failure(problems);

  // 3. References, names, addresses, nodes; then 4. Azure's rules over the model.
  const built = buildLab(lab, {
    labFile: resolve(file),
    problems,
    unusable,
    partial,
    checkFile: options.checkFile ?? defaultCheckFile,
  });
  for (const p of validateModel(built.model)) {
    if (partial && (p.severity === 'warning' || NEEDS_WHOLE_LAB.has(p.error.code as ErrorCode))) continue;
    const path = problemPath(p, built.sources, locator);
    const { code, message } = p.severity === 'error' ? p.error : p.warning;
    if (p.severity === 'error') problems.error(path, `${message} (${code})`);
    else problems.warning(path, `${message} (${code})`);
  }

  if (problems.hasErrors) return failure(problems);
  const warnings = problems.warnings();
  return {
    ok: true,
    spec: {
      name: lab.name,
      file: resolve(file),
      settings: built.settings,
      model: built.model,
      nodes: built.nodes,
      routers: built.routers,
      links: built.links,
      warnings: warnings.map(formatConfigError),
    },
    warnings,
  };
}

function failure(problems: ProblemCollector): LoadResult {
  return { ok: false, errors: problems.errors(), warnings: problems.warnings() };
}

// ---------------------------------------------------------------------------
// Recovery after schema errors

type Issue = z.core.$ZodIssue;

/**
 * The file minus what the schema rejected, if that leaves a file the schema accepts: an
 * unknown key is dropped alone (it means nothing to the rest); any other issue drops the
 * smallest named entry around it (issues.ts `unusableEntry`). Undefined when the issue is
 * in the file's skeleton, or in `location`, which every resource inherits.
 */
function recover(input: unknown, issues: readonly Issue[]): { lab: LabFile; unusable: Unusable[] } | undefined {
  const drops: Path[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s === 'string' || typeof s === 'number');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) drops.push([...path, key]);
      continue;
    }
    const entry = unusableEntry(path);
    if (!entry || (entry.length === 1 && entry[0] === 'location')) return undefined;
    drops.push(entry);
  }
  let repaired = input;
  for (const path of drops)
    repaired = path.length === 1 && path[0] === 'name' ? setAt(repaired, path, 'lab') : dropAt(repaired, path);
  const again = labFileSchema.safeParse(repaired);
  if (!again.success) return undefined;
  return { lab: again.data, unusable: drops.flatMap(toUnusable) };
}

function toUnusable(path: Path): Unusable[] {
  const [top, group, collection, name, child, childName] = path.map(String);
  if (top !== 'resourceGroups' || group === undefined) return [];
  if (collection === undefined) return [{ kind: '*', resourceGroup: group, name: [] }];
  if (name === undefined) return [];
  if (collection === 'virtualNetworks') {
    if (child === 'subnets' && childName !== undefined)
      return [{ kind: 'subnets', resourceGroup: group, name: [name, childName] }];
    if (child !== undefined) return [];
    return [
      { kind: 'virtualNetworks', resourceGroup: group, name: [name] },
      { kind: 'subnets', resourceGroup: group, name: [name, '*'] },
    ];
  }
  if (child !== undefined) return [];
  if (
    collection === 'routeTables' ||
    collection === 'networkSecurityGroups' ||
    collection === 'virtualMachines' ||
    collection === 'virtualNetworkGateways' ||
    collection === 'localNetworkGateways' ||
    collection === 'expressRouteCircuits'
  ) {
    return [{ kind: collection, resourceGroup: group, name: [name] }];
  }
  return [];
}

/** A copy of `value` without the key at `path` (copies only along the path). */
function dropAt(value: unknown, path: Path): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number') {
    if (rest.length === 0) return value.filter((_, i) => i !== head);
    return value.map((item, i) => (i === head ? dropAt(item, rest) : item));
  }
  if (!isPlainObject(value) || !Object.hasOwn(value, String(head))) return value;
  // fromEntries defines keys as own data properties: a "__proto__" key stays a key.
  return Object.fromEntries(
    Object.entries(value).flatMap(([k, v]) =>
      k !== String(head) ? [[k, v]] : rest.length === 0 ? [] : [[k, dropAt(v, rest)]],
    ),
  );
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (!isPlainObject(value) || path.length !== 1) return value;
  return Object.fromEntries([
    ...Object.entries(value).filter(([k]) => k !== String(path[0])),
    [String(path[0]), replacement],
  ]);
}

// ---------------------------------------------------------------------------
// Azure findings back to the file

/**
 * Where a model problem belongs in the file: the declaration of the resource it names,
 * then its property. Properties are dotted (`routes.to-nva.addressPrefix`, list items by
 * index: `instanceAddresses.1`) but names may hold dots too, so each step takes the longest
 * run of segments that is a key there.
 */
function problemPath(p: ModelProblem, sources: ReadonlyMap<string, ModelSource>, locator: SourceLocator): Path {
  const source = sources.get(idKey(p.resourceId));
  if (!source) return [];
  if (!p.property) return source.path;
  const segments = p.property.split('.');
  const path: PathSegment[] = [...source.path];
  for (let i = 0; i < segments.length; ) {
    const keys = new Set(locator.keysAt(path));
    let taken = 1;
    for (let n = segments.length - i; n > 1; n--) {
      if (keys.has(segments.slice(i, i + n).join('.'))) {
        taken = n;
        break;
      }
    }
    const segment = segments.slice(i, i + taken).join('.');
    // `instanceAddresses.1` is the second item of a list, `routes.1` a route named "1".
    if (/^\d+$/.test(segment) && !keys.has(segment)) path.push(Number(segment));
    else path.push(i === 0 ? (source.properties?.[segment] ?? segment) : segment);
    i += taken;
  }
  return path;
}
