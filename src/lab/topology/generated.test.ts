import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { generatedFiles, repoRoot } from './generated.js';
import { LAB_FILE_DOC, LAB_SCHEMA_ID, labJsonSchema } from './jsonSchema.js';
import { errorsOf, formatted, load } from './testFixtures.js';

const root = repoRoot(dirname(fileURLToPath(import.meta.url)));

test('the committed schema and field reference are what the code generates', () => {
  for (const { path, text } of generatedFiles(root)) {
    const committed = readFileSync(join(root, path), 'utf8');
    assert.ok(
      committed === text,
      `${path} is stale: run \`npx tsc -p tsconfig.json && node dist/scripts/gen-schema.js\` and commit the result`,
    );
  }
});

test('the JSON Schema is strict and describes every field', () => {
  const schema = labJsonSchema();
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(schema.$id, LAB_SCHEMA_ID);
  assert.equal(typeof schema.title, 'string');
  const undescribed: string[] = [];
  const loose: string[] = [];
  (function walk(node: unknown, path: string): void {
    if (!node || typeof node !== 'object') return;
    const s = node as Record<string, unknown>;
    if (s.type === 'object' && s.properties) {
      if (s.additionalProperties !== false) loose.push(path);
      for (const [key, child] of Object.entries(s.properties as Record<string, Record<string, unknown>>)) {
        if (typeof child.description !== 'string' || child.description.length < 10) undescribed.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
      }
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object')
      walk(s.additionalProperties, `${path}.<name>`);
    if (s.items) walk(s.items, `${path}[]`);
    for (const option of [...((s.oneOf as unknown[]) ?? []), ...((s.anyOf as unknown[]) ?? [])]) walk(option, path);
  })(schema, '');
  assert.deepEqual(undescribed, [], 'fields without a description');
  assert.deepEqual(loose, [], 'objects that accept unknown keys');
});

test('the examples in the lab file reference load', () => {
  const doc = readFileSync(join(root, LAB_FILE_DOC), 'utf8');
  const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const lab = examples.find((e) => e.includes('resourceGroups:'));
  assert.ok(lab, 'the reference has a full lab example');
  const files = new Set(['/labs/next-hop/watch1/exabgp.conf', '/labs/next-hop/watch1/exabgp.loopback.conf']);
  const result = load(lab, files);
  assert.ok(result.ok, formatted(errorsOf(result)));
  assert.deepEqual(result.spec.model.routeServers[0]?.virtualRouterIps, ['10.10.1.4', '10.10.1.5']);

  // The speaker snippet, grafted onto the full example in place of its nodes.
  const speaker = examples.find((e) => e.includes('kind: speaker'));
  assert.ok(speaker);
  const withSpeaker = load(`${lab.slice(0, lab.indexOf('nodes:'))}${speaker}`, files);
  assert.ok(withSpeaker.ok, formatted(errorsOf(withSpeaker)));

  // The hybrid example (seed 001), as the text after it says it loads.
  const hybrid = examples.find((e) => e.includes('resourceGroups:') && e.includes('expressRouteCircuits:'));
  assert.ok(hybrid, 'the reference has a hybrid lab example');
  const loaded = load(hybrid, files);
  assert.ok(loaded.ok, formatted(errorsOf(loaded)));
  assert.deepEqual(loaded.spec.model.virtualNetworkGateways[0]?.instanceAddresses, ['10.1.3.12', '10.1.3.13']);
  assert.deepEqual(loaded.spec.model.connections[0]?.mseePeerAddresses, ['10.1.3.4', '10.1.3.5']);
  assert.deepEqual(
    loaded.spec.routers[0]?.attach.map((a) => a.address),
    ['169.254.1.89', '169.254.1.93'],
  );

  // The VPN snippet, merged into the hybrid example: its resources into the example's
  // resource group, its router next to onprem1.
  const vpn = examples.find((e) => e.includes('localNetworkGateways:'));
  assert.ok(vpn);
  const [azure, routers] = vpn.split('\nrouters:\n') as [string, string];
  const extra = parse(`resourceGroups:\n  routeserver:\n${azure}\nrouters:\n${routers}`) as Record<string, unknown>;
  const withVpn = load(stringify(merge(parse(hybrid), extra)), files);
  assert.ok(withVpn.ok, formatted(errorsOf(withVpn)));
  assert.deepEqual(
    withVpn.spec.routers.map((r) => r.name),
    ['onprem1', 'branch1'],
  );
});

/** `b` merged into `a`: mappings key by key, anything else replaced. */
function merge(a: unknown, b: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(a) || !isMap(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
  return out;
}
