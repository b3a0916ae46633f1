// Expected strings marked "oracle" come from knack 0.10.1 `format_json` / `format_json_color`
// (CPython json + pygments 2.14/2.20, identical output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJson, pyJsonCompact } from './json.js';
import { formatJsonc, highlightJson } from './jsonc.js';
import { formatResult } from './index.js';

test('json: sorted keys at every level, indent 2, ": " and ",", raw non-ASCII, escapes, floats, big ints (oracle)', () => {
  const value = {
    b: { z: 1, a: [1.5, 1e-5, 1.5e-7, 0.1, 100000000000000000000, -0.0] },
    a: 'é\u2028\x1f\x7f"\\',
    c: [],
    d: {},
    e: null,
    f: true,
  };
  assert.equal(
    formatJson(value),
    '{\n  "a": "é\u2028\\u001f\x7f\\"\\\\",\n  "b": {\n    "a": [\n      1.5,\n      1e-05,\n      1.5e-07,\n      0.1,\n' +
      '      100000000000000000000,\n      0\n    ],\n    "z": 1\n  },\n  "c": [],\n  "d": {},\n  "e": null,\n  "f": true\n}\n',
  );
});

test('json: insertion order does not matter; code point key order (uppercase first)', () => {
  assert.equal(formatJson({ weight: 1, asPath: 'x', Zed: 2 }), '{\n  "Zed": 2,\n  "asPath": "x",\n  "weight": 1\n}\n');
  assert.equal(formatJson({ '\uff01': 1, '\u{1F600}': 2 }), '{\n  "！": 1,\n  "😀": 2\n}\n');
});

test('json: scalars, bigint, non-finite floats, named escapes', () => {
  assert.equal(formatJson('x'), '"x"\n');
  assert.equal(formatJson(12345678901234567890123n), '12345678901234567890123\n');
  assert.equal(
    formatJson([NaN, Infinity, -Infinity, 2.5e20 + 0.5, 1e16 + 0.5]),
    '[\n  NaN,\n  Infinity,\n  -Infinity,\n  250000000000000000000,\n  10000000000000000\n]\n',
  );
  assert.equal(formatJson([0.5e-4, 123456789.125, 1.25e-300]), '[\n  5e-05,\n  123456789.125,\n  1.25e-300\n]\n');
  assert.equal(formatJson('\n\r\t\b\f\u0000'), '"\\n\\r\\t\\b\\f\\u0000"\n');
  assert.equal(formatJson({ a: undefined, b: 1 }), '{\n  "b": 1\n}\n');
});

test('json via formatResult: None prints nothing', () => {
  assert.equal(formatResult(null, { output: 'json' }), '');
  assert.equal(formatResult({ a: 1 }, { output: 'json', query: 'b' }), '');
  assert.equal(formatResult(false, { output: 'json' }), 'false\n');
});

test('to_string() JSON: compact, ASCII-escaped, insertion order', () => {
  assert.equal(pyJsonCompact({ b: 'é', a: [1, null] }), '{"b":"\\u00e9","a":[1,null]}');
});

test('jsonc: pygments JsonLexer + TerminalFormatter colours (oracle)', () => {
  const value = { name: 'hub1rs', asn: 65515, ips: ['10.1.0.4'], ok: true, x: null, f: 1.5 };
  const W = (s: string) => `\x1b[37m${s}\x1b[39;49;00m`;
  const tag = (s: string) => `\x1b[94m"${s}"\x1b[39;49;00m`;
  const str = (s: string) => `\x1b[33m"${s}"\x1b[39;49;00m`;
  const num = (s: string) => `\x1b[34m${s}\x1b[39;49;00m`;
  const expected =
    '{' +
    W('') +
    '\n' +
    W('  ') +
    tag('asn') +
    ':' +
    W(' ') +
    num('65515') +
    ',' +
    W('') +
    '\n' +
    W('  ') +
    tag('f') +
    ':' +
    W(' ') +
    num('1.5') +
    ',' +
    W('') +
    '\n' +
    W('  ') +
    tag('ips') +
    ':' +
    W(' ') +
    '[' +
    W('') +
    '\n' +
    W('    ') +
    str('10.1.0.4') +
    W('') +
    '\n' +
    W('  ') +
    '],' +
    W('') +
    '\n' +
    W('  ') +
    tag('name') +
    ':' +
    W(' ') +
    str('hub1rs') +
    ',' +
    W('') +
    '\n' +
    W('  ') +
    tag('ok') +
    ':' +
    W(' ') +
    num('true') +
    ',' +
    W('') +
    '\n' +
    W('  ') +
    tag('x') +
    ':' +
    W(' ') +
    num('null') +
    W('') +
    '\n' +
    '}' +
    W('') +
    '\n';
  assert.equal(formatJsonc(value), expected);
  assert.equal(formatResult(value, { output: 'jsonc', color: true }), expected);
});

test('jsonc: colour off falls back to plain json; lines split at U+2028 like str.splitlines', () => {
  assert.equal(formatResult({ a: 1 }, { output: 'jsonc' }), '{\n  "a": 1\n}\n');
  assert.equal(formatResult({ a: 1 }, { output: 'jsonc', color: false }), '{\n  "a": 1\n}\n');
  assert.equal(
    highlightJson('"\u2028"\n'),
    '\x1b[33m"\u2028\x1b[39;49;00m\x1b[33m"\x1b[39;49;00m\x1b[37m\x1b[39;49;00m\n',
  );
  assert.equal(
    highlightJson('NaN\n'),
    '\x1b[04m\x1b[91mN\x1b[39;49;00m\x1b[04m\x1b[91ma\x1b[39;49;00m\x1b[04m\x1b[91mN\x1b[39;49;00m\x1b[37m\x1b[39;49;00m\n',
  );
});
