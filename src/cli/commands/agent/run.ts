/**
 * arslab agent --config FILE — run the next-hop fast-failover agent in the foreground
 * (docs/agent.md). SIGTERM/SIGINT: withdraw every VIP, wait for the UPDATEs to be flushed,
 * close each session with Cease / Administrative Shutdown (RFC 4486), exit 0.
 */
import { Agent } from '../../../agent/agent.js';
import { AgentApi } from '../../../agent/api.js';
import { jsonLog } from '../../../agent/log.js';
import { realClock } from '../../../bgp/clock.js';
import type { Command } from '../../command.js';
import { loadAndReport } from './validate.js';

export const command: Command = {
  path: ['agent'],
  summary: 'Run the next-hop fast-failover BGP agent (health checks → VIP next hop on Azure Route Server).',
  args: {
    config: { flags: ['--config', '-c'], help: 'The agent config file (YAML, docs/agent.md).', required: true },
    logLevel: {
      flags: ['--log-level'],
      help: 'debug, info (default), warn or error; every check result is logged at debug.',
    },
    apiSocket: {
      flags: ['--api-socket'],
      help: 'Also serve the API on this unix socket (how a lab reads an agent node, across network namespaces).',
    },
    bgpPort: {
      flags: ['--bgp-port'],
      help: 'Connect to every neighbour on this port, whatever the config says (a lab in loopback mode without root listens on 1179).',
    },
  },
  defaultOutput: 'text',
  examples: [
    'arslab agent --config examples/agent/watcher.yaml',
    'arslab agent --config /etc/arslab/agent.yaml --log-level debug',
  ],
  async run(ctx, args) {
    const loaded = loadAndReport(ctx, args['config'] as string);
    const bgpPort = args['bgpPort'] as string | undefined;
    if (bgpPort !== undefined && !/^\d{1,5}$/.test(bgpPort)) throw new Error(`--bgp-port: '${bgpPort}' is not a port`);
    const config =
      bgpPort === undefined
        ? loaded
        : { ...loaded, neighbors: loaded.neighbors.map((n) => ({ ...n, port: Number(bgpPort) })) };
    const level = (args['logLevel'] as string | undefined) ?? 'info';
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      throw new Error(`--log-level: '${level}' is not one of debug, info, warn, error`);
    const write = config.log === 'stderr' ? ctx.stderr : ctx.stdout;
    const log = jsonLog(write, realClock, level as 'info');
    const agent = new Agent(config, log);
    const api = new AgentApi(agent);
    // The API first: if its port is taken, fail before any session or check has started.
    if (config.api) {
      const at = await api.listen(config.api).catch((e: Error) => {
        throw new Error(`cannot listen on api ${config.api}: ${e.message}`);
      });
      log.event('info', 'api-listening', { address: at });
    }
    const apiSocket = args['apiSocket'] as string | undefined;
    if (apiSocket) {
      await api.listen({ path: apiSocket }).catch((e: Error) => {
        throw new Error(`cannot listen on --api-socket ${apiSocket}: ${e.message}`);
      });
    }
    try {
      await agent.start();
    } catch (e) {
      await agent.stop('start failed');
      await api.close();
      throw new Error(`cannot start: ${(e as Error).message}`);
    }
    await new Promise<void>((resolve) => {
      const onSignal = (sig: NodeJS.Signals): void => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        // A second signal while stopping: stop at once.
        process.once('SIGTERM', () => process.exit(1));
        process.once('SIGINT', () => process.exit(1));
        void agent
          .stop(`signal ${sig}`)
          .then(() => api.close())
          .then(resolve, (e: Error) => {
            log.event('error', 'stop-failed', { error: e.message });
            resolve();
          });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    // Sockets finish their close on their own; do not wait for a peer that never answers.
    setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
    return undefined;
  },
};
