// Expected results and messages were checked against Python jmespath 1.0.1 with
// Options(OrderedDict) and azure-cli's error texts (see index.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyQuery, formatResult, OutputError, QUERY_REFERENCE } from './index.js';
import { isOrdered } from './ordered.js';

const data = {
  RouteServiceRole_IN_0: [
    {
      localAddress: '10.1.0.4',
      network: '10.1.0.0/16',
      nextHop: '10.1.1.4',
      sourcePeer: '10.1.1.4',
      origin: 'EBgp',
      asPath: '65001',
      weight: 32768,
    },
    {
      localAddress: '10.1.0.4',
      network: '10.2.0.0/16',
      nextHop: '10.1.1.4',
      sourcePeer: '10.1.1.4',
      origin: 'EBgp',
      asPath: '65001-65002',
      weight: 100,
    },
  ],
  name: 'hub1rs',
  flags: [true, false, 0, 1],
  nums: [3, 1.5, -2, 10],
  strs: ['b', 'a', 'é', 'B'],
  empty: '',
  zero: 0,
};

const runtimeError = (q: string, msg: string) =>
  assert.throws(
    () => applyQuery(data, q),
    (err: unknown) => {
      assert.ok(err instanceof OutputError);
      assert.equal(err.kind, 'query-runtime');
      assert.equal(err.message, `Invalid jmespath query supplied for \`--query\`: ${msg}`);
      assert.equal(err.stderr, `ERROR: Invalid jmespath query supplied for \`--query\`: ${msg}\n${QUERY_REFERENCE}\n`);
      assert.equal(err.exitCode, 1);
      return true;
    },
  );

test('multiselect hash: expression key order, marked OrderedDict; other dicts are plain', () => {
  const r = applyQuery(data, 'RouteServiceRole_IN_0[].{w: weight, n: network}') as Array<Record<string, unknown>>;
  assert.deepEqual(Object.keys(r[0] ?? {}), ['w', 'n']);
  assert.equal(isOrdered(r[0]), true);
  assert.equal(isOrdered(applyQuery(data, 'RouteServiceRole_IN_0[0]')), false);
  assert.equal(
    formatResult(data, { output: 'json', query: '{z: name, a: zero}' }),
    '{\n  "a": 0,\n  "z": "hub1rs"\n}\n',
  );
});

test('Python jmespath semantics: comparisons, equality, truthiness, functions', () => {
  assert.deepEqual(applyQuery(data, 'RouteServiceRole_IN_0[?weight > `1000`].network'), ['10.1.0.0/16']);
  assert.deepEqual(applyQuery(data, "strs[?@ > 'a']"), ['b', 'é']);
  // str > int is a Python TypeError, not a JMESPath error: az reports an unexpected error
  assert.throws(
    () => applyQuery(data, 'strs[?@ > `1`]'),
    (err: unknown) => err instanceof OutputError && err.kind === 'unexpected',
  );
  assert.deepEqual(applyQuery(data, 'RouteServiceRole_IN_0[?name > `1`]'), []);
  assert.deepEqual(applyQuery(data, 'flags[?@ == `true`]'), [true]);
  assert.deepEqual(applyQuery(data, 'flags[?@ == `1`]'), [1]);
  assert.equal(applyQuery(data, 'contains(flags, `true`)'), true);
  assert.equal(applyQuery(data, '!zero'), false);
  assert.equal(applyQuery(data, '!empty'), true);
  assert.equal(applyQuery(data, 'zero && name'), 'hub1rs');
  assert.deepEqual(applyQuery(data, 'sort(strs)'), ['B', 'a', 'b', 'é']);
  assert.equal(applyQuery(data, 'avg(nums)'), 3.125);
  assert.deepEqual(applyQuery(data, 'sort_by(RouteServiceRole_IN_0, &weight)[].weight'), [100, 32768]);
  assert.equal(applyQuery(data, 'length(name)'), 6);
  assert.equal(applyQuery(data, "to_number(' 12 ')"), 12);
  assert.equal(applyQuery(data, 'to_string(strs)'), '["b","a","\\u00e9","B"]');
  assert.deepEqual(applyQuery(data, 'nums[::-1]'), [10, -2, 1.5, 3]);
  assert.equal(applyQuery(data, 'missing'), null);
});

test('runtime errors carry Python jmespath messages', () => {
  runtimeError(
    'length(`null`)',
    `In function length(), invalid type for value: None, expected one of: ['string', 'array', 'object'], received: "null"`,
  );
  runtimeError('length(name, name)', 'Expected 1 argument for function length(), received 2');
  runtimeError('not_null()', 'Expected at least 1 argument for function not_null(), received 0');
  runtimeError('foo()', 'Unknown function: foo()');
  runtimeError(
    'sum(strs)',
    `In function sum(), invalid type for value: b, expected one of: ['array-number'], received: "str"`,
  );
  runtimeError(
    "join(', ', nums)",
    `In function join(), invalid type for value: 3, expected one of: ['array-string'], received: "int"`,
  );
});

test('syntax errors are argparse errors: "argument --query: invalid jmespath_type value: <repr>"', () => {
  for (const [q, shown] of [
    ['[?', "'[?'"],
    ['azure-cli', "'azure-cli'"],
    ['a.', "'a.'"],
    ['', "''"],
    ["[?a == 'x'", `"[?a == 'x'"`],
  ] as const) {
    assert.throws(
      () => formatResult(data, { output: 'json', query: q }),
      (err: unknown) => {
        assert.ok(err instanceof OutputError);
        assert.equal(err.kind, 'query-syntax');
        assert.equal(err.message, `argument --query: invalid jmespath_type value: ${shown}`);
        assert.equal(err.exitCode, 2);
        assert.equal(
          err.recommendation,
          "To learn more about --query, please visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'",
        );
        return true;
      },
    );
  }
  assert.equal(applyQuery({ 'azure-cli': '2.5.1' }, '"azure-cli"'), '2.5.1');
});

test('query errors surface even with -o none; -o none prints nothing', () => {
  assert.equal(formatResult(data, { output: 'none' }), '');
  assert.equal(formatResult(data, { output: 'none', query: 'name' }), '');
  assert.throws(() => formatResult(data, { output: 'none', query: 'length(`null`)' }), OutputError);
});
