/** arslab validate FILE — check a lab file without starting anything (containerlab's `validate`). */
import type { Command } from '../command.js';
import { formatLabFileError, loadLabFile } from '../../lab/topology/index.js';

export class ValidationFailed extends Error {
  override name = 'ValidationFailed';
}

export const command: Command = {
  path: ['validate'],
  summary: 'Check a lab file: every error with file:line:column and the field; nothing is started.',
  args: {},
  positionals: [{ name: 'file', required: true }],
  defaultOutput: 'text',
  examples: ['arslab validate scenarios/next-hop-failover/lab.yml'],
  async run(ctx, args) {
    const file = args._[0]!;
    const r = await loadLabFile(file);
    if (!r.ok) {
      for (const e of r.errors) ctx.stderr(`${formatLabFileError(e)}\n`);
      for (const w of r.warnings) ctx.stderr(`warning: ${formatLabFileError(w)}\n`);
      throw new ValidationFailed(`${file}: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}`);
    }
    for (const w of r.spec.warnings) ctx.stderr(`warning: ${w}\n`);
    const m = r.spec.model;
    ctx.stdout(
      `${file}: valid — lab '${r.spec.name}': ${m.virtualNetworks.length} VNet(s), ${m.routeServers.length} route server(s), ` +
        `${m.virtualMachines.length} VM(s), ${r.spec.nodes.length} node(s)\n`,
    );
    return undefined;
  },
};
