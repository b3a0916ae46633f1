/**
 * @module lab/topology/generated
 * The files generated from the lab file schema, and their expected contents. Shared by
 * scripts/gen-schema.ts (which writes them) and generated.test.ts (which fails when the
 * committed copies are stale).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  LAB_FILE_DOC,
  LAB_SCHEMA_FILE,
  labFileReferenceMarkdown,
  labJsonSchemaText,
  spliceReference,
} from './jsonSchema.js';

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

/**
 * What each generated file must contain. The lab file reference keeps its hand-written
 * parts and gets a fresh generated section; it must already exist.
 */
export function generatedFiles(root: string): GeneratedFile[] {
  const doc = readFileSync(join(root, LAB_FILE_DOC), 'utf8');
  return [
    { path: LAB_SCHEMA_FILE, text: labJsonSchemaText() },
    { path: LAB_FILE_DOC, text: spliceReference(doc, labFileReferenceMarkdown()) },
  ];
}

/** The repository root: the nearest folder above `from` that holds package.json (works from src/ and dist/). */
export function repoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
