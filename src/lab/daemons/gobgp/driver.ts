/**
 * @module lab/daemons/gobgp/driver
 * GoBGP driver.
 *
 * Start: `gobgpd -f CONF -t toml|yaml|json --api-hosts unix://WORK/gobgp.sock --pprof-disable -p`.
 * The gRPC API is put on a Unix socket in the work directory rather than on a TCP port: no
 * free-port hunting (and no race with another instance picking the same port), nothing more
 * listening on TCP, and the socket is reachable from outside the instance's network namespace
 * (a 127.0.0.1 port inside a namespace is not). `gobgp --target unix://...` talks to it.
 *
 * Listening: gobgpd takes its BGP listen address and port from the configuration only
 * (`[global.config] port`, `local-address-list`); there is no command-line override. The
 * spec's listenAddress/listenPort are therefore checks: a mismatch is a warning, and outside
 * a network namespace a configuration that would listen on every address (no
 * local-address-list) is refused with the line to add. After start, `gobgp global -j` (the
 * daemon's own view) is compared again and the listening sockets are audited.
 *
 * Control: `gobgp -j` JSON (`neighbor`, `global rib`); announce/withdraw with
 * `gobgp global rib add|del`.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressFamily, AnnounceRoute, DaemonHandle, DaemonRoute, DaemonSession, DaemonSpec } from '../types.js';
import { DaemonError } from '../types.js';
import { checkAnnouncement, checkPrefix, checkSocketPath, prepareSpec } from '../common.js';
import { daemonHandle, launch } from '../scaffold.js';
import { checkGobgpGlobal, gobgpConfigType, readGobgpGlobal, type GobgpGlobalConfig } from './config.js';
import { gobgpNeighborsToSessions, gobgpRibToRoutes } from './parse.js';
import { gobgpCli, gobgpCliJson, splitArgs } from './control.js';

export async function startGobgp(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const conf = resolve(spec.configFile);
  const type = gobgpConfigType(conf);
  let global: GobgpGlobalConfig;
  try {
    global = readGobgpGlobal(conf, type);
  } catch (err) {
    throw new DaemonError(
      'config',
      `GoBGP configuration ${conf}: cannot read it as ${type}: ${(err as Error).message}`,
    );
  }
  const warnings = checkGobgpGlobal(global, spec);
  let target = '';
  const d = await launch('gobgp', spec, (work) => {
    const sock = checkSocketPath(join(work, 'gobgp.sock'), spec);
    // A socket file left by an instance that was killed makes gobgpd fail with EADDRINUSE.
    rmSync(sock, { force: true });
    target = `unix://${sock}`;
    return { argv: ['gobgpd', '-f', conf, '-t', type, '--api-hosts', target, '--pprof-disable', '-p'] };
  });
  for (const w of warnings) d.note(`warning: ${w}`);
  const gobgp = (args: string[], timeoutMs?: number) => gobgpCli(d, target, args, timeoutMs);
  const gobgpJson = (args: string[]) => gobgpCliJson(d, target, args);

  return daemonHandle(
    d,
    {
      // The API answers before the configuration is applied: wait for the global AS.
      what: `API ${target}`,
      probe: async () => {
        const j = (await gobgpJson(['global'])) as { asn?: number; router_id?: string };
        return j.asn ? j : undefined;
      },
      check: (g) => {
        if (spec.routerId && g.router_id && g.router_id !== spec.routerId)
          d.note(`warning: router id ${g.router_id}, ${spec.routerId} expected`);
      },
    },
    {
      async sessions(): Promise<DaemonSession[]> {
        return gobgpNeighborsToSessions(await gobgpJson(['neighbor']));
      },
      async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
        const out: DaemonRoute[] = [];
        for (const f of family ? [family] : (['ipv4', 'ipv6'] as const)) {
          out.push(...gobgpRibToRoutes(await gobgpJson(['global', 'rib', '-a', f])));
        }
        return out;
      },
      async announce(route: AnnounceRoute): Promise<void> {
        const { family, communities, largeCommunities } = checkAnnouncement(route);
        // Adding a prefix again replaces the locally originated path: no withdraw needed first.
        const args = ['global', 'rib', 'add', '-a', family, route.prefix, 'nexthop', route.nextHop, 'origin', 'igp'];
        if (communities.length > 0) args.push('community', communities.join(','));
        if (largeCommunities.length > 0) args.push('large-community', largeCommunities.join(','));
        // GoBGP prepends its own AS towards eBGP peers, so the path given is what follows it.
        if (route.asPathPrepend?.length) args.push('aspath', route.asPathPrepend.join(' '));
        if (route.med !== undefined) args.push('med', String(route.med));
        await gobgp(args);
      },
      async withdraw(prefix: string): Promise<void> {
        const family = checkPrefix(prefix);
        try {
          await gobgp(['global', 'rib', 'del', '-a', family, prefix]);
        } catch (err) {
          // Withdrawing what is not announced is not an error.
          if (!/not (found|in table)/i.test((err as Error).message)) throw err;
        }
      },
      command(text: string): Promise<string> {
        return gobgp(splitArgs(text), 30_000);
      },
    },
  );
}
