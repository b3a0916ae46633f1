/**
 * @module lab/topology/loaded
 * A lab file loaded and checked once per `arslab up --detach` (issue 12): the command checks
 * the file in the foreground (errors on the user's terminal), hands the checked LabSpec to
 * the lab process it starts through a file in the lab's folder, and the lab process starts
 * from it instead of loading and checking the file a second time (3.3 s of 6.7 s at Azure's
 * limits). The spec is plain data (ADR 0001's model, nodes, routers), written with V8's
 * serializer. The lab process takes it only if the lab file is unchanged since it was
 * checked (same size and modification time); otherwise, or if anything is amiss, it loads
 * the file itself, as `up` in the foreground does. The lab process is started before the
 * check and waits for the spec (waitForLoadedSpec, ADR 0037).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { LabSpec } from '../spec.js';

/** The environment variable through which `up --detach` names the checked spec to its child. */
export const LOADED_SPEC_ENV = 'ARSLAB_LOADED_SPEC';

interface LoadedSpecFile {
  readonly version: 1;
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly spec: LabSpec;
}

/**
 * `up --detach` starts the lab process before it checks the file, so that Node's start and
 * the modules' loading (~0.5 s of CPU) overlap the check; with this variable set to `stdin`
 * the lab process waits for the command's word on its standard input (waitForLoadedSpec).
 */
export const LOADED_SPEC_WAIT_ENV = 'ARSLAB_LOADED_SPEC_WAIT';

/** The word `up --detach` writes once the checked spec is in place. */
export const LOADED_SPEC_READY = 'ready';

/**
 * In a lab process started by `up --detach`: waits until the command has checked the file
 * and says so on stdin. False when it ended stdin without saying it (the file was invalid,
 * the lab already runs, the command was stopped): the process has nothing to run.
 * True at once in any other process.
 */
export async function waitForLoadedSpec(): Promise<boolean> {
  if (process.env[LOADED_SPEC_WAIT_ENV] !== 'stdin') return true;
  delete process.env[LOADED_SPEC_WAIT_ENV];
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString() === LOADED_SPEC_READY;
}

/** Writes a checked spec into `dir` for the lab process; returns its path. */
export function writeLoadedSpec(dir: string, spec: LabSpec): string {
  return writeLoadedSpecAt(join(dir, 'loaded-spec.v8'), spec);
}

/** writeLoadedSpec at a path chosen before the lab's name was known. */
export function writeLoadedSpecAt(path: string, spec: LabSpec): string {
  const st = statSync(spec.file);
  const content: LoadedSpecFile = { version: 1, file: spec.file, size: st.size, mtimeMs: st.mtimeMs, spec };
  writeFileSync(path, serialize(content), { mode: 0o600 });
  return path;
}

/**
 * The spec `up --detach` checked for `file`, if it named one in the environment and the file
 * has not changed since; the spec file is removed either way, and the variable too (the
 * lab's daemons inherit the environment).
 */
export function takeLoadedSpec(file: string): LabSpec | undefined {
  const path = process.env[LOADED_SPEC_ENV];
  if (!path) return undefined;
  delete process.env[LOADED_SPEC_ENV];
  try {
    const content = deserialize(readFileSync(path)) as Partial<LoadedSpecFile>;
    if (content.version !== 1 || content.file !== resolve(file) || !content.spec) return undefined;
    const st = statSync(content.file);
    if (st.size !== content.size || st.mtimeMs !== content.mtimeMs) return undefined;
    return content.spec;
  } catch {
    return undefined;
  } finally {
    rmSync(path, { force: true });
  }
}
