/**
 * arslab trace --from ROUTER_OR_VM --to IP — the path toward an address as the control plane
 * has it: each speaker's longest-match best route, hop by hop (on-premises router → MSEE →
 * gateway instance → MSEE → router), branching where a speaker holds tied paths. Text by
 * default; `-o json` gives the structured result.
 */
import { renderTrace, type TraceResult } from '../../lab/trace.js';
import type { Command } from '../command.js';

export const command: Command = {
  path: ['trace'],
  summary:
    'Follow best routes toward an address, speaker by speaker, from an on-premises router, a VM or a gateway/MSEE instance.',
  args: {
    from: {
      flags: ['--from'],
      help: 'A built-in on-premises router, a VM, or a speaker (ergw/0, er-circuit-1/primary).',
      required: true,
    },
    to: { flags: ['--to'], help: 'The destination IPv4 address.', required: true },
  },
  defaultOutput: 'text',
  examples: ['arslab trace --from site2 --to 10.100.10.10', 'arslab trace --from site1 --to 10.100.20.2 -o json'],
  async run(ctx, args) {
    const c = await ctx.client();
    const q = new URLSearchParams({ from: args['from'] as string, to: args['to'] as string });
    const result = (await c.call('GET', `/arslab/trace?${q}`)) as TraceResult;
    if (args['output'] !== undefined) return result;
    ctx.stdout(renderTrace(result));
    return undefined;
  },
};
