import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import type { LoadResult } from './load.js';
import { load, SEED_000_LAB, SEED_001_LAB } from './testFixtures.js';

/**
 * The loader's contract on hostile input: always a LoadResult, never an exception; a
 * failure always has at least one error, each with a sane position inside the text.
 */
function checkResult(text: string): void {
  let result: LoadResult;
  try {
    result = load(text);
  } catch (e) {
    assert.fail(`loader threw on ${JSON.stringify(text.slice(0, 400))}: ${(e as Error).stack}`);
  }
  assert.equal(typeof result.ok, 'boolean');
  const lines = text.split('\n').length;
  const all = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  if (!result.ok) assert.ok(result.errors.length > 0, 'a failed load has errors');
  for (const e of all) {
    assert.ok(Number.isInteger(e.line) && e.line >= 0 && e.line <= lines + 1, `line ${e.line} of ${lines}`);
    assert.ok(Number.isInteger(e.column) && e.column >= 0);
    assert.equal(typeof e.field, 'string');
    assert.ok(typeof e.message === 'string' && e.message.length > 0);
  }
}

const YAML_TOKENS = [
  'name: lab\n',
  'location: uksouth\n',
  'resourceGroups:\n',
  '  rg:\n',
  '    virtualNetworks:\n',
  '      v:\n',
  'addressPrefixes: ',
  'subnets:',
  'RouteServerSubnet:',
  'routeServers:',
  'peerings:',
  'virtualMachines:',
  'nodes:',
  'kind: speaker',
  'kind: exabgp',
  'vm: ',
  'subnet: ',
  'peerAsn: 65515',
  'peerIp: 10.0.0.4',
  '10.0.0.0/24',
  '10.0.0.1/24',
  '0.0.0.0/0',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ': ',
  '- ',
  '\n',
  '  ',
  '    ',
  '\t',
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '!tag ',
  '? ',
  '|',
  '>',
  '"',
  "'",
  '#',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '~',
  'null',
  'true',
  '1e309',
  '-0',
  '0x1F',
  '__proto__: ',
  'constructor: ',
  '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v',
];

test('no YAML-ish input makes the loader throw', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 8 })), { maxLength: 60 }),
      (tokens) => checkResult(tokens.join('')),
    ),
    { numRuns: 400 },
  );
});

test('no random text makes the loader throw', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), checkResult), { numRuns: 300 });
});

// ---------------------------------------------------------------------------
// Mutations of the valid lab: the closest inputs to real mistakes.

type Json = unknown;
type Segment = string | number;

/** Every path in a JSON value, parents before children, in a stable order. */
function pathsOf(value: Json, prefix: Segment[] = [], out: Segment[][] = []): Segment[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function edit(
  value: Json,
  path: readonly Segment[],
  f: (parent: Record<string, Json> | Json[], key: Segment) => void,
): Json {
  const copy = structuredClone(value);
  if (path.length === 0) return copy;
  let parent: Json = copy;
  for (const s of path.slice(0, -1)) parent = (parent as Record<string, Json>)[s as string];
  f(parent as Record<string, Json> | Json[], path[path.length - 1]!);
  return copy;
}

const INTERESTING = [
  '',
  'RouteServerSubnet',
  'routeserversubnet',
  '10.10.0.0/24',
  '10.10.0.1/24',
  '10.10.1.0/28',
  '0.0.0.0/0',
  '10.10.0.7',
  '256.1.1.1',
  '65515',
  65515,
  12076,
  4200000000,
  0,
  -1,
  1.5,
  // biome-ignore lint/correctness/noPrecisionLoss: a literal that overflows to Infinity on purpose
  1e309,
  'speaker',
  'quagga',
  'VirtualAppliance',
  'next-hop-ip-rt',
  'next-hop-ip-vnet/default',
  'watch1',
  'WATCH1',
  '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/next-hop-ip-rg/providers/Microsoft.Network/routeTables/next-hop-ip-rt',
  '__proto__',
  'a/b/c/d',
  null,
  true,
  [],
  {},
  ['10.10.0.0/16', '10.10.0.0/16'],
  // The hybrid lab's values (seed 001).
  'GatewaySubnet',
  'ExpressRoute',
  'Vpn',
  'IPsec',
  'er1',
  'er-circuit-1',
  'primary',
  'secondary',
  '169.254.1.88/30',
  '169.254.21.1',
  133937,
  32001,
  [{ circuit: 'er-circuit-1', link: 'primary' }],
  [{ localNetworkGateway: 'x' }],
  [{}],
  [0, 5],
  ['10.1.3.4', '10.1.3.4'],
];

const mutation = fc.record({
  op: fc.constantFrom('delete', 'replace', 'rename', 'duplicate'),
  pick: fc.nat(),
  value: fc.oneof(fc.constantFrom(...INTERESTING), fc.jsonValue({ maxDepth: 2 })),
  key: fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'addressPrefix',
      'adressPrefix',
      'Default',
      'RouteServerSubnet',
      '10.10.0.7',
    ),
    fc.string({ maxLength: 6 }),
  ),
});

function mutate(lab: Json, m: { op: string; pick: number; value: Json; key: string }): Json {
  const paths = pathsOf(lab);
  const path = paths[m.pick % paths.length]!;
  if (path.length === 0) return m.op === 'replace' ? m.value : lab;
  return edit(lab, path, (parent, key) => {
    if (Array.isArray(parent)) {
      const i = key as number;
      if (m.op === 'delete') parent.splice(i, 1);
      else if (m.op === 'duplicate') parent.splice(i, 0, structuredClone(parent[i]));
      else parent[i] = m.value;
      return;
    }
    const k = key as string;
    if (m.op === 'delete') delete parent[k];
    else if (m.op === 'replace') parent[k] = m.value;
    else {
      const v = parent[k];
      if (m.op === 'rename') delete parent[k];
      Object.defineProperty(parent, m.key, {
        value: structuredClone(v),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
  });
}

for (const [name, text] of [
  ['seed 000', SEED_000_LAB],
  ['seed 001 (hybrid)', SEED_001_LAB],
] as const)
  test(`no mutation of a valid lab (${name}) makes the loader throw`, () => {
    const seed = parse(text) as Json;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        const lab = mutations.reduce(mutate, seed);
        let text: string;
        try {
          text = stringify(lab);
        } catch {
          return; // not representable as YAML (e.g. 1e309 is Infinity; fine either way)
        }
        checkResult(text);
      }),
      { numRuns: 500 },
    );
  });

for (const [name, text] of [
  ['seed 000', SEED_000_LAB],
  ['seed 001 (hybrid)', SEED_001_LAB],
] as const)
  test(`no cut or splice of the valid lab text (${name}) makes the loader throw`, () => {
    fc.assert(
      fc.property(fc.nat(text.length), fc.nat(40), fc.string({ maxLength: 12 }), (at, length, insert) => {
        checkResult(text.slice(0, at) + insert + text.slice(at + length));
      }),
      { numRuns: 500 },
    );
  });
