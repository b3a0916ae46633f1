/** arslab agent status [--api ADDR] — ask a running agent's local API for its state. */
import type { AgentStatus } from '../../../agent/agent.js';
import type { Command } from '../../command.js';
import { columns } from '../../output/columns.js';

export function renderAgentStatus(s: AgentStatus): string {
  let out = `agent AS ${s.asn}, router ID ${s.routerId}, up since ${s.startedAt}${s.stopping ? ' (stopping)' : ''}\n\n`;
  out += columns([
    ['VIP', 'PATTERN', 'NEXT HOP', 'BACKEND', 'PREPEND', 'DRAINED', 'CHANGES'],
    ...s.vips.map((v) => [
      v.prefix,
      v.pattern,
      v.nextHop ?? '(withdrawn)',
      v.backend ?? '-',
      String(v.prepend),
      v.drained ? 'yes' : 'no',
      String(v.changes),
    ]),
  ]);
  out +=
    '\n' +
    columns([
      ['BACKEND', 'NEXT HOP', 'STATE', 'DRAINED', 'LAST RESULT', 'TRANSITIONS'],
      ...s.backends.map((b) => [
        b.name,
        b.nextHop,
        b.state,
        b.drained ? 'yes' : 'no',
        b.lastResult ? `${b.lastResult.ok ? 'ok' : 'fail'}: ${b.lastResult.detail}` : '-',
        String(b.transitions),
      ]),
    ]);
  out +=
    '\n' +
    columns([
      ['NEIGHBOR', 'ADDRESS', 'ASN', 'STATE', 'ANNOUNCED', 'WITHDRAWN'],
      ...s.sessions.map((x) => [
        x.neighbor,
        `${x.address}:${x.port}`,
        String(x.asn),
        x.state,
        String(x.announcements),
        String(x.withdrawals),
      ]),
    ]);
  return out;
}

export const command: Command = {
  path: ['agent', 'status'],
  summary: "Show a running agent's VIPs, backends and sessions (from its local API).",
  args: { api: { flags: ['--api'], help: "The agent's API address (config `api`), default 127.0.0.1:9179." } },
  defaultOutput: 'text',
  examples: ['arslab agent status', 'arslab agent status --api 127.0.0.1:9179 -o json'],
  async run(ctx, args) {
    const api = (args['api'] as string | undefined) ?? '127.0.0.1:9179';
    let res: Response;
    try {
      res = await fetch(`http://${api}/status`, { signal: AbortSignal.timeout(5000) });
    } catch (e) {
      throw new Error(
        `cannot reach the agent API at ${api}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`,
      );
    }
    if (!res.ok) throw new Error(`agent API at ${api}: HTTP ${res.status}`);
    const s = (await res.json()) as AgentStatus;
    const output = args['output'] as string | undefined;
    if (output !== undefined && output !== 'table') return s;
    ctx.stdout(renderAgentStatus(s));
    return undefined;
  },
};
