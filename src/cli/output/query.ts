// `--query`: mirrors knack/query.py `CLIQuery` (jmespath.compile at argument parsing,
// then `.search(result, jmespath.Options(collections.OrderedDict))`) and the Python
// `jmespath` package (1.0.x) it runs: jmespath/visitor.py `TreeInterpreter`,
// jmespath/functions.py `Functions`, jmespath/exceptions.py messages.
//
// The expression is parsed by the `jmespath` npm package (compile() -> AST); this module
// evaluates the AST with Python jmespath's semantics rather than jmespath.js's:
// - a multiselect hash builds an OrderedDict: keys in the expression's order, and the
//   object is marked ordered (ordered.ts) so `-o tsv` keeps that order; every other dict
//   (from the result, merge(), JSON literals) is a plain dict;
// - ordering comparators (<, <=, >, >=) compare numbers with numbers and strings with
//   strings (code point order); any other operand gives null; a string against a number
//   is a Python TypeError (not a JMESPath error);
// - == / != are Python equality, except that 0/1 never equal false/true at the top level;
// - truthiness: '', [], {}, null and false are false (0 is true); `!0` is false;
// - functions: Python signatures and type checks (ints vs floats, bool is not a number),
//   len() in code points, sort()/sort_by() stable with code point string order,
//   max_by/min_by return the first extreme, to_string() is compact ASCII JSON,
//   to_number() follows int()/float() parsing, avg() is a float;
// - errors carry Python jmespath's messages: 'Unknown function: f()', 'Expected 1
//   argument for function length(), received 2', 'In function length(), invalid type for
//   value: None, expected one of: ['string', 'array', 'object'], received: "null"'.
// Deliberate differences: JS objects order integer-like keys ("10") first, so a
// multiselect hash with such keys is not in expression order; parse errors are whatever
// jmespath.js rejects (Python jmespath accepts and rejects almost the same grammar);
// python.ts "Value model" (e.g. avg() = 2.0 prints as 2).

import { createRequire } from 'node:module';
import { pyJsonCompact } from './json.js';
import { isOrdered, markOrdered } from './ordered.js';
import { comparePyStr, dictEntries, isDict, isPyInt, normalize, pyLen, pyRepr, pyStr, type Dict } from './python.js';

interface AstNode {
  type: string;
  name?: string;
  value?: unknown;
  children?: Array<AstNode | null>;
}

const jmespathJs = createRequire(import.meta.url)('jmespath') as {
  compile(expression: string): AstNode;
  tokenize(expression: string): { type: string }[];
};

/** A JMESPath error raised while searching (Python jmespath.exceptions.JMESPathError). */
export class JmesPathRuntimeError extends Error {
  override name = 'JmesPathRuntimeError';
}

/**
 * A non-JMESPath Python exception a query can raise: az reports it as an unexpected error
 * with a traceback, not as an invalid query.
 */
export class PythonRuntimeError extends Error {
  override name = 'PythonRuntimeError';
  constructor(
    /** The Python exception class (jmespath.py's own errors are ValueErrors too). */
    readonly pythonClass: 'TypeError' | 'ValueError',
    message: string,
  ) {
    super(message);
  }
}

/** Parses a query; throws whatever jmespath.js throws for an invalid expression. */
export function compileQuery(expression: string): AstNode {
  if (expression === '') throw new Error('Invalid empty expression');
  const ast = jmespathJs.compile(expression);
  // jmespath.js stops reading a slice after its third ':' and accepts '[:::]'; Python
  // jmespath's parser rejects a third colon (parser.py _parse_slice_expression).
  let colons = -1;
  for (const t of jmespathJs.tokenize(expression)) {
    if (t.type === 'Lbracket') colons = 0;
    else if (t.type === 'Colon' && colons >= 0) {
      if (++colons === 3) throw new Error(`Invalid slice: too many colons: ${expression}`);
    } else if (t.type !== 'Number') colons = -1;
  }
  // jmespath.js accepts a dangling '.' ('a.', 'a..b') as a missing child; Python rejects it.
  const check = (node: AstNode | null | undefined): void => {
    if (!node || node.type === 'Slice') return;
    for (const child of node.children ?? []) {
      if (child === null || child === undefined) throw new Error(`Incomplete expression: ${expression}`);
      check(child);
    }
    if (node.type === 'KeyValuePair') check(node.value as AstNode);
  };
  check(ast);
  return ast;
}

class ExpRef {
  constructor(readonly node: AstNode) {}
}

type JType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'expref';

function jtype(v: unknown): JType {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if (v instanceof ExpRef) return 'expref';
  return 'object';
}

/** type(x).__name__ for our value model. */
function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint' || isPyInt(v)) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof ExpRef) return '_Expression';
  return isOrdered(v) ? 'OrderedDict' : 'dict';
}

const TYPES_MAP: Record<string, JType> = {
  bool: 'boolean',
  list: 'array',
  dict: 'object',
  OrderedDict: 'object',
  NoneType: 'null',
  str: 'string',
  float: 'number',
  int: 'number',
  _Expression: 'expref',
};

function valueStr(v: unknown): string {
  if (v instanceof ExpRef) return '<jmespath.visitor._Expression object>';
  // Python >= 3.12 repr of an OrderedDict.
  if (isOrdered(v)) return dictEntries(v as Dict).length ? `OrderedDict(${pyRepr(v)})` : 'OrderedDict()';
  return pyStr(v);
}

function typeError(fn: string, value: unknown, received: string, expected: string[]): JmesPathRuntimeError {
  return new JmesPathRuntimeError(
    `In function ${fn}(), invalid type for value: ${valueStr(value)}, expected one of: ${pyRepr(expected)}, received: "${received}"`,
  );
}

function isFalse(v: unknown): boolean {
  const x = normalize(v);
  return (
    x === null ||
    x === false ||
    x === '' ||
    (Array.isArray(x) && x.length === 0) ||
    (isDict(x) && dictEntries(x).length === 0)
  );
}

function isActualNumber(v: unknown): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

function toNum(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Python ==. */
function pyEq(a: unknown, b: unknown): boolean {
  const x = normalize(a);
  const y = normalize(b);
  if (x === null || y === null) return x === y;
  const xn = typeof x === 'boolean' ? Number(x) : x;
  const yn = typeof y === 'boolean' ? Number(y) : y;
  if (isActualNumber(xn) && isActualNumber(yn)) {
    return typeof xn === 'bigint' || typeof yn === 'bigint'
      ? // biome-ignore lint/suspicious/noDoubleEquals: a bigint equals a number of the same value only under ==
        BigInt(toNum(xn)) === BigInt(toNum(yn)) || xn == yn
      : xn === yn;
  }
  if (typeof x === 'string' || typeof y === 'string') return x === y;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((e, i) => pyEq(e, y[i]));
  if (isDict(x) && isDict(y)) {
    const ex = new Map(dictEntries(x));
    const ey = new Map(dictEntries(y));
    if (ex.size !== ey.size) return false;
    for (const [k, vx] of ex) if (!ey.has(k) || !pyEq(vx, ey.get(k))) return false;
    return true;
  }
  return false;
}

/** jmespath visitor `_equals`: Python == minus the 0/1 == False/True coincidence. */
function jmesEquals(a: unknown, b: unknown): boolean {
  if (isActualNumber(a) && (toNum(a) === 0 || toNum(a) === 1)) {
    if (typeof b === 'boolean') return false;
  } else if (isActualNumber(b) && (toNum(b) === 0 || toNum(b) === 1)) {
    if (typeof a === 'boolean') return false;
  }
  return pyEq(a, b);
}

/** Python < / > on two comparable (number or str) values. */
function pyCompare(a: unknown, b: unknown, op: string): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    const c = comparePyStr(a, b);
    return op === 'LT' ? c < 0 : op === 'LTE' ? c <= 0 : op === 'GT' ? c > 0 : c >= 0;
  }
  if (isActualNumber(a) && isActualNumber(b)) {
    const x = toNum(a);
    const y = toNum(b);
    return op === 'LT' ? x < y : op === 'LTE' ? x <= y : op === 'GT' ? x > y : x >= y;
  }
  const sym = op === 'LT' ? '<' : op === 'LTE' ? '<=' : op === 'GT' ? '>' : '>=';
  throw new PythonRuntimeError(
    'TypeError',
    `'${sym}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
}

/** Python sort key comparison for sort()/sort_by()/max()/min() over numbers or strings. */
function keyCompare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return comparePyStr(a, b);
  if (isActualNumber(a) && isActualNumber(b)) return toNum(a) < toNum(b) ? -1 : toNum(a) > toNum(b) ? 1 : 0;
  throw new PythonRuntimeError(
    'TypeError',
    `'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
  );
}

function pySlice(list: unknown[], start: number | null, stop: number | null, step: number | null): unknown[] {
  const len = list.length;
  const st = step ?? 1;
  if (st === 0) throw new PythonRuntimeError('ValueError', 'slice step cannot be zero');
  const clamp = (v: number | null, dflt: number, lo: number, hi: number) => {
    if (v === null) return dflt;
    let x = v < 0 ? v + len : v;
    if (x < lo) x = lo;
    if (x > hi) x = hi;
    return x;
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = clamp(start, 0, 0, len);
    const b = clamp(stop, len, 0, len);
    for (let i = a; i < b; i += st) out.push(list[i]);
  } else {
    const a = clamp(start, len - 1, -1, len - 1);
    const b = clamp(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(list[i]);
  }
  return out;
}

const INT_RE = /^\s*[+-]?[0-9]+(?:_[0-9]+)*\s*$/;
const FLOAT_RE =
  /^\s*[+-]?(?:(?:[0-9]+(?:_[0-9]+)*)?\.?[0-9]+(?:_[0-9]+)*(?:[eE][+-]?[0-9]+(?:_[0-9]+)*)?|[0-9]+(?:_[0-9]+)*\.(?:[eE][+-]?[0-9]+(?:_[0-9]+)*)?|inf(?:inity)?|nan)\s*$/i;

function pyToNumber(s: string): number | bigint | null {
  if (INT_RE.test(s)) {
    const big = BigInt(s.trim().replace(/_/g, ''));
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (FLOAT_RE.test(s)) {
    const t = s.trim().replace(/_/g, '').toLowerCase();
    const sign = t.startsWith('-') ? -1 : 1;
    const body = t.replace(/^[+-]/, '');
    if (body.startsWith('inf')) return sign * Infinity;
    if (body === 'nan') return NaN;
    return Number(t);
  }
  return null;
}

// Function signatures: one entry per positional argument; `variadic` repeats the last.
interface Sig {
  types: string[];
  variadic?: boolean;
}

const REVERSE_TYPES: Record<string, string[]> = {
  boolean: ['bool'],
  array: ['list'],
  object: ['dict', 'OrderedDict'],
  null: ['NoneType'],
  string: ['str'],
  number: ['float', 'int'],
  expref: ['_Expression'],
};

class Interpreter {
  visit(node: AstNode | null | undefined, value: unknown): unknown {
    if (!node) return null;
    const c = node.children ?? [];
    switch (node.type) {
      case 'Field': {
        const v = normalize(value);
        return isDict(v) ? normalize(v[node.name as string] ?? null) : null;
      }
      case 'Subexpression':
      case 'IndexExpression':
      case 'Pipe': {
        let result = value;
        for (const child of c) result = this.visit(child, result);
        return result;
      }
      case 'Index': {
        const v = normalize(value);
        if (!Array.isArray(v)) return null;
        let i = node.value as number;
        if (i < 0) i += v.length;
        return i >= 0 && i < v.length ? normalize(v[i]) : null;
      }
      case 'Slice': {
        const v = normalize(value);
        if (!Array.isArray(v)) return null;
        const [a, b, s] = c as unknown as Array<number | null>;
        return pySlice(v, a ?? null, b ?? null, s ?? null);
      }
      case 'Projection': {
        const base = this.visit(c[0], value);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const el of base) {
          const cur = this.visit(c[1], el);
          if (cur !== null && cur !== undefined) out.push(cur);
        }
        return out;
      }
      case 'ValueProjection': {
        const base = this.visit(c[0], value);
        if (!isDict(base)) return null;
        const out: unknown[] = [];
        for (const [, el] of dictEntries(base)) {
          const cur = this.visit(c[1], el);
          if (cur !== null && cur !== undefined) out.push(cur);
        }
        return out;
      }
      case 'FilterProjection': {
        const base = this.visit(c[0], value);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const el of base) {
          if (!isFalse(this.visit(c[2], el))) {
            const cur = this.visit(c[1], el);
            if (cur !== null && cur !== undefined) out.push(cur);
          }
        }
        return out;
      }
      case 'Flatten': {
        const base = this.visit(c[0], value);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const el of base) {
          const e = normalize(el);
          if (Array.isArray(e)) out.push(...e);
          else out.push(e);
        }
        return out;
      }
      case 'Identity':
      case 'Current':
        return normalize(value);
      case 'MultiSelectList':
        if (normalize(value) === null) return null;
        return c.map((child) => this.visit(child, value));
      case 'MultiSelectHash': {
        if (normalize(value) === null) return null;
        const out = markOrdered({} as Dict);
        for (const pair of c as Array<AstNode & { value: AstNode }>)
          out[pair.name as string] = this.visit(pair.value, value);
        return out;
      }
      case 'OrExpression': {
        const m = this.visit(c[0], value);
        return isFalse(m) ? this.visit(c[1], value) : m;
      }
      case 'AndExpression': {
        const m = this.visit(c[0], value);
        return isFalse(m) ? m : this.visit(c[1], value);
      }
      case 'NotExpression': {
        const r = this.visit(c[0], value);
        if (isActualNumber(r) && toNum(r) === 0) return false;
        return isFalse(r);
      }
      case 'Literal':
        return normalize(node.value);
      case 'Comparator': {
        const left = this.visit(c[0], value);
        const right = this.visit(c[1], value);
        if (node.name === 'EQ') return jmesEquals(left, right);
        if (node.name === 'NE') return !jmesEquals(left, right);
        const comparable = (x: unknown) => isActualNumber(x) || typeof x === 'string';
        if (!comparable(left) || !comparable(right)) return null;
        return pyCompare(left, right, node.name as string);
      }
      case 'ExpressionReference':
        return new ExpRef(c[0] as AstNode);
      case 'Function':
        return this.callFunction(
          node.name as string,
          c.map((child) => this.visit(child, value)),
        );
      default:
        throw new JmesPathRuntimeError(`Unknown node type: ${node.type}`);
    }
  }

  private expr(ref: ExpRef, v: unknown): unknown {
    return this.visit(ref.node, v);
  }

  private keyFunc(ref: ExpRef, allowed: JType[], fn: string): (x: unknown) => unknown {
    return (x) => {
      const result = this.expr(ref, x);
      const t = TYPES_MAP[pyTypeName(result)] ?? 'unknown';
      if (!allowed.includes(t as JType)) throw typeError(fn, result, t, allowed);
      return result;
    };
  }

  private validate(name: string, args: unknown[], sig: Sig[]): void {
    const last = sig[sig.length - 1];
    if (last?.variadic) {
      if (args.length < sig.length) {
        throw new JmesPathRuntimeError(
          `Expected at least ${sig.length} ${sig.length === 1 ? 'argument' : 'arguments'} for function ${name}(), received ${args.length}`,
        );
      }
    } else if (args.length !== sig.length) {
      throw new JmesPathRuntimeError(
        `Expected ${sig.length} ${sig.length === 1 ? 'argument' : 'arguments'} for function ${name}(), received ${args.length}`,
      );
    }
    for (let i = 0; i < sig.length; i++) {
      const types = (sig[i] as Sig).types;
      if (!types.length) continue;
      const current = args[i];
      const allowed: string[] = [];
      const subtypes: string[][] = [];
      for (const t of types) {
        const [base, sub] = t.split('-', 2) as [string, string | undefined];
        if (sub) subtypes.push(REVERSE_TYPES[sub] ?? []);
        allowed.push(...(REVERSE_TYPES[base] ?? []));
      }
      const actual = pyTypeName(current);
      if (!allowed.includes(actual)) throw typeError(name, current, TYPES_MAP[actual] ?? 'unknown', types);
      if (subtypes.length === 1) {
        for (const el of current as unknown[]) {
          const t = pyTypeName(el);
          if (!(subtypes[0] as string[]).includes(t)) throw typeError(name, el, t, types);
        }
      } else if (subtypes.length > 1 && (current as unknown[]).length) {
        const arr = current as unknown[];
        const first = pyTypeName(arr[0]);
        const group = subtypes.find((g) => g.includes(first));
        if (!group) throw typeError(name, arr[0], first, types);
        for (const el of arr) {
          const t = pyTypeName(el);
          if (!group.includes(t)) throw typeError(name, el, t, types);
        }
      }
    }
  }

  private callFunction(name: string, args: unknown[]): unknown {
    const spec = FUNCTIONS[name];
    if (!spec) throw new JmesPathRuntimeError(`Unknown function: ${name}()`);
    this.validate(name, args, spec.sig);
    return spec.fn.call(this, args);
  }

  // Function bodies (jmespath/functions.py `_func_*`), after validation.
  fnSortBy(arr: unknown[], ref: ExpRef): unknown[] {
    if (!arr.length) return arr;
    const t = TYPES_MAP[pyTypeName(this.expr(ref, arr[0]))] ?? 'unknown';
    if (t !== 'number' && t !== 'string') throw typeError('sort_by', arr[0], t, ['string', 'number']);
    const key = this.keyFunc(ref, [t], 'sort_by');
    const decorated = arr.map((el, i) => ({ el, i, k: key(el) }));
    decorated.sort((a, b) => keyCompare(a.k, b.k) || a.i - b.i);
    return decorated.map((d) => d.el);
  }

  fnExtremeBy(arr: unknown[], ref: ExpRef, fn: string, sign: number): unknown {
    const key = this.keyFunc(ref, ['number', 'string'], fn);
    if (!arr.length) return null;
    let best = arr[0];
    let bestKey = key(best);
    for (const el of arr.slice(1)) {
      const k = key(el);
      if (keyCompare(k, bestKey) * sign > 0) {
        best = el;
        bestKey = k;
      }
    }
    return best;
  }
}

function sumNumbers(arr: unknown[]): number | bigint {
  if (arr.some((x) => typeof x === 'bigint')) return arr.reduce<bigint>((s, x) => s + BigInt(toNum(x as number)), 0n);
  return (arr as number[]).reduce((s, x) => s + x, 0);
}

function extreme(arr: unknown[], sign: number): unknown {
  if (!arr.length) return null;
  let best = arr[0];
  for (const el of arr.slice(1)) if (keyCompare(el, best) * sign > 0) best = el;
  return best;
}

const FUNCTIONS: Record<string, { sig: Sig[]; fn: (this: Interpreter, a: unknown[]) => unknown }> = {
  abs: {
    sig: [{ types: ['number'] }],
    fn: ([x]) => (typeof x === 'bigint' ? (x < 0n ? -x : x) : Math.abs(x as number)),
  },
  avg: {
    sig: [{ types: ['array-number'] }],
    fn: ([a]) => {
      const arr = a as unknown[];
      return arr.length ? toNum(sumNumbers(arr)) / arr.length : null;
    },
  },
  ceil: { sig: [{ types: ['number'] }], fn: ([x]) => (typeof x === 'bigint' ? x : Math.ceil(x as number)) },
  floor: { sig: [{ types: ['number'] }], fn: ([x]) => (typeof x === 'bigint' ? x : Math.floor(x as number)) },
  contains: {
    sig: [{ types: ['array', 'string'] }, { types: [] }],
    fn: ([subject, search]) => {
      if (typeof subject === 'string') {
        if (typeof search !== 'string')
          throw new PythonRuntimeError(
            'TypeError',
            `'in <string>' requires string as left operand, not ${pyTypeName(search)}`,
          );
        return subject.includes(search);
      }
      return (subject as unknown[]).some((el) => pyEq(el, search));
    },
  },
  ends_with: {
    sig: [{ types: ['string'] }, { types: ['string'] }],
    fn: ([s, x]) => (s as string).endsWith(x as string),
  },
  starts_with: {
    sig: [{ types: ['string'] }, { types: ['string'] }],
    fn: ([s, x]) => (s as string).startsWith(x as string),
  },
  join: {
    sig: [{ types: ['string'] }, { types: ['array-string'] }],
    fn: ([sep, arr]) => (arr as string[]).join(sep as string),
  },
  keys: { sig: [{ types: ['object'] }], fn: ([o]) => dictEntries(o as Dict).map(([k]) => k) },
  values: { sig: [{ types: ['object'] }], fn: ([o]) => dictEntries(o as Dict).map(([, v]) => normalize(v)) },
  length: {
    sig: [{ types: ['string', 'array', 'object'] }],
    fn: ([x]) => (typeof x === 'string' ? pyLen(x) : Array.isArray(x) ? x.length : dictEntries(x as Dict).length),
  },
  map: {
    sig: [{ types: ['expref'] }, { types: ['array'] }],
    fn(this: Interpreter, [ref, arr]) {
      return (arr as unknown[]).map((el) => this.visit((ref as ExpRef).node, el));
    },
  },
  max: { sig: [{ types: ['array-number', 'array-string'] }], fn: ([arr]) => extreme(arr as unknown[], 1) },
  min: { sig: [{ types: ['array-number', 'array-string'] }], fn: ([arr]) => extreme(arr as unknown[], -1) },
  max_by: {
    sig: [{ types: ['array'] }, { types: ['expref'] }],
    fn(this: Interpreter, [arr, ref]) {
      return this.fnExtremeBy(arr as unknown[], ref as ExpRef, 'max_by', 1);
    },
  },
  min_by: {
    sig: [{ types: ['array'] }, { types: ['expref'] }],
    fn(this: Interpreter, [arr, ref]) {
      return this.fnExtremeBy(arr as unknown[], ref as ExpRef, 'min_by', -1);
    },
  },
  merge: {
    sig: [{ types: ['object'], variadic: true }],
    fn: (args) => {
      const merged: Dict = {};
      for (const o of args) for (const [k, v] of dictEntries(o as Dict)) merged[k] = v;
      return merged;
    },
  },
  not_null: {
    sig: [{ types: [], variadic: true }],
    fn: (args) => {
      for (const a of args) if (a !== null && a !== undefined) return a;
      return null;
    },
  },
  reverse: {
    sig: [{ types: ['array', 'string'] }],
    fn: ([x]) => (typeof x === 'string' ? Array.from(x).reverse().join('') : [...(x as unknown[])].reverse()),
  },
  sort: {
    sig: [{ types: ['array-string', 'array-number'] }],
    fn: ([arr]) =>
      (arr as unknown[])
        .map((el, i) => ({ el, i }))
        .sort((a, b) => keyCompare(a.el, b.el) || a.i - b.i)
        .map((d) => d.el),
  },
  sort_by: {
    sig: [{ types: ['array'] }, { types: ['expref'] }],
    fn(this: Interpreter, [arr, ref]) {
      return this.fnSortBy(arr as unknown[], ref as ExpRef);
    },
  },
  sum: { sig: [{ types: ['array-number'] }], fn: ([arr]) => sumNumbers(arr as unknown[]) },
  to_array: { sig: [{ types: [] }], fn: ([x]) => (Array.isArray(x) ? x : [x]) },
  to_string: { sig: [{ types: [] }], fn: ([x]) => (typeof x === 'string' ? x : pyJsonCompact(x)) },
  to_number: {
    sig: [{ types: [] }],
    fn: ([x]) => {
      if (x === null || typeof x === 'boolean' || Array.isArray(x) || isDict(x)) return null;
      if (isActualNumber(x)) return x;
      return typeof x === 'string' ? pyToNumber(x) : null;
    },
  },
  type: {
    sig: [{ types: [] }],
    fn: ([x]) => {
      const t = jtype(x);
      return t === 'expref' ? null : t;
    },
  },
};

/** Evaluates a parsed query against a result, with Python jmespath semantics. */
export function searchQuery(ast: AstNode, data: unknown): unknown {
  const out = new Interpreter().visit(ast, data);
  return out === undefined ? null : out;
}
