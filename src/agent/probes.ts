/**
 * @module agent/probes
 * The I/O of health checks: one HTTP(S) GET, one TCP connect, one command. Each resolves
 * (never rejects) with a CheckResult within its timeout; nothing is kept open between
 * checks (no keep-alive: a stopped server must be seen as stopped).
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { CheckConfig } from './config.js';
import type { CheckResult } from './health.js';

const MAX_BODY = 64 * 1024;

/** Process groups of command checks still running (killed on shutdown). */
const running = new Set<number>();

/** SIGKILL to every command check still running (and what it started): the agent is stopping. */
export function killRunningProbes(): number {
  let n = 0;
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
      n++;
    } catch {
      /* already gone */
    }
  }
  running.clear();
  return n;
}

export function runProbe(check: CheckConfig): Promise<CheckResult> {
  const t0 = performance.now();
  const done = (ok: boolean, detail: string): CheckResult => ({
    ok,
    detail,
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
  });
  switch (check.type) {
    case 'http':
      return httpProbe(check, done);
    case 'tcp':
      return tcpProbe(check, done);
    case 'command':
      return commandProbe(check, done);
  }
}

type Done = (ok: boolean, detail: string) => CheckResult;

function httpProbe(c: Extract<CheckConfig, { type: 'http' }>, done: Done): Promise<CheckResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(done(ok, detail));
    };
    const url = new URL(c.url);
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'GET',
        agent: false,
        headers: { 'user-agent': 'arslab-agent', connection: 'close' },
        ...(url.protocol === 'https:' ? { rejectUnauthorized: !c.insecure } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < MAX_BODY) chunks.push(d);
          size += d.length;
        });
        res.on('error', (e) => finish(false, `response error: ${e.message}`));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status !== c.expectStatus) return finish(false, `HTTP ${status}, expected ${c.expectStatus}`);
          const body = Buffer.concat(chunks).toString('utf8');
          if (c.body !== undefined && !body.includes(c.body))
            return finish(false, `HTTP ${status}, body lacks ${JSON.stringify(c.body)}`);
          if (c.bodyRegex !== undefined && !new RegExp(c.bodyRegex).test(body))
            return finish(false, `HTTP ${status}, body does not match /${c.bodyRegex}/`);
          finish(true, `HTTP ${status}`);
        });
      },
    );
    const timer = setTimeout(() => finish(false, `timeout after ${c.timeout}ms`), c.timeout);
    req.on('error', (e: NodeJS.ErrnoException) => finish(false, e.code ? `${e.code}: ${e.message}` : e.message));
    req.end();
  });
}

function tcpProbe(c: Extract<CheckConfig, { type: 'tcp' }>, done: Done): Promise<CheckResult> {
  return new Promise((resolve) => {
    const i = c.address.lastIndexOf(':');
    const host = c.address.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(c.address.slice(i + 1));
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(done(ok, detail));
    };
    const timer = setTimeout(() => finish(false, `timeout after ${c.timeout}ms`), c.timeout);
    socket.once('connect', () => finish(true, `connected to ${c.address}`));
    socket.once('error', (e: NodeJS.ErrnoException) => finish(false, e.code ? `${e.code}: ${e.message}` : e.message));
  });
}

function commandProbe(c: Extract<CheckConfig, { type: 'command' }>, done: Done): Promise<CheckResult> {
  return new Promise((resolve) => {
    let settled = false;
    // Its own process group, so that a timeout kills the command and what it started.
    const child = spawn('/bin/sh', ['-c', c.command], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 512) stderr += d.toString();
    });
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      resolve(done(ok, detail));
    };
    const timer = setTimeout(() => {
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      finish(false, `timeout after ${c.timeout}ms (killed)`);
    }, c.timeout);
    child.once('error', (e) => finish(false, e.message));
    child.once('close', (code, signal) => {
      if (code === 0) finish(true, 'exit code 0');
      else
        finish(
          false,
          signal
            ? `killed by ${signal}`
            : `exit code ${code}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`,
        );
    });
  });
}
