/**
 * @module lab/daemons/exabgp/driver
 * ExaBGP 4.2 driver. The user's configuration needs no ARSLab-specific line.
 *
 * Start: `exabgp --root WORK CONF` with the environment
 *   exabgp.tcp.bind=ADDR exabgp.tcp.port=PORT   (listen; not set when listenPort is -1)
 *   exabgp.daemon.daemonize=false exabgp.daemon.user=root exabgp.daemon.drop=false
 *   exabgp.log.destination=stdout
 *   exabgp.api.cli=true exabgp.api.pipename=arslab-XXXXXXXX exabgp.api.ack=true
 *   ARSLAB_EXABGP_CMD=WORK/exabgp.cmd  ARSLAB_HELPERS=<helpers directory>
 * and exabgp_cli_pipe removed: when that variable is set, /usr/sbin/exabgp does not run BGP
 * at all but becomes the CLI relay process.
 *
 * Control: ExaBGP's own CLI named pipes. ExaBGP looks for PIPENAME.in/.out in a fixed list
 * of directories (/run/exabgp/, /run/UID/, /run/, /var/run/..., then the same under the
 * --root folder); --root WORK and a pipe name unique to the instance put them in WORK/run/,
 * so instances never share pipes and nothing is created outside the work directory. ExaBGP
 * then starts an internal "api-internal-cli" process that relays between the pipes and its
 * API. We speak that protocol ourselves (exabgpcli costs a Python start-up per command and
 * waits up to 1.5 s to drain): write one command line to .in, read lines from .out until
 * "done" or "error". Commands: `announce route ...`, `withdraw route ...`,
 * `show neighbor extensive|configuration`, `show adj-rib in extensive` (the routes received,
 * as ExaBGP route text, parsed by parseExabgpAdjRib).
 *
 * Seed-style control (`echo "announce route ..." >/var/run/exabgp.cmd`): the user's config runs
 * helpers/exabgp-cmd-pipe.py as a process; the driver creates the FIFO WORK/exabgp.cmd and
 * passes its path in ARSLAB_EXABGP_CMD (handle.commandPipe).
 *
 * ExaBGP selects no best path: every received path is reported with best = true.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { AddressFamily, AnnounceRoute, DaemonHandle, DaemonRoute, DaemonSession, DaemonSpec } from '../types.js';
import { mkfifo } from '../process.js';
import { checkAnnouncement, checkPrefix, helpersDir, prepareSpec } from '../common.js';
import { daemonHandle, launch } from '../scaffold.js';
import { parseExabgpAdjRib, parseExabgpNeighborConfig, parseExabgpNeighbors } from './parse.js';
import { ExabgpCli, renderExabgpAnnounce } from './control.js';

export interface ExabgpHandle extends DaemonHandle {
  /** FIFO relayed to ExaBGP by helpers/exabgp-cmd-pipe.py (when the config runs it). */
  readonly commandPipe: string;
}

export async function startExabgp(spec: DaemonSpec): Promise<ExabgpHandle> {
  prepareSpec(spec);
  const conf = resolve(spec.configFile);
  // tcp.port is also the port ExaBGP connects to when a neighbour has no `connect`.
  const text = readFileSync(conf, 'utf8');
  const warnings =
    spec.listenPort !== -1 && spec.listenPort !== 179 && !/\bconnect\s+\d+/.test(text)
      ? [`exabgp.tcp.port=${spec.listenPort} is also the port ExaBGP connects to (no \`connect\` in ${conf})`]
      : [];
  const pipename = `arslab-${randomBytes(4).toString('hex')}`;
  let cliIn = '';
  let cliOut = '';
  let commandPipe = '';
  const d = await launch('exabgp', spec, async (work) => {
    const runDir = join(work, 'run');
    mkdirSync(runDir, { recursive: true });
    cliIn = join(runDir, `${pipename}.in`);
    cliOut = join(runDir, `${pipename}.out`);
    commandPipe = join(work, 'exabgp.cmd');
    for (const p of [cliIn, cliOut, commandPipe]) rmSync(p, { force: true });
    for (const p of [cliIn, cliOut, commandPipe]) await mkfifo(p);
    // The node's own environment first; then what the driver depends on, which wins: the CLI
    // pipes and their acknowledgements (`done`/`error` end every answer), a foreground process
    // that stays root, logs on stdout.
    const env: Record<string, string | undefined> = {
      ...spec.env,
      'exabgp.daemon.daemonize': 'false',
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.drop': 'false',
      'exabgp.log.destination': 'stdout',
      'exabgp.api.cli': 'true',
      'exabgp.api.pipename': pipename,
      'exabgp.api.ack': 'true',
      exabgp_cli_pipe: undefined,
      ARSLAB_EXABGP_CMD: commandPipe,
      ARSLAB_HELPERS: helpersDir(),
      // `run exabgp-cmd-pipe.py;` in a config finds the helper: ExaBGP looks programs up on PATH.
      PATH: `${helpersDir()}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    };
    if (spec.listenPort !== -1) {
      env['exabgp.tcp.bind'] = spec.listenAddress;
      env['exabgp.tcp.port'] = String(spec.listenPort);
    } else {
      env['exabgp.tcp.bind'] = '';
    }
    // API processes live in process groups of their own: watch descendants.
    return { argv: ['exabgp', '--root', work, conf], env, watchDescendants: true };
  });
  for (const w of warnings) d.note(`warning: ${w}`);
  const cli = new ExabgpCli(cliIn, cliOut, d.label);
  void d.proc.waitExit().then(() => cli.close());
  const request = async (command: string, timeoutMs?: number): Promise<string[]> => {
    d.checkAlive();
    return cli.request(command, timeoutMs);
  };

  let localAs: Map<string, number> | undefined;
  return daemonHandle(
    d,
    {
      what: `CLI pipe ${cliIn}`,
      timeoutMs: 20_000,
      intervalMs: 150,
      probe: async () => {
        await request('version', 2000);
        return true;
      },
    },
    {
      commandPipe,
      stop: async (opts?: { graceMs?: number }) => {
        await d.proc.stop(opts?.graceMs);
        cli.close();
      },
      kill: async () => {
        await d.proc.kill();
        cli.close();
      },
      async sessions(): Promise<DaemonSession[]> {
        return parseExabgpNeighbors((await request('show neighbor extensive')).join('\n')).map((n) => {
          const s: DaemonSession = { neighbor: n.neighbor, state: n.state, established: n.state === 'established' };
          if (n.peerAs !== undefined) s.remoteAs = n.peerAs;
          return s;
        });
      },
      async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
        const routes = parseExabgpAdjRib((await request('show adj-rib in extensive')).join('\n'));
        return family ? routes.filter((r) => (family === 'ipv6') === r.prefix.includes(':')) : routes;
      },
      async announce(route: AnnounceRoute): Promise<void> {
        const { communities, largeCommunities } = checkAnnouncement(route);
        if (!route.asPathPrepend?.length) {
          // No AS_PATH given: ExaBGP sends [local-as] to eBGP neighbours itself.
          await request(renderExabgpAnnounce(route, communities, largeCommunities));
          return;
        }
        // A given as-path is sent verbatim (ExaBGP adds nothing): put each neighbour's local AS
        // in front ourselves, one command per neighbour.
        localAs ??= parseExabgpNeighborConfig((await request('show neighbor configuration')).join('\n'));
        for (const [neighbor, asn] of localAs) {
          await request(
            `neighbor ${neighbor} ${renderExabgpAnnounce(route, communities, largeCommunities, [asn, ...route.asPathPrepend])}`,
          );
        }
      },
      async withdraw(prefix: string): Promise<void> {
        checkPrefix(prefix);
        await request(`withdraw route ${prefix}`);
      },
      async command(text: string): Promise<string> {
        return (await request(text, 30_000)).join('\n');
      },
    },
  );
}
