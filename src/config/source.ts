/**
 * @module config/source
 * Where a value came from in a YAML file. Every check downstream of the YAML parser
 * speaks in paths (`['resourceGroups', 'rg', 'routeServers', 'rs', 'peerings', 'p',
 * 'peerAsn']` in a lab file); this module turns a path back into a line and column of the
 * YAML text, and into the dotted `field` users read.
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Position {
  /** 1-based; 0 when the problem is not at a place in the file (it cannot be read). */
  readonly line: number;
  readonly column: number;
}

/** Aliases may point at aliases; a bound keeps a malicious chain from looping. */
const MAX_ALIAS_HOPS = 64;

/** A parsed document and its line counter: what positions are found in. */
export interface ParsedSource {
  readonly doc: Document | undefined;
  readonly lines: LineCounter;
}

export class SourceLocator {
  private parsed?: ParsedSource;

  constructor(doc: Document | undefined, lines: LineCounter);
  constructor(parse: () => ParsedSource);
  constructor(docOrParse: Document | undefined | (() => ParsedSource), lines?: LineCounter) {
    if (typeof docOrParse === 'function') this.parse = docOrParse;
    else this.parsed = { doc: docOrParse, lines: lines! };
  }

  /** Parses on first use (config/yaml: a file read by the fast path is parsed again only to report a problem). */
  private parse?: () => ParsedSource;

  private get doc(): Document | undefined {
    return this.source().doc;
  }

  private get lines(): LineCounter {
    return this.source().lines;
  }

  private source(): ParsedSource {
    this.parsed ??= this.parse!();
    return this.parsed;
  }

  /**
   * The position of the YAML node at `path`. `at: 'key'` asks for the key of the last
   * segment (an unknown key, a bad name). When the path runs past what the file holds (a
   * missing required key), the answer is the nearest ancestor that exists: the object
   * the key is missing from.
   *
   * A scalar is reported where its value starts; a mapping or list where its key is,
   * because a block collection "starts" at its first child, which would point one line
   * too low.
   */
  locate(path: Path, at: 'value' | 'key' = 'value'): Position {
    const root = this.doc?.contents;
    if (!this.doc || !root) return { line: 1, column: 1 };
    let node: Node | null = root as Node;
    let key: Node | null = null;
    let reached = 0;
    for (const segment of path) {
      node = this.deref(node);
      let next: { key: Node | null; value: Node | null } | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(segment));
        if (pair) next = { key: pair.key as Node | null, value: pair.value as Node | null };
      } else if (isSeq(node)) {
        const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
        const item = node.items[index];
        if (item !== undefined) next = { key: null, value: item as Node | null };
      }
      if (!next) break;
      key = next.key;
      node = next.value;
      reached++;
    }
    const complete = reached === path.length;
    if (complete && at === 'key' && key) return this.position(key) ?? this.position(root as Node)!;
    const value = complete ? this.deref(node) : node;
    if (complete && value && !isCollection(value)) {
      const p = this.position(node!);
      if (p) return p;
    }
    // A collection, a null value, or a path cut short: report the key that holds it.
    return (
      (key && this.position(key)) ??
      (node && this.position(node)) ??
      this.position(root as Node) ?? { line: 1, column: 1 }
    );
  }

  /** Keys of the mapping at `path`, in file order (for resolving dotted names). */
  keysAt(path: Path): string[] {
    let node: Node | null = (this.doc?.contents as Node | null) ?? null;
    for (const segment of path) {
      node = this.deref(node);
      if (!isMap(node)) return [];
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) return [];
      node = pair.value as Node | null;
    }
    node = this.deref(node);
    return isMap(node) ? node.items.map((p) => keyText(p.key)) : [];
  }

  positionOfOffset(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private position(node: Node): Position | undefined {
    const start = node.range?.[0];
    return start === undefined ? undefined : this.positionOfOffset(start);
  }

  private deref(node: Node | null): Node | null {
    let current = node;
    for (let hops = 0; current && isAlias(current) && hops < MAX_ALIAS_HOPS; hops++) {
      current = (this.doc && (current.resolve(this.doc) as Node | undefined)) ?? null;
    }
    return current && isAlias(current) ? null : current;
  }
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/**
 * The dotted field users read: `resourceGroups.rg.virtualNetworks.vnet.subnets.default`,
 * list items as `[0]`, and keys that would read ambiguously (dots, as in addresses or
 * route names; spaces; brackets; empty) as `["10.10.0.7"]`.
 */
export function formatField(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
