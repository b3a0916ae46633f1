/**
 * The agent as a user runs it beside a lab: `arslab up --detach` (the lab in its own
 * process), `arslab agent --config F`, and the seed's query with `az` → `arslab`:
 * `network nic show-effective-route-table` follows the healthy web server; on SIGTERM,
 * `arslab events -o json` shows each instance receive the withdraw before the NOTIFICATION
 * Cease/2. Addresses: 127.125.0.0/16 only; everything started is killed by PID.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabCli, LT1_EFFECTIVE_ROUTES } from '../lab/labCli.js';
import { waitFor } from '../helpers/waitFor.js';
import { expectWithdrawThenCease, lastEventSeq } from '../helpers/sigtermEvents.js';
import { AgentProcess, WebServer } from './agentProcess.js';
import { agentConfig, agentLabYaml } from './labFixture.js';

const N = 125;
const NAME = 'agent-e2e-125';

test('arslab up + arslab agent: effective route follows health; SIGTERM seen in arslab events as withdraw, then Cease/2', {
  timeout: 90_000,
}, async () => {
  const cli = new LabCli('agent-e2e');
  const ws1 = new WebServer('ws1', `127.${N}.0.4`, 8080);
  const ws2 = new WebServer('ws2', `127.${N}.0.5`, 8080);
  let agent: AgentProcess | undefined;
  try {
    await ws1.start();
    await ws2.start();
    const file = join(cli.stateDir, 'lab.yml');
    writeFileSync(file, agentLabYaml(NAME, N, [{ name: 'watcher', ip: '10.10.0.7' }]));
    await cli.ok(['up', file, '--detach'], 60_000);
    const state = cli.record(NAME);
    agent = AgentProcess.start(
      'e2e',
      agentConfig({
        n: N,
        self: '10.10.0.7',
        port: state.bgpPort,
        backends: [
          { name: 'ws1', nextHop: '10.10.0.4', url: ws1.url },
          { name: 'ws2', nextHop: '10.10.0.5', url: ws2.url },
        ],
      }),
    );
    const a = agent;
    const via = (nextHop: string) =>
      waitFor(
        `lt1VMNic's route to 100.64.0.1/32 via ${nextHop}`,
        async () => {
          const table = await cli.ok(LT1_EFFECTIVE_ROUTES);
          const row = table.split('\n').find((l) => /\s100\.64\.0\.1\/32\s/.test(l));
          return row?.trim().split(/\s+/).join(' ') ===
            `VirtualNetworkGateway Active 100.64.0.1/32 VirtualNetworkGateway ${nextHop}`
            ? table
            : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 150 },
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${a.tail()}`);
      });
    await via('10.10.0.4');
    await ws1.stop();
    await via('10.10.0.5');

    const before = await lastEventSeq(cli);
    assert.deepEqual(await a.signal('SIGTERM'), { code: 0, signal: null });
    await expectWithdrawThenCease(cli, before, 'watcher');
    const table = await cli.ok(LT1_EFFECTIVE_ROUTES);
    assert.ok(!/100\.64\.0\.1\/32/.test(table), 'the VIP is gone from lt1');
    const out = await cli.ok(['down'], 60_000);
    assert.match(out, new RegExp(`lab '${NAME}' is down`));
    await cli.waitClean(NAME, 5000);
  } finally {
    await agent?.kill();
    await ws1.stop();
    await ws2.stop();
    await cli.cleanup([NAME]);
  }
});
