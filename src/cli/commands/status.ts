/** arslab status — the lab's API, every BGP session with its state, route counts, nodes. */
import type { Command } from '../command.js';
import { columns } from '../output/columns.js';

/** How long `status` waits for the lab (issue 8, finding 7: a stopped lab made it hang): then it says why. */
export const STATUS_TIMEOUT_MS = 3000;

interface Status {
  name: string;
  mode: string;
  bgpPort: number;
  startedAt: string;
  api?: { url?: string; endpoint?: string; caFile?: string; authentication?: string };
  routeServers: {
    name: string;
    resourceGroup: string;
    instances: {
      instance: string;
      address: string;
      listen: string;
      prefixes: number;
      refused: number;
      peerings: {
        name: string;
        peerIp: string;
        peerAsn: number;
        state: string;
        routesReceived: number;
        routesAdvertised: number;
      }[];
    }[];
  }[];
  /** Every BGP session of the lab (its graph): TCP and in-process. */
  sessions?: { name: string; transport: string; state: string; detection: string; fault: string }[];
  nodes: {
    name: string;
    kind: string;
    address: string;
    realAddress: string;
    port?: number;
    realPort?: number;
    state: string;
    pid?: number;
    detail?: string;
    commandPipe?: string;
  }[];
  warnings: string[];
}

export function renderStatus(s: Status): string {
  let out = `lab ${s.name}: ${s.mode} mode, BGP port ${s.bgpPort}, up since ${s.startedAt}\n`;
  if (s.api?.url) out += `API ${s.api.url} (${s.api.authentication ?? 'bearer token'})\n`;
  if (s.api?.endpoint)
    out += `ARM ${s.api.endpoint} (CA file ${s.api.caFile ?? '?'}; exports for az and SDKs: arslab env)\n`;
  out += '\n';
  const rows = [
    ['ROUTE SERVER', 'INSTANCE', 'ADDRESS', 'PEERING', 'PEER IP', 'PEER ASN', 'STATE', 'RECEIVED', 'ADVERTISED'],
  ];
  for (const rs of s.routeServers) {
    for (const i of rs.instances) {
      if (i.peerings.length === 0) rows.push([rs.name, i.instance, i.address, '-', '-', '-', '-', '-', '-']);
      for (const p of i.peerings)
        rows.push([
          rs.name,
          i.instance,
          i.address,
          p.name,
          p.peerIp,
          String(p.peerAsn),
          p.state,
          String(p.routesReceived),
          String(p.routesAdvertised),
        ]);
    }
  }
  out += columns(rows);
  if (s.sessions?.length) {
    const rows = s.sessions.map((x) => [x.name, x.transport, x.state, x.detection, x.fault || '-']);
    out += '\n' + columns([['SESSION', 'TRANSPORT', 'STATE', 'DETECTION', 'FAULT'], ...rows]);
  }
  if (s.nodes.length) {
    const rows = s.nodes.map((n) => [
      n.name,
      n.kind,
      n.port !== undefined ? `${n.address}:${n.port}` : n.address,
      n.realPort !== undefined ? `${n.realAddress}:${n.realPort}` : n.realAddress,
      n.detail ? `${n.state} (${n.detail})` : n.state,
      n.pid ? String(n.pid) : '-',
    ]);
    out += '\n' + columns([['NODE', 'KIND', 'ADDRESS', 'REAL ADDRESS', 'STATE', 'PID'], ...rows]);
  }
  for (const w of s.warnings) out += `warning: ${w}\n`;
  return out;
}

export const command: Command = {
  path: ['status'],
  summary:
    'Show the running lab: its API, route-server peerings and every other BGP session with their states, route counts, nodes.',
  args: {},
  defaultOutput: 'text',
  examples: ['arslab status', 'arslab status -o json'],
  async run(ctx, args) {
    const c = (await ctx.client()).withTimeout(STATUS_TIMEOUT_MS);
    const s = (await c.call('GET', '/arslab/status')) as Status;
    if (args['output'] !== undefined) return s;
    ctx.stdout(renderStatus(s));
    return undefined;
  },
};
