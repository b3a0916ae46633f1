/** The committed JSON Schema of the agent config matches config.ts (run scripts/gen-schema after a change). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENT_SCHEMA_FILE, agentJsonSchemaText } from './jsonSchema.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('schemas/arslab-agent.schema.json is up to date (npx tsc -p . && node dist/scripts/gen-schema.js)', () => {
  assert.equal(readFileSync(`${ROOT}${AGENT_SCHEMA_FILE}`, 'utf8'), agentJsonSchemaText());
});

test('the schema describes durations, defaults and both patterns', () => {
  const s = JSON.parse(agentJsonSchemaText()) as {
    required: string[];
    properties: Record<string, Record<string, unknown>>;
  };
  assert.deepEqual([...s.required].sort(), ['asn', 'localAddress', 'neighbors', 'routerId', 'vips']);
  assert.equal(s.properties['connectRetry']!['pattern'], '^\\d+(\\.\\d+)?(ms|s|m)$');
  const text = agentJsonSchemaText();
  assert.match(text, /"const": "watcher"/);
  assert.match(text, /"const": "per-backend"/);
  assert.match(text, /"default": 65515/);
});
