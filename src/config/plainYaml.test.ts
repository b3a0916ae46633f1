import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { readPlainYaml } from './plainYaml.js';

/**
 * The fast reader's contract: for any text it either gives up (undefined) or gives exactly
 * what the `yaml` package gives (parse + toJS, YAML 1.2 core schema, unique keys), and only
 * for texts the package reads without an error or a warning — those are reported by the
 * full parse, which then runs.
 */
function agrees(text: string): { accepted: boolean } {
  const fast = readPlainYaml(text, 64);
  if (!fast) return { accepted: false };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  assert.deepEqual(
    [...doc.errors, ...doc.warnings].map((e) => e.message),
    [],
    `accepted a text yaml reports on:\n${text}`,
  );
  assert.deepStrictEqual(fast.value, doc.toJS({ maxAliasCount: 1000 }), `a different value for:\n${text}`);
  return { accepted: true };
}

const ROOT = new URL('../../../', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

test('every lab and agent file of the repository reads the same as with yaml, or is left to it', () => {
  const files = [...yamlFiles(join(ROOT, 'scenarios')), ...yamlFiles(join(ROOT, 'examples'))];
  assert.ok(files.length >= 10, `found ${files.length} files`);
  for (const f of files) agrees(readFileSync(f, 'utf8'));
});

test('a lab in the style of a generated one (block keys, nested one-line flow mappings, lists of them) is read fast and the same', () => {
  const lines = [
    '# a comment',
    'name: big',
    'location: westeurope',
    'resourceGroups:',
    '  spokes:',
    '    virtualNetworks:',
  ];
  for (let i = 0; i < 50; i++) {
    lines.push(
      `      spoke-${i}:`,
      `        addressPrefixes: [172.16.${i}.0/24]`,
      `        subnets: { vm: { addressPrefix: 172.16.${i}.0/24, routeTable: hub/rt-0 } }   # comment`,
      `        virtualNetworkPeerings: { to-hub: { remoteVirtualNetwork: hub/hub, useRemoteGateways: true } }`,
    );
  }
  lines.push(
    '    routes:',
    ...Array.from({ length: 20 }, (_, j) => `      - { prefix: 11.0.${j}.0/24, weight: ${j} }`),
  );
  lines.push('    list:', '    - a', '    - name: x', '      value: "quoted # not a comment"', '    -', '      k: v');
  assert.equal(agrees(lines.join('\n')).accepted, true);
});

test('scalars resolve as in the YAML 1.2 core schema (§10.3.2): null, booleans, ints in three bases, floats, the rest strings', () => {
  const text = [
    'n1: ~',
    'n2: null',
    'n3: NULL',
    'n4:',
    'b1: true',
    'b2: False',
    'i1: 42',
    'i2: -7',
    'i3: +3',
    'i4: 0o17',
    'i5: 0x1F',
    'f1: 1.5',
    'f2: 1e3',
    'f3: -.inf',
    'f4: .NaN',
    's1: 192.0.2.0/24',
    's2: nULL',
    's3: yes',
    's4: 1.2.3',
    's5: a b  # comment',
    's6: "x # y"',
    "s7: 'single'",
    's8: a:b',
    's9: 0o8',
  ].join('\n');
  const fast = readPlainYaml(text, 64);
  assert.ok(fast, 'read fast');
  agrees(text);
  // The values the core schema gives (not this reader's own output): §10.3.2's table.
  assert.deepStrictEqual(fast.value, {
    n1: null,
    n2: null,
    n3: null,
    n4: null,
    b1: true,
    b2: false,
    i1: 42,
    i2: -7,
    i3: 3,
    i4: 15,
    i5: 31,
    f1: 1.5,
    f2: 1000,
    f3: -Infinity,
    f4: Number.NaN,
    s1: '192.0.2.0/24',
    s2: 'nULL',
    s3: 'yes',
    s4: '1.2.3',
    s5: 'a b',
    s6: 'x # y',
    s7: 'single',
    s8: 'a:b',
    s9: '0o8',
  });
});

test('what the subset leaves out goes to the full parser: anchors, tags, block and multi-line scalars, escapes, duplicates, odd keys, tabs, CRLF', () => {
  const outside = [
    'a: &x 1\nb: *x',
    'a: !!str 1',
    'a: |\n  text',
    'a: >\n  text',
    'a: one\n  two',
    'a: "one\n  two"',
    'a: "tab\\t"',
    "a: 'it''s'",
    'a: 1\na: 2',
    '1: numeric key',
    'null: key',
    'a:\tb',
    'a: b\r\nc: d',
    '---\na: 1',
    'a: [1, 2,]',
    'a: [1,\n  2]',
    'a: { k: }',
    'a: b: c',
    '- - a',
    '? complex\n: key',
    '__proto__: x',
    'a: é',
    '',
    '# only a comment',
    'just a scalar',
  ];
  for (const text of outside) assert.equal(readPlainYaml(text, 64), undefined, JSON.stringify(text));
});

test('nesting past the limit is left to the full parser, which reports it', () => {
  const deep = Array.from({ length: 70 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' 1';
  assert.equal(readPlainYaml(deep, 64), undefined);
  assert.equal(readPlainYaml(`a: ${'['.repeat(70)}${']'.repeat(70)}`, 64), undefined);
});

test('property: on random texts from the pieces of YAML, the fast reader gives yaml’s value or gives up', () => {
  const keys = ['a', 'b c', 'x-1', '192.0.2.7', '"q"', "'s'", '1', 'null', 'k:v', 'a#b', '~', 'é', '-k', '__proto__'];
  const values = [
    ...['', 'v', '1', '-1', '0o7', '0x1F', '1.5', '1e3', '.inf', '.nan', 'true', 'False', 'NULL', '~'],
    ...['192.0.2.0/24', 'a b', 'a  # c', "'x'", '"y"', "'it''s'", '"a\\"b"', '[a, 1, [b]]', '{ k: v, n: 1 }'],
    ...['{ k: { j: 2 } }', '[]', '{}', '[a,]', '- x', 'a: b', '|', '&x 1', '*x', '!!str 1', '"open', 'a:b'],
    ...['fd00::/8', '@x', '`x`', '% x', 'x:', '#c', '[a: b]', '{a:b}', '{ "k": v }', '-.5', '+', '.'],
  ];
  const line = fc.record({
    indent: fc.constantFrom(0, 1, 2, 4, 6),
    kind: fc.constantFrom('pair', 'open', 'item', 'itemPair', 'dash', 'comment', 'blank'),
    key: fc.constantFrom(...keys),
    value: fc.constantFrom(...values),
  });
  const render = (l: { indent: number; kind: string; key: string; value: string }) => {
    const pad = ' '.repeat(l.indent);
    switch (l.kind) {
      case 'pair':
        return `${pad}${l.key}: ${l.value}`;
      case 'open':
        return `${pad}${l.key}:`;
      case 'item':
        return `${pad}- ${l.value}`;
      case 'itemPair':
        return `${pad}- ${l.key}: ${l.value}`;
      case 'dash':
        return `${pad}-`;
      case 'comment':
        return `${pad}# ${l.value}`;
      default:
        return '';
    }
  };
  let accepted = 0;
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (ls) => {
      if (agrees(ls.map(render).join('\n')).accepted) accepted++;
    }),
    { numRuns: 3000, seed: 20261208 },
  );
  // The pieces make both kinds: a property that never reaches the fast path proves nothing.
  assert.ok(accepted > 100, `only ${accepted} texts were read fast`);
});
