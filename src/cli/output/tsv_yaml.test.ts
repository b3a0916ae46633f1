// Expected strings marked "oracle" come from knack 0.10.1 `format_tsv` and PyYAML 6.0
// `safe_dump(..., default_flow_style=False, allow_unicode=True)` (the az code path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResult } from './index.js';
import { markOrdered } from './ordered.js';
import { formatTsv } from './tsv.js';
import { formatYaml, resolvesToNonString } from './yaml.js';

test('tsv: dict values sorted by key; nested list -> length, dict -> empty, None, nested bools True/False (oracle)', () => {
  assert.equal(
    formatTsv([{ b: true, a: null, c: [1, 2], d: { x: 1 }, e: 1.5, f: 's p' }]),
    'None\tTrue\t2\t\t1.5\ts p\n',
  );
});

test('tsv: one row per list item; a bool row is lower-case; a None row is None (oracle)', () => {
  assert.equal(
    formatTsv([{ b: true, a: null, c: [1, 2], d: {} }, true, null, 1.5, [true, 'x']]),
    'None\tTrue\t2\t\ntrue\nNone\n1.5\nTrue\tx\n',
  );
  assert.equal(formatTsv([]), '');
  assert.equal(formatTsv('a\tb'), 'a\tb\n');
  assert.equal(formatTsv(false), 'false\n');
});

test('tsv: an OrderedDict (query multiselect) keeps its order; a plain dict is sorted even with a query', () => {
  assert.equal(formatTsv([markOrdered({ b: 1, a: 2 })]), '1\t2\n');
  const routes = [{ network: '10.1.0.0/16', asPath: '65001', weight: 32768 }];
  assert.equal(
    formatResult(routes, { output: 'tsv', query: '[].{n: network, w: weight, a: asPath}' }),
    '10.1.0.0/16\t32768\t65001\n',
  );
  assert.equal(formatResult(routes, { output: 'tsv', query: '[0]' }), '65001\t10.1.0.0/16\t32768\n');
  assert.equal(formatResult(routes, { output: 'tsv' }), '65001\t10.1.0.0/16\t32768\n');
  assert.equal(formatResult(routes, { output: 'tsv', query: 'merge([0], `{}`)' }), '65001\t10.1.0.0/16\t32768\n');
});

test('yaml: learned routes — sorted keys, sequence not indented under its key, quoted number-like strings (oracle)', () => {
  const route = (network: string, asPath: string) => ({
    localAddress: '10.1.0.4',
    network,
    nextHop: '10.1.1.4',
    sourcePeer: '10.1.1.4',
    origin: 'EBgp',
    asPath,
    weight: 32768,
  });
  const learned = {
    RouteServiceRole_IN_0: [route('10.1.0.0/16', '65001'), route('10.2.0.0/16', '65001-65002')],
    RouteServiceRole_IN_1: [],
  };
  assert.equal(
    formatYaml(learned),
    "RouteServiceRole_IN_0:\n- asPath: '65001'\n  localAddress: 10.1.0.4\n  network: 10.1.0.0/16\n  nextHop: 10.1.1.4\n  origin: EBgp\n" +
      '  sourcePeer: 10.1.1.4\n  weight: 32768\n- asPath: 65001-65002\n  localAddress: 10.1.0.4\n  network: 10.2.0.0/16\n' +
      '  nextHop: 10.1.1.4\n  origin: EBgp\n  sourcePeer: 10.1.1.4\n  weight: 32768\nRouteServiceRole_IN_1: []\n',
  );
});

test('yaml: quoting, folding at 80 columns, multi-line, escapes, unicode, nested sequences, floats (oracle)', () => {
  const value = {
    peerAsn: 65001,
    asn: '65001',
    enabled: 'true',
    t: '2021-07-12T10:00:00Z',
    desc: 'word '.repeat(20),
    multi: 'line1\nline2',
    ctrl: 'a\tb\x01',
    uni: 'é 中 😀',
    'k: v': 1,
    true: 'x',
    list: [{ a: 1, b: [1, 2] }, [1, [2, 3]], []],
    f: 1.5e-7,
    nan: NaN,
    none: null,
  };
  assert.equal(
    formatYaml(value),
    "asn: '65001'\nctrl: \"a\\tb\\x01\"\ndesc: 'word word word word word word word word word word word word word word word\n  word word word word word '\n" +
      "enabled: 'true'\nf: 1.5e-07\n'k: v': 1\nlist:\n- a: 1\n  b:\n  - 1\n  - 2\n- - 1\n  - - 2\n    - 3\n- []\nmulti: 'line1\n\n  line2'\n" +
      "nan: .nan\nnone: null\npeerAsn: 65001\nt: '2021-07-12T10:00:00Z'\n'true': x\nuni: é 中 😀\n",
  );
});

test('yaml: complex keys (empty, multi-line, 128+ chars) and long scalars in each style (oracle)', () => {
  assert.equal(
    formatYaml({ ['k'.repeat(130)]: 1, '': 2, 'a\nb': 3 }),
    "? ''\n: 2\n? 'a\n\n  b'\n: 3\n? " + 'k'.repeat(130) + '\n: 1\n',
  );
  assert.equal(
    formatYaml({ a: 'x'.repeat(100), b: "'" + 'y '.repeat(50), c: '\x01' + 'z '.repeat(50) }),
    'a: ' +
      'x'.repeat(100) +
      "\nb: '''y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y\n  y y y y y y y y y y y y '\n" +
      'c: "\\x01z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z\\\n  \\ z z z z z z z z z z z z z "\n',
  );
});

test('yaml: document root scalars and empty collections (oracle)', () => {
  assert.equal(formatYaml('abc'), 'abc\n...\n');
  assert.equal(formatYaml(5), '5\n...\n');
  assert.equal(formatYaml(true), 'true\n...\n');
  assert.equal(formatYaml(1.5), '1.5\n...\n');
  assert.equal(formatYaml('true'), "'true'\n");
  assert.equal(formatYaml('65001'), "'65001'\n");
  assert.equal(formatYaml(''), "''\n");
  assert.equal(formatYaml([]), '[]\n');
  assert.equal(formatYaml({}), '{}\n');
  assert.equal(formatYaml({ a: [], b: {} }), 'a: []\nb: {}\n');
  assert.equal(formatYaml(100000000000000000000), '100000000000000000000\n...\n');
  assert.equal(formatYaml([1e-5, -Infinity]), '- 1.0e-05\n- -.inf\n');
});

test('yaml: PyYAML 1.1 implicit types force quotes; other strings stay plain (oracle)', () => {
  const quoted = [
    'true',
    'False',
    'yes',
    'On',
    'OFF',
    'null',
    '~',
    '',
    '65001',
    '-5',
    '012',
    '0x1F',
    '0b11',
    '1:20',
    '1.5',
    '.inf',
    '.NaN',
    '2021-07-12',
    '2021-07-12T10:00:00.1234567+00:00',
    '<<',
    '=',
  ];
  for (const s of quoted) assert.equal(resolvesToNonString(s), true, s);
  const plain = ['y', 'n', 'yes!', '1e3', '08', '10.1.0.0/16', '65001-65002', 'EBgp', 'Null2', 'none'];
  for (const s of plain) {
    assert.equal(resolvesToNonString(s), false, s);
    assert.equal(formatYaml({ k: s }), `k: ${s}\n`);
  }
  for (const [s, out] of [
    ['- a', "'- a'"],
    ['a: b', "'a: b'"],
    ['a #b', "'a #b'"],
    ['#a', "'#a'"],
    ['@x', "'@x'"],
    [' lead', "' lead'"],
    ["it's", "it's"],
    ['é', 'é'],
    ['\u{1F600}', '\u{1F600}'],
    ['a\tb', '"a\\tb"'],
    ['\x07', '"\\a"'],
    ['-x', '-x'],
    ['a:b', 'a:b'],
  ] as const) {
    assert.equal(formatYaml({ k: s }), `k: ${out}\n`, s);
  }
});

test('yaml/yamlc via formatResult (colour is not implemented for yamlc: plain yaml)', () => {
  assert.equal(formatResult({ a: '1' }, { output: 'yaml' }), "a: '1'\n");
  assert.equal(formatResult({ a: '1' }, { output: 'yamlc' }), "a: '1'\n");
});
