/**
 * In-process labs for tests: a lab file (and the config files it names) written to a fresh
 * temporary folder, loaded and started; `stop()` stops the lab, kills by PID whatever its
 * daemons left, and removes the folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabOptions } from '../../src/lab/lab.js';
import { formatLabFileError, loadLabText } from '../../src/lab/topology/index.js';

export interface TestLab {
  readonly lab: Lab;
  /** The temporary folder: the lab file, its config files, and the lab's state in state/. */
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startTestLab(
  name: string,
  yaml: string,
  files: Readonly<Record<string, string>> = {},
  options: Partial<Omit<LabOptions, 'stateDir'>> = {},
): Promise<TestLab> {
  const dir = mkdtempSync(join(tmpdir(), `arslab-${name}-`));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  const file = join(dir, 'lab.yml');
  writeFileSync(file, yaml);
  const loaded = loadLabText(yaml, file);
  if (!loaded.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`test lab ${name} does not load:\n${loaded.errors.map(formatLabFileError).join('\n')}`);
  }
  let lab: Lab;
  try {
    lab = await Lab.start(loaded.spec, { maxLifetimeSeconds: 300, ...options, stateDir: join(dir, 'state') });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    lab,
    dir,
    async stop() {
      const pids = lab.pids();
      await lab.stop();
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
