/**
 * arslab export [--file FILE] — the running lab as a lab file that `arslab up` reproduces:
 * written from the lab's model, nodes, routers and settings (not copied from the file it
 * came from; ADR 0016), to stdout or FILE. What the file cannot reproduce is listed on
 * stderr and the exit code is 1; the file is written all the same, so nothing is lost.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from '../command.js';

export const command: Command = {
  path: ['export'],
  summary: 'Write the running lab as a lab file that `arslab up` reproduces (to stdout, or --file).',
  args: {
    file: {
      flags: ['--file', '-f'],
      help: 'Write the lab file here instead of stdout; node files under its folder are named relative to it.',
    },
  },
  defaultOutput: 'text',
  examples: ['arslab export', 'arslab export --lab next-hop-failover -f saved/lab.yml'],
  async run(ctx, args) {
    const c = await ctx.client();
    const file = args['file'] as string | undefined;
    const q = file !== undefined ? `?${new URLSearchParams({ relativeTo: dirname(resolve(file)) })}` : '';
    const result = (await c.call('GET', `/arslab/export${q}`)) as { text: string; differences: string[] };
    if (file !== undefined) await writeFile(file, result.text);
    else ctx.stdout(result.text);
    if (result.differences.length > 0) {
      for (const d of result.differences) ctx.stderr(`${d}\n`);
      throw new Error(
        `the lab file does not reproduce the running lab: ${result.differences.length} difference${result.differences.length === 1 ? '' : 's'} (above, running lab → file)`,
      );
    }
    return undefined;
  },
};
