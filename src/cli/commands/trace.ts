/**
 * arslab trace --from ROUTER_OR_VM --to IP [--max-hops N] — the path a packet takes, hop by
 * hop, each hop by its own forwarding table (a VM's NIC effective routes, a speaker's
 * Loc-RIB), branching where a hop holds tied paths, printed as traceroute does: the address
 * that answers at each hop, `*` where Azure's hop does not (ADR 0032). `-o json` gives the
 * structured result.
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
    maxHops: {
      flags: ['--max-hops', '-m'],
      help: "The packet's TTL: hops before it expires (traceroute's -m, tracert's -h). Default: 30.",
    },
  },
  defaultOutput: 'text',
  examples: ['arslab trace --from site2 --to 10.100.10.10', 'arslab trace --from site1 --to 10.100.20.2 -o json'],
  async run(ctx, args) {
    const c = await ctx.client();
    const q = new URLSearchParams({ from: args['from'] as string, to: args['to'] as string });
    if (args['maxHops'] !== undefined) q.set('maxHops', args['maxHops'] as string);
    const result = (await c.call('GET', `/arslab/trace?${q}`)) as TraceResult;
    if (args['output'] !== undefined) return result;
    ctx.stdout(renderTrace(result));
    return undefined;
  },
};
