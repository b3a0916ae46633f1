// Expected strings marked "oracle" were produced by knack 0.10.1 `format_table` +
// tabulate 0.8.9 (the real az code path); "seed 001" are `-o table` outputs copied from
// /work/shared/seeds/001 (whitespace collapsed there, so compared modulo runs of spaces);
// "MS Learn" are Microsoft Learn examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResult, OutputError } from './index.js';
import { formatTable, TABLE_UNAVAILABLE_MESSAGE } from './table.js';

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
const squash = (s: string) => s.replace(/ +/g, ' ').trim();

test('learned routes with --query keep REST key order (oracle, seed 001)', () => {
  const out = formatResult(learned, { output: 'table', query: 'RouteServiceRole_IN_0' });
  assert.equal(
    out,
    'LocalAddress    Network      NextHop    SourcePeer    Origin    AsPath       Weight\n' +
      '--------------  -----------  ---------  ------------  --------  -----------  --------\n' +
      '10.1.0.4        10.1.0.0/16  10.1.1.4   10.1.1.4      EBgp      65001        32768\n' +
      '10.1.0.4        10.2.0.0/16  10.1.1.4   10.1.1.4      EBgp      65001-65002  32768\n',
  );
  const seed = [
    'LocalAddress Network NextHop SourcePeer Origin AsPath Weight',
    '-------------- ----------- --------- ------------ -------- ----------- --------',
    '10.1.0.4 10.1.0.0/16 10.1.1.4 10.1.1.4 EBgp 65001 32768',
    '10.1.0.4 10.2.0.0/16 10.1.1.4 10.1.1.4 EBgp 65001-65002 32768',
  ];
  assert.deepEqual(out.trimEnd().split('\n').map(squash), seed);
});

test('without a query or transformer, keys are sorted (oracle)', () => {
  assert.equal(
    formatTable(learned.RouteServiceRole_IN_0, { sortKeys: true }),
    'AsPath       LocalAddress    Network      NextHop    Origin    SourcePeer    Weight\n' +
      '-----------  --------------  -----------  ---------  --------  ------------  --------\n' +
      '65001        10.1.0.4        10.1.0.0/16  10.1.1.4   EBgp      10.1.1.4      32768\n' +
      '65001-65002  10.1.0.4        10.2.0.0/16  10.1.1.4   EBgp      10.1.1.4      32768\n',
  );
});

test('a dict whose values are all lists prints one empty line (oracle)', () => {
  assert.equal(formatResult(learned, { output: 'table' }), '\n');
  assert.equal(formatTable({ a: [1], b: { c: 1 } }, { sortKeys: true }), '\n');
});

test('empty list and empty dict print one empty line (oracle)', () => {
  assert.equal(formatResult([], { output: 'table' }), '\n');
  assert.equal(formatResult({}, { output: 'table' }), '\n');
  assert.equal(formatTable([{}, {}], { sortKeys: true }), '\n');
});

test('skips id/type/etag (exact case), drops null/list/dict values, capitalises (oracle, seed 001)', () => {
  const peers = [
    {
      name: 'hub1nva',
      peerAsn: 65001,
      peerIp: '10.1.1.4',
      provisioningState: 'Succeeded',
      resourceGroup: 'routeserver',
      id: '/subscriptions/x/resourceGroups/routeserver/providers/Microsoft.Network/virtualHubs/hub1rs/bgpConnections/hub1nva',
      type: 'Microsoft.Network/virtualHubs/bgpConnections',
      etag: 'W/"abc"',
      connectionState: null,
      tags: {},
      list: [1],
    },
  ];
  const out = formatResult(peers, { output: 'table' });
  assert.equal(
    out,
    'Name     PeerAsn    PeerIp    ProvisioningState    ResourceGroup\n' +
      '-------  ---------  --------  -------------------  ---------------\n' +
      'hub1nva  65001      10.1.1.4  Succeeded            routeserver\n',
  );
  assert.deepEqual(out.trimEnd().split('\n').map(squash), [
    'Name PeerAsn PeerIp ProvisioningState ResourceGroup',
    '------- --------- -------- ------------------- ---------------',
    'hub1nva 65001 10.1.1.4 Succeeded routeserver',
  ]);
  // 'Id' is not a skip key; 'id' is.
  assert.equal(formatTable([{ Id: 2, id: 1 }], { sortKeys: true }), 'Id\n----\n2\n');
});

test('columns are the union of keys in first-seen order; missing cells are blank; booleans True/False; numbers left-aligned (oracle)', () => {
  const rows = [
    { name: 'x', id: 1, Id: 2, flag: true, n: 5, f: 1.5, l: [1], none: null, etag: 'e', type: 't' },
    { name: 'longer-name', n: 123456, flag: false, extra: 'z' },
  ];
  assert.equal(
    formatTable(rows, { sortKeys: true }),
    'Id    F    Flag    N       Name         Extra\n' +
      '----  ---  ------  ------  -----------  -------\n' +
      '2     1.5  True    5       x\n' +
      '           False   123456  longer-name  z\n',
  );
});

test('query active: no sorting, dict result is one row (oracle)', () => {
  assert.equal(
    formatResult({ b: 1, a: 'x', ä: 'y' }, { output: 'table', query: '@' }),
    'B    A    Ä\n---  ---  ---\n1    x    y\n',
  );
});

test('scalars and lists of scalars use a Result column; lists of lists Column1..N (oracle)', () => {
  assert.equal(formatResult('abc', { output: 'table' }), 'Result\n--------\nabc\n');
  assert.equal(formatResult(5, { output: 'table' }), 'Result\n--------\n5\n');
  assert.equal(formatResult(true, { output: 'table' }), 'Result\n--------\nTrue\n');
  assert.equal(formatResult([1, 2, 'x'], { output: 'table' }), 'Result\n--------\n1\n2\nx\n');
  assert.equal(
    formatResult([[1, 2], [3]], { output: 'table' }),
    'Column1    Column2\n---------  ---------\n1          2\n3\n',
  );
  // a list cell is kept and printed as a Python repr
  assert.equal(
    formatTable([[1, [2, 'a'], null]], { sortKeys: true }),
    "Column1    Column2    Column3\n---------  ---------  ---------\n1          [2, 'a']\n",
  );
  // a None transformer output is a row with an empty Result
  assert.equal(formatResult({ a: 1 }, { output: 'table', tableTransformer: () => null }), 'Result\n--------\n\n');
});

test('virtualRouterIps-style list of strings (MS Learn shape)', () => {
  assert.equal(
    formatResult({ virtualRouterIps: ['10.1.0.4', '10.1.0.5'] }, { output: 'table', query: 'virtualRouterIps' }),
    'Result\n--------\n10.1.0.4\n10.1.0.5\n',
  );
});

test('cells are stripped; multi-line cells span lines; ANSI codes do not count in widths (oracle)', () => {
  assert.equal(formatTable([' pad ', 'multi\nline'], { sortKeys: true }), 'Result\n--------\npad\nmulti\nline\n');
  assert.equal(
    formatTable(
      [
        { a: 'x\ny', b: 'z' },
        { a: '\x1b[31mred\x1b[0m', b: '  pad  ' },
      ],
      { sortKeys: false },
    ),
    'A    B\n---  ---\nx    z\ny\n\x1b[31mred\x1b[0m  pad\n',
  );
});

test('width is max(len(header) + 2, widest cell); last column is not padded', () => {
  const out = formatTable([{ a: 'x', bb: 'longer value' }], { sortKeys: true });
  assert.equal(out, 'A    Bb\n---  ------------\nx    longer value\n');
  for (const line of out.split('\n')) assert.equal(line, line.trimEnd());
});

test('table transformer: function or JMESPath string, only without --query; no sorting with a transformer', () => {
  const data = [{ zeta: 1, alpha: 2, id: 'i' }];
  const fn = (r: unknown) => (r as Array<Record<string, number>>).map((x) => ({ Zeta: x.zeta, Alpha: x.alpha }));
  assert.equal(
    formatResult(data, { output: 'table', tableTransformer: fn }),
    'Zeta    Alpha\n------  -------\n1       2\n',
  );
  assert.equal(
    formatResult(data, { output: 'table', tableTransformer: '[].{Z: zeta, A: alpha}' }),
    'Z    A\n---  ---\n1    2\n',
  );
  // with a query the transformer is ignored and keys keep their order (not sorted)
  assert.equal(
    formatResult(data, { output: 'table', query: '@', tableTransformer: fn }),
    'Zeta    Alpha\n------  -------\n1       2\n',
  );
  // a transformer that only renames still disables sorting
  assert.equal(
    formatResult(data, { output: 'table', tableTransformer: (r) => r }),
    'Zeta    Alpha\n------  -------\n1       2\n',
  );
});

test('failures become "Table output unavailable..." (knack format_table message)', () => {
  assert.equal(
    TABLE_UNAVAILABLE_MESSAGE,
    'Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info.',
  );
  const run = (transformer: string | ((r: unknown) => unknown)) => () =>
    formatResult([{ a: 1 }], { output: 'table', tableTransformer: transformer });
  for (const t of [
    () => {
      throw new Error('boom');
    },
    'length(@, @)',
    '[?',
  ]) {
    assert.throws(run(t), (err: unknown) => {
      assert.ok(err instanceof OutputError);
      assert.equal(err.kind, 'table-unavailable');
      assert.equal(err.message, TABLE_UNAVAILABLE_MESSAGE);
      assert.equal(err.stderr, `ERROR: ${TABLE_UNAVAILABLE_MESSAGE}\n`);
      assert.equal(err.exitCode, 1);
      return true;
    });
  }
});
