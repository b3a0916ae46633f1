/**
 * The probes on real sockets and processes: HTTP status and body matching, HTTPS with a
 * self-signed certificate (refused unless insecure), TCP connect, commands and their
 * timeout (the whole process group is killed). Addresses: 127.128.0.0/16 only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentConfigSchema, type CheckConfig } from '../../src/agent/config.js';
import { runProbe } from '../../src/agent/probes.js';

const H = '127.128.0.1';

/** A check as the loader would produce it (defaults applied). */
function check(c: Record<string, unknown>): CheckConfig {
  const cfg = agentConfigSchema.parse({
    asn: 65001,
    routerId: '10.0.0.1',
    localAddress: '10.0.0.1',
    neighbors: [{ address: '10.0.1.4' }],
    vips: [{ prefix: '100.64.0.1/32', pattern: 'watcher', backends: [{ name: 'a', nextHop: '10.0.0.4', check: c }] }],
  });
  const v = cfg.vips[0]!;
  return (v.pattern === 'watcher' ? v.backends[0]! : v.backend).check;
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: H, port }, () => resolve());
  });
}

const close = (s: net.Server) => new Promise<void>((r) => s.close(() => r()));

test('http: status, body substring and regex, wrong status, refused, hanging server', { timeout: 30_000 }, async () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.writeHead(req.url === '/503' ? 503 : 200);
    res.end(req.url === '/503' ? 'draining' : 'status: ready\n');
  });
  await listen(server, 18080);
  try {
    const base = `http://${H}:18080`;
    assert.deepEqual(pick(await runProbe(check({ type: 'http', url: `${base}/` }))), { ok: true, detail: 'HTTP 200' });
    assert.equal((await runProbe(check({ type: 'http', url: `${base}/`, body: 'ready' }))).ok, true);
    assert.match((await runProbe(check({ type: 'http', url: `${base}/`, body: 'nope' }))).detail, /body lacks "nope"/);
    assert.equal(
      (await runProbe(check({ type: 'http', url: `${base}/`, bodyRegex: '^status: (ready|warm)$' }))).ok,
      false,
      'no m flag: $ is the end of the body',
    );
    assert.equal((await runProbe(check({ type: 'http', url: `${base}/`, bodyRegex: '^status: ready' }))).ok, true);
    assert.deepEqual(pick(await runProbe(check({ type: 'http', url: `${base}/503` }))), {
      ok: false,
      detail: 'HTTP 503, expected 200',
    });
    assert.equal((await runProbe(check({ type: 'http', url: `${base}/503`, expectStatus: 503 }))).ok, true);
    const hang = await runProbe(check({ type: 'http', url: `${base}/hang`, timeout: '150ms' }));
    assert.deepEqual(pick(hang), { ok: false, detail: 'timeout after 150ms' });
    assert.ok(hang.durationMs >= 140 && hang.durationMs < 1000, `${hang.durationMs}`);
    assert.match((await runProbe(check({ type: 'http', url: `http://${H}:18081/` }))).detail, /ECONNREFUSED/);
  } finally {
    server.closeAllConnections();
    await close(server);
  }
});

test('https: a self-signed certificate fails unless insecure: true', {
  timeout: 30_000,
  skip: existsSync('/usr/bin/openssl') ? false : 'no openssl',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-tls-'));
  try {
    execFileSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${H}`,
      ],
      { stdio: 'ignore', timeout: 20_000 },
    );
    const server = https.createServer(
      { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
      (_req, res) => res.end('ok'),
    );
    await listen(server, 18443);
    try {
      const strict = await runProbe(check({ type: 'http', url: `https://${H}:18443/` }));
      assert.equal(strict.ok, false);
      assert.match(strict.detail, /self[- ]signed|certificate/i);
      assert.deepEqual(
        pick(await runProbe(check({ type: 'http', url: `https://${H}:18443/`, insecure: true, body: 'ok' }))),
        { ok: true, detail: 'HTTP 200' },
      );
    } finally {
      server.closeAllConnections();
      await close(server);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tcp: connect succeeds while listening, fails when not', { timeout: 30_000 }, async () => {
  const server = net.createServer((s) => s.destroy());
  await listen(server, 18082);
  try {
    assert.deepEqual(pick(await runProbe(check({ type: 'tcp', address: `${H}:18082` }))), {
      ok: true,
      detail: `connected to ${H}:18082`,
    });
  } finally {
    await close(server);
  }
  assert.match((await runProbe(check({ type: 'tcp', address: `${H}:18082` }))).detail, /ECONNREFUSED/);
});

test('command: exit codes, stderr in the detail, and a timeout that kills the whole group', {
  timeout: 30_000,
}, async () => {
  assert.deepEqual(pick(await runProbe(check({ type: 'command', command: 'exit 0' }))), {
    ok: true,
    detail: 'exit code 0',
  });
  assert.deepEqual(pick(await runProbe(check({ type: 'command', command: 'echo "db unreachable" >&2; exit 3' }))), {
    ok: false,
    detail: 'exit code 3: db unreachable',
  });
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-cmd-'));
  try {
    const pidFile = join(dir, 'pid');
    // A grandchild that would outlive a naive kill: its pid is written, then it sleeps.
    const r = await runProbe(
      check({ type: 'command', command: `sh -c 'echo $$ > ${pidFile}; exec sleep 30' & wait`, timeout: '300ms' }),
    );
    assert.deepEqual(pick(r), { ok: false, detail: 'timeout after 300ms (killed)' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    let alive = true;
    try {
      process.kill(pid, 0);
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      alive = !/\) [ZX] /.test(st);
    } catch {
      alive = false;
    }
    if (alive) process.kill(pid, 'SIGKILL');
    assert.equal(alive, false, 'the sleeping grandchild was killed with the group');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function pick(r: { ok: boolean; detail: string }): { ok: boolean; detail: string } {
  return { ok: r.ok, detail: r.detail };
}
