/**
 * @module api/routes/topology
 * The lab as one picture, for the web page (issue 14):
 *
 *   GET /arslab/topology[?expand=ID,…][&collapse=ID,…]
 *       the TopologyView of src/lab/topologyView.ts: groups above a size collapsed unless
 *       expanded here (ids, `*`, `*spokes`, `*vms`), their members left out
 *   GET /arslab/topology/locate?name=N[&name=…][&expand=…][&collapse=…]
 *       {located: {N: id}}: the node drawn for each name (a trace hop, an explain section's
 *       speaker), or the collapsed group hiding it
 *
 * Read from the running Lab once in-process deliveries settled, so that session states and
 * route counts are the ones the listings would show at the same instant.
 */
import { locateNames, topologyView, type ViewOptions } from '../../lab/topologyView.js';
import type { ApiContext, Router } from '../router.js';

function viewOptions(url: URL): ViewOptions {
  const list = (k: string) =>
    url.searchParams
      .getAll(k)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  return { expand: list('expand'), collapse: list('collapse') };
}

export function register(api: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  api.add('GET', '/arslab/topology', async (_m, _b, url) => {
    await lab.settled();
    return { status: 200, body: topologyView(lab, viewOptions(url)) };
  });
  api.add('GET', '/arslab/topology/locate', async (_m, _b, url) => {
    await lab.settled();
    return { status: 200, body: { located: locateNames(lab, url.searchParams.getAll('name'), viewOptions(url)) } };
  });
}
