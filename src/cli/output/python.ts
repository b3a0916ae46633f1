// Python value semantics shared by the az output formatters.
//
// az (azure-cli on knack) formats Python objects decoded from JSON. This module maps
// our JavaScript values onto the Python objects az would hold, and reproduces the
// Python built-ins the formatters rely on: str(), repr(), float.__repr__, sorted() over
// str keys (code point order), str.strip() and str.splitlines().
//
// Value model (deliberate, documented in README.md):
// - a JS number with an integral value is a Python int and prints in full (1e20 prints as
//   100000000000000000000), any other number is a Python float; so 2.0 from the wire
//   prints as 2 (JSON.parse cannot keep the difference); NaN/±Infinity are Python float
//   nan/±inf. Integers beyond 2**53 lose precision in a JS number: pass a bigint.
// - a bigint is a Python int of any size.
// - null is None; undefined is treated as None in arrays and skipped in objects (as
//   JSON.stringify does); a plain object is a dict whose key order is insertion order.
// - an object with toJSON() (e.g. Date) is replaced by its toJSON() value.

export type Dict = Record<string, unknown>;

/** A plain JS object (our model of a Python dict). Arrays, null and class instances are not. */
export function isDict(value: unknown): value is Dict {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Normalises values that have no direct Python counterpart (toJSON objects, undefined). */
export function normalize(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isDict(value)) {
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === 'function') return toJSON.call(value);
  }
  return value;
}

/** Entries of a dict in insertion order, skipping undefined values (like JSON.stringify). */
export function dictEntries(d: Dict): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const k of Object.keys(d)) {
    const v = d[k];
    if (v !== undefined) out.push([k, v]);
  }
  return out;
}

/** Python str ordering: compares by Unicode code point (JS `<` compares UTF-16 units). */
export function comparePyStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Below the surrogate range and above it code units order like code points; only a
    // surrogate (astral char) against U+E000..U+FFFF needs the code point comparison.
    const pa = a.codePointAt(i) ?? ca;
    const pb = b.codePointAt(i) ?? cb;
    return pa < pb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function sortedKeys(keys: string[]): string[] {
  return [...keys].sort(comparePyStr);
}

export function isPyInt(value: unknown): value is number | bigint {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
}

/**
 * CPython float.__repr__ (repr style 'r', shortest round-trip digits): exponent notation
 * when the decimal exponent is < -4 or >= 16, otherwise positional with at least one
 * digit after the point ('2.0').
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(Math.abs(x).toExponential());
  if (!m) return String(x);
  const digits = (m[1] ?? '') + (m[2] ?? '');
  const exp = Number(m[3]);
  const decpt = exp + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

/** str() / repr() of a Python number from our value model. */
export function pyNumberStr(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n)) return BigInt(n).toString();
  return pyFloatRepr(n);
}

/** repr() of a Python str: single quotes unless the text has ' and no ". */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp === 0xad) out += '\\xad';
    else if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029)
      out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + quote;
}

/** repr() of a JSON-like Python value (dicts print as plain dicts). */
export function pyRepr(value: unknown): string {
  const v = normalize(value);
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyStrRepr(v);
  if (typeof v === 'number' || typeof v === 'bigint') return pyNumberStr(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (isDict(v))
    return (
      '{' +
      dictEntries(v)
        .map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`)
        .join(', ') +
      '}'
    );
  return String(v);
}

/** str() of a JSON-like Python value: strings are themselves, everything else is repr(). */
export function pyStr(value: unknown): string {
  const v = normalize(value);
  return typeof v === 'string' ? v : pyRepr(v);
}

// Python's str.isspace() set, used by str.strip() with no arguments.
const PY_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_WHITESPACE.has(s.charCodeAt(start))) start++;
  while (end > start && PY_WHITESPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && PY_WHITESPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}

// str.splitlines() boundaries.
const LINE_BOUNDARY = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Python str.splitlines() (no keepends): '' gives [], a trailing break adds no empty line. */
export function pySplitlines(s: string): string[] {
  if (s === '') return [];
  const parts = s.split(new RegExp(LINE_BOUNDARY.source, 'g'));
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** len() of a Python str: code points, not UTF-16 units. */
export function pyLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
