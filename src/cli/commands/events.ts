/** arslab events — the lab's timeline: sessions, UPDATEs, routes, faults. */
import type { Command } from '../command.js';

interface Ev {
  t: number;
  seq: number;
  type: string;
  source: string;
  message: string;
}

const line = (e: Ev) => `${(e.t / 1000).toFixed(3).padStart(10)}s  ${e.type.padEnd(12)} ${e.source}: ${e.message}\n`;

export const command: Command = {
  path: ['events'],
  summary: 'Show the event timeline (monotonic seconds since the lab started).',
  args: { follow: { flags: ['--follow', '-f'], help: 'Keep printing new events.', boolean: true } },
  defaultOutput: 'text',
  examples: ['arslab events', 'arslab events --follow', 'arslab events -o json'],
  async run(ctx, args) {
    const c = await ctx.client();
    let since = 0;
    const fetch = async () => ((await c.call('GET', `/arslab/events?since=${since}`)) as { value: Ev[] }).value;
    const first = await fetch();
    if (args['output'] !== undefined && !args['follow']) return first;
    for (const e of first) ctx.stdout(line(e));
    since = first.at(-1)?.seq ?? 0;
    while (args['follow']) {
      await new Promise((r) => setTimeout(r, 250));
      const more = await fetch();
      for (const e of more) ctx.stdout(line(e));
      since = more.at(-1)?.seq ?? since;
    }
    return undefined;
  },
};
