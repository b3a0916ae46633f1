/**
 * `arslab agent`, watcher pattern, against ARSLab's own Route Server (both instances) over
 * real TCP, with two real HTTP servers as ws1/ws2: the VIP's next hop on lt1's NIC follows
 * the first healthy server, moves when it stops, is withdrawn when both are down, comes
 * back (failback: true) or stays (failback: false); SIGTERM withdraws before Cease/2.
 * Addresses: 127.120.0.0/16 and 127.121.0.0/16 only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AgentProcess, MAIN, WebServer } from './agentProcess.js';
import { waitFor } from '../helpers/waitFor.js';
import { agentConfig, startAgentLab, vipNextHops } from './labFixture.js';

const T = { timeout: 90_000 };

async function scenario(
  n: number,
  failback: boolean,
  t: (ctx: {
    lab: Awaited<ReturnType<typeof startAgentLab>>;
    agent: AgentProcess;
    ws1: WebServer;
    ws2: WebServer;
  }) => Promise<void>,
): Promise<void> {
  const ws1 = new WebServer('ws1', `127.${n}.0.4`, 8080);
  const ws2 = new WebServer('ws2', `127.${n}.0.5`, 8080);
  let lab: Awaited<ReturnType<typeof startAgentLab>> | undefined;
  let agent: AgentProcess | undefined;
  try {
    await ws1.start();
    await ws2.start();
    lab = await startAgentLab(`agent-watcher-${n}`, n, [{ name: 'watcher', ip: '10.10.0.7' }]);
    agent = AgentProcess.start(
      `watcher-${n}`,
      agentConfig({
        n,
        self: '10.10.0.7',
        port: lab.lab.port,
        failback,
        api: `127.${n}.0.7:9179`,
        backends: [
          { name: 'ws1', nextHop: '10.10.0.4', url: ws1.url },
          { name: 'ws2', nextHop: '10.10.0.5', url: ws2.url },
        ],
      }),
    );
    await t({ lab, agent, ws1, ws2 });
  } finally {
    await agent?.kill();
    await ws1.stop();
    await ws2.stop();
    await lab?.stop();
  }
}

test(
  'watcher, failback true: ws1 → ws2 on failure, withdrawn with none, back to ws1; measured failover',
  T,
  async () => {
    await scenario(120, true, async ({ lab, agent, ws1, ws2 }) => {
      const detail = () =>
        `${agent.tail()}\nlab events:\n${lab.lab.events
          .since(0)
          .slice(-30)
          .map((e) => `${e.t} ${e.type} ${e.source}: ${e.message}`)
          .join('\n')}`;
      await waitFor('lt1 routes the VIP to ws1 (10.10.0.4)', () => vipNextHops(lab) === '10.10.0.4', {
        timeoutMs: 30_000,
        intervalMs: 10,
        detail,
      });
      // Both instances programmed it and both sessions carry it.
      const rs = lab.lab.routeServer(lab.lab.model.routeServers[0]!)!;
      assert.equal(rs.status().filter((i) => i.peerings[0]!.state === 'Established').length, 2);

      // Failover: stop ws1; measure until lt1's NIC routes the VIP to ws2.
      const t0 = performance.now();
      await ws1.stop();
      await waitFor('the VIP moves to ws2 (10.10.0.5)', () => vipNextHops(lab) === '10.10.0.5', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });
      const failoverMs = Math.round(performance.now() - t0);
      console.log(
        `measured failover ws1 → ws2 (server stopped → lt1 effective route changed): ${failoverMs} ms (check interval 1s, fastInterval 100ms, fall 2)`,
      );
      // Worst case: up to one interval before the first failing check, then fall-1 fast checks, plus propagation.
      assert.ok(failoverMs < 1000 + 100 + 300 + 1000, `failover took ${failoverMs} ms`);

      // Both down: withdrawn from lt1.
      await ws2.stop();
      await waitFor('the VIP is withdrawn', () => vipNextHops(lab) === '', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });

      // ws2 back: announced via ws2; then ws1 back: failback to ws1.
      await ws2.start();
      await waitFor('the VIP is back on ws2', () => vipNextHops(lab) === '10.10.0.5', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });
      await ws1.start();
      await waitFor('failback to ws1', () => vipNextHops(lab) === '10.10.0.4', {
        timeoutMs: 10_000,
        intervalMs: 10,
        detail,
      });

      // The API and the logs tell the same story.
      const status = (await (await fetch('http://127.120.0.7:9179/status')).json()) as {
        vips: { nextHop: string }[];
        sessions: { state: string; announcements: number; withdrawals: number }[];
      };
      assert.equal(status.vips[0]!.nextHop, '10.10.0.4');
      assert.deepEqual(
        status.sessions.map((s) => s.state),
        ['Established', 'Established'],
      );
      assert.ok(status.sessions.every((s) => s.withdrawals === 1 && s.announcements >= 4));
      const metrics = await (await fetch('http://127.120.0.7:9179/metrics')).text();
      assert.match(
        metrics,
        /^arslab_agent_vip_next_hop_info\{vip="100\.64\.0\.1\/32",next_hop="10\.10\.0\.4",backend="ws1"\} 1$/m,
      );
      assert.match(metrics, /^arslab_agent_check_up\{backend="ws1"\} 1$/m);
      assert.match(metrics, /^arslab_agent_check_transitions_total\{backend="ws1"\} 3$/m);
      assert.match(metrics, /^arslab_agent_session_state\{neighbor="127\.120\.1\.4",state="Established"\} 1$/m);
      assert.match(metrics, /^arslab_agent_withdrawals_total\{neighbor="127\.120\.1\.5"\} 1$/m);
      assert.ok(agent.events('backend-state').length >= 5, 'backend state changes are logged');
      for (const l of agent.lines) {
        assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(typeof l.mono, 'number');
      }

      // Drain ws1 through the API: the VIP moves to ws2; undrain: back.
      const drained = await fetch('http://127.120.0.7:9179/drain?backend=ws1', { method: 'POST' });
      assert.equal(drained.status, 200);
      await waitFor('drain moves the VIP to ws2', () => vipNextHops(lab) === '10.10.0.5', {
        timeoutMs: 5_000,
        intervalMs: 10,
        detail,
      });
      await fetch('http://127.120.0.7:9179/undrain?backend=ws1', { method: 'POST' });
      await waitFor('undrain moves it back', () => vipNextHops(lab) === '10.10.0.4', {
        timeoutMs: 5_000,
        intervalMs: 10,
        detail,
      });
      const whole = await fetch('http://127.120.0.7:9179/drain', { method: 'POST' });
      assert.equal(whole.status, 200);
      await waitFor('draining the VIP withdraws it', () => vipNextHops(lab) === '', {
        timeoutMs: 5_000,
        intervalMs: 10,
        detail,
      });
      await fetch('http://127.120.0.7:9179/undrain', { method: 'POST' });
      await waitFor('undrained', () => vipNextHops(lab) === '10.10.0.4', { timeoutMs: 5_000, intervalMs: 10, detail });
      const bad = await fetch('http://127.120.0.7:9179/drain?backend=nope', { method: 'POST' });
      assert.equal(bad.status, 400);

      // SIGTERM: each instance receives the withdraw, then Cease / Administrative Shutdown (6/2).
      const seq0 = lab.lab.events.since(0).at(-1)?.seq ?? 0;
      const exit = await agent.signal('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null });
      await waitFor(
        'the route server sees both sessions go down',
        () =>
          lab.lab.events.since(seq0).filter((e) => e.type === 'session' && /session down/.test(e.message)).length === 2,
        { timeoutMs: 5_000, intervalMs: 10, detail },
      );
      const ev = lab.lab.events.since(seq0);
      for (const inst of ['IN_0', 'IN_1']) {
        const mine = ev.filter((e) => e.source.includes(`/${inst}/watcher`));
        const wd = mine.findIndex((e) => e.type === 'update' && /1 withdrawn/.test(e.message));
        const down = mine.findIndex(
          (e) => e.type === 'session' && /session down: NOTIFICATION received 6\/2/.test(e.message),
        );
        assert.ok(wd >= 0, `${inst}: withdraw received\n${mine.map((e) => e.message).join('\n')}`);
        assert.ok(down > wd, `${inst}: Cease/2 after the withdraw\n${mine.map((e) => e.message).join('\n')}`);
      }
      assert.equal(vipNextHops(lab), '');
      const stopAt = agent.lines.findIndex((l) => l.event === 'agent-stopping');
      const order = agent.lines
        .slice(stopAt)
        .map((l) => l.event)
        .filter((e) => ['agent-stopping', 'withdraw', 'withdraws-flushed', 'agent-stopped'].includes(e));
      assert.deepEqual(order, ['agent-stopping', 'withdraw', 'withdraw', 'withdraws-flushed', 'agent-stopped']);
    });
  },
);

test('watcher, failback false: after ws1 recovers the VIP stays on ws2; SIGINT stops cleanly', T, async () => {
  await scenario(121, false, async ({ lab, agent, ws1 }) => {
    const detail = () => agent.tail();
    await waitFor('VIP on ws1', () => vipNextHops(lab) === '10.10.0.4', { timeoutMs: 30_000, intervalMs: 10, detail });
    await ws1.stop();
    await waitFor('VIP on ws2', () => vipNextHops(lab) === '10.10.0.5', { timeoutMs: 10_000, intervalMs: 10, detail });
    await ws1.start();
    await agent.waitLog(
      'ws1 up again',
      (l) => l.event === 'backend-state' && l['backend'] === 'ws1' && l['to'] === 'up' && l['from'] === 'down',
    );
    // Give a wrong failback every chance to show.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(vipNextHops(lab), '10.10.0.5');
    // Status over the CLI: `arslab agent status --api ADDR -o json`.
    // Asynchronously: the web servers live in this process and must keep answering.
    const run = promisify(execFile);
    const { stdout: out } = await run(
      process.execPath,
      [MAIN, 'agent', 'status', '--api', '127.121.0.7:9179', '-o', 'json'],
      { encoding: 'utf8', timeout: 10_000 },
    );
    const s = JSON.parse(out) as {
      vips: { nextHop: string; backend: string }[];
      backends: { name: string; state: string }[];
    };
    assert.equal(s.vips[0]!.backend, 'ws2');
    assert.deepEqual(
      s.backends.map((b) => `${b.name}:${b.state}`),
      ['ws1:up', 'ws2:up'],
    );
    const { stdout: table } = await run(process.execPath, [MAIN, 'agent', 'status', '--api', '127.121.0.7:9179'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.match(table, /100\.64\.0\.1\/32\s+watcher\s+10\.10\.0\.5\s+ws2/);
    // Ctrl-C (SIGINT) is a clean stop too: withdrawn from lt1, exit 0.
    assert.deepEqual(await agent.signal('SIGINT'), { code: 0, signal: null });
    await waitFor('withdrawn after SIGINT', () => vipNextHops(lab) === '', {
      timeoutMs: 5_000,
      intervalMs: 10,
      detail,
    });
    assert.ok(agent.lines.some((l) => l.event === 'agent-stopping' && l['reason'] === 'signal SIGINT'));
  });
});
