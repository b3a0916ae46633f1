/**
 * arslab routeserver maintenance start|end|list — planned maintenance of one route-server
 * instance: every BGP session of the instance drops (its NVA peerings and, with
 * branch-to-branch on, its sessions to the gateways), as Azure's maintenance does ("BGP
 * peering might go down between your NVA and one of Route Server's instances", Azure Route
 * Server FAQ), and comes back at `end` or after --duration. Without --graceful the instance
 * is gone without a NOTIFICATION: each peer notices at its hold-timer expiry; with it, the
 * instance sends Cease/2 (Administrative Shutdown) first. docs/azure-differences.md says what
 * Microsoft leaves undocumented.
 */
import { UsageError, type ArgSpec, type Command, type ParsedArgs } from '../../command.js';
import { formatResult } from '../../output/index.js';
import { parseDuration } from '../probe.js';

const TARGET: Record<string, ArgSpec> = {
  instance: {
    flags: ['--instance'],
    help: 'The instance: IN_0 or IN_1 (also RouteServiceRole_IN_0, or NAME/IN_0).',
    required: true,
  },
  name: { flags: ['--name', '-n'], help: 'The route server; may be left out when the lab has one.' },
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Its resource group.' },
};

interface Maintenance {
  instance: string;
  graceful: boolean;
  since: number;
  until?: number;
  sessions: string[];
}

function target(args: ParsedArgs): Record<string, unknown> {
  const instance = args['instance'];
  if (typeof instance !== 'string' || !instance) throw new UsageError('argument --instance: expected IN_0 or IN_1');
  return {
    instance,
    ...(typeof args['name'] === 'string' ? { routeServer: args['name'] } : {}),
    ...(typeof args['resourceGroup'] === 'string' ? { resourceGroup: args['resourceGroup'] } : {}),
  };
}

function print(m: Maintenance, verb: string): string {
  return `${m.instance}: ${verb} (${m.sessions.length} session(s)${m.sessions.length ? `: ${m.sessions.join(', ')}` : ''})\n`;
}

export const commands: Command[] = [
  {
    path: ['routeserver', 'maintenance', 'start'],
    summary: 'Start planned maintenance of one route-server instance: all its BGP sessions drop.',
    args: {
      ...TARGET,
      graceful: {
        flags: ['--graceful'],
        help: 'Send a NOTIFICATION Cease/2 (Administrative Shutdown) first: the peers flush at once.',
        boolean: true,
      },
      duration: { flags: ['--duration'], help: 'End by itself after this long (90s, 5m); default: until `end`.' },
    },
    defaultOutput: 'text',
    examples: [
      'arslab routeserver maintenance start --instance IN_0',
      'arslab routeserver maintenance start -g rg -n hub1rs --instance IN_1 --graceful --duration 2m',
    ],
    async run(ctx, args) {
      const d = args['duration'];
      const body = {
        ...target(args),
        graceful: args['graceful'] === true,
        ...(typeof d === 'string' ? { durationSeconds: parseDuration(d, '--duration') / 1000 } : {}),
      };
      const c = await ctx.client();
      const m = (await c.call('POST', '/arslab/maintenance/start', body)) as Maintenance;
      if (args['output'] !== undefined) return m;
      ctx.stdout(print(m, m.graceful ? 'under maintenance, sessions closed with Cease/2' : 'under maintenance, gone'));
      return undefined;
    },
  },
  {
    path: ['routeserver', 'maintenance', 'end'],
    summary: "End a route-server instance's maintenance: its sessions come back.",
    args: { ...TARGET },
    defaultOutput: 'text',
    examples: ['arslab routeserver maintenance end --instance IN_0'],
    async run(ctx, args) {
      const c = await ctx.client();
      const m = (await c.call('POST', '/arslab/maintenance/end', target(args))) as Maintenance;
      if (args['output'] !== undefined) return m;
      ctx.stdout(print(m, 'maintenance over'));
      return undefined;
    },
  },
  {
    path: ['routeserver', 'maintenance', 'list'],
    summary: 'List the route-server instances under maintenance.',
    args: {},
    defaultOutput: 'text',
    examples: ['arslab routeserver maintenance list'],
    async run(ctx, args) {
      const c = await ctx.client();
      const r = (await c.call('GET', '/arslab/maintenance')) as { value: Maintenance[] };
      if (args['output'] !== undefined) return r.value;
      if (r.value.length === 0) {
        ctx.stdout('no route-server instance is under maintenance\n');
        return undefined;
      }
      ctx.stdout(
        formatResult(
          r.value.map((m) => ({ Instance: m.instance, Graceful: m.graceful, Sessions: m.sessions.length })),
          { output: 'table', tableTransformer: (x) => x },
        ),
      );
      return undefined;
    },
  },
];
