/**
 * @module lab/daemons/bird/driver
 * BIRD 2 driver.
 *
 * Start: `bird -f -c WORK/bird.conf -s WORK/bird.ctl -P WORK/bird.pid`. WORK/bird.conf is a
 * wrapper rendered by us: `include "<the user's file>";` (verbatim, so BIRD's own messages
 * point at the user's lines), `log stderr all;` (BIRD otherwise logs to syslog only), and the
 * static protocols holding what announce() added. `configure` re-reads both.
 *
 * Control: BIRD's CLI protocol spoken directly on the control socket (control.ts). BIRD has
 * no machine-readable output, so `show protocols all` and `show route ... all` are parsed as
 * text (parse.ts).
 *
 * Listening: BIRD takes the listen address and port from the configuration only (`local ADDR
 * port N`), and without `strict bind yes` binds *:PORT: that exposes the daemon outside
 * loopback and collides with any other listener on that port ("No listening socket"). Outside
 * a network namespace a protocol lacking `strict bind yes` is therefore refused at start, with
 * the exact line to add (config.ts); listenAddress/listenPort of the spec are checked (warnings).
 */
import { writeFileSync, renameSync, rmSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { DaemonError, type AddressFamily, type AnnounceRoute, type DaemonRoute, type DaemonSession } from '../types.js';
import type { DaemonHandle, DaemonSpec } from '../types.js';
import { sleep } from '../process.js';
import { canonicalAddress, checkAnnouncement, checkPrefix, checkSocketPath, familyOfPrefix } from '../common.js';
import { prepareSpec } from '../common.js';
import { daemonHandle, launch } from '../scaffold.js';
import { analyzeBirdConfig, checkBirdConfig } from './config.js';
import { birdEntriesToRoutes, parseBirdProtocols, parseBirdRoutes, type BirdProtocol } from './parse.js';
import { birdRequest, renderBirdWrapper, replyText, type BirdReply } from './control.js';

export async function startBird(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const userConfig = resolve(spec.configFile);
  const warnings = checkBirdConfig(analyzeBirdConfig(userConfig), spec);
  let ctl = '';
  let wrapper = '';
  const d = await launch('bird', spec, (work) => {
    ctl = checkSocketPath(join(work, 'bird.ctl'), spec);
    wrapper = join(work, 'bird.conf');
    writeFileSync(wrapper, renderBirdWrapper(userConfig, []));
    rmSync(ctl, { force: true });
    return { argv: ['bird', '-f', '-c', wrapper, '-s', ctl, '-P', join(work, 'bird.pid')] };
  });
  for (const w of warnings) d.note(`warning: ${w}`);
  const announced = new Map<string, AnnounceRoute>();

  const request = async (command: string, timeoutMs?: number): Promise<BirdReply> => {
    d.checkAlive();
    return birdRequest(ctl, command, timeoutMs);
  };

  const protocols = async (): Promise<BirdProtocol[]> =>
    parseBirdProtocols(replyText(await request('show protocols all'))).filter((p) => p.proto === 'BGP');

  // announce/withdraw re-render and reconfigure: d.serial keeps renders from interleaving.
  const reconfigure = async (): Promise<void> => {
    const text = renderBirdWrapper(userConfig, announced.values());
    const tmp = `${wrapper}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, wrapper);
    const r = await request('configure');
    // 0003 Reconfigured, 0004 Reconfiguration in progress, 0018 Reconfiguration confirmed,
    // 0020 Configuration OK (unchanged); 8xxx/9xxx errors (e.g. "8002 file:line:col ...").
    if (r.code >= 8000) throw new DaemonError('command', `${d.label}: configure failed: ${replyText(r)}`);
  };

  return daemonHandle(
    d,
    {
      what: `control socket ${ctl}`,
      probe: async () => ((await birdRequest(ctl, 'show status', 2000)).code < 8000 ? true : undefined),
      check: async () => {
        // BIRD reports a failed listening socket only as a protocol error: turn it into ours.
        await sleep(50);
        const failed = (await protocols()).filter((p) => /No listening socket/i.test(`${p.info} ${p.lastError ?? ''}`));
        if (failed.length > 0) {
          await d.proc.stop(1000).catch(() => undefined);
          throw new DaemonError(
            'listen',
            `${d.label}: protocol ${failed.map((p) => p.name).join(', ')}: "No listening socket": another process ` +
              `already listens on the BGP port. Give each protocol bgp \`local ${spec.listenAddress} as ASN;\` and ` +
              `\`strict bind yes;\` so that BIRD binds ${spec.listenAddress} only.`,
            d.proc.recentOutput(),
          );
        }
      },
    },
    {
      async sessions(): Promise<DaemonSession[]> {
        return (await protocols()).map((p) => {
          const state = p.bgpState ?? p.info ?? p.state;
          const s: DaemonSession = {
            neighbor: p.neighborAddress ? canonicalAddress(p.neighborAddress) : '',
            state,
            established: /^Established$/i.test(state),
            name: p.name,
          };
          if (p.neighborAs !== undefined) s.remoteAs = p.neighborAs;
          return s;
        });
      },
      async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
        const bgp = await protocols();
        const neighbors = new Map(bgp.map((p) => [p.name, p.neighborAddress ?? '']));
        // The tables the BGP channels import into (master4/master6 unless the user says otherwise).
        const tables = new Set<string>();
        for (const p of bgp) {
          for (const c of p.channels) {
            const fam: AddressFamily | undefined = /^ipv4/.test(c.name)
              ? 'ipv4'
              : /^ipv6/.test(c.name)
                ? 'ipv6'
                : undefined;
            if (c.table && fam && (!family || fam === family)) tables.add(c.table);
          }
        }
        if (tables.size === 0)
          for (const f of family ? [family] : (['ipv4', 'ipv6'] as const))
            tables.add(f === 'ipv4' ? 'master4' : 'master6');
        const routes: DaemonRoute[] = [];
        for (const t of tables) {
          const r = await request(`show route table ${t} all`);
          if (r.code >= 8000) continue; // e.g. a table that does not exist
          routes.push(...birdEntriesToRoutes(parseBirdRoutes(replyText(r)), neighbors));
        }
        return family ? routes.filter((r) => familyOfPrefix(r.prefix) === family) : routes;
      },
      announce(route: AnnounceRoute) {
        checkAnnouncement(route);
        return d.serial(async () => {
          const previous = announced.get(route.prefix);
          announced.set(route.prefix, { ...route });
          try {
            await reconfigure();
          } catch (err) {
            if (previous) announced.set(route.prefix, previous);
            else announced.delete(route.prefix);
            throw err;
          }
        });
      },
      withdraw(prefix: string) {
        checkPrefix(prefix);
        return d.serial(async () => {
          const previous = announced.get(prefix);
          if (!previous) return;
          announced.delete(prefix);
          try {
            await reconfigure();
          } catch (err) {
            announced.set(prefix, previous);
            throw err;
          }
        });
      },
      async command(text: string): Promise<string> {
        const r = await request(text, 30_000);
        const out = replyText(r);
        if (r.code >= 8000) throw new DaemonError('command', `${d.label}: ${text}: ${out}`);
        return out;
      },
    },
  );
}
