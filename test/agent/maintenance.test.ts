/**
 * Maintenance files, seen by a bare BGP speaker: a backend's file drains it (the watcher
 * moves the VIP), the agent's file withdraws every VIP; removing them undoes it. Also the
 * CLI verbs around a running agent. Addresses: 127.127.0.0/16 only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BareRouteServer, bareAgentConfig } from './bareRouteServer.js';
import { AgentProcess, MAIN } from './agentProcess.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 127;
const run = promisify(execFile);

test('maintenance files drain a backend or the whole agent; removing them restores', { timeout: 60_000 }, async () => {
  const rs = new BareRouteServer(N);
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-maint-'));
  const all = join(dir, 'maintenance');
  const ws1 = join(dir, 'maintenance-ws1');
  let agent: AgentProcess | undefined;
  try {
    await rs.start();
    agent = AgentProcess.start(
      'maintenance',
      bareAgentConfig(
        N,
        [
          `{ name: ws1, nextHop: 10.10.0.4, maintenanceFile: ${ws1}, check: { type: command, command: "true", interval: 200ms, timeout: 5s, rise: 1, fall: 5 } }`,
          '{ name: ws2, nextHop: 10.10.0.5, check: { type: command, command: "true", interval: 200ms, timeout: 5s, rise: 1, fall: 5 } }',
        ],
        { extra: `api: 127.${N}.0.7:9179\nmaintenanceFile: ${all}\n`, failback: false },
      ),
    );
    const a = agent;
    const detail = () => `${rs.updates().join('\n')}\n${a.tail()}`;
    await waitFor('via ws1', () => rs.rib === '10.10.0.4', { timeoutMs: 15_000, intervalMs: 10, detail });
    writeFileSync(ws1, '');
    await waitFor('ws1 drained → ws2', () => rs.rib === '10.10.0.5', { timeoutMs: 5_000, intervalMs: 10, detail });
    rmSync(ws1);
    // failback: false — the drain's end does not move it back.
    await a.waitLog(
      'maintenance ended',
      (l) => l.event === 'maintenance' && l['scope'] === 'ws1' && l['drained'] === false,
      5_000,
    );
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(rs.rib, '10.10.0.5');
    writeFileSync(all, '');
    await waitFor('all drained → withdrawn', () => rs.updates().at(-1) === 'withdraw 100.64.0.1/32', {
      timeoutMs: 5_000,
      intervalMs: 10,
      detail,
    });
    assert.equal(rs.rib, '');

    // The CLI while it runs: status as a table and as JSON.
    const { stdout: table } = await run(process.execPath, [MAIN, 'agent', 'status', '--api', `127.${N}.0.7:9179`], {
      timeout: 10_000,
    });
    assert.match(table, /100\.64\.0\.1\/32\s+watcher\s+\(withdrawn\)\s+-\s+0\s+yes/);
    assert.match(table, /127\.127\.1\.4:179\s+65515\s+Established/);
    assert.match(table, /127\.127\.1\.5:179\s+65515\s+(Idle|Connect|Active)/);

    rmSync(all);
    // Announced afresh after a full drain: the first healthy backend in order, even with failback: false.
    await waitFor('announced again, via ws1', () => rs.rib === '10.10.0.4', {
      timeoutMs: 5_000,
      intervalMs: 10,
      detail,
    });
    const s = JSON.parse(
      (
        await run(process.execPath, [MAIN, 'agent', 'status', '--api', `127.${N}.0.7:9179`, '-o', 'json'], {
          timeout: 10_000,
        })
      ).stdout,
    ) as { vips: { drained: boolean; nextHop: string }[] };
    assert.deepEqual(
      s.vips.map((v) => [v.drained, v.nextHop]),
      [[false, '10.10.0.4']],
    );
    const m = a.events('maintenance').map((l) => `${String(l['scope'])}:${String(l['drained'])}`);
    assert.deepEqual(m, ['ws1:true', 'ws1:false', '*:true', '*:false']);

    // The API: drain one VIP by prefix, undrain it; wrong methods and paths are named.
    const api = `http://127.${N}.0.7:9179`;
    assert.equal(
      (await fetch(`${api}/drain?vip=${encodeURIComponent('100.64.0.1/32')}`, { method: 'POST' })).status,
      200,
    );
    await waitFor('VIP drained through the API', () => rs.rib === '', { timeoutMs: 5_000, intervalMs: 10, detail });
    assert.equal(
      (await fetch(`${api}/undrain?vip=${encodeURIComponent('100.64.0.1/32')}`, { method: 'POST' })).status,
      200,
    );
    await waitFor('VIP undrained', () => rs.rib === '10.10.0.4', { timeoutMs: 5_000, intervalMs: 10, detail });
    assert.equal((await fetch(`${api}/drain?vip=10.0.0.0/8`, { method: 'POST' })).status, 400);
    assert.equal((await fetch(`${api}/drain`)).status, 405);
    const nf = await fetch(`${api}/nope`);
    assert.equal(nf.status, 404);
    assert.match(((await nf.json()) as { error: string }).error, /GET \/status/);
  } finally {
    await agent?.kill();
    await rs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: validate and run report config errors with exit 1; a taken API port fails fast; status without an agent', {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-cli-'));
  try {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'asn: 65001\nrouterId: 10.0.0.7\nlocalAddress: 10.0.0.7\nneighbors:\n  - { address: 10.0.1.4, holdtime: 9 }\nvips: []\n',
    );
    for (const argv of [
      ['agent', 'validate', '--config', bad],
      ['agent', '--config', bad],
    ]) {
      const r = await run(process.execPath, [MAIN, ...argv], { timeout: 10_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(
        r.stderr,
        new RegExp(`^${bad.replace(/[.]/g, '\\.')}:5:26: neighbors\\[0\\]\\.holdtime: unknown key 'holdtime'`, 'm'),
      );
      assert.match(r.stderr, new RegExp(`^${bad.replace(/[.]/g, '\\.')}:6:\\d+: vips: needs at least 1 item`, 'm'));
    }
    const med = join(dir, 'med.yaml');
    writeFileSync(
      med,
      `asn: 65001\nrouterId: 10.0.0.7\nlocalAddress: 10.0.0.7\nneighbors: [ { address: 10.0.1.4 }, { address: 10.0.1.5 } ]\nvips:\n  - prefix: 100.64.0.1/32\n    pattern: watcher\n    backends:\n      - { name: a, nextHop: 10.0.0.4, check: { type: tcp, address: "10.0.0.4:80" } }\n      - { name: b, nextHop: 10.0.0.5, med: 100, check: { type: tcp, address: "10.0.0.5:80" } }\n`,
    );
    const ok = await run(process.execPath, [MAIN, 'agent', 'validate', '--config', med], { timeout: 10_000 });
    assert.match(ok.stdout, /valid — AS 65001, 2 neighbor\(s\), 1 VIP\(s\)/);
    assert.match(
      ok.stderr,
      /^warning: .*med\.yaml:10:\d+: vips\[0\]\.backends\[1\]\.med: Azure Route Server ignores MED.*R-ARS-7/m,
    );

    // The API address taken: exit 1 at once, nothing left running.
    const blocker = (await import('node:net')).createServer();
    await new Promise<void>((r) => blocker.listen({ host: `127.${N}.0.9`, port: 9179 }, () => r()));
    try {
      const cfg = join(dir, 'busy.yaml');
      writeFileSync(
        cfg,
        `asn: 65001\nrouterId: 10.0.0.7\nlocalAddress: 127.${N}.0.9\napi: 127.${N}.0.9:9179\nneighbors: [ { address: 127.${N}.1.9 }, { address: 127.${N}.1.10 } ]\nvips:\n  - prefix: 100.64.0.1/32\n    pattern: watcher\n    backends: [ { name: a, nextHop: 10.0.0.4, check: { type: command, command: "true" } } ]\n`,
      );
      const r = await run(process.execPath, [MAIN, 'agent', '--config', cfg], { timeout: 10_000 }).then(
        () => ({ code: 0, stderr: '', killed: false }),
        (e: { code: number; stderr: string; killed: boolean }) => e,
      );
      assert.equal(r.killed, false, 'exited by itself');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cannot listen on api 127\.127\.0\.9:9179: .*EADDRINUSE/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }

    const none = await run(process.execPath, [MAIN, 'agent', 'status', '--api', `127.${N}.0.8:9179`], {
      timeout: 10_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(none.code, 1);
    assert.match(none.stderr, /cannot reach the agent API at 127\.127\.0\.8:9179: .*ECONNREFUSED/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
