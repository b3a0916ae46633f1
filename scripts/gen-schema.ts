/**
 * Regenerates the files derived from the lab file schema (src/lab/topology/schema.ts):
 * schemas/arslab-lab.schema.json for editors, and the field reference section of
 * docs/lab-file.md. Run after changing the schema:
 *
 *     npx tsc -p tsconfig.json && node dist/scripts/gen-schema.js
 *
 * Also schemas/arslab-agent.schema.json (src/agent/config.ts).
 *
 * src/lab/topology/generated.test.ts and src/agent/jsonSchema.test.ts fail while the
 * committed files are stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_SCHEMA_FILE, agentJsonSchemaText } from '../src/agent/jsonSchema.js';
import { generatedFiles, repoRoot } from '../src/lab/topology/generated.js';

const root = repoRoot(dirname(fileURLToPath(import.meta.url)));
for (const { path, text } of [...generatedFiles(root), { path: AGENT_SCHEMA_FILE, text: agentJsonSchemaText() }]) {
  const target = join(root, path);
  let current: string | undefined;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    console.log(`unchanged ${path}`);
    continue;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote     ${path}`);
}
