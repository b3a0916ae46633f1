/**
 * @module lab/topology/jsonSchema
 * The lab file schema as JSON Schema, for editors (`# yaml-language-server: $schema=…`
 * at the top of a lab file gives completion, hover docs and squiggles as you type), and
 * the field reference of docs/lab-file.md. Both are generated from schema.ts, written by
 * scripts/gen-schema.ts, and a test fails when the committed copies differ, so neither
 * can drift from what the loader accepts.
 */
import { z } from 'zod';
import { labFileSchema } from './schema.js';

/** Where the generated files live, relative to the repository root. */
export const LAB_SCHEMA_FILE = 'schemas/arslab-lab.schema.json';
export const LAB_FILE_DOC = 'docs/lab-file.md';

/**
 * The schema's `$id`. A URN, not a URL: there is no published copy to fetch, and editors
 * find the schema through the relative path in the `$schema` comment anyway.
 */
export const LAB_SCHEMA_ID = 'urn:arslab:schema:lab-file:v1';

type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of a lab file. Draft-07: the newest draft every YAML/JSON editor
 * integration (yaml-language-server, VS Code, JetBrains) reads in full. `io: 'input'`
 * describes what users write, so keys with defaults are optional and show their default.
 */
export function labJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(labFileSchema, { target: 'draft-7', io: 'input' }) as JsonSchema;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: LAB_SCHEMA_ID,
    title: 'ARSLab lab file',
    description:
      "An ARSLab lab: Azure resources (resource groups, VNets, route tables, Route Servers, VMs, ExpressRoute and VPN gateways, circuits, connections) under Azure's own names, the BGP nodes that run on the VMs, and the on-premises routers. Reference: docs/lab-file.md.",
    markdownDescription:
      "An ARSLab lab: Azure resources (resource groups, VNets, route tables, Route Servers, VMs, ExpressRoute and VPN gateways, circuits, connections) under Azure's own names, the BGP nodes that run on the VMs, and the on-premises routers.\n\nReference: `docs/lab-file.md`.",
    ...rest,
  };
}

/** The committed form of the schema file: stable key order, two-space indent, final newline. */
export function labJsonSchemaText(): string {
  return `${JSON.stringify(labJsonSchema(), null, 2)}\n`;
}

// ---------------------------------------------------------------------------
// Field reference (the generated part of docs/lab-file.md)

export const REFERENCE_BEGIN =
  '<!-- BEGIN GENERATED FIELD REFERENCE: edit src/lab/topology/schema.ts, then run scripts/gen-schema -->';
export const REFERENCE_END = '<!-- END GENERATED FIELD REFERENCE -->';

interface Section {
  /** Dotted path of the object in a lab file ('' for the top level): `nodes.<name>`. */
  readonly path: string;
  /** Which union option this is, e.g. "kind: speaker". */
  readonly variant?: string;
  readonly description: string;
  readonly rows: string[];
}

/**
 * One table per object of the schema, in document order: each key with its type,
 * whether it is required, its default and its description.
 */
export function labFileReferenceMarkdown(): string {
  const sections: Section[] = [];
  walkObject(labJsonSchema(), '', undefined, sections);
  const out: string[] = [];
  for (const s of sections) {
    const title = s.path === '' ? 'Top level' : `\`${s.path}\``;
    out.push(`### ${title}${s.variant ? ` (${s.variant})` : ''}`, '');
    if (s.description) out.push(s.description, '');
    out.push('| Key | Type | Required | Default | Description |', '|---|---|---|---|---|', ...s.rows, '');
  }
  return out.join('\n');
}

/** Replaces the generated section of the document, keeping the hand-written rest. */
export function spliceReference(document: string, reference: string): string {
  const begin = document.indexOf(REFERENCE_BEGIN);
  const end = document.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin)
    throw new Error(`${LAB_FILE_DOC} has no generated section: add the lines\n${REFERENCE_BEGIN}\n${REFERENCE_END}`);
  return `${document.slice(0, begin + REFERENCE_BEGIN.length)}\n\n${reference}${document.slice(end)}`;
}

interface ObjectAt {
  readonly schema: JsonSchema;
  readonly path: string;
  readonly variant?: string;
}

function walkObject(schema: JsonSchema, path: string, variant: string | undefined, sections: Section[]): void {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const section: Section = { path, ...(variant ? { variant } : {}), description: text(schema.description), rows: [] };
  sections.push(section);
  const nested: ObjectAt[] = [];
  for (const [key, property] of Object.entries(properties)) {
    const defaultValue = property.default === undefined ? '' : cell(`\`${JSON.stringify(property.default)}\``);
    section.rows.push(
      `| \`${key}\` | ${cell(typeOf(property))} | ${required.has(key) ? 'yes' : ''} | ${defaultValue} | ${cell(text(property.description))} |`,
    );
    nested.push(...objectsUnder(property, path === '' ? key : `${path}.${key}`));
  }
  for (const o of nested) walkObject(o.schema, o.path, o.variant, sections);
}

/** The object schemas a property leads to: directly, as map values, as list items, or per union option. */
function objectsUnder(property: JsonSchema, path: string, variant?: string): ObjectAt[] {
  if (property.type === 'object' && property.properties)
    return [{ schema: property, path, ...(variant ? { variant } : {}) }];
  if (property.type === 'object' && isSchema(property.additionalProperties))
    return objectsUnder(property.additionalProperties, `${path}.<name>`, variant);
  if (property.type === 'array' && isSchema(property.items)) return objectsUnder(property.items, `${path}[]`, variant);
  const options = (property.oneOf ?? property.anyOf) as JsonSchema[] | undefined;
  if (!options) return [];
  return options.flatMap((o) => {
    const kind = (o.properties as Record<string, JsonSchema> | undefined)?.kind;
    const kinds = kind ? ((kind.enum as string[] | undefined) ?? [String(kind.const)]) : undefined;
    return objectsUnder(o, path, kinds ? `kind: ${kinds.join(', ')}` : variant);
  });
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${String(v)}\``).join(' | ');
  const options = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (options) return options.map(typeOf).join(' or ');
  if (Array.isArray(s.type)) return s.type.join(' or ');
  switch (s.type) {
    case 'object': {
      const kind = (s.properties as Record<string, JsonSchema> | undefined)?.kind;
      if (kind) return `object (kind ${typeOf(kind)})`;
      if (s.properties) return 'object';
      return isSchema(s.additionalProperties) ? `map of name → ${typeOf(s.additionalProperties)}` : 'map';
    }
    case 'array':
      return isSchema(s.items) ? `list of ${typeOf(s.items)}` : 'list';
    case 'integer':
    case 'number': {
      const min = s.minimum as number | undefined;
      const max = s.maximum as number | undefined;
      const bounded = min !== undefined && max !== undefined && Math.abs(max) < Number.MAX_SAFE_INTEGER;
      return bounded
        ? `${s.type} ${min}-${max}`
        : min !== undefined && Math.abs(min) < Number.MAX_SAFE_INTEGER
          ? `${s.type} ≥ ${min}`
          : String(s.type);
    }
    case 'string':
      return s.format ? `string (${s.format})` : 'string';
    default:
      return String(s.type ?? 'any');
  }
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
