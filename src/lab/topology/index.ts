/**
 * @module lab/topology
 * Lab files: the schema, the loader (YAML → checked LabSpec, or every error with its
 * line), and the JSON Schema for editors. Side-effect free: loading reads the lab file and
 * checks that node files exist, nothing more. Reference: docs/lab-file.md.
 *
 * @example
 * const result = await loadLabFile('lab.yml');
 * if (!result.ok) for (const e of result.errors) console.error(formatLabFileError(e));
 */
export { loadLabFile, loadLabText, type LoadOptions, type LoadResult } from './load.js';
// A lab file's problems are configuration problems (src/config), in the lab's words.
export { formatConfigError as formatLabFileError, type ConfigError as LabFileError } from '../../config/index.js';
export { labJsonSchema, labJsonSchemaText, LAB_SCHEMA_FILE, LAB_SCHEMA_ID } from './jsonSchema.js';
export { labFileSchema, NODE_KINDS, type LabFile, type LabFileInput } from './schema.js';
export type { FileCheck } from './build.js';
export {
  LOADED_SPEC_ENV,
  LOADED_SPEC_READY,
  LOADED_SPEC_WAIT_ENV,
  takeLoadedSpec,
  waitForLoadedSpec,
  writeLoadedSpec,
  writeLoadedSpecAt,
} from './loaded.js';
