/**
 * @module config/plainYaml
 * A fast reader for the plain YAML configuration files are written in: block mappings and
 * sequences, one-line flow collections of scalars, plain and simply quoted scalars, comments.
 * It returns the value the `yaml` package's parse + toJS would give (YAML 1.2 core schema,
 * the package's default), or undefined as soon as the text uses anything else — anchors,
 * tags, block or multi-line scalars, escapes, duplicate keys, a key that is not a string,
 * anything unusual — and the caller then reads it with the full parser, which also reports
 * every error at its line. No error is reported here: a text this reader accepts is one
 * the full parser reads without error or warning (test: src/config/plainYaml.test.ts).
 *
 * Why: the full parser keeps a concrete syntax tree and positions for every node, which
 * messages need only when a check fails; on a lab at Azure's limits (800 KB of YAML) that is
 * two thirds of `up` (issue 12). Positions are then made on demand (SourceLocator.lazy).
 *
 * One pass over the lines; each line is looked at a constant number of times.
 */

/** A line holding something: its indentation and its text after it (trailing spaces removed). */
interface Line {
  readonly indent: number;
  readonly text: string;
}

/** Thrown (and caught in readPlainYaml) when the text leaves the subset. */
const OUTSIDE = Symbol('outside the plain subset');

/**
 * Plain scalars of the subset: no indicator first (YAML 1.2 §7.3.3; a '-' only before a
 * digit, a letter or a dot), no '#', ',', brackets, quotes, '&', '*', '!', '|', '>', '%',
 * '@' or '`' anywhere; ': ' and a final ':' are refused by the callers.
 */
const PLAIN = /^(?:[A-Za-z0-9_./~$(+]|-[A-Za-z0-9_.])[A-Za-z0-9 _./~$()+=@:-]*$/;
/** In flow collections ':' is refused too (it could start a pair). */
const PLAIN_FLOW = /^(?:[A-Za-z0-9_./~$(+]|-[A-Za-z0-9_.])[A-Za-z0-9 _./~$()+=@-]*$/;

// The core schema's tags, in the order yaml tries them (yaml/dist/schema/core/schema.js).
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value under the core schema, as yaml resolves it. */
function resolvePlain(s: string): unknown {
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return Number.parseInt(s.slice(2), 8);
  if (INT.test(s)) return Number.parseInt(s, 10);
  if (INT_HEX.test(s)) return Number.parseInt(s.slice(2), 16);
  if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? Number.NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return Number.parseFloat(s);
  return s;
}

function outside(): never {
  throw OUTSIDE;
}

/** The value of `text`, or undefined when it is outside the subset (read it with the full parser). */
export function readPlainYaml(text: string, maxNesting: number): { readonly value: unknown } | undefined {
  // Printable ASCII and newlines only: no tabs, CR, BOM, control or non-ASCII characters,
  // whose rules (and the errors they bring) are the full parser's business.
  if (!/^[\x20-\x7e\n]*$/.test(text)) return undefined;
  try {
    return { value: new PlainReader(text, maxNesting).document() };
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

class PlainReader {
  private readonly lines: Line[] = [];
  private pos = 0;

  constructor(
    text: string,
    private readonly maxNesting: number,
  ) {
    for (const raw of text.split('\n')) {
      let i = 0;
      while (raw.charCodeAt(i) === 32) i++;
      if (i === raw.length || raw[i] === '#') continue;
      // Document markers and directives.
      if (i === 0 && (raw.startsWith('---') || raw.startsWith('...') || raw[0] === '%')) outside();
      this.lines.push({ indent: i, text: raw.slice(i).trimEnd() });
    }
  }

  document(): unknown {
    // An empty file is the full parser's to report.
    if (this.lines.length === 0) outside();
    const value = this.block(this.lines[0]!.indent, 1);
    if (this.pos !== this.lines.length) outside();
    return value;
  }

  private block(indent: number, depth: number): unknown {
    // Below the limit with room to spare: deeper files get the full parser's error.
    if (depth > this.maxNesting - 2) outside();
    return isSeqItem(this.lines[this.pos]!.text) ? this.seq(indent, depth) : this.map(indent, depth);
  }

  private map(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos]!;
      if (line.indent < indent) break;
      if (line.indent > indent || isSeqItem(line.text)) outside();
      const { key, rest } = keyOf(line.text);
      if (Object.hasOwn(out, key)) outside(); // a duplicate key is an error (uniqueKeys)
      this.pos++;
      out[key] = this.valueAfter(rest, indent, depth);
    }
    return out;
  }

  /** The value of a `key:` whose line goes on with `rest`. */
  private valueAfter(rest: string, indent: number, depth: number): unknown {
    const s = rest.trimStart();
    if (s === '' || s[0] === '#') {
      const next = this.lines[this.pos];
      if (next && next.indent > indent) return this.block(next.indent, depth + 1);
      // A sequence may sit at its key's indentation (YAML 1.2 §8.2.1, "compact" notation).
      if (next && next.indent === indent && isSeqItem(next.text)) return this.seq(indent, depth + 1);
      return null;
    }
    if (rest[0] !== ' ') outside();
    const value = this.inline(s, depth + 1);
    this.noContinuation(indent);
    return value;
  }

  private seq(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos]!;
      if (line.indent < indent) break;
      if (line.indent > indent) outside();
      if (!isSeqItem(line.text)) break; // the mapping around a compact sequence goes on
      this.pos++;
      let j = 1;
      while (line.text[j] === ' ') j++;
      const rest = line.text.slice(j);
      if (rest === '' || rest[0] === '#') {
        const next = this.lines[this.pos];
        out.push(next && next.indent > indent ? this.block(next.indent, depth + 1) : null);
      } else if (isSeqItem(rest)) {
        outside();
      } else if (startsPair(rest)) {
        // `- key: value` and the keys below it: a mapping at the column of its first key.
        this.lines[--this.pos] = { indent: line.indent + j, text: rest };
        out.push(this.map(line.indent + j, depth + 1));
      } else {
        out.push(this.inline(rest, depth + 1));
        this.noContinuation(indent);
      }
    }
    return out;
  }

  /** After a value on its line, a deeper line would continue it (a multi-line scalar): outside. */
  private noContinuation(indent: number): void {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) outside();
  }

  /** A value on the rest of a line (`s` starts with it), then at most a comment. */
  private inline(s: string, depth: number): unknown {
    const c = s[0];
    if (c === '[' || c === '{') {
      const [value, end] = flowValue(s, 0, '', depth, this.maxNesting - 2);
      endOfLine(s, end);
      return value;
    }
    if (c === '"' || c === "'") {
      const [value, end] = quoted(s, 0);
      endOfLine(s, end);
      return value;
    }
    const hash = s.indexOf(' #');
    const raw = (hash < 0 ? s : s.slice(0, hash)).trimEnd();
    if (!PLAIN.test(raw) || raw.includes(': ') || raw.endsWith(':')) outside();
    return resolvePlain(raw);
  }
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** Whether an item's text starts a mapping (`key: …`); a wrong guess only makes the reader give up. */
function startsPair(s: string): boolean {
  if (s[0] === '[' || s[0] === '{') return false;
  if (s[0] === '"' || s[0] === "'") {
    const end = s.indexOf(s[0], 1);
    return end > 0 && s[end + 1] === ':';
  }
  const hash = s.indexOf(' #');
  const head = hash < 0 ? s : s.slice(0, hash);
  return head.includes(': ') || head.endsWith(':');
}

/** A block mapping's key (a string under the core schema) and what follows its ':'. */
function keyOf(text: string): { key: string; rest: string } {
  let key: string;
  let at: number;
  if (text[0] === '"' || text[0] === "'") {
    [key, at] = quoted(text, 0);
    if (text[at] !== ':') outside();
  } else {
    at = text.indexOf(':');
    while (at >= 0 && at + 1 < text.length && text[at + 1] !== ' ') at = text.indexOf(':', at + 1);
    if (at < 0) outside();
    const raw = text.slice(0, at);
    if (!PLAIN.test(raw) || raw.endsWith(' ')) outside();
    // Keys that resolve to null, booleans or numbers become strings in toJS in ways not
    // worth copying here.
    if (resolvePlain(raw) !== raw) outside();
    key = raw;
  }
  if (key === '__proto__') outside();
  return { key, rest: text.slice(at + 1) };
}

/** A quoted scalar on one line without escapes, starting at `i`: its value and the index after it. */
function quoted(s: string, i: number): [string, number] {
  const q = s[i]!;
  const end = s.indexOf(q, i + 1);
  if (end < 0) outside(); // goes on to the next line
  const value = s.slice(i + 1, end);
  if (q === '"' && value.includes('\\')) outside();
  if (q === "'" && s[end + 1] === "'") outside(); // '' is an escaped quote
  return [value, end + 1];
}

/** Nothing but spaces and a comment after `end`. */
function endOfLine(s: string, end: number): void {
  if (end === s.length) return;
  if (s[end] !== ' ') outside();
  const tail = s.slice(end).trimStart();
  if (tail !== '' && tail[0] !== '#') outside();
}

function skipSpaces(s: string, i: number): number {
  while (s[i] === ' ') i++;
  return i;
}

/** A scalar inside a flow collection, up to ',' or the closing bracket. */
function flowScalar(s: string, i: number, close: string, key: boolean): [unknown, number] {
  if (s[i] === '"' || s[i] === "'") return quoted(s, i);
  let end = i;
  while (end < s.length && s[end] !== ',' && s[end] !== close && !(key && s[end] === ':')) end++;
  const raw = s.slice(i, end).trimEnd();
  if (!PLAIN_FLOW.test(raw)) outside();
  const value = resolvePlain(raw);
  if (key && value !== raw) outside();
  return [value, i + raw.length];
}

/** A value inside a flow collection: a nested collection or a scalar, up to ',' or `close`. */
function flowValue(s: string, i: number, close: string, depth: number, maxDepth: number): [unknown, number] {
  if (s[i] === '[' || s[i] === '{') {
    if (depth > maxDepth) outside();
    return s[i] === '[' ? flowSeq(s, i, depth, maxDepth) : flowMap(s, i, depth, maxDepth);
  }
  return flowScalar(s, i, close, false);
}

/** `[a, b, …]` on one line from `start`: the list and the index after ']'. */
function flowSeq(s: string, start: number, depth: number, maxDepth: number): [unknown[], number] {
  const out: unknown[] = [];
  let i = skipSpaces(s, start + 1);
  if (s[i] === ']') return [out, i + 1];
  for (;;) {
    const [value, end] = flowValue(s, i, ']', depth + 1, maxDepth);
    out.push(value);
    i = skipSpaces(s, end);
    if (s[i] === ']') return [out, i + 1];
    if (s[i] !== ',') outside();
    i = skipSpaces(s, i + 1);
    if (s[i] === ']') outside(); // a trailing comma
  }
}

/** `{ k: v, … }` on one line from `start`: the mapping and the index after '}'. */
function flowMap(s: string, start: number, depth: number, maxDepth: number): [Record<string, unknown>, number] {
  const out: Record<string, unknown> = {};
  let i = skipSpaces(s, start + 1);
  if (s[i] === '}') return [out, i + 1];
  for (;;) {
    const [key, keyEnd] = flowScalar(s, i, '}', true);
    if (typeof key !== 'string' || key === '__proto__' || Object.hasOwn(out, key)) outside();
    if (s[keyEnd] !== ':' || s[keyEnd + 1] !== ' ') outside();
    i = skipSpaces(s, keyEnd + 1);
    if (s[i] === ',' || s[i] === '}') outside();
    const [value, end] = flowValue(s, i, '}', depth + 1, maxDepth);
    out[key] = value;
    i = skipSpaces(s, end);
    if (s[i] === '}') return [out, i + 1];
    if (s[i] !== ',') outside();
    i = skipSpaces(s, i + 1);
    if (s[i] === '}') outside();
  }
}
