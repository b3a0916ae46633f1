/**
 * @module lab/daemons/frr/driver
 * FRR driver: bgpd alone, without zebra.
 *
 * Start: `/usr/lib/frr/bgpd -f CONF -p PORT -l ADDR -Z -S -P 0 --vty_socket WORK
 * -i WORK/bgpd.pid --log stdout`. -Z: no zebra (nothing is installed in a kernel table, and
 * nothing learned from one); -S: no user switch (we are root, the files are ours); -P 0: no
 * TCP vty (bgpd would otherwise listen on port 2605 of every address); -p 0 when the spec says
 * not to listen; -l binds the BGP listener to the spec's address only.
 *
 * Without zebra, FRR 8.4 needs lines that a config written for a full FRR usually lacks; they
 * are checked before start (checkFrrConfig) and their absence is an error naming the line.
 *
 * Control: vtysh on the private vty socket (control.ts), JSON output (`show bgp neighbors
 * json`, `show bgp ipv4 unicast json detail`). announce() adds `network P route-map
 * ARSLAB-ANNOUNCE-n` with a route-map carrying the attributes; the route-map is created before
 * the network statement refers to it, because bgpd applies a route-map change to existing
 * networks only after `bgp route-map delay-timer` (5 s).
 */
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import type { AddressFamily, AnnounceRoute, DaemonHandle, DaemonRoute, DaemonSession, DaemonSpec } from '../types.js';
import { canonicalAddress, checkAnnouncement, checkPrefix, checkSocketPath, prepareSpec } from '../common.js';
import { daemonHandle, launch } from '../scaffold.js';
import { analyzeFrrConfigText, checkFrrConfig } from './config.js';
import { frrJsonToRoutes } from './parse.js';
import { FRR_BGPD, vtysh as vty, vtyJson as vtyJsonOf } from './control.js';

export async function startFrr(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const conf = resolve(spec.configFile);
  const facts = analyzeFrrConfigText(readFileSync(conf, 'utf8'));
  const warnings = checkFrrConfig(facts, spec, conf);
  const main = facts.instances.find((i) => !i.vrf) ?? facts.instances[0]!;
  const d = await launch('frr', spec, (work) => {
    checkSocketPath(join(work, 'bgpd.vty'), spec);
    return {
      argv: [
        FRR_BGPD,
        '-f',
        conf,
        '-p',
        String(spec.listenPort === -1 ? 0 : spec.listenPort),
        '-l',
        spec.listenAddress,
        '-Z',
        '-S',
        '-P',
        '0',
        '--vty_socket',
        work,
        '-i',
        join(work, 'bgpd.pid'),
        '--log',
        'stdout',
      ],
    };
  });
  for (const w of warnings) d.note(`warning: ${w}`);
  const vtysh = (commands: string[], timeoutMs?: number) => vty(d, commands, timeoutMs);
  const vtyJson = (command: string) => vtyJsonOf(d, command);
  const routeMaps = new Map<string, string>(); // prefix -> route-map in use
  let mapCounter = 0;

  return daemonHandle(
    d,
    {
      what: `vty ${d.work}/bgpd.vty`,
      probe: async () => {
        await vtysh(['show bgp summary json'], 3000);
        return true;
      },
    },
    {
      async sessions(): Promise<DaemonSession[]> {
        const json = (await vtyJson('show bgp neighbors json')) as Record<
          string,
          { bgpState?: string; remoteAs?: number }
        >;
        return Object.entries(json).map(([neighbor, v]) => {
          const s: DaemonSession = {
            neighbor: canonicalAddress(neighbor),
            state: v.bgpState ?? 'unknown',
            established: v.bgpState === 'Established',
          };
          if (typeof v.remoteAs === 'number') s.remoteAs = v.remoteAs;
          return s;
        });
      },
      async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
        const out: DaemonRoute[] = [];
        for (const f of family ? [family] : (['ipv4', 'ipv6'] as const)) {
          out.push(...frrJsonToRoutes(await vtyJson(`show bgp ${f} unicast json detail`)));
        }
        return out;
      },
      announce(route: AnnounceRoute) {
        const { family, communities, largeCommunities } = checkAnnouncement(route);
        return d.serial(async () => {
          const name = `ARSLAB-ANNOUNCE-${++mapCounter}`;
          const sets = [
            family === 'ipv4' ? `set ip next-hop ${route.nextHop}` : `set ipv6 next-hop global ${route.nextHop}`,
            'set origin igp',
          ];
          if (communities.length > 0) sets.push(`set community ${communities.join(' ')}`);
          if (largeCommunities.length > 0) sets.push(`set large-community ${largeCommunities.join(' ')}`);
          if (route.asPathPrepend?.length) sets.push(`set as-path prepend ${route.asPathPrepend.join(' ')}`);
          if (route.med !== undefined) sets.push(`set metric ${route.med}`);
          await vtysh([
            'configure terminal',
            `route-map ${name} permit 10`,
            ...sets,
            'exit',
            `router bgp ${main.asn}${main.vrf ? ` vrf ${main.vrf}` : ''}`,
            `address-family ${family} unicast`,
            `network ${route.prefix} route-map ${name}`,
          ]);
          const old = routeMaps.get(route.prefix);
          routeMaps.set(route.prefix, name);
          if (old) await vtysh(['configure terminal', `no route-map ${old}`]);
        });
      },
      withdraw(prefix: string) {
        const family = checkPrefix(prefix);
        return d.serial(async () => {
          const old = routeMaps.get(prefix);
          if (!old) return;
          await vtysh([
            'configure terminal',
            `router bgp ${main.asn}${main.vrf ? ` vrf ${main.vrf}` : ''}`,
            `address-family ${family} unicast`,
            `no network ${prefix}`,
            'exit-address-family',
            'exit',
            `no route-map ${old}`,
          ]);
          routeMaps.delete(prefix);
        });
      },
      command(text: string): Promise<string> {
        return vtysh(
          text
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
          30_000,
        );
      },
    },
  );
}
