/**
 * arslab ui — print a sign-in link to the running lab's web page (issue 14): the topology,
 * routes one click away, the timeline and the failover chart, served by the lab's own API.
 * The link holds a one-time code (ADR 0010: single use, 5 minutes) that the API trades for
 * the page's session cookie, then redirects to the page; run `arslab ui` again for a new one.
 * It opens nothing by itself (no browser is started behind your back; on a remote machine,
 * forward the port first: ssh -L PORT:127.0.0.1:PORT).
 */
import type { Command } from '../command.js';

export const command: Command = {
  path: ['ui'],
  summary:
    "Print a one-time sign-in link to the running lab's web page (topology, routes, timeline, failover chart); opens nothing.",
  args: {},
  defaultOutput: 'text',
  examples: ['arslab ui', 'arslab ui --lab next-hop-failover', 'arslab ui -o json'],
  async run(ctx, args) {
    const c = await ctx.client();
    // The lab must answer (a stale state file would print a dead address).
    const s = (await c.call('GET', '/arslab/status')) as { name: string };
    const link = (await c.call('POST', '/arslab/ui/codes')) as { url: string; expiresInSeconds: number };
    if (args['output'] !== undefined) return { lab: s.name, url: link.url, expiresInSeconds: link.expiresInSeconds };
    ctx.stdout(`${link.url}\n`);
    return undefined;
  },
};
