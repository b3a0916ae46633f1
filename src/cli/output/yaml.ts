// `-o yaml`: mirrors knack/output.py `format_yaml`:
//   yaml.safe_dump(result, default_flow_style=False, allow_unicode=True)
// (retrying on json.loads(json.dumps(result)) for OrderedDicts, so the output is the
// same either way), i.e. PyYAML 6 SafeDumper:
// - representer.py `SafeRepresenter`: keys sorted (sort_keys=True) by code point; None ->
//   null, bools -> true/false, ints -> str(int), floats -> repr().lower() with '.0'
//   inserted before a bare exponent (1e+16 -> 1.0e+16), nan/inf -> .nan/.inf/-.inf;
// - serializer.py + resolver.py `Resolver`: a string is written plain only if, read back
//   as a plain scalar, it would still be a string. YAML 1.1 implicit types (bool
//   yes/no/true/false/on/off in three casings, int incl. 0x/0b/0o-ish/sexagesimal/
//   underscores, float incl. .inf/.nan, null ~/null/empty, timestamps, '<<', '=') force
//   quoting: '65001', 'true', 'null', '2021-07-12T10:00:00Z', '012', '1:20';
// - emitter.py `Emitter`: block style (default_flow_style=False), indent 2, width 80;
//   empty lists/dicts are flow '[]'/'{}'; a sequence that is a mapping value is not
//   indented under its key ('key:\n- a'); `analyze_scalar` + `choose_scalar_style` pick
//   plain, then single quotes, then double quotes (with escapes) for special characters;
//   `write_plain`/`write_single_quoted`/`write_double_quoted` fold long lines at spaces
//   once past column 80 (continuation lines indented); keys of 128+ characters or
//   multi-line keys use the explicit '? key' form; a plain scalar at the document root is
//   followed by the document end marker '...' ('abc\n...\n').
// Deliberate differences: objects shared between two places are written twice (az's
// results are fresh dicts from todict()/json.loads, so PyYAML anchors '&id001' never
// appear there either); python.ts "Value model".

import { dictEntries, isDict, isPyInt, normalize, pyFloatRepr, pyNumberStr, sortedKeys } from './python.js';

const BREAKS = '\n\x85\u2028\u2029';
const WS_OR_BREAK = '\0 \t\r\n\x85\u2028\u2029';

// ---- resolver (resolver.py, implicit resolvers keyed by first character) ----------------

const RESOLVERS: Array<{ first: string; re: RegExp }> = [
  { first: 'yYnNtTfFoO', re: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/ },
  {
    first: '-+0123456789.',
    re: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  },
  {
    first: '-+0123456789',
    re: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  },
  { first: '<', re: /^(?:<<)$/ },
  { first: '~nN', re: /^(?:~|null|Null|NULL|)$/ },
  {
    first: '0123456789',
    re: /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  },
  { first: '=', re: /^(?:=)$/ },
  { first: '!&*', re: /^(?:!|&|\*)$/ },
];

/** Python re.match with `$`, which also matches just before a final '\n'. */
function pyFullMatch(re: RegExp, s: string): boolean {
  return re.test(s) || (s.endsWith('\n') && re.test(s.slice(0, -1)));
}

/** True if PyYAML would read `value` back, as a plain scalar, as something other than a str. */
export function resolvesToNonString(value: string): boolean {
  if (value === '') return true; // null
  const first = value[0] as string;
  return RESOLVERS.some((r) => r.first.includes(first) && pyFullMatch(r.re, value));
}

// ---- representer ------------------------------------------------------------------------

interface ScalarEvent {
  value: string;
  /** implicit[0]: may be written plain without a tag. */
  plainImplicit: boolean;
}

function representFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  let value = pyFloatRepr(x).toLowerCase();
  if (!value.includes('.') && value.includes('e')) value = value.replace('e', '.0e');
  return value;
}

function representScalar(v: unknown): ScalarEvent {
  if (v === null) return { value: 'null', plainImplicit: true };
  if (v === true) return { value: 'true', plainImplicit: true };
  if (v === false) return { value: 'false', plainImplicit: true };
  if (typeof v === 'bigint' || isPyInt(v)) return { value: pyNumberStr(v as number | bigint), plainImplicit: true };
  if (typeof v === 'number') return { value: representFloat(v), plainImplicit: true };
  const s = typeof v === 'string' ? v : String(v);
  return { value: s, plainImplicit: !resolvesToNonString(s) };
}

// ---- emitter ----------------------------------------------------------------------------

interface Analysis {
  chars: string[];
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

function analyzeScalar(scalar: string): Analysis {
  const chars = Array.from(scalar);
  if (chars.length === 0) {
    return {
      chars,
      empty: true,
      multiline: false,
      allowFlowPlain: false,
      allowBlockPlain: true,
      allowSingleQuoted: true,
    };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (scalar.startsWith('---') || scalar.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = chars.length === 1 || WS_OR_BREAK.includes(chars[1] as string);
  let previousSpace = false;
  let previousBreak = false;
  const n = chars.length;
  for (let index = 0; index < n; index++) {
    const ch = chars[index] as string;
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '#' && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0) ?? 0;
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e))) {
      const unicodeOk =
        (cp === 0x85 ||
          (cp >= 0xa0 && cp <= 0xd7ff) ||
          (cp >= 0xe000 && cp <= 0xfffd) ||
          (cp >= 0x10000 && cp < 0x10ffff)) &&
        cp !== 0xfeff;
      // allow_unicode=True: printable non-ASCII characters are fine.
      if (!unicodeOk) specialCharacters = true;
    }
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = WS_OR_BREAK.includes(ch);
    followedByWhitespace = index + 2 >= n || WS_OR_BREAK.includes(chars[index + 2] as string);
  }
  let allowFlowPlain = true;
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowFlowPlain = allowBlockPlain = false;
  if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || specialCharacters) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowFlowPlain = allowBlockPlain = false;
  if (flowIndicators) allowFlowPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { chars, empty: false, multiline: lineBreaks, allowFlowPlain, allowBlockPlain, allowSingleQuoted };
}

const ESCAPE_REPLACEMENTS: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\x08': 'b',
  '\x09': 't',
  '\x0A': 'n',
  '\x0B': 'v',
  '\x0C': 'f',
  '\x0D': 'r',
  '\x1B': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xA0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

interface NodeContext {
  root?: boolean;
  sequence?: boolean;
  mapping?: boolean;
  simpleKey?: boolean;
}

class Emitter {
  private out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private indent: number | null = null;
  private readonly indents: Array<number | null> = [];
  private readonly flowLevel = 0;
  private readonly bestIndent = 2;
  private readonly bestWidth = 80;
  private rootContext = false;
  private mappingContext = false;
  private simpleKeyContext = false;
  private readonly seen = new Set<object>();

  dump(value: unknown): string {
    this.node(value, { root: true });
    // expect_document_end (implicit end), then the stream end.
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true);
      this.writeIndent();
    }
    return this.out;
  }

  private node(raw: unknown, ctx: NodeContext): void {
    this.rootContext = !!ctx.root;
    this.mappingContext = !!ctx.mapping;
    this.simpleKeyContext = !!ctx.simpleKey;
    const v = normalize(raw);
    if (Array.isArray(v) || isDict(v)) {
      if (this.seen.has(v)) throw new TypeError('Circular reference detected');
      this.seen.add(v);
      try {
        if (Array.isArray(v)) {
          if (v.length === 0) this.emptyFlow('[', ']');
          else this.blockSequence(v);
        } else {
          const byKey = new Map(dictEntries(v));
          const keys = sortedKeys([...byKey.keys()]);
          if (keys.length === 0) this.emptyFlow('{', '}');
          else this.blockMapping(keys.map((k) => [k, byKey.get(k)] as [string, unknown]));
        }
      } finally {
        this.seen.delete(v);
      }
      return;
    }
    this.scalar(representScalar(v));
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true);
    this.increaseIndent(true);
    this.indent = this.indents.pop() ?? null;
    this.writeIndicator(close, false);
  }

  private blockSequence(items: unknown[]): void {
    const indentless = this.mappingContext && !this.indention;
    this.increaseIndent(false, indentless);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { sequence: true });
    }
    this.indent = this.indents.pop() ?? null;
  }

  private blockMapping(entries: Array<[string, unknown]>): void {
    this.increaseIndent(false);
    for (const [key, value] of entries) {
      this.writeIndent();
      const keyAnalysis = analyzeScalar(key);
      const simple = keyAnalysis.chars.length < 128 && !keyAnalysis.empty && !keyAnalysis.multiline;
      if (simple) {
        this.node(key, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
        this.node(value, { mapping: true });
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
        this.node(value, { mapping: true });
      }
    }
    this.indent = this.indents.pop() ?? null;
  }

  private scalar(event: ScalarEvent): void {
    this.increaseIndent(true);
    const analysis = analyzeScalar(event.value);
    const style = this.chooseScalarStyle(event, analysis);
    const split = !this.simpleKeyContext;
    if (style === '"') this.writeDoubleQuoted(analysis.chars, split);
    else if (style === "'") this.writeSingleQuoted(analysis.chars, split);
    else this.writePlain(analysis.chars, split);
    this.indent = this.indents.pop() ?? null;
  }

  private chooseScalarStyle(event: ScalarEvent, a: Analysis): string {
    if (event.plainImplicit) {
      if (
        !(this.simpleKeyContext && (a.empty || a.multiline)) &&
        ((this.flowLevel && a.allowFlowPlain) || (!this.flowLevel && a.allowBlockPlain))
      ) {
        return '';
      }
    }
    if (a.allowSingleQuoted && !(this.simpleKeyContext && a.multiline)) return "'";
    return '"';
  }

  private increaseIndent(flow: boolean, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  private write(data: string, width: number): void {
    this.column += width;
    this.out += data;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ' ' + indicator;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.openEnded = false;
    this.write(data, Array.from(data).length);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.writeLineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.out += ' '.repeat(indent - this.column);
      this.column = indent;
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.out += data;
  }

  private writeBreaks(text: string[], start: number, end: number): void {
    if (text[start] === '\n') this.writeLineBreak();
    for (let i = start; i < end; i++) {
      const br = text[i] as string;
      if (br === '\n') this.writeLineBreak();
      else this.writeLineBreak(br);
    }
  }

  private writePlain(text: string[], split: boolean): void {
    if (this.rootContext) this.openEnded = true;
    if (text.length === 0) return;
    if (!this.whitespace) this.write(' ', 1);
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? (text[end] as string) : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(text.slice(start, end).join(''), end - start);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          this.writeBreaks(text, start, end);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === null || (' ' + BREAKS).includes(ch)) {
        this.write(text.slice(start, end).join(''), end - start);
        start = end;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
  }

  private writeSingleQuoted(text: string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? (text[end] as string) : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split && start !== 0 && end !== text.length) {
            this.writeIndent();
          } else {
            this.write(text.slice(start, end).join(''), end - start);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          this.writeBreaks(text, start, end);
          this.writeIndent();
          start = end;
        }
      } else if (ch === null || (' ' + BREAKS).includes(ch) || ch === "'") {
        if (start < end) {
          this.write(text.slice(start, end).join(''), end - start);
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''", 2);
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(text: string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? (text[end] as string) : null;
      const cp = ch === null ? 0 : (ch.codePointAt(0) ?? 0);
      if (
        ch === null ||
        '"\\\x85\u2028\u2029\uFEFF'.includes(ch) ||
        !((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd))
      ) {
        if (start < end) {
          this.write(text.slice(start, end).join(''), end - start);
          start = end;
        }
        if (ch !== null) {
          let data: string;
          const rep = ESCAPE_REPLACEMENTS[ch];
          if (rep !== undefined) data = '\\' + rep;
          else if (cp <= 0xff) data = '\\x' + cp.toString(16).toUpperCase().padStart(2, '0');
          else if (cp <= 0xffff) data = '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
          else data = '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
          this.write(data, data.length);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < text.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.column + (end - start) > this.bestWidth &&
        split
      ) {
        const data = text.slice(start, end).join('') + '\\';
        const width = end - start + 1;
        if (start < end) start = end;
        this.write(data, width);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === ' ') this.write('\\', 1);
      }
    }
    this.writeIndicator('"', false);
  }
}

/** `az ... -o yaml` text for a (non-None) result. */
export function formatYaml(result: unknown): string {
  return new Emitter().dump(result);
}
