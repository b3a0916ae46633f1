/**
 * @module lab/daemons/agent/driver
 * Driver for ARSLab's own next-hop fast-failover agent (`arslab agent`, docs/agent.md) run as
 * a lab node, from the user's own agent config, like any other daemon: loopback mode runs the
 * loopback variant of the config, netns mode runs it verbatim inside the VM's namespace.
 *
 * Start: `node dist/src/cli/main.js agent --config CONF --api-socket WORK/agent.sock
 * --bgp-port PORT` (the lab's BGP port, 1179 in loopback mode without root). The
 * lab reads the agent through that socket (a file, so it works across network namespaces,
 * as GoBGP's API socket does): GET /status gives the sessions and VIPs; `arslab node cmd
 * NODE drain ws1` posts to /drain. The agent speaks no BGP to the lab other than through its
 * sessions with the route server, which is the point: it is tested the way it runs.
 *
 * The agent is not a router: it learns nothing (receivedRoutes is empty) and announces only
 * what its health checks decide (announce and withdraw are refused: use drain/undrain).
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonError, type AnnounceRoute, type DaemonHandle, type DaemonRoute, type DaemonSession } from '../types.js';
import type { DaemonSpec } from '../types.js';
import { checkSocketPath, prepareSpec } from '../common.js';
import { daemonHandle, launch, unsupported } from '../scaffold.js';
import { call, type AgentStatusView } from './control.js';

/** The CLI entry point of this build (dist/src/cli/main.js). */
const CLI_MAIN = fileURLToPath(new URL('../../../cli/main.js', import.meta.url));

export async function startAgent(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const conf = resolve(spec.configFile);
  let sock = '';
  const d = await launch('agent', spec, (work) => {
    sock = checkSocketPath(join(work, 'agent.sock'), spec);
    rmSync(sock, { force: true }); // left by an instance that was killed
    return {
      // The route server listens on the lab's BGP port (1179 in loopback mode without root).
      argv: [
        process.execPath,
        CLI_MAIN,
        'agent',
        '--config',
        conf,
        '--api-socket',
        sock,
        ...(spec.listenPort > 0 ? ['--bgp-port', String(spec.listenPort)] : []),
      ],
    };
  });
  const api = async (method: string, path: string): Promise<string> => {
    d.checkAlive();
    const r = await call(sock, method, path).catch((err: Error) => {
      throw new DaemonError('command', `${d.label}: ${method} ${path}: ${err.message}`);
    });
    if (r.status !== 200)
      throw new DaemonError('command', `${d.label}: ${method} ${path}: ${r.status} ${r.body.trim()}`);
    return r.body;
  };
  const status = async (): Promise<AgentStatusView> => JSON.parse(await api('GET', '/status')) as AgentStatusView;
  const refuse = (what: string): Promise<never> =>
    unsupported(
      d,
      `the agent ${what}s what its health checks decide; use \`arslab node cmd ${spec.name} drain [BACKEND]\` or undrain`,
    );

  return daemonHandle(
    d,
    {
      what: `API ${sock}`,
      probe: async () => status().catch(() => undefined),
      check: (s) => {
        if (spec.routerId && s.routerId && s.routerId !== spec.routerId)
          d.note(`warning: router id ${s.routerId}, ${spec.routerId} expected`);
      },
      // The agent's sessions are outgoing: it listens on nothing to audit.
      audit: false,
    },
    {
      async sessions(): Promise<DaemonSession[]> {
        return (await status()).sessions.map((x) => ({
          neighbor: x.address,
          state: x.state,
          established: x.state === 'Established',
          name: x.neighbor,
          remoteAs: x.asn,
        }));
      },
      async receivedRoutes(): Promise<DaemonRoute[]> {
        return [];
      },
      announce(_route: AnnounceRoute): Promise<void> {
        return refuse('announce');
      },
      withdraw(_prefix: string): Promise<void> {
        return refuse('withdraw');
      },
      /**
       * `status` (the agent's GET /status), `metrics`, `drain [BACKEND|VIP]`, `undrain [BACKEND|VIP]`:
       * an argument with a slash is a VIP, otherwise a backend; none means every VIP.
       */
      async command(text: string): Promise<string> {
        const [verb, arg] = text.trim().split(/\s+/);
        if (verb === 'status') return api('GET', '/status');
        if (verb === 'metrics') return api('GET', '/metrics');
        if (verb === 'drain' || verb === 'undrain') {
          const q =
            arg === undefined
              ? ''
              : arg.includes('/')
                ? `?vip=${encodeURIComponent(arg)}`
                : `?backend=${encodeURIComponent(arg)}`;
          return api('POST', `/${verb}${q}`);
        }
        throw new DaemonError(
          'usage',
          `agent ${spec.name}: unknown command '${text.trim()}'; try status, metrics, drain [BACKEND|VIP], undrain [BACKEND|VIP]`,
        );
      },
    },
  );
}
