/**
 * @module config/yaml
 * Reads the YAML text of a configuration file (a lab file, an agent config) into a plain
 * value, with every problem at its place: YAML errors and warnings at their line, nesting
 * and alias expansion bounded (a small file must not exhaust the stack or the memory), an
 * empty file refused. What comes back is the value to check against the file's schema,
 * the locator that turns a path back into a line, and the collector to report into.
 */
import {
  Composer,
  LineCounter,
  Parser,
  YAMLParseError,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';
import { ProblemCollector } from './errors.js';
import { readPlainYaml } from './plainYaml.js';
import { SourceLocator } from './source.js';

export interface YamlLimits {
  /**
   * Deepest nesting of collections accepted. The YAML composer recurses once per level,
   * and near the stack limit V8 can abort the whole process (a fatal "RegExpCompiler
   * Allocation failed", not a catchable error), so depth is checked first, on the CST,
   * whose parser does not recurse.
   */
  readonly maxNesting: number;
  /** What a file of this kind needs, said when it is nested too deep ("a lab file needs 7"). */
  readonly nestingNeeded: string;
  /** Aliases expand; a small file must not become gigabytes ("billion laughs"). */
  readonly maxAliasCount: number;
  /** The message for an empty file: what it needs at least. */
  readonly emptyMessage: string;
}

export type YamlRead =
  | { readonly ok: true; readonly input: unknown; readonly locator: SourceLocator; readonly problems: ProblemCollector }
  | { readonly ok: false; readonly problems: ProblemCollector };

const COMPOSE_OPTIONS = { prettyErrors: false, logLevel: 'error', uniqueKeys: true } as const;

/** Reads `text` (named `file` in messages). Never throws on any input. */
export function readYaml(text: string, file: string, limits: YamlLimits): YamlRead {
  // Most files are plain YAML (config/plainYaml): read fast, and parsed in full for
  // positions only when a check reports a problem. That parse is the one below, which
  // finds no problem of its own in such a text.
  const plain = readPlainYaml(text, limits.maxNesting);
  if (plain && plain.value !== null && plain.value !== undefined) {
    const locator = new SourceLocator(() => {
      const lines = new LineCounter();
      const tokens = [...new Parser(lines.addNewLine).parse(text)];
      return { doc: composeDocument(tokens, text, COMPOSE_OPTIONS), lines };
    });
    return { ok: true, input: plain.value, locator, problems: new ProblemCollector(file, locator) };
  }
  // The text is parsed once: the CST is checked for depth, then composed into the document
  // (what yaml's parseDocument does, which would parse it a second time: a lab at 4× Azure's
  // limits is 10 MB of YAML).
  const lineCounter = new LineCounter();
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = deepNesting(tokens, limits.maxNesting);
  if (tooDeep !== undefined) {
    const problems = new ProblemCollector(file, new SourceLocator(undefined, lineCounter));
    problems.atOffset(
      'error',
      tooDeep,
      `YAML: collections nested more than ${limits.maxNesting} levels deep (${limits.nestingNeeded})`,
    );
    return { ok: false, problems };
  }
  const doc = composeDocument(tokens, text, COMPOSE_OPTIONS);
  const locator = new SourceLocator(doc, lineCounter);
  const problems = new ProblemCollector(file, locator);
  // Past a syntax error the document's shape is a guess: report and stop. One line each,
  // so that every problem stays one `file:line:col: message` line.
  for (const e of doc.errors) problems.atOffset('error', e.pos[0], `YAML: ${e.message.split('\n')[0]}`);
  for (const w of doc.warnings) problems.atOffset('warning', w.pos[0], `YAML: ${w.message.split('\n')[0]}`);
  if (problems.hasErrors) return { ok: false, problems };
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (e) {
    problems.error([], `the YAML cannot be expanded: ${(e as Error).message}`);
    return { ok: false, problems };
  }
  if (input === null || input === undefined) {
    problems.error([], limits.emptyMessage);
    return { ok: false, problems };
  }
  return { ok: true, input, locator, problems };
}

/** The offset of the first collection nested deeper than `max`, if any (iterative: see YamlLimits). */
function deepNesting(tokens: readonly CST.Token[], max: number): number | undefined {
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
    if (depth > max) return node.offset ?? 0;
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
 * document is an error there too, with its message).
 */
function composeDocument(
  tokens: readonly CST.Token[],
  text: string,
  options: DocumentOptions & ParseOptions & SchemaOptions,
): Document.Parsed {
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
