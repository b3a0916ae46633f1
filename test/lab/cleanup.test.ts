// A lab removes every process and network namespace it created (ARCHITECTURE.md hard rule 6,
// ADR 0006): on Ctrl-C and SIGTERM of a foreground `arslab up`; after the lab process is
// SIGKILLed, by `arslab down` reading the state file; and when one of its daemons crashes,
// the lab notices (node state 'exited', an event, the sessions drop), `down` still cleans up
// and the same lab comes up again. Asserted by PID (the state file's, the test's own
// children, any process naming the test's state folder or the lab's namespace tag) and by
// `ip netns list`. Labs here use 10.62-10.67.x (127.62-127.67.x in loopback mode), each test
// its own lab name and state folder; ExaBGP is the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  established,
  exited,
  type LabCli,
  labNamespaces,
  noExabgp,
  noRoot,
  processAlive,
  sessions,
  type Status,
  skipNetns,
  withLab,
  writeExabgpLab,
} from './labCli.js';
import { waitFor } from '../helpers/waitFor.js';

const writeLab = writeExabgpLab;

async function foreground(
  cli: LabCli,
  name: string,
  file: string,
  mode: string[],
): Promise<{ child: ChildProcess; output: () => string }> {
  const fg = cli.foregroundUp([file, ...mode]);
  await waitFor(
    `foreground lab ${name} up`,
    () => {
      if (fg.child.exitCode !== null) throw new Error(`arslab up exited (${fg.child.exitCode}): ${fg.output()}`);
      return /is up/.test(fg.output());
    },
    30_000,
  );
  const s = cli.record(name);
  assert.equal(s.pid, fg.child.pid);
  return fg;
}

test('Ctrl-C on a foreground `arslab up --netns` (SIGINT to its process group) removes every process and namespace', {
  skip: skipNetns,
  timeout: 45_000,
}, async () => {
  const name = 'arslab-test-cleanup-int';
  await withLab('cl-int', name, async (cli) => {
    const fg = await foreground(cli, name, writeLab(cli, name, 62), ['--netns']);
    await established(cli);
    const s = cli.record(name);
    assert.equal(s.namespaces.length, 2);
    assert.ok(s.pids.length >= 3, `daemon and two helpers recorded: ${s.pids.join(', ')}`);
    assert.ok(cli.alivePids().length >= 4);
    // The terminal sends SIGINT to the whole foreground process group (the netns helpers are in it).
    process.kill(-fg.child.pid!, 'SIGINT');
    const r = await exited(fg.child, 20_000);
    assert.equal(r.code, 0, fg.output());
    await cli.waitClean(name);
    assert.equal(cli.state(name), undefined);
  });
});

test('Ctrl-C while `arslab up --netns` is still starting removes what it had created', {
  skip: skipNetns,
  timeout: 45_000,
}, async (t) => {
  const name = 'arslab-test-cleanup-early';
  await withLab('cl-early', name, async (cli) => {
    const fg = cli.foregroundUp([writeLab(cli, name, 67), '--netns']);
    // As soon as the first namespace exists (the daemon is not up yet, or only just).
    await waitFor(
      "the lab's first namespace",
      () => {
        if (fg.child.exitCode !== null) throw new Error(`arslab up exited (${fg.child.exitCode}): ${fg.output()}`);
        return labNamespaces(name).length > 0;
      },
      20_000,
    );
    process.kill(-fg.child.pid!, 'SIGINT');
    const r = await exited(fg.child, 20_000);
    // Interrupted while starting (exit 1, says so), or it had just come up and stopped (exit 0).
    t.diagnostic(r.code === 1 ? 'interrupted while starting' : 'it had just come up');
    if (r.code === 1)
      assert.match(fg.output(), /SIGINT while the lab was starting; everything it had started was removed/);
    else assert.equal(r.code, 0, fg.output());
    await cli.waitClean(name);
    assert.equal(cli.state(name), undefined);
  });
});

test('SIGTERM to a foreground `arslab up` (loopback mode) removes every process', {
  skip: noExabgp || noRoot,
  timeout: 45_000,
}, async () => {
  const name = 'arslab-test-cleanup-term';
  await withLab('cl-term', name, async (cli) => {
    const fg = await foreground(cli, name, writeLab(cli, name, 63), []);
    await established(cli);
    assert.ok(cli.alivePids().length >= 2);
    process.kill(fg.child.pid!, 'SIGTERM');
    const r = await exited(fg.child, 20_000);
    assert.equal(r.code, 0, fg.output());
    await cli.waitClean(name);
    assert.equal(cli.state(name), undefined);
  });
});

for (const mode of ['netns', 'loopback'] as const) {
  test(`the lab process SIGKILLed (a crash, ${mode} mode): \`arslab down\` removes what it left`, {
    skip: mode === 'netns' ? skipNetns : noExabgp || noRoot,
    timeout: 45_000,
  }, async () => {
    const name = `arslab-test-cleanup-kill-${mode}`;
    await withLab(`cl-kill-${mode}`, name, async (cli) => {
      const file = writeLab(cli, name, mode === 'netns' ? 64 : 65);
      await cli.ok(['up', file, ...(mode === 'netns' ? ['--netns'] : []), '--detach'], 30_000);
      await established(cli);
      const s = cli.record(name);
      process.kill(s.pid, 'SIGKILL');
      await waitFor('the lab process gone', () => !processAlive(s.pid), 5000);
      // Nothing removed the namespaces: that is `down`'s job now.
      if (mode === 'netns') assert.deepEqual(labNamespaces(name).sort(), [...s.namespaces].sort());
      const out = await cli.ok(['down'], 30_000);
      assert.match(out, new RegExp(`lab '${name}' is down`));
      await cli.waitClean(name);
      assert.equal(cli.state(name), undefined);
    });
  });
}

test('a daemon crashing (kill -9) in netns mode: the lab notices, sessions drop, `down` cleans up, the lab comes up again', {
  skip: skipNetns,
  timeout: 60_000,
}, async () => {
  const name = 'arslab-test-cleanup-daemon';
  await withLab('cl-daemon', name, async (cli) => {
    const file = writeLab(cli, name, 66);
    await cli.ok(['up', file, '--netns', '--detach'], 30_000);
    await established(cli);
    const st = await cli.json<Status>(['status']);
    const daemon = st.nodes.find((n) => n.name === 'nva1')!;
    assert.equal(daemon.state, 'running');
    const s = cli.record(name);
    assert.ok(daemon.pid && s.pids.includes(daemon.pid));
    // ExaBGP and its own processes (not the netns helpers, which belong to the lab).
    const daemonPids = s.pids.filter((p) => !cmdline(p).includes('netnsHelper'));
    assert.ok(daemonPids.length >= 2, `exabgp's processes: ${daemonPids.join(', ')}`);

    process.kill(daemon.pid, 'SIGKILL');
    await waitFor(
      'node state exited',
      async () => (await cli.json<Status>(['status'])).nodes[0]!.state === 'exited',
      10_000,
    );
    const after = await cli.json<Status>(['status']);
    assert.match(after.nodes[0]!.detail ?? '', /signal SIGKILL/);
    assert.equal(after.nodes[0]!.pid, undefined);
    const events = await cli.json<{ type: string; source: string; message: string }[]>(['events']);
    assert.ok(
      events.some(
        (e) => e.type === 'node' && e.source === 'nva1' && /exabgp exited \(code -, signal SIGKILL\)/.test(e.message),
      ),
      JSON.stringify(events.slice(-5)),
    );
    // The kernel closed the daemon's connections: both sessions are down, its routes gone.
    await waitFor('both sessions down', async () => (await sessions(cli)).every((x) => x !== 'Established'), 10_000);
    const learned = JSON.parse(
      await cli.ok([
        'network',
        'routeserver',
        'peering',
        'list-learned-routes',
        '--name',
        'nva',
        '--routeserver',
        'rs',
        '--resource-group',
        'rg',
      ]),
    ) as Record<string, unknown[]>;
    assert.deepEqual(
      Object.values(learned).map((v) => v.length),
      [0, 0],
    );
    // The daemon's helper processes went with it (the driver reaps them).
    await waitFor(
      "the daemon's processes gone",
      () => daemonPids.every((p) => !processAlive(p, s.pidStarts?.[String(p)])),
      5000,
    );
    // The lab itself still runs and answers.
    assert.ok(processAlive(s.pid));

    await cli.ok(['down'], 30_000);
    await cli.waitClean(name);

    // The same lab again, from the same state folder.
    await cli.ok(['up', file, '--netns', '--detach'], 30_000);
    cli.record(name);
    await established(cli);
    await cli.ok(['down'], 30_000);
    await cli.waitClean(name);
  });
});

/** The command line of a process ('' when gone). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
