// `-o jsonc`: mirrors knack/output.py `format_json_color`:
//   pygments.highlight(format_json(obj), lexers.JsonLexer(), formatters.TerminalFormatter())
// - the text is exactly `-o json` (json.ts);
// - tokens as pygments/lexers/data.py `JsonLexer.get_tokens_unprocessed` (pygments >= 2.8,
//   same output in 2.14 and 2.20): a string followed by ':' is Name.Tag, other strings
//   String.Double, numbers Number.Integer/Float, true/false/null Keyword.Constant,
//   {}[],: Punctuation, runs of space/\n/\r/\t Whitespace, anything else Error;
// - colours as pygments/formatters/terminal.py `TerminalFormatter` (bg='light', the
//   default, so TERMINAL_COLORS[...][0]) with pygments/console.py `ansiformat`:
//   Name.Tag 'brightblue' ESC[94m, String 'yellow' ESC[33m, Number and Keyword 'blue'
//   ESC[34m, Whitespace 'gray' ESC[37m, Error '_brightred_' ESC[04mESC[91m, Punctuation
//   uncoloured; every coloured piece ends with ESC[39;49;00m; a token is split at line
//   ends and each line is coloured separately (an empty line gives an empty colour pair).
// - Lexer.get_tokens preprocessing: '\r\n'/'\r' -> '\n', leading/trailing '\n' stripped
//   (stripnl) and one '\n' ensured at the end (ensurenl).
// Colour is only used when the caller asks for it; az falls back to plain json when
// stdout is not a tty (knack OutputProducer.get_formatter / AzOutputProducer).

import { formatJson } from './json.js';

const ESC = '\x1b[';
const RESET = ESC + '39;49;00m';

type TokenKind = 'tag' | 'string' | 'number' | 'constant' | 'punct' | 'ws' | 'error';

const COLOR: Record<TokenKind, string> = {
  tag: ESC + '94m',
  string: ESC + '33m',
  number: ESC + '34m',
  constant: ESC + '34m',
  ws: ESC + '37m',
  error: ESC + '04m' + ESC + '91m',
  punct: '',
};

const WHITESPACE = new Set([' ', '\n', '\r', '\t']);
const INTEGERS = new Set('-0123456789');
const FLOATS = new Set('.eE+');
const CONSTANTS = new Set('truefalsenull');
const HEX = new Set('0123456789abcdefABCDEF');
const PUNCT = new Set('{}[],');

/** pygments JsonLexer token stream (comments are not produced by json.dumps and are not lexed). */
export function lexJson(text: string): Array<[TokenKind, string]> {
  const out: Array<[TokenKind, string]> = [];
  let queue: Array<[TokenKind, string]> = [];
  const flush = () => {
    out.push(...queue);
    queue = [];
  };
  let inString = false;
  let inEscape = false;
  let unicodeEscape = 0;
  let inWs = false;
  let inConst = false;
  let inNumber = false;
  let inFloat = false;
  let inPunct = false;
  let start = 0;
  const chars = Array.from(text);
  const slice = (a: number, b: number) => chars.slice(a, b).join('');
  for (let stop = 0; stop < chars.length; stop++) {
    const ch = chars[stop] as string;
    if (inString) {
      if (unicodeEscape) {
        if (HEX.has(ch)) {
          unicodeEscape--;
          if (!unicodeEscape) inEscape = false;
        } else {
          unicodeEscape = 0;
          inEscape = false;
        }
      } else if (inEscape) {
        if (ch === 'u') unicodeEscape = 4;
        else inEscape = false;
      } else if (ch === '\\') {
        inEscape = true;
      } else if (ch === '"') {
        queue.push(['string', slice(start, stop + 1)]);
        inString = false;
        inEscape = false;
        unicodeEscape = 0;
      }
      continue;
    } else if (inWs) {
      if (WHITESPACE.has(ch)) continue;
      (queue.length ? queue : out).push(['ws', slice(start, stop)]);
      inWs = false;
    } else if (inConst) {
      if (CONSTANTS.has(ch)) continue;
      out.push(['constant', slice(start, stop)]);
      inConst = false;
    } else if (inNumber) {
      if (INTEGERS.has(ch)) continue;
      if (FLOATS.has(ch)) {
        inFloat = true;
        continue;
      }
      out.push(['number', slice(start, stop)]);
      inNumber = false;
      inFloat = false;
    } else if (inPunct) {
      if (PUNCT.has(ch)) continue;
      out.push(['punct', slice(start, stop)]);
      inPunct = false;
    }
    start = stop;
    if (ch === '"') inString = true;
    else if (WHITESPACE.has(ch)) inWs = true;
    else if (ch === 'f' || ch === 'n' || ch === 't') {
      flush();
      inConst = true;
    } else if (INTEGERS.has(ch)) {
      flush();
      inNumber = true;
    } else if (ch === ':') {
      for (const [kind, value] of queue) out.push([kind === 'string' ? 'tag' : kind, value]);
      queue = [];
      inPunct = true;
    } else if (PUNCT.has(ch)) {
      flush();
      inPunct = true;
    } else {
      flush();
      out.push(['error', ch]);
    }
  }
  flush();
  const rest = slice(start, chars.length);
  if (inString) out.push(['error', rest]);
  else if (inNumber || inFloat) out.push(['number', rest]);
  else if (inConst) out.push(['constant', rest]);
  else if (inWs) out.push(['ws', rest]);
  else if (inPunct) out.push(['punct', rest]);
  return out;
}

/** pygments TerminalFormatter.format_unencoded over a token stream. */
function terminalFormat(tokens: Array<[TokenKind, string]>): string {
  let out = '';
  for (const [kind, value] of tokens) {
    const color = COLOR[kind];
    // value.splitlines(True): Python also splits at \v \f \x1c-\x1e \x85 \u2028 \u2029,
    // which json.dumps leaves unescaped inside strings; only '\n' is stripped and re-added.
    const lines = value.split(/(?<=\r\n|\n|\r(?!\n)|[\v\f\x1c\x1d\x1e\x85\u2028\u2029])/);
    for (const line of lines) {
      if (line === '') continue;
      const body = line.replace(/\n+$/, '');
      out += color ? color + body + RESET : body;
      if (line.endsWith('\n')) out += '\n';
    }
  }
  return out;
}

/** pygments.highlight(text, JsonLexer(), TerminalFormatter()). */
export function highlightJson(text: string): string {
  let t = text.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
  t = t.replace(/^\n+|\n+$/g, '');
  if (!t.endsWith('\n')) t += '\n';
  return terminalFormat(lexJson(t));
}

/** `az ... -o jsonc` text (colour on). */
export function formatJsonc(result: unknown): string {
  return highlightJson(formatJson(result));
}
