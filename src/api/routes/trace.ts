/**
 * @module api/routes/trace
 * `arslab trace` over the API: `GET /arslab/trace?from=ROUTER_OR_VM&to=IP[&maxHops=N]` answers the
 * TraceResult of src/lab/trace.ts, read from the running Lab after in-process deliveries
 * settle.
 */
import { AzureErrors } from '../../azure/index.js';
import { daemonTables, traceRoute } from '../../lab/trace.js';
import type { ApiContext, Router } from '../router.js';

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  r.add('GET', '/arslab/trace', async (_m, _b, url) => {
    const from = url.searchParams.get('from');
    const to = url.searchParams.get('to');
    if (!from) throw AzureErrors.invalidParameter('from', "the query parameter 'from' is required");
    if (!to) throw AzureErrors.invalidParameter('to', "the query parameter 'to' is required");
    const max = url.searchParams.get('maxHops');
    const maxHops = max === null ? undefined : Number(max);
    if (maxHops !== undefined && !(Number.isInteger(maxHops) && maxHops >= 1 && maxHops <= 255))
      throw AzureErrors.invalidParameter('maxHops', `expected a whole number from 1 to 255 (an IP TTL), got '${max}'`);
    await lab.settled();
    const daemons = await daemonTables(lab);
    return { status: 200, body: traceRoute(lab, from, to, { daemons, ...(maxHops !== undefined ? { maxHops } : {}) }) };
  });
}
