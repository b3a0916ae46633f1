/**
 * @module api/routes/export
 * `arslab export` over the API: `GET /arslab/export[?relativeTo=FOLDER]` answers
 * `{ text, differences }`: the running lab as a lab file, written from its model, nodes,
 * routers and settings (src/lab/topology/export.ts, ADR 0016), and what the file does not
 * reproduce (empty when `up` of it gives this lab back). `relativeTo`, an absolute folder,
 * is where the file will be written: node files under it are named relative to it.
 */
import { isAbsolute } from 'node:path';
import { AzureErrors } from '../../azure/index.js';
import { exportLab } from '../../lab/topology/export.js';
import type { ApiContext, Router } from '../router.js';

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  r.add('GET', '/arslab/export', (_m, _b, url) => {
    const relativeTo = url.searchParams.get('relativeTo') ?? undefined;
    if (relativeTo !== undefined && !isAbsolute(relativeTo))
      throw AzureErrors.invalidParameter('relativeTo', "'relativeTo' must be an absolute folder path");
    const { spec } = lab;
    const result = exportLab(
      {
        name: spec.name,
        settings: spec.settings,
        model: lab.model,
        nodes: spec.nodes,
        routers: spec.routers,
        ...(spec.links ? { links: spec.links } : {}),
      },
      relativeTo !== undefined ? { relativeTo } : {},
    );
    return { status: 200, body: result };
  });
}
