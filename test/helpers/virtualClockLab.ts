/**
 * A lab built in code, run on a virtual clock, with its API and an in-process CLI client:
 * the scaffold of tests that advance time by hand (hold timers, programming delays) instead
 * of waiting for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SUBSCRIPTION, type AzureModel } from '../../src/azure/index.js';
import { ApiServer } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/client.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import { Lab } from '../../src/lab/lab.js';
import { DEFAULT_LAB_SETTINGS, type LabSettings, type RouterNodeSpec } from '../../src/lab/spec.js';

export interface VirtualClockLab {
  readonly lab: Lab;
  readonly api: ApiServer;
  readonly client: ApiClient;
  readonly clock: VirtualClock;
  /** Advances the lab clock and lets every delivery it caused run. */
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startVirtualClockLab(
  name: string,
  model: AzureModel,
  routers: RouterNodeSpec[],
  settings: Partial<LabSettings> = {},
): Promise<VirtualClockLab> {
  const dir = mkdtempSync(join(tmpdir(), `arslab-${name}-`));
  const clock = new VirtualClock();
  const lab = await Lab.start(
    {
      name,
      file: join(dir, 'lab.yml'),
      settings: { ...DEFAULT_LAB_SETTINGS, connectRetryTime: 1, ...settings },
      model,
      nodes: [],
      routers,
      warnings: [],
    },
    { stateDir: join(dir, 'state'), clock },
  );
  await lab.settled();
  const api = new ApiServer(lab);
  const addr = await api.listen('127.0.0.1', 0);
  const client = new ApiClient('127.0.0.1', addr.port, DEFAULT_SUBSCRIPTION, { token: api.token });
  return {
    lab,
    api,
    client,
    clock,
    advance: async (ms) => {
      clock.advance(ms);
      await lab.settled();
    },
    stop: async () => {
      await api.close();
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
