/**
 * `arslab agent`, per-backend pattern: one agent process on each web server, each
 * announcing the VIP with itself as next hop to ARSLab's Route Server (both instances).
 * Both healthy → two equal AS paths → ECMP: lt1's NIC has both next hops (R-ARS-7).
 * One unhealthy → withdraw: one next hop left; prepend: its longer AS path loses, the
 * route is still learned. Addresses: 127.122.0.0/16 and 127.123.0.0/16 only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, WebServer } from './agentProcess.js';
import { waitFor } from '../helpers/waitFor.js';
import { agentConfig, startAgentLab, vipNextHops, vipRows } from './labFixture.js';

const T = { timeout: 90_000 };

function perBackendVip(name: string, nextHop: string, check: string, unhealthy: string): string {
  return `  - prefix: 100.64.0.1/32
    pattern: per-backend
    backend:
      name: ${name}
      nextHop: ${nextHop}
      check: ${check}
    unhealthy: ${unhealthy}`;
}

async function scenario(
  n: number,
  unhealthy: string,
  body: (c: {
    lab: Awaited<ReturnType<typeof startAgentLab>>;
    a1: AgentProcess;
    a2: AgentProcess;
    ws1: WebServer;
    downFile: string;
  }) => Promise<void>,
): Promise<void> {
  const ws1 = new WebServer('ws1', `127.${n}.0.4`, 8080);
  const tmp = mkdtempSync(join(tmpdir(), 'arslab-agent-pb-'));
  const downFile = join(tmp, 'ws2-down');
  let lab: Awaited<ReturnType<typeof startAgentLab>> | undefined;
  let a1: AgentProcess | undefined;
  let a2: AgentProcess | undefined;
  try {
    await ws1.start();
    lab = await startAgentLab(`agent-per-backend-${n}`, n, [
      { name: 'ws1', ip: '10.10.0.4' },
      { name: 'ws2', ip: '10.10.0.5' },
    ]);
    const port = lab.lab.port;
    // ws1 checks its web server over TCP; ws2 runs a command (healthy while no "down" file exists).
    a1 = AgentProcess.start(
      `pb-ws1-${n}`,
      agentConfig({
        n,
        self: '10.10.0.4',
        port,
        api: `127.${n}.0.4:9179`,
        vipBlock: perBackendVip(
          'ws1',
          '10.10.0.4',
          `{ type: tcp, address: "127.${n}.0.4:8080", interval: 1s, fastInterval: 100ms, timeout: 1s, rise: 2, fall: 2 }`,
          unhealthy,
        ),
      }),
    );
    a2 = AgentProcess.start(
      `pb-ws2-${n}`,
      agentConfig({
        n,
        self: '10.10.0.5',
        port,
        vipBlock: perBackendVip(
          'ws2',
          '10.10.0.5',
          `{ type: command, command: "test ! -e ${downFile}", interval: 1s, fastInterval: 100ms, timeout: 1s, rise: 2, fall: 2 }`,
          unhealthy,
        ),
      }),
    );
    await body({ lab, a1, a2, ws1, downFile });
  } finally {
    await a1?.kill();
    await a2?.kill();
    await ws1.stop();
    await lab?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

test(
  'per-backend, withdraw: two agents → ECMP on lt1; one unhealthy → one next hop; healthy again → ECMP',
  T,
  async () => {
    await scenario(122, '{ action: withdraw }', async ({ lab, a1, a2, ws1, downFile }) => {
      const detail = () => `${a1.tail()}\n${a2.tail()}`;
      await waitFor('ECMP: both next hops on lt1', () => vipNextHops(lab) === '10.10.0.4,10.10.0.5', {
        timeoutMs: 30_000,
        intervalMs: 10,
        detail,
      });
      // ECMP as lt1's effective routes show it: two Active VirtualNetworkGateway rows, one per next hop.
      assert.deepEqual(
        vipRows(lab)
          .map((r) => [r.source, r.nextHopType, r.nextHopIpAddress.join(' ')])
          .sort(),
        [
          ['VirtualNetworkGateway', 'VirtualNetworkGateway', '10.10.0.4'],
          ['VirtualNetworkGateway', 'VirtualNetworkGateway', '10.10.0.5'],
        ],
      );
      await ws1.stop();
      await waitFor('ws1 withdrawn: one next hop', () => vipNextHops(lab) === '10.10.0.5', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });
      assert.equal(vipRows(lab).length, 1);
      const learned = lab.lab.routeServer(lab.lab.model.routeServers[0]!)!.learnedRoutes('ws1');
      assert.deepEqual(
        Object.values(learned)
          .flat()
          .filter((r) => r.network === '100.64.0.1/32'),
        [],
        'ws1 withdrew the VIP',
      );
      await ws1.start();
      await waitFor('ECMP again', () => vipNextHops(lab) === '10.10.0.4,10.10.0.5', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });
      // The command check: ws2 goes down when its file appears.
      writeFileSync(downFile, '');
      await waitFor('ws2 withdrawn', () => vipNextHops(lab) === '10.10.0.4', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });
      assert.ok(existsSync(downFile));
      rmSync(downFile);
      await waitFor('ECMP once more', () => vipNextHops(lab) === '10.10.0.4,10.10.0.5', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });
    });
  },
);

test('per-backend, prepend: the unhealthy backend still announces, with a longer AS path, and loses', T, async () => {
  await scenario(123, '{ action: prepend, prependCount: 2 }', async ({ lab, a1, a2, ws1 }) => {
    const detail = () => `${a1.tail()}\n${a2.tail()}`;
    await waitFor('ECMP: both next hops on lt1', () => vipNextHops(lab) === '10.10.0.4,10.10.0.5', {
      timeoutMs: 30_000,
      intervalMs: 10,
      detail,
    });
    await ws1.stop();
    await waitFor('the prepended path loses: only ws2', () => vipNextHops(lab) === '10.10.0.5', {
      timeoutMs: 10_000,
      intervalMs: 10,
      detail,
    });
    const rs = lab.lab.routeServer(lab.lab.model.routeServers[0]!)!;
    const learned = Object.values(rs.learnedRoutes('ws1'))
      .flat()
      .filter((r) => r.network === '100.64.0.1/32');
    assert.equal(learned.length, 2, 'both instances still learn ws1 path');
    for (const r of learned) {
      assert.equal(r.nextHop, '10.10.0.4');
      assert.deepEqual(r.asPath.split(/[-\s,]+/), ['65001', '65001', '65001'], `AS path ${r.asPath}`);
    }
    const st = (await (await fetch('http://127.123.0.4:9179/status')).json()) as {
      vips: { nextHop: string; prepend: number }[];
    };
    assert.deepEqual(
      st.vips.map((v) => [v.nextHop, v.prepend]),
      [['10.10.0.4', 2]],
    );
    await ws1.start();
    await waitFor('ECMP again once ws1 is healthy', () => vipNextHops(lab) === '10.10.0.4,10.10.0.5', {
      timeoutMs: 10_000,
      intervalMs: 10,
      detail,
    });
  });
});
