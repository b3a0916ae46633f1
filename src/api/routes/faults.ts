/**
 * @module api/routes/faults
 * Fault injection on every BGP session of the lab (the lab graph's: route-server peerings
 * over TCP, gateway, MSEE and on-premises sessions in process): list them, take one
 * session or one circuit link (every session riding on it) down — cut without NOTIFICATION
 * (detected by BFD on ExpressRoute links, by the hold timer elsewhere) or closed gracefully —
 * and bring it back. Built-in on-premises routers answer the /arslab/nodes verbs (server.ts).
 *
 *   GET  /arslab/links                        every session and its state
 *   POST /arslab/links/down  {session | circuit + path, graceful?}
 *   POST /arslab/links/up    {session | circuit + path}
 */
import { AzureErrors, idKey, sameName } from '../../azure/index.js';
import { linkRow, type LabGraph, type Session } from '../../lab/graph/index.js';
import { field, objectAt } from '../body.js';
import type { ApiContext, Router } from '../router.js';

interface LinkTarget {
  session?: string;
  circuit?: string;
  path?: string;
  graceful?: boolean;
}

/** The sessions `link list` shows and the link verbs take: every session of the lab graph. */
const listed = (g: LabGraph): readonly Session[] => g.sessions();

/** The sessions a request names: one by label (either order of its ends), or every session of a circuit link. */
export function resolveLinks(g: LabGraph, t: LinkTarget): Session[] {
  if (t.session !== undefined && t.circuit !== undefined)
    throw AzureErrors.invalidParameter('session', 'give either a session or a circuit link, not both');
  if (t.session !== undefined) {
    const all = listed(g);
    const s = g.findSessions(t.session).filter((x) => all.includes(x));
    if (s.length === 0)
      throw AzureErrors.sessionNotFound(
        t.session,
        all.map((x) => x.name),
      );
    if (s.length > 1)
      throw AzureErrors.ambiguousSession(
        t.session,
        s.map((x) => x.name),
      );
    return s;
  }
  if (t.circuit !== undefined) {
    const c = g
      .circuits()
      .find((x) => sameName(x.resource.name, t.circuit!) || idKey(x.resource.id) === idKey(t.circuit!));
    if (!c)
      throw AzureErrors.circuitNotFound(
        t.circuit,
        g.circuits().map((x) => x.resource.name),
      );
    const p = (t.path ?? '').toLowerCase();
    if (p !== 'primary' && p !== 'secondary')
      throw AzureErrors.invalidParameter('path', `expected primary or secondary, got '${t.path ?? ''}'`);
    const list = g.sessionsOfCircuitLink(c, p === 'primary' ? 0 : 1).map((x) => x.session);
    if (list.length === 0) throw AzureErrors.noSessionOnLink(p, c.resource.name);
    return list;
  }
  throw AzureErrors.invalidParameter('session', 'name a session (--session) or a circuit link (--circuit and --path)');
}

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  const g = lab.graph;
  r.add('GET', '/arslab/links', () => ({
    status: 200,
    body: { value: listed(g).map((s) => linkRow(g, s)) },
  }));
  r.add('POST', '/arslab/links/{action:down|up}', async (p, body) => {
    const o = objectAt(body);
    const t: LinkTarget = {};
    for (const k of ['session', 'circuit', 'path'] as const) {
      const v = field(o, '', k, 'string');
      if (v !== undefined) t[k] = v;
    }
    const graceful = field(o, '', 'graceful', 'boolean');
    if (graceful !== undefined) t.graceful = graceful;
    const list = resolveLinks(g, t);
    if (p.action!.toLowerCase() === 'down') g.faults.linkDown(list, t.graceful === true);
    else g.faults.linkUp(list);
    await lab.settled();
    return { status: 200, body: { value: list.map((s) => linkRow(g, s)) } };
  });
}
