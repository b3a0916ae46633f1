// Process management: groups, helpers outside the group, lifetime bound, the guardian that
// reaps an instance when ARSLab itself dies, the listening-socket audit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, readProcStat } from './process.js';
import { waitFor } from '../../../test/helpers/waitFor.js';

const alive = (pid: number): boolean => {
  const st = readProcStat(pid);
  return st !== undefined && st.state !== 'Z';
};

test('stop(): SIGTERM, then SIGKILL to the group and to helpers that left it', async () => {
  // sh ignores nothing, but its `sleep` children do not die with it; the setsid'd one is in
  // another session and process group, like ExaBGP's API helpers.
  const p = await ManagedProcess.start({
    label: 'tree',
    argv: ['/bin/sh', '-c', 'sleep 60 & setsid sleep 61 & wait'],
    maxLifetimeSeconds: 30,
  });
  try {
    await waitFor(
      'two children',
      () => {
        p.refresh();
        return p.livePids().length >= 3;
      },
      { timeoutMs: 3000, intervalMs: 25 },
    );
    const pids = p.livePids();
    await p.stop(500);
    assert.deepEqual(p.livePids(), []);
    for (const pid of pids) assert.ok(!alive(pid), `pid ${pid} still alive`);
    assert.ok(p.exited);
  } finally {
    await p.kill();
  }
});

test('pause()/resume() stop and continue every process; stop() continues a paused one first', async () => {
  const p = await ManagedProcess.start({ label: 'pause', argv: ['sleep', '60'], maxLifetimeSeconds: 30 });
  try {
    p.pause();
    await waitFor('stopped', () => readProcStat(p.pid)?.state === 'T', { timeoutMs: 2000, intervalMs: 25 });
    p.resume();
    await waitFor('running', () => readProcStat(p.pid)?.state === 'S', { timeoutMs: 2000, intervalMs: 25 });
    p.pause();
    await waitFor('stopped', () => readProcStat(p.pid)?.state === 'T', { timeoutMs: 2000, intervalMs: 25 });
    const t0 = Date.now();
    await p.stop(3000);
    assert.ok(Date.now() - t0 < 2000, 'SIGTERM acted at once: the process was continued');
    assert.equal(p.exitStatus?.signal, 'SIGTERM');
  } finally {
    await p.kill();
  }
});

test('maxLifetimeSeconds kills the instance', async () => {
  let exit: string | null | undefined;
  const p = await ManagedProcess.start({
    label: 'lifetime',
    argv: ['sleep', '60'],
    maxLifetimeSeconds: 1,
    onExit: (_code, signal) => {
      exit = signal;
    },
  });
  await waitFor('killed', () => p.exited, { timeoutMs: 4000, intervalMs: 25 });
  assert.equal(exit, 'SIGKILL');
  assert.ok(!alive(p.pid));
});

test('the guardian reaps the instance when the Node process that started it is SIGKILLed', async () => {
  const processJs = fileURLToPath(new URL('./process.js', import.meta.url));
  const script = `
    const { ManagedProcess } = await import(${JSON.stringify(processJs)});
    const p = await ManagedProcess.start({ label: 'orphan', argv: ['sleep', '60'] });
    console.log(p.pid);
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
    child.once('exit', () => reject(new Error('child exited early')));
  });
  assert.ok(alive(pid));
  child.kill('SIGKILL');
  await waitFor('sleep reaped by the guardian', () => !alive(pid), { timeoutMs: 3000, intervalMs: 25 });
});

test('listeningSockets() reports what the process listens on', async () => {
  const p = await ManagedProcess.start({
    label: 'listener',
    argv: [
      '/usr/bin/python3',
      '-c',
      'import socket,time\ns=socket.socket()\ns.bind(("127.78.9.9",0))\ns.listen()\nprint("up",flush=True)\ntime.sleep(60)',
    ],
    maxLifetimeSeconds: 30,
  });
  try {
    await waitFor('listening', () => p.listeningSockets().length > 0, { timeoutMs: 5000, intervalMs: 25 });
    const [l] = p.listeningSockets();
    assert.equal(l!.address, '127.78.9.9');
    assert.ok(l!.port > 0);
    assert.equal(l!.pid, p.pid);
  } finally {
    await p.stop(500);
  }
});
