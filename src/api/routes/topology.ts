/**
 * @module api/routes/topology
 * The lab as one picture, for the web page (issue 14):
 *
 *   GET /arslab/topology    the TopologyView of src/lab/topologyView.ts
 *
 * read from the running Lab once in-process deliveries settled, so that session states and
 * route counts are the ones the listings would show at the same instant.
 */
import { topologyView } from '../../lab/topologyView.js';
import type { ApiServer } from '../server.js';

export function register(api: ApiServer): void {
  const lab = api.lab;
  api.route('GET', '/arslab/topology', async () => {
    await lab.settled();
    return { status: 200, body: topologyView(lab) };
  });
}
