/**
 * arslab token — print the running lab's API token, for scripts and tools (ADR 0010): it is
 * read from the lab's state file (mode 0600), not asked of the API, and printed only here.
 */
import type { Command } from '../command.js';
import { findLab } from '../client.js';

export const command: Command = {
  path: ['token'],
  summary: "Print the running lab's API token (send it as `Authorization: Bearer TOKEN`).",
  args: {},
  defaultOutput: 'text',
  examples: [
    'arslab token',
    'curl -H "Authorization: Bearer $(arslab token)" "$(arslab status -o tsv --query api.url)/arslab/status"',
  ],
  async run(ctx) {
    const s = findLab(ctx.labName);
    if (!s.token)
      throw new Error(
        `lab '${s.name}' (pid ${s.pid}) has no token in its state file: it was started by an older arslab`,
      );
    ctx.stdout(`${s.token}\n`);
    return undefined;
  },
};
