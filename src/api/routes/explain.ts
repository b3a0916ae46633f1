/**
 * @module api/routes/explain
 * `arslab explain` over the API (read from the running Lab, after in-process deliveries
 * settle):
 *
 * - `GET /arslab/explain/nic?resourceGroup=RG&name=NIC&prefix=P` — P a prefix or an address;
 * - `GET /arslab/explain/peer?peer=NAME_OR_IP&prefix=P[&routeServer=RS&resourceGroup=RG][&gateway=GW]`.
 *
 * Both answer the ExplainResult of src/azure/explain.ts.
 */
import { AzureErrors } from '../../azure/index.js';
import { explainNic, explainPeer } from '../../lab/explain.js';
import type { ApiContext, Router } from '../router.js';

function param(url: URL, name: string, required: true): string;
function param(url: URL, name: string, required?: false): string | undefined;
function param(url: URL, name: string, required = false): string | undefined {
  const v = url.searchParams.get(name) ?? undefined;
  if (required && !v) throw AzureErrors.invalidParameter(name, `the query parameter '${name}' is required`);
  return v || undefined;
}

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  r.add('GET', '/arslab/explain/nic', async (_m, _b, url) => {
    await lab.settled();
    return {
      status: 200,
      body: explainNic(lab, param(url, 'resourceGroup', true), param(url, 'name', true), param(url, 'prefix', true)),
    };
  });
  r.add('GET', '/arslab/explain/peer', async (_m, _b, url) => {
    await lab.settled();
    const routeServer = param(url, 'routeServer');
    const resourceGroup = param(url, 'resourceGroup');
    const gateway = param(url, 'gateway');
    const q = {
      peer: param(url, 'peer', true),
      ...(routeServer ? { routeServer } : {}),
      ...(resourceGroup ? { resourceGroup } : {}),
      ...(gateway ? { gateway } : {}),
    };
    return { status: 200, body: explainPeer(lab, q, param(url, 'prefix', true)) };
  });
}
