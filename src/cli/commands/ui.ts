/**
 * arslab ui — print the address of the running lab's web page (issue 14): the topology,
 * routes one click away, the timeline and the failover chart, served by the lab's own API.
 * It opens nothing by itself (no browser is started behind your back; on a remote machine,
 * forward the port first: ssh -L PORT:127.0.0.1:PORT).
 */
import type { ApiClient } from '../client.js';
import type { Command } from '../command.js';

/**
 * The page's URL for a lab's API. Where the API asks for a token (issue 8), this is the one
 * place that turns it into the one-time URL that sets the page's session cookie.
 */
export function uiUrl(c: Pick<ApiClient, 'host' | 'port'>): string {
  return `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}/ui/`;
}

export const command: Command = {
  path: ['ui'],
  summary: "Print the URL of the running lab's web page (topology, routes, timeline, failover chart); opens nothing.",
  args: {},
  defaultOutput: 'text',
  examples: ['arslab ui', 'arslab ui --lab next-hop-failover', 'arslab ui -o json'],
  async run(ctx, args) {
    const c = await ctx.client();
    // The lab must answer (a stale state file would print a dead address).
    const s = (await c.call('GET', '/arslab/status')) as { name: string };
    const url = uiUrl(c);
    if (args['output'] !== undefined) return { lab: s.name, url };
    ctx.stdout(`${url}\n`);
    return undefined;
  },
};
