/**
 * @module lab/graph/status
 * What `arslab status` and `arslab link list` show, read from the lab graph: the route-server
 * instances with their peerings (the first table), every session of the lab with its state,
 * detection and fault, and the R-ARS-3 warnings.
 */
import { INSTANCE_NAMES } from '../../azure/index.js';
import type { RouteServerRuntime } from '../routeServer.js';
import type { LabGraph } from './graph.js';
import { describeDetection, type Session } from './types.js';

/** One row of `arslab link list`. */
export interface LinkRow {
  name: string;
  state: string;
  detection: string;
  fault: string;
}

export function linkRow(graph: LabGraph, s: Session): LinkRow {
  return {
    name: s.name,
    state: s.state,
    detection: describeDetection(s.detection),
    fault: graph.faults.describe(s),
  };
}

/** One session of `arslab status`: a link row with its transport and its two ends. */
export interface SessionRow extends LinkRow {
  transport: string;
  ends: { name: string; address: string; asn: number; speaker?: string; kind?: string }[];
}

export function sessionRows(graph: LabGraph): SessionRow[] {
  return graph.sessions().map((s) => ({
    ...linkRow(graph, s),
    transport: s.transport,
    ends: s.ends.map((e) => ({
      name: e.name,
      address: e.address,
      asn: e.asn,
      ...(e.speaker ? { speaker: e.speaker.name, kind: e.speaker.kind } : {}),
    })),
  }));
}

/** A route server's instances and their peerings, as `arslab status` lists them. */
export function routeServerStatus(graph: LabGraph, rt: RouteServerRuntime, port: number) {
  return graph
    .speakers({ kind: 'route-server' })
    .filter((s) => s.owner.kind === 'route-server' && s.owner.runtime === rt)
    .map((s) => {
      const i = s.owner.kind === 'route-server' ? s.owner.instance : 0;
      const inst = rt.instances[i];
      return {
        instance: INSTANCE_NAMES[i],
        address: inst.ip,
        listen: `${inst.realIp}:${port}`,
        prefixes: inst.speaker.prefixCount,
        refused: inst.listener.refused.length,
        peerings: graph.sidesOf(s, { transport: 'tcp' }).map(({ session, side, remote }) => {
          const v = session.view(side);
          return {
            name: remote.name,
            peerIp: remote.address,
            peerAsn: remote.asn,
            state: v.state,
            routesReceived: v.routesReceived,
            routesAdvertised: session.routesAdvertised(side),
            // Exported by policy but carried by no UPDATE of at most 4,096 octets (ADR 0013).
            routesNotSent: session.routesNotSent(side),
            // Wall time the session came up: the clock is monotonic, so count back from now.
            upSince: v.connectedMs === undefined ? undefined : new Date(Date.now() - v.connectedMs).toISOString(),
            lastDown: v.lastDown,
            messagesSent: v.messagesSent,
            messagesReceived: v.messagesReceived,
            // What waits in this process for a peer that reads slowly or not at all (ADR 0014).
            ...(v.sendQueue ? { sendQueue: v.sendQueue } : {}),
          };
        }),
      };
    });
}

/**
 * R-ARS-3: an NVA peered with one instance only gets inconsistent programming in Azure; say
 * so for every peering that is Established on exactly one instance.
 */
export function routeServerWarnings(graph: LabGraph, rt: RouteServerRuntime): string[] {
  const out: string[] = [];
  const rs = rt.resource;
  for (const c of rs.bgpConnections) {
    const up = graph.peeringSessions(rs.id, c.name).filter((x) => x.session.state === 'Established');
    if (up.length === 1) {
      const inst = up[0]!.local.speaker?.owner;
      const name = inst?.kind === 'route-server' ? INSTANCE_NAMES[inst.instance] : up[0]!.local.name;
      out.push(
        `peering '${c.name}' (${c.peerIp}) is Established with ${name} only: an NVA must peer with both instances ` +
          `(${rs.virtualRouterIps.join(' and ')}); Azure programs its routes inconsistently otherwise (R-ARS-3)`,
      );
    }
  }
  return out;
}
