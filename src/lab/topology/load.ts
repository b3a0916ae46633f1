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
import {
  Composer,
  LineCounter,
  Parser,
  YAMLParseError,
  type CST,
  type DocumentOptions,
  type ParseOptions,
  type Document,
  type SchemaOptions,
  type YAMLError,
} from 'yaml';
import type { z } from 'zod';
import { idKey, validateModel, type ModelProblem } from '../../azure/index.js';
import type { LabSpec } from '../spec.js';
import { buildLab, defaultCheckFile, type FileCheck, type ModelSource } from './build.js';
import { formatLabFileError, ProblemCollector, type LabFileError } from './errors.js';
import { describeIssues, isPlainObject, unusableEntry } from './issues.js';
import type { Unusable } from './references.js';
import { labFileSchema, type LabFile } from './schema.js';
import { SourceLocator, type Path, type PathSegment } from './source.js';

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
const NEEDS_WHOLE_LAB = new Set(['RemoteVnetHasNoGateways', 'RemotePeeringIsDisconnectedOrGatewayTransitNotAllowed']);

/** YAML aliases expand; a small file must not become gigabytes ("billion laughs"). */
const MAX_ALIAS_COUNT = 1000;

/**
 * Deepest nesting of collections accepted. A lab file needs 7; the YAML composer recurses
 * once per level, and near the stack limit V8 can abort the whole process (a fatal
 * "RegExpCompiler Allocation failed", not a catchable error), so depth is checked first,
 * on the CST, whose parser does not recurse.
 */
const MAX_NESTING = 64;

export async function loadLabFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const problems = new ProblemCollector(file, new SourceLocator(undefined, new LineCounter()));
    problems.atFile(`cannot read the lab file: ${(e as Error).message}`);
    return { ok: false, errors: problems.errors(), warnings: [] };
  }
  return loadLabText(text, file, options);
}

/**
 * Loads a lab from its text. `file` names it in messages and anchors relative paths (node
 * configuration files resolve against its folder). Never throws on any input.
 */
export function loadLabText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  // The text is parsed once: the CST is checked for depth, then composed into the document
  // (what yaml's parseDocument does, which would parse it a second time).
  const lineCounter = new LineCounter();
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = deepNesting(tokens);
  if (tooDeep !== undefined) {
    const problems = new ProblemCollector(file, new SourceLocator(undefined, lineCounter));
    problems.atOffset(
      'error',
      tooDeep,
      `YAML: collections nested more than ${MAX_NESTING} levels deep (a lab file needs 7)`,
    );
    return failure(problems);
  }
  const doc = composeDocument(tokens, text, { prettyErrors: false, logLevel: 'error', uniqueKeys: true });
  const locator = new SourceLocator(doc, lineCounter);
  const problems = new ProblemCollector(file, locator);

  // 1. YAML. Past a syntax error the document's shape is a guess: report and stop.
  for (const e of doc.errors) problems.atOffset('error', e.pos[0], yamlMessage(e));
  for (const w of doc.warnings) problems.atOffset('warning', w.pos[0], yamlMessage(w));
  if (problems.hasErrors) return failure(problems);

  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    problems.error([], `the YAML cannot be expanded: ${(e as Error).message}`);
    return failure(problems);
  }
  if (input === null || input === undefined) {
    problems.error([], 'the lab file is empty: it needs at least name, location and resourceGroups');
    return failure(problems);
  }

  // 2. Schema, and recovery so the checks below still see the rest of the file.
  let lab: LabFile | undefined;
  let unusable: Unusable[] = [];
  let partial = false;
  const parsed = labFileSchema.safeParse(input);
  if (parsed.success) {
    lab = parsed.data;
  } else {
    for (const r of describeIssues(parsed.error.issues, input, labFileSchema)) problems.error(r.path, r.message, r.at);
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
    if (partial && (p.severity === 'warning' || NEEDS_WHOLE_LAB.has(p.error.code))) continue;
    const path = problemPath(p, built.sources, locator);
    const message = `${p.error.message} (${p.error.code})`;
    if (p.severity === 'error') problems.error(path, message);
    else problems.warning(path, message);
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
      warnings: warnings.map(formatLabFileError),
    },
    warnings,
  };
}

/** The offset of the first collection nested deeper than MAX_NESTING, if any (iterative: see MAX_NESTING). */
function deepNesting(tokens: readonly CST.Token[]): number | undefined {
  interface CstNode {
    readonly type?: string;
    readonly offset?: number;
    readonly value?: CstNode;
    readonly items?: readonly { readonly key?: CstNode | null; readonly value?: CstNode | null }[];
  }
  const stack: [CstNode, number][] = [];
  for (const token of tokens) stack.push([token as CstNode, 0]);
  while (stack.length > 0) {
    const [node, outer] = stack.pop()!;
    const depth =
      node.type === 'block-map' || node.type === 'block-seq' || node.type === 'flow-collection' ? outer + 1 : outer;
    if (depth > MAX_NESTING) return node.offset ?? 0;
    if (node.value) stack.push([node.value, depth]);
    for (const item of node.items ?? []) {
      if (item.key) stack.push([item.key, depth]);
      if (item.value) stack.push([item.value, depth]);
    }
  }
  return undefined;
}

/**
 * The first document of the parsed tokens, as yaml's parseDocument composes it (a second
 * document is an error there too).
 */
function composeDocument(
  tokens: readonly CST.Token[],
  text: string,
  options: DocumentOptions & ParseOptions & SchemaOptions,
) {
  const composer = new Composer(options);
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(tokens, true, text.length)) {
    if (!doc) doc = d;
    else {
      doc.errors.push(
        new YAMLParseError(
          d.range.slice(0, 2) as [number, number],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  return doc!;
}

function failure(problems: ProblemCollector): LoadResult {
  return { ok: false, errors: problems.errors(), warnings: problems.warnings() };
}

function yamlMessage(e: YAMLError): string {
  return `YAML: ${e.message}`;
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
