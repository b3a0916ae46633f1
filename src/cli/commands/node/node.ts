/** arslab node stop|start|kill|pause|resume|cmd|routes NAME — act on a lab node. */
import { UsageError, type Command } from '../../command.js';

function nodeVerb(verb: 'stop' | 'start' | 'pause' | 'resume', summary: string): Command {
  return {
    path: ['node', verb],
    summary,
    args:
      verb === 'stop'
        ? {
            kill: {
              flags: ['--kill'],
              help: 'SIGKILL: no NOTIFICATION; the peer detects it at hold-timer expiry.',
              boolean: true,
            },
          }
        : {},
    positionals: [{ name: 'name', required: true }],
    defaultOutput: 'text',
    examples: [`arslab node ${verb} watch1`],
    async run(ctx, args) {
      const c = await ctx.client();
      const action = verb === 'stop' && args['kill'] ? 'kill' : verb;
      const s = (await c.call('POST', `/arslab/nodes/${encodeURIComponent(args._[0]!)}/${action}`)) as {
        name: string;
        state: string;
      };
      if (args['output'] !== undefined) return s;
      ctx.stdout(`${s.name}: ${s.state}\n`);
      return undefined;
    },
  };
}

export const commands: Command[] = [
  nodeVerb('stop', 'Stop a node gracefully (its daemon sends a Cease NOTIFICATION), or with --kill (no NOTIFICATION).'),
  nodeVerb('start', 'Start a stopped node again.'),
  nodeVerb('pause', 'Freeze a node (SIGSTOP): its sessions drop at hold-timer expiry.'),
  nodeVerb('resume', 'Thaw a paused node (SIGCONT).'),
  {
    path: ['node', 'cmd'],
    summary:
      'Send a command to a node: ExaBGP API text ("announce route …") to exabgp, built-in speakers and built-in routers, the daemon CLI otherwise.',
    args: {},
    positionals: [
      { name: 'name', required: true },
      { name: 'text', required: true, rest: true },
    ],
    defaultOutput: 'text',
    examples: ['arslab node cmd watch1 announce route 100.64.0.1/32 next-hop 10.10.0.4'],
    async run(ctx, args) {
      const [name, ...words] = args._;
      if (!name || words.length === 0) throw new UsageError('usage: arslab node cmd NAME TEXT…');
      const c = await ctx.client();
      const r = (await c.call('POST', `/arslab/nodes/${encodeURIComponent(name)}/command`, {
        text: words.join(' '),
      })) as { output: string };
      if (r.output) ctx.stdout(r.output.endsWith('\n') ? r.output : `${r.output}\n`);
      return undefined;
    },
  },
  {
    path: ['node', 'routes'],
    summary:
      'Routes a node received from its BGP neighbours (read from the daemon itself); for a built-in on-premises router, its whole BGP table, own routes included.',
    args: {},
    positionals: [{ name: 'name', required: true }],
    examples: ['arslab node routes watch1 -o table', 'arslab node routes site2 -o json'],
    async run(ctx, args) {
      const c = await ctx.client();
      return ((await c.call('GET', `/arslab/nodes/${encodeURIComponent(args._[0]!)}/routes`)) as { value: unknown[] })
        .value;
    },
  },
];
