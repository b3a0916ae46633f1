/**
 * @module api/routes/lab
 * ARSLab's own paths for the running lab: its events, and the nodes — daemons, the agent,
 * scripted speakers, web servers — and built-in on-premises routers (in-process speakers of
 * the lab graph), which answer the same verbs: routes, sessions, command, stop|kill|start|
 * pause|resume.
 */
import { AzureErrors } from '../../azure/index.js';
import type { RouterAction } from '../../lab/graph/index.js';
import type { Lab } from '../../lab/lab.js';
import { field, objectAt } from '../body.js';
import type { ApiContext, Router } from '../router.js';

/** A built-in on-premises router by name (the lab graph's), if `name` is one. */
function builtInRouter(lab: Lab, name: string) {
  const s = lab.graph.speaker(name);
  return s?.owner.kind === 'router' ? s.owner.runtime : undefined;
}

function node(lab: Lab, name: string) {
  const n = lab.node(name);
  if (!n) {
    const g = lab.graph;
    const known = [...g.nodes().map((x) => x.spec.name), ...g.speakers({ kind: 'router' }).map((x) => x.name)];
    throw AzureErrors.nodeNotFound(name, known);
  }
  return n;
}

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  r.add('GET', '/arslab/events', (_p, _b, url) => {
    const since = Number(url.searchParams.get('since') ?? 0);
    if (!Number.isSafeInteger(since) || since < 0)
      throw AzureErrors.invalidParameter(
        'since',
        `expected an event number (0 or more), got '${url.searchParams.get('since')}'`,
      );
    return { status: 200, body: { value: lab.events.since(since) } };
  });
  r.add('GET', '/arslab/nodes/{node}/routes', async (p) => {
    // A built-in on-premises router (the customer's edge, in process): its whole BGP table, own routes included.
    const router = builtInRouter(lab, p.node!);
    if (router) {
      await lab.settled();
      return { status: 200, body: { value: router.table() } };
    }
    return { status: 200, body: { value: await node(lab, p.node!).receivedRoutes() } };
  });
  r.add('GET', '/arslab/nodes/{node}/sessions', async (p) => {
    const s = lab.graph.speaker(p.node!);
    if (s?.kind === 'router') {
      // A built-in router's sessions, from the lab graph, in the shape daemons report.
      await lab.settled();
      return {
        status: 200,
        body: {
          value: lab.graph.sidesOf(s).map((x) => ({
            neighbor: x.remote.address,
            state: x.session.state,
            established: x.session.state === 'Established',
            name: x.session.name,
            remoteAs: x.remote.asn,
          })),
        },
      };
    }
    return { status: 200, body: { value: await node(lab, p.node!).sessions() } };
  });
  r.add('POST', '/arslab/nodes/{node}/command', async (p, body) => {
    const text = field(objectAt(body), '', 'text', 'string');
    if (!text) throw AzureErrors.invalidParameter('text', 'a command is required');
    const router = builtInRouter(lab, p.node!);
    if (router) {
      // ExaBGP-style announce/withdraw, as for the built-in speaker (src/lab/announceCommand.ts).
      let output: string;
      try {
        output = router.command(text);
      } catch (e) {
        throw AzureErrors.invalidParameter('text', (e as Error).message);
      }
      await lab.settled();
      return { status: 200, body: { output } };
    }
    return { status: 200, body: { output: await node(lab, p.node!).command(text) } };
  });
  r.add('POST', '/arslab/nodes/{node}/{action:stop|kill|start|pause|resume}', async (p) => {
    const action = p.action!.toLowerCase();
    // Built-in on-premises routers are in-process speakers, not nodes.
    const s = lab.graph.speaker(p.node!);
    if (s?.kind === 'router') {
      const body = lab.graph.faults.routerAction(s, action as RouterAction);
      await lab.settled();
      return { status: 200, body };
    }
    const n = node(lab, p.node!);
    switch (action) {
      case 'stop':
        await n.stop();
        break;
      case 'kill':
        await n.stop({ kill: true });
        break;
      case 'start':
        await n.start();
        break;
      case 'pause':
        n.pause();
        break;
      case 'resume':
        n.resume();
        break;
    }
    return { status: 200, body: n.status() };
  });
}
