/**
 * @module lab/daemons/exec/driver
 * `kind: exec`: any BGP daemon, run from the command line the user gives (OpenBGPD's
 * `bgpd -d -f {config}`), its configuration verbatim (netns mode) or its loopback variant.
 * ARSLab knows nothing of its control language, so:
 * - ready: the process runs and listens on the node's address and port (what a BGP peer
 *   needs), then the listener audit (loopback mode: 127.0.0.0/8 only) as for every kind;
 * - `node routes`: the optional route-listing command's output (control.ts reads OpenBGPD's
 *   JSON and plain `show ip bgp`-style text); `node cmd NODE TEXT` runs TEXT as a command line
 *   with the same values filled in (`bgpctl -s {workdir}/bgpd.sock show`);
 * - sessions: none known to the driver (the lab's own end of each session is in `status`);
 * - announce/withdraw: not possible without its control language (its configuration decides).
 * Stop, kill, pause, capture and cleanup are the scaffold's, as for every kind.
 */
import { resolve } from 'node:path';
import { DaemonError, type DaemonHandle, type DaemonRoute, type DaemonSession, type DaemonSpec } from '../types.js';
import { runCommand } from '../process.js';
import { prepareSpec } from '../common.js';
import { daemonHandle, launch, unsupported } from '../scaffold.js';
import { fillCommand, parseRouteListing, type CommandValues } from './control.js';

/** The unspecified addresses as /proc/net/tcp{,6} decode them. */
const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

export async function startExec(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const exec = spec.exec;
  if (!exec?.command.trim()) throw new DaemonError('usage', `exec ${spec.name}: kind exec needs a command line`);
  let values: CommandValues | undefined;
  const d = await launch('exec', spec, (work) => {
    values = {
      config: resolve(spec.configFile),
      address: spec.listenAddress,
      port: String(spec.listenPort),
      workdir: work,
      name: spec.name,
    };
    return { argv: fillCommand(exec.command, values) };
  });
  /** A user command in the daemon's context (its namespace, its folder). */
  const run = async (text: string, timeoutMs: number): Promise<string> => {
    d.checkAlive();
    const r = await runCommand(fillCommand(text, values!), {
      timeoutMs,
      cwd: d.work,
      ...(spec.netns ? { netns: spec.netns } : {}),
    });
    if (r.code !== 0)
      throw new DaemonError('command', `${d.label}: ${text}: ${(r.stderr || r.stdout).trim()} (exit ${r.code})`);
    return r.stdout;
  };
  return daemonHandle(
    d,
    {
      what: spec.listenPort > 0 ? `listening on ${spec.listenAddress}:${spec.listenPort}` : 'its process running',
      timeoutMs: 20_000,
      probe: async () => {
        if (spec.listenPort <= 0) return true;
        d.proc.refresh(); // a daemon that forks its listener (OpenBGPD's session engine)
        // In its own namespace a daemon may listen on every address (OpenBGPD does without
        // `listen on`), which serves the node's address too; in loopback mode the listener
        // audit below refuses that.
        const serves = (a: string) => a === spec.listenAddress || (!!spec.netns && WILDCARDS.has(a));
        return d.proc.listeningSockets().some((l) => l.port === spec.listenPort && serves(l.address))
          ? true
          : undefined;
      },
    },
    {
      async sessions(): Promise<DaemonSession[]> {
        return [];
      },
      async receivedRoutes(): Promise<DaemonRoute[]> {
        return exec.routesCommand ? parseRouteListing(await run(exec.routesCommand, 15_000)) : [];
      },
      announce(): Promise<void> {
        return unsupported(
          d,
          'an exec node announces what its own configuration says (ARSLab does not speak its control language)',
        );
      },
      withdraw(): Promise<void> {
        return unsupported(
          d,
          'an exec node withdraws what its own configuration says (ARSLab does not speak its control language)',
        );
      },
      command(text: string): Promise<string> {
        return run(text, 30_000);
      },
    },
  );
}
