/**
 * @module agent/api
 * The agent's local HTTP API (bind it to loopback): GET /status (JSON), GET /metrics
 * (Prometheus text exposition format 0.0.4), POST /drain and /undrain (`?backend=NAME`,
 * `?vip=PREFIX`, or neither for every VIP).
 */
import * as http from 'node:http';
import type { Agent, AgentStatus } from './agent.js';

export class AgentApi {
  constructor(private readonly agent: Agent) {}

  private readonly servers: http.Server[] = [];

  /** Listens on `host:port`, or on a unix socket when given `{ path }` (a lab reads its agent so). */
  listen(at: string | { path: string }): Promise<string> {
    let options: { host: string; port: number } | { path: string };
    if (typeof at === 'string') {
      const i = at.lastIndexOf(':');
      options = { host: at.slice(0, i), port: Number(at.slice(i + 1)) };
    } else options = at;
    return new Promise((resolve, reject) => {
      const server = http.createServer((req, res) => this.handle(req, res));
      server.once('error', reject);
      server.listen(options, () => {
        server.off('error', reject);
        this.servers.push(server);
        const a = server.address();
        resolve(typeof a === 'string' || a === null ? String(a ?? '') : `${a.address}:${a.port}`);
      });
    });
  }

  close(): Promise<void> {
    const all = this.servers.splice(0);
    return Promise.all(
      all.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    ).then(() => undefined);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://agent');
    const send = (status: number, body: string, type = 'application/json'): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, v: unknown): void => send(status, `${JSON.stringify(v, null, 2)}\n`);
    try {
      if (url.pathname === '/status' && req.method === 'GET') return json(200, this.agent.status());
      if (url.pathname === '/metrics' && req.method === 'GET')
        return send(200, metrics(this.agent.status()), 'text/plain; version=0.0.4; charset=utf-8');
      if ((url.pathname === '/drain' || url.pathname === '/undrain') && req.method === 'POST') {
        const backend = url.searchParams.get('backend') ?? undefined;
        const vip = url.searchParams.get('vip') ?? undefined;
        const target = { ...(backend !== undefined ? { backend } : {}), ...(vip !== undefined ? { vip } : {}) };
        const what = url.pathname === '/drain' ? this.agent.drain(target) : this.agent.undrain(target);
        return json(200, { ok: true, action: url.pathname.slice(1), target: what, status: this.agent.status().vips });
      }
      if (['/status', '/metrics', '/drain', '/undrain'].includes(url.pathname))
        return json(405, { error: `method ${req.method} not allowed on ${url.pathname}` });
      return json(404, {
        error: `no such path ${url.pathname}; try GET /status, GET /metrics, POST /drain?backend=NAME, POST /undrain?backend=NAME`,
      });
    } catch (e) {
      return json(400, { error: (e as Error).message });
    }
  }
}

const SESSION_STATES = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const;

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;
}

/** Prometheus text format. */
export function metrics(s: AgentStatus): string {
  const out: string[] = [];
  const family = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    rows: [Record<string, string>, number][],
  ): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of rows) out.push(`${name}${labels(l)} ${v}`);
  };
  family(
    'arslab_agent_check_up',
    'gauge',
    'Health of each backend: 1 up, 0 down, -1 unknown (not yet decided).',
    s.backends.map((b) => [{ backend: b.name }, b.state === 'up' ? 1 : b.state === 'down' ? 0 : -1]),
  );
  family(
    'arslab_agent_check_transitions_total',
    'counter',
    'Health state changes of each backend.',
    s.backends.map((b) => [{ backend: b.name }, b.transitions]),
  );
  family(
    'arslab_agent_backend_drained',
    'gauge',
    '1 when the backend is drained (maintenance file or API).',
    s.backends.map((b) => [{ backend: b.name }, b.drained ? 1 : 0]),
  );
  family(
    'arslab_agent_check_duration_seconds',
    'gauge',
    'Duration of the last check of each backend.',
    s.backends.filter((b) => b.lastResult).map((b) => [{ backend: b.name }, b.lastResult!.durationMs / 1000]),
  );
  family(
    'arslab_agent_announcements_total',
    'counter',
    'UPDATEs announcing a VIP sent, per neighbor.',
    s.sessions.map((x) => [{ neighbor: x.neighbor }, x.announcements]),
  );
  family(
    'arslab_agent_withdrawals_total',
    'counter',
    'UPDATEs withdrawing a VIP sent, per neighbor.',
    s.sessions.map((x) => [{ neighbor: x.neighbor }, x.withdrawals]),
  );
  family(
    'arslab_agent_session_state',
    'gauge',
    'BGP session state per neighbor: 1 for the current state.',
    s.sessions.flatMap((x) =>
      SESSION_STATES.map((st): [Record<string, string>, number] => [
        { neighbor: x.neighbor, state: st },
        x.state === st ? 1 : 0,
      ]),
    ),
  );
  family(
    'arslab_agent_session_established',
    'gauge',
    '1 when the session is Established.',
    s.sessions.map((x) => [{ neighbor: x.neighbor }, x.state === 'Established' ? 1 : 0]),
  );
  family(
    'arslab_agent_vip_next_hop_info',
    'gauge',
    'The next hop announced for each VIP (next_hop="" when withdrawn).',
    s.vips.map((v) => [{ vip: v.prefix, next_hop: v.nextHop ?? '', backend: v.backend ?? '' }, 1]),
  );
  family(
    'arslab_agent_vip_announced',
    'gauge',
    '1 when the VIP is announced.',
    s.vips.map((v) => [{ vip: v.prefix }, v.nextHop ? 1 : 0]),
  );
  family(
    'arslab_agent_vip_changes_total',
    'counter',
    'Changes of what is announced for each VIP.',
    s.vips.map((v) => [{ vip: v.prefix }, v.changes]),
  );
  return `${out.join('\n')}\n`;
}
