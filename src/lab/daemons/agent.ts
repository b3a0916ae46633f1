/**
 * @module lab/daemons/agent
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
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DaemonError,
  type AnnounceRoute,
  type DaemonHandle,
  type DaemonRoute,
  type DaemonSession,
  type DaemonSpec,
} from './types.js';
import { ManagedProcess } from './process.js';
import { checkSocketPath, makeWorkDir, noteFor, pollUntil, prepareSpec, processControls } from './common.js';

/** The CLI entry point of this build (dist/src/cli/main.js). */
const CLI_MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** The part of the agent's GET /status the lab reads. */
interface AgentStatusView {
  routerId?: string;
  sessions: { neighbor: string; address: string; asn: number; state: string }[];
  vips: { prefix: string; nextHop: string | null; backend: string | null; drained: boolean }[];
  backends: { name: string; state: string; drained: boolean }[];
}

/** One HTTP request over the agent's unix socket; resolves with status and body. */
function call(
  socketPath: string,
  method: string,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function startAgent(spec: DaemonSpec): Promise<DaemonHandle> {
  prepareSpec(spec);
  const note = noteFor(spec, 'agent');
  const conf = resolve(spec.configFile);
  const work = makeWorkDir(spec);
  const sock = checkSocketPath(join(work, 'agent.sock'), spec);
  rmSync(sock, { force: true }); // left by an instance that was killed
  const proc = await ManagedProcess.start({
    label: `agent ${spec.name}`,
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
    cwd: work,
    env: spec.env,
    netns: spec.netns,
    maxLifetimeSeconds: spec.maxLifetimeSeconds,
    log: spec.log,
    onExit: spec.onExit,
  });
  const exitedError = () =>
    proc.exited
      ? new DaemonError('exited', `agent ${spec.name} exited (${JSON.stringify(proc.exitStatus)})`, proc.recentOutput())
      : undefined;
  const api = async (method: string, path: string): Promise<string> => {
    const e = exitedError();
    if (e) throw e;
    const r = await call(sock, method, path).catch((err: Error) => {
      throw new DaemonError('command', `agent ${spec.name}: ${method} ${path}: ${err.message}`);
    });
    if (r.status !== 200)
      throw new DaemonError('command', `agent ${spec.name}: ${method} ${path}: ${r.status} ${r.body.trim()}`);
    return r.body;
  };
  const status = async (): Promise<AgentStatusView> => JSON.parse(await api('GET', '/status')) as AgentStatusView;

  let readyPromise: Promise<void> | undefined;
  const refuse = (what: string): Promise<never> =>
    Promise.reject(
      new DaemonError(
        'usage',
        `agent ${spec.name}: the agent ${what}s what its health checks decide; use \`arslab node cmd ${spec.name} drain [BACKEND]\` or undrain`,
      ),
    );
  const handle: DaemonHandle = {
    ...processControls('agent', spec.name, proc),
    get exited() {
      return proc.exited;
    },
    ready(timeoutMs = 15_000) {
      readyPromise ??= (async () => {
        const s = await pollUntil(
          `agent ${spec.name}: API ${sock}`,
          timeoutMs,
          async () => status().catch(() => undefined),
          { abort: exitedError },
        );
        if (spec.routerId && s.routerId && s.routerId !== spec.routerId)
          note(`warning: router id ${s.routerId}, ${spec.routerId} expected`);
      })();
      return readyPromise;
    },
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
  };
  return handle;
}
