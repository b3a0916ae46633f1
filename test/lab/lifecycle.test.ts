// Issue 8, finding 7: the lab's life at its edges, through the `arslab` command line as a
// user runs it.
// - A crash (an uncaught exception, a promise rejection nobody handles) removes every
//   process and namespace the lab started, its state and its lock, on the way out
//   (ARCHITECTURE rule 6) — also when the fault recurs while it cleans up (the stop path
//   throwing again is what left namespaces behind) and when it happens during the start.
//   The crash is real (thrown in the lab process), injected through the test-only
//   ARSLAB_TEST_CRASH variable that src/cli/runLab.ts reads.
// - Two `up` of one lab at once: one runs, the other says "already running (pid N)".
// - `up --detach` that fails shows this run's output only.
// - A SIGSTOPped lab: `status` says so within 3 s; `down` removes it within seconds.
// Labs here use 10.183-10.189.x (127.183-127.189.x in loopback mode), ExaBGP as the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import {
  established,
  type LabCli,
  labNamespaces,
  noExabgp,
  noRoot,
  processAlive,
  run,
  skipNetns,
  withLab,
  writeExabgpLab,
} from './labCli.js';
import { waitFor } from '../helpers/waitFor.js';

/** `arslab ARGS…` with the test-only crash injection set. */
function withCrash(cli: LabCli, crash: string, args: string[], timeoutMs = 30_000) {
  return run(cli.argv(args), { env: { ...cli.env, ARSLAB_TEST_CRASH: crash }, timeoutMs });
}

function labOut(cli: LabCli, name: string): string {
  const p = join(cli.stateDir, name, 'lab.out');
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

/** Nothing of the lab is left: processes, namespaces, state file, lock. */
async function nothingLeft(cli: LabCli, name: string): Promise<void> {
  await cli.waitClean(name, 10_000);
  assert.equal(cli.state(name), undefined, 'the state file is gone');
  assert.ok(!existsSync(join(cli.stateDir, name, 'lock')), 'the lock is gone');
}

test('netns: a fault that recurs while the lab cleans up after it — every namespace, process, the state and the lock go', {
  skip: skipNetns,
  timeout: 60_000,
}, async () => {
  const name = 'arslab-robust-crash-ready';
  await withLab('rb-crash', name, async (cli) => {
    const file = writeExabgpLab(cli, name, 183);
    const up = await withCrash(cli, 'exception:3000:repeat', ['up', file, '--netns', '--detach']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const s = cli.record(name);
    assert.equal(s.namespaces.length, 2);
    assert.deepEqual(labNamespaces(name).sort(), [...s.namespaces].sort());
    await waitFor('the lab process gone after its crash', () => !processAlive(s.pid), 20_000);
    await nothingLeft(cli, name);
    assert.match(labOut(cli, name), /the lab crashed \(uncaught exception\): Error: injected crash/);
    assert.match(labOut(cli, name), /removing what it started: \d+ process\(es\), namespaces arslab-/);
  });
});

test('netns: a crash during the start, once the first namespace exists — nothing is left', {
  skip: skipNetns,
  timeout: 60_000,
}, async () => {
  const name = 'arslab-robust-crash-start';
  await withLab('rb-crash-start', name, async (cli) => {
    const file = writeExabgpLab(cli, name, 184);
    const up = await withCrash(cli, 'exception:0:start', ['up', file, '--netns', '--detach']);
    assert.notEqual(up.code, 0, 'the lab did not come up');
    assert.match(up.stderr, /did not come up/);
    assert.match(up.stderr, /the lab crashed \(uncaught exception\)/);
    assert.match(up.stderr, /namespaces arslab-/, 'it had created a namespace when it crashed');
    await nothingLeft(cli, name);
  });
});

test('loopback: a promise rejection nobody handles is a crash too — the daemon, the state and the lock go', {
  skip: noExabgp || noRoot,
  timeout: 60_000,
}, async () => {
  const name = 'arslab-robust-crash-rejection';
  await withLab('rb-rejection', name, async (cli) => {
    const file = writeExabgpLab(cli, name, 185);
    const up = await withCrash(cli, 'rejection:2000', ['up', file, '--detach']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const s = cli.record(name);
    assert.ok(s.pids.length >= 1, 'the daemon is recorded');
    await waitFor('the lab process gone after its crash', () => !processAlive(s.pid), 20_000);
    await nothingLeft(cli, name);
    assert.match(labOut(cli, name), /the lab crashed \(unhandled promise rejection\): Error: injected crash/);
  });
});

test('two `up --detach` of one lab at once: one runs, the other says it is already running (no EADDRINUSE)', {
  skip: noExabgp || noRoot,
  timeout: 60_000,
}, async () => {
  const name = 'arslab-robust-twice';
  await withLab('rb-twice', name, async (cli) => {
    const file = writeExabgpLab(cli, name, 186);
    const [a, b] = await Promise.all([cli.arslab(['up', file, '--detach']), cli.arslab(['up', file, '--detach'])]);
    const s = cli.record(name);
    const [won, lost] = a.code === 0 ? [a, b] : [b, a];
    assert.equal(won.code, 0, won.stdout + won.stderr);
    assert.equal(lost.code, 1, lost.stdout + lost.stderr);
    assert.match(lost.stderr, new RegExp(`lab '${name}' is already running \\(pid ${s.pid}\\)`));
    assert.doesNotMatch(lost.stderr, /EADDRINUSE|address already in use/i);
    // The winner is untouched; a foreground `up` is refused the same way, at once.
    await established(cli);
    const fg = await cli.arslab(['up', file], 15_000);
    assert.equal(fg.code, 1);
    assert.match(fg.stderr, new RegExp(`already running \\(pid ${s.pid}\\)`));
    await established(cli);
    // The token: in the state file (owner-only), printed by `arslab token`, never by status.
    assert.equal(statSync(join(cli.stateDir, name, 'state.json')).mode & 0o777, 0o600);
    assert.equal((await cli.ok(['token'])).trim(), s.token);
    const text = await cli.ok(['status']);
    assert.match(text, new RegExp(`API http://127\\.0\\.0\\.1:${s.api.port}`));
    assert.ok(!text.includes(s.token!) && !(await cli.ok(['status', '-o', 'json'])).includes(s.token!));
    await cli.ok(['down']);
    await nothingLeft(cli, name);
  });
});

test('`up --detach` that fails shows what this run wrote, not an earlier run', {
  skip: noExabgp || noRoot,
  timeout: 60_000,
}, async () => {
  const name = 'arslab-robust-detach-log';
  await withLab('rb-detach-log', name, async (cli) => {
    const file = writeExabgpLab(cli, name, 187);
    const first = await cli.ok(['up', file, '--detach']);
    assert.match(first, /is up/);
    cli.record(name);
    await cli.ok(['down']);
    // Now the route server's first instance cannot listen: this start fails.
    const blocker = net.createServer();
    await new Promise<void>((res, rej) => {
      blocker.once('error', rej);
      blocker.listen(179, '127.187.1.4', () => res());
    });
    try {
      const second = await cli.arslab(['up', file, '--detach'], 30_000);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /did not come up/);
      assert.match(second.stderr, /EADDRINUSE|address already in use/i);
      assert.doesNotMatch(second.stderr, /is up \(/, "the first run's lines are not repeated");
      // The first run's output is kept aside, not lost.
      assert.match(readFileSync(join(cli.stateDir, name, 'lab.out.1'), 'utf8'), /is up \(/);
    } finally {
      blocker.close();
    }
    await nothingLeft(cli, name);
  });
});

test('a SIGSTOPped lab: `status` says so within its 3 s; `down` kills and cleans up within seconds, saying so', {
  skip: noExabgp || noRoot,
  timeout: 60_000,
}, async (ctx) => {
  const name = 'arslab-robust-stopped';
  await withLab('rb-stopped', name, async (cli) => {
    const file = writeExabgpLab(cli, name, 188);
    await cli.ok(['up', file, '--detach']);
    const s = cli.record(name);
    await established(cli);
    process.kill(s.pid, 'SIGSTOP');
    try {
      const st = await cli.arslab(['status'], 15_000);
      assert.equal(st.code, 1);
      assert.ok(st.ms < 6000, `status took ${st.ms} ms`);
      assert.match(
        st.stderr,
        new RegExp(
          `the lab at 127\\.0\\.0\\.1:${s.api.port} \\(pid ${s.pid}\\) does not answer: is it stopped\\? \\(state T`,
        ),
      );
      ctx.diagnostic(`status answered in ${st.ms} ms`);
      const down = await cli.arslab(['down'], 30_000);
      ctx.diagnostic(`down took ${down.ms} ms`);
      assert.equal(down.code, 0, down.stdout + down.stderr);
      assert.ok(down.ms < 12_000, `down took ${down.ms} ms`);
      assert.match(down.stdout, /does not answer .*\(stopped: state T\): killing it \(SIGKILL\)/);
      assert.match(down.stdout, new RegExp(`lab '${name}' is down`));
    } finally {
      if (processAlive(s.pid)) process.kill(s.pid, 'SIGCONT');
    }
    await nothingLeft(cli, name);
  });
});
