/**
 * arslab explain — why a NIC has (or lacks) a route for a prefix, or why a prefix is (or is
 * not) advertised to a peer: every candidate at every speaker on the way, and for each one
 * that lost or was dropped, the rule (R-… of azure-routing.md) and the reason in one line.
 * Text tree by default; `-o json` gives the structured result.
 */
import { renderExplain, type ExplainResult } from '../../azure/explain.js';
import { UsageError, type Command } from '../command.js';

export const command: Command = {
  path: ['explain'],
  summary:
    'Explain the routes for a prefix at a NIC, or toward a peer: every candidate, and the rule that dropped or outranked each loser.',
  args: {
    nic: { flags: ['--nic'], help: 'Name of the network interface (with --resource-group).' },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Resource group of the NIC or of the route server.' },
    prefix: {
      flags: ['--prefix', '-p'],
      help: 'A prefix (1.2.3.0/24) or an address (1.2.3.4: longest match, as Network Watcher).',
      required: true,
    },
    peer: {
      flags: ['--peer'],
      help: 'A route-server peering (name or peer IP), a gateway, circuit, route server or on-premises router name, or a neighbour address.',
    },
    routeserver: {
      flags: ['--routeserver', '--vrouter-name'],
      help: 'With --peer: only the sessions of this route server (with --resource-group).',
    },
    gateway: { flags: ['--gateway'], help: 'With --peer: only the sessions of this virtual network gateway.' },
  },
  defaultOutput: 'text',
  examples: [
    'arslab explain --nic spoke11VMNic -g routeserver --prefix 1.2.3.0/24',
    'arslab explain --nic spoke11VMNic -g routeserver --prefix 1.2.3.4 -o json',
    'arslab explain --peer er1 --routeserver hub1rs -g routeserver --prefix 10.1.0.0/16',
    'arslab explain --peer hub2nva --routeserver hub2rs -g routeserver --prefix 1.2.3.0/24',
    'arslab explain --peer onprem2 --prefix 1.2.3.0/24',
  ],
  async run(ctx, args) {
    const nic = args['nic'] as string | undefined;
    const peer = args['peer'] as string | undefined;
    const rg = args['resourceGroup'] as string | undefined;
    const prefix = args['prefix'] as string;
    if (!!nic === !!peer)
      throw new UsageError(
        'usage error: --nic NAME --resource-group RG | --peer NAME_OR_IP [--routeserver RS --resource-group RG | --gateway GW]',
      );
    if (nic && !rg) throw new UsageError('usage error: --nic needs --resource-group');
    if (args['routeserver'] && args['gateway'])
      throw new UsageError('usage error: --routeserver and --gateway exclude each other');
    const q = new URLSearchParams({ prefix });
    if (nic) {
      q.set('resourceGroup', rg!);
      q.set('name', nic);
    } else {
      q.set('peer', peer!);
      if (typeof args['routeserver'] === 'string') q.set('routeServer', args['routeserver']);
      if (typeof args['gateway'] === 'string') q.set('gateway', args['gateway']);
      if (rg) q.set('resourceGroup', rg);
    }
    const c = await ctx.client();
    const result = (await c.call('GET', `/arslab/explain/${nic ? 'nic' : 'peer'}?${q}`)) as ExplainResult;
    if (args['output'] !== undefined) return result;
    ctx.stdout(renderExplain(result));
    return undefined;
  },
};
