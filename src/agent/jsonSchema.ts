/**
 * @module agent/jsonSchema
 * The agent config schema as JSON Schema (draft-07) for editors: a config that starts with
 * `# yaml-language-server: $schema=…/schemas/arslab-agent.schema.json` gets completion and
 * checks as you type. Generated from config.ts by scripts/gen-schema; a test fails while the
 * committed copy is stale. Checks that need the whole file (duplicates, MED warnings) stay
 * in the loader.
 */
import { z } from 'zod';
import { agentConfigSchema } from './config.js';

export const AGENT_SCHEMA_FILE = 'schemas/arslab-agent.schema.json';

export function agentJsonSchemaText(): string {
  const generated = z.toJSONSchema(agentConfigSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  const schema = {
    $schema,
    $id: 'urn:arslab:schema:agent-config:v1',
    title: 'arslab agent configuration',
    description:
      'Next-hop fast-failover agent for Azure Route Server: BGP neighbors, VIPs, backends and their health checks. Reference: docs/agent.md.',
    ...rest,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
