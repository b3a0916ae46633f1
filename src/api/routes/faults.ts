/**
 * @module api/routes/faults
 * Fault injection on the lab's in-process BGP sessions (scope 4): list them, take one
 * session or one circuit link (every session riding on it) down — cut without NOTIFICATION
 * (detected by BFD on ExpressRoute links, by the hold timer elsewhere) or closed gracefully —
 * and bring it back. Built-in on-premises routers answer the /arslab/nodes verbs (server.ts).
 *
 *   GET  /arslab/links                        every in-process session and its state
 *   POST /arslab/links/down  {session | circuit + path, graceful?}
 *   POST /arslab/links/up    {session | circuit + path}
 */
import { AzureError, AzureErrors, idKey, sameName } from '../../azure/index.js';
import type { HybridRuntime } from '../../lab/hybrid.js';
import type { InProcessSession } from '../../lab/inprocess.js';
import { sessionDetection, sessionFault } from '../../lab/topologyView.js';
import type { ApiServer } from '../server.js';

export interface LinkRow {
  name: string;
  state: string;
  detection: string;
  fault: string;
}

export function linkRow(h: HybridRuntime, s: InProcessSession): LinkRow {
  return { name: s.label, state: s.state, detection: sessionDetection(s), fault: sessionFault(h, s) };
}

interface LinkTarget {
  session?: string;
  circuit?: string;
  path?: string;
  graceful?: boolean;
}

/** The sessions a request names: one by label (either order of its ends), or every session of a circuit link. */
export function resolveLinks(h: HybridRuntime, t: LinkTarget): InProcessSession[] {
  if (t.session !== undefined && t.circuit !== undefined)
    throw AzureErrors.invalidParameter('session', 'give either a session or a circuit link, not both');
  if (t.session !== undefined) {
    const want = t.session.replace(/\s+/g, '').toLowerCase();
    const s = [...h.sessions.values()].find((x) => {
      const l = x.label.replace(/\s+/g, '').toLowerCase();
      const [a, b] = l.split('<->');
      return l === want || `${b}<->${a}` === want;
    });
    if (!s)
      throw new AzureError(
        404,
        'SessionNotFound',
        `no in-process BGP session '${t.session}' in this lab (arslab link list shows them: ${[...h.sessions.keys()].slice(0, 6).join(', ')}${h.sessions.size > 6 ? ', …' : ''})`,
      );
    return [s];
  }
  if (t.circuit !== undefined) {
    const c = [...h.circuits.values()].find(
      (x) => sameName(x.resource.name, t.circuit!) || idKey(x.resource.id) === idKey(t.circuit!),
    );
    if (!c)
      throw new AzureError(
        404,
        'ResourceNotFound',
        `no ExpressRoute circuit '${t.circuit}' in this lab (circuits: ${[...h.circuits.values()].map((x) => x.resource.name).join(', ') || 'none'})`,
      );
    const p = (t.path ?? '').toLowerCase();
    if (p !== 'primary' && p !== 'secondary')
      throw AzureErrors.invalidParameter('path', `expected primary or secondary, got '${t.path ?? ''}'`);
    const list = h.sessionsOfCircuitLink(c, p === 'primary' ? 0 : 1);
    if (list.length === 0)
      throw new AzureError(
        409,
        'NoSessionOnLink',
        `no BGP session rides on the ${p} link of circuit '${c.resource.name}': no on-premises router is attached to it`,
      );
    return list;
  }
  throw AzureErrors.invalidParameter('session', 'name a session (--session) or a circuit link (--circuit and --path)');
}

export function register(api: ApiServer): void {
  const lab = api.lab;
  const h = (): HybridRuntime => {
    if (!lab.hybrid) throw new AzureError(409, 'LabNotReady', 'the lab has not started its in-process sessions yet');
    return lab.hybrid;
  };
  api.route('GET', '/arslab/links', () => ({
    status: 200,
    body: { value: [...h().sessions.values()].map((s) => linkRow(h(), s)) },
  }));
  api.route('POST', '/arslab/links/(down|up)', async (m, body) => {
    const t = (body ?? {}) as LinkTarget;
    const list = resolveLinks(h(), t);
    if (m[1]!.toLowerCase() === 'down') h().linkDown(list, t.graceful === true);
    else {
      try {
        h().linkUp(list);
      } catch (e) {
        throw new AzureError(409, 'RouterStopped', (e as Error).message);
      }
    }
    await lab.settled();
    return { status: 200, body: { value: list.map((s) => linkRow(h(), s)) } };
  });
}
