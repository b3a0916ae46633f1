/**
 * @module api/routes/maintenance
 * Planned maintenance of one route-server instance (issue 9): every session of the instance
 * drops, as Azure's maintenance does, and comes back when it ends (src/lab/graph/faults.ts).
 *
 *   GET  /arslab/maintenance          the maintenances under way
 *   POST /arslab/maintenance/start    {instance, routeServer?, resourceGroup?, graceful?, durationSeconds?}
 *   POST /arslab/maintenance/end      {instance, routeServer?, resourceGroup?}
 *
 * `instance`: IN_0 or IN_1 (also RouteServiceRole_IN_0, 0, 1, or "NAME/IN_0"); `routeServer`
 * may be left out when the lab has one route server.
 */
import { AzureErrors, sameName } from '../../azure/index.js';
import type { LabSpeaker } from '../../lab/graph/index.js';
import type { Lab } from '../../lab/lab.js';
import type { ApiContext, Router } from '../router.js';

interface Target {
  instance?: string;
  routeServer?: string;
  resourceGroup?: string;
  graceful?: boolean;
  durationSeconds?: number;
}

/** The route-server instance a request names (a speaker of the lab graph). */
export function maintenanceTarget(lab: Lab, t: Target): LabSpeaker {
  const text = typeof t.instance === 'string' ? t.instance.trim() : '';
  const direct = lab.graph.speaker(text);
  if (direct?.kind === 'route-server') return direct;
  const m = /^(?:(?:RouteServiceRole_)?IN_)?([01])$/i.exec(text);
  if (!m)
    throw AzureErrors.invalidParameter(
      'instance',
      `expected IN_0 or IN_1 (or RouteServiceRole_IN_0, 0, 1, NAME/IN_0), got '${text}'`,
    );
  const index = Number(m[1]);
  const rss = lab.model.routeServers.filter(
    (r) =>
      (t.routeServer === undefined || sameName(r.name, t.routeServer)) &&
      (t.resourceGroup === undefined || sameName(r.resourceGroup, t.resourceGroup)),
  );
  if (rss.length === 0)
    throw AzureErrors.routeServerNotFound(
      t.routeServer,
      lab.model.routeServers.map((r) => r.name),
    );
  if (rss.length > 1)
    throw AzureErrors.invalidParameter(
      'routeServer',
      `this lab has ${rss.length} route servers (${rss.map((r) => r.name).join(', ')}): name one with --name`,
    );
  const rs = rss[0]!;
  const s = lab.graph
    .speakers({ kind: 'route-server' })
    .find(
      (x) =>
        x.owner.kind === 'route-server' &&
        x.owner.runtime.resource.id.toLowerCase() === rs.id.toLowerCase() &&
        x.owner.instance === index,
    );
  if (!s) throw AzureErrors.resourceNotFound('Microsoft.Network/virtualHubs', rs.name, rs.resourceGroup);
  return s;
}

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  r.add('GET', '/arslab/maintenance', () => ({ status: 200, body: { value: lab.graph.faults.maintenances() } }));
  r.add('POST', '/arslab/maintenance/{action:start|end}', async (p, body) => {
    const t = (body ?? {}) as Target;
    const s = maintenanceTarget(lab, t);
    let out;
    if (p.action!.toLowerCase() === 'start') {
      const d = t.durationSeconds;
      if (d !== undefined && (typeof d !== 'number' || !(d > 0) || d > 7 * 86400))
        throw AzureErrors.invalidParameter('durationSeconds', `expected more than 0 s and at most 7 days, got ${d}`);
      out = lab.graph.faults.startMaintenance(s, {
        graceful: t.graceful === true,
        ...(d !== undefined ? { durationMs: d * 1000 } : {}),
      });
    } else out = lab.graph.faults.endMaintenance(s);
    await lab.settled();
    return { status: 200, body: out };
  });
}
