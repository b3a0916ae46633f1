/** What the `link` verbs share: naming one session or one circuit link, and printing rows. */
import { UsageError, type ArgSpec, type CommandContext, type ParsedArgs } from '../../command.js';
import { formatResult } from '../../output/index.js';

export const LINK_ARGS: Record<string, ArgSpec> = {
  session: {
    flags: ['--session'],
    help: 'One BGP session, by the name `arslab link list` shows ("er1/0<->c1/primary", "hub1rs/IN_0<->nva1"; either order), or its two ends by speaker name or address.',
  },
  circuit: {
    flags: ['--circuit'],
    help: 'An ExpressRoute circuit: with --path, every session riding on that link (its customer edges).',
  },
  path: { flags: ['--path'], help: 'The circuit link: primary or secondary.' },
};

export interface LinkRow {
  name: string;
  state: string;
  detection: string;
  fault: string;
}

export function linkTarget(args: ParsedArgs): Record<string, unknown> {
  const session = args['session'];
  const circuit = args['circuit'];
  const path = args['path'];
  if (typeof session === 'string') {
    if (circuit !== undefined || path !== undefined)
      throw new UsageError('usage error: --session LABEL | --circuit NAME --path primary|secondary');
    return { session };
  }
  if (typeof circuit !== 'string' || typeof path !== 'string')
    throw new UsageError('usage error: --session LABEL | --circuit NAME --path primary|secondary');
  if (!/^(primary|secondary)$/i.test(path))
    throw new UsageError(`argument --path: invalid choice: '${path}' (choose from 'primary', 'secondary')`);
  return { circuit, path: path.toLowerCase() };
}

/** Rows as a table on stdout (no -o), or returned for az-style output. */
export function printRows(ctx: CommandContext, args: ParsedArgs, rows: LinkRow[]): unknown {
  if (args['output'] !== undefined) return rows;
  ctx.stdout(formatResult(rows, { output: 'table', tableTransformer: (r) => r }));
  return undefined;
}
