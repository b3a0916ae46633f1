// `-o json`: mirrors knack/output.py `format_json`:
//   json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True,
//              separators=(',', ': '), cls=_ComplexEncoder) + '\n'
// i.e. CPython's json encoder (Lib/json/encoder.py `_make_iterencode`,
// `py_encode_basestring`, `float.__repr__`):
// - keys sorted by code point, at every level; two-space indent; ',' then newline
//   between items; ': ' between key and value; empty containers print as [] and {};
// - strings: only '"', '\\' and U+0000..U+001F are escaped (\n \r \t \b \f by name,
//   the rest as \u00xx with lower-case hex); all other characters (non-ASCII, U+007F,
//   U+2028) are written as they are (ensure_ascii=False);
// - ints print in full (bigint supported), floats with float.__repr__ (1e+16, 1e-05,
//   0.1), nan/inf as NaN/Infinity/-Infinity (allow_nan=True), None/True/False as
//   null/true/false.
// Deliberate differences: see python.ts "Value model" (integral JS numbers are ints).
// `pyJsonCompact` mirrors `json.dumps(x, separators=(',', ':'), default=str)` (ASCII,
// insertion order), which jmespath's to_string() uses.

import { dictEntries, isDict, normalize, pyNumberStr, pyStr, sortedKeys } from './python.js';

export interface PyJsonOptions {
  indent?: number;
  sortKeys?: boolean;
  ensureAscii?: boolean;
  itemSeparator?: string;
  keySeparator?: string;
}

function encodeString(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (ensureAscii && c > 0x7e)) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function encodeNumber(n: number | bigint): string {
  if (typeof n === 'number') {
    if (Number.isNaN(n)) return 'NaN';
    if (n === Infinity) return 'Infinity';
    if (n === -Infinity) return '-Infinity';
  }
  return pyNumberStr(n);
}

export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const indent = options.indent;
  const sortKeys = options.sortKeys ?? false;
  const ensureAscii = options.ensureAscii ?? true;
  const itemSep = options.itemSeparator ?? (indent === undefined ? ', ' : ',');
  const keySep = options.keySeparator ?? ': ';
  const seen = new Set<object>();

  const enc = (raw: unknown, level: number): string => {
    const v = normalize(raw);
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return encodeString(v, ensureAscii);
    if (typeof v === 'number' || typeof v === 'bigint') return encodeNumber(v);
    if (Array.isArray(v) || isDict(v)) {
      if (seen.has(v)) throw new TypeError('Circular reference detected');
      seen.add(v);
      try {
        const nl = indent === undefined ? '' : '\n' + ' '.repeat(indent * (level + 1));
        const close = indent === undefined ? '' : '\n' + ' '.repeat(indent * level);
        if (Array.isArray(v)) {
          if (v.length === 0) return '[]';
          return '[' + nl + v.map((x) => enc(x, level + 1)).join(itemSep + nl) + close + ']';
        }
        let entries = dictEntries(v);
        if (entries.length === 0) return '{}';
        if (sortKeys) {
          const byKey = new Map(entries);
          entries = sortedKeys([...byKey.keys()]).map((k) => [k, byKey.get(k)]);
        }
        return (
          '{' +
          nl +
          entries.map(([k, x]) => encodeString(k, ensureAscii) + keySep + enc(x, level + 1)).join(itemSep + nl) +
          close +
          '}'
        );
      } finally {
        seen.delete(v);
      }
    }
    // json.dumps(default=...) territory: knack's encoder knows only bytes; be lenient.
    return encodeString(pyStr(v), ensureAscii);
  };
  return enc(value, 0);
}

/** `az ... -o json` text for a (non-None) result, with the trailing newline. */
export function formatJson(result: unknown): string {
  return (
    pyJsonDumps(result, { indent: 2, sortKeys: true, ensureAscii: false, itemSeparator: ',', keySeparator: ': ' }) +
    '\n'
  );
}

/** json.dumps(x, separators=(',', ':'), default=str): ASCII-only, insertion order. */
export function pyJsonCompact(value: unknown): string {
  return pyJsonDumps(value, { ensureAscii: true, itemSeparator: ',', keySeparator: ':' });
}
