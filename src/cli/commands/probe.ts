/**
 * arslab probe --from VM --to IP [--port 80] [--interval 1s] [--count N] [--duration 10s]
 * — hping/curl-like probes over the emulated data plane: each follows the source NIC's
 * effective routes of the moment (longest prefix, ECMP by 5-tuple hash) to the next-hop VM
 * and really connects to the server there. The lab runs the probes (src/lab/probe.ts); this
 * prints the lines it streams and hping's statistics, with the longest gap between replies
 * (the failover time). Ctrl-C stops it and prints the statistics so far.
 */
import type { ArmErrorBody } from '../../azure/errors.js';
import { UsageError, type Command } from '../command.js';
import {
  formatProbeHeader,
  formatProbeLine,
  formatSummary,
  ProbeTally,
  type ProbeInfo,
  type ProbeRequest,
  type ProbeResult,
  type ProbeSummary,
} from '../../lab/probe.js';

/** "100ms", "1.5s", "2m", "250us"; a bare number is seconds (hping's -i). In ms. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`argument ${flag}: expected a duration such as 100ms, 1s or 2m, got '${text}'`);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's']!;
  const v = Number(m[1]) * scale;
  if (!(v > 0)) throw new UsageError(`argument ${flag}: must be more than 0, got '${text}'`);
  return v;
}

function int(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`argument ${flag}: expected a whole number, got '${text}'`);
  return Number(text);
}

export const command: Command = {
  path: ['probe'],
  summary:
    'Probe a destination from a VM over the emulated data plane (hping-like): route, next-hop VM, TCP connect and HTTP GET, gaps.',
  args: {
    from: {
      flags: ['--from'],
      help: 'Source VM (NAME, RESOURCE-GROUP/NAME or a NIC name) or built-in router: the flow is followed hop by hop from its NIC effective routes or its own table.',
      required: true,
    },
    to: { flags: ['--to'], help: 'Destination IPv4 address (e.g. the VIP 100.64.0.1).', required: true },
    port: { flags: ['--port', '-p'], help: 'Destination TCP port. Default: 80.' },
    interval: {
      flags: ['--interval', '-i'],
      help: 'Time between probes: 100ms, 1s… (a bare number is seconds). Default: 1s.',
    },
    count: { flags: ['--count', '-c'], help: 'Stop after this many probes.' },
    duration: { flags: ['--duration'], help: 'Stop after this long (10s, 2m…).' },
    timeout: { flags: ['--timeout'], help: 'Per probe, connect and answer; at most the interval (the default).' },
    sourcePort: {
      flags: ['--source-port'],
      help: 'Fixed source port: every probe is the same flow (one ECMP path). Default: 40000+seq, a new flow per probe, spread over ECMP paths by the 5-tuple hash.',
    },
  },
  defaultOutput: 'text',
  // -o table: one row per probe (the summary is in -o json).
  tableTransformer: (r) =>
    ((r as { probes?: ProbeResult[] }).probes ?? []).map((p) => ({
      Seq: p.seq,
      Time: (p.t / 1000).toFixed(3),
      SourcePort: p.sourcePort,
      Prefix: p.prefix ?? '',
      NextHopType: p.nextHopType ?? '',
      NextHopIp: p.nextHopIp ?? '',
      Vm: p.vm ?? '',
      Result: p.result,
      Status: p.status ?? '',
      RttMs: p.rttMs ?? '',
    })),
  examples: [
    'arslab probe --from lt1 --to 100.64.0.1 --port 80 --interval 100ms',
    'arslab probe --from lt1 --to 100.64.0.1 --interval 100ms --duration 10s',
    'arslab probe --from lt1 --to 100.64.0.1 --count 20 --source-port 40000 -o json',
  ],
  async run(ctx, args) {
    const intervalMs =
      args['interval'] !== undefined ? parseDuration(args['interval'] as string, '--interval/-i') : 1000;
    const count = int(args['count'] as string | undefined, '--count/-c');
    const port = int(args['port'] as string | undefined, '--port/-p') ?? 80;
    const sourcePort = int(args['sourcePort'] as string | undefined, '--source-port');
    const req: ProbeRequest = {
      from: args['from'] as string,
      to: args['to'] as string,
      port,
      intervalMs,
      ...(count !== undefined ? { count } : {}),
      ...(args['duration'] !== undefined
        ? { durationMs: parseDuration(args['duration'] as string, '--duration') }
        : {}),
      ...(args['timeout'] !== undefined ? { timeoutMs: parseDuration(args['timeout'] as string, '--timeout') } : {}),
      ...(sourcePort !== undefined ? { sourcePort } : {}),
    };
    const c = await ctx.client();
    const text = args['output'] === undefined;
    let info: ProbeInfo | undefined;
    // Every result is kept only for -o json (printed at the end); text mode keeps a tally.
    const probes: ProbeResult[] = [];
    const tally = new ProbeTally();
    let summary: ProbeSummary | undefined;
    let error: ArmErrorBody['error'] | undefined;
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    // Output closed (`arslab probe … | head`): stop probing rather than die of EPIPE.
    process.stdout.on('error', () => stop.abort());
    try {
      await c.stream(
        'POST',
        '/arslab/probe',
        req,
        (v) => {
          const m = v as {
            type: string;
            info?: ProbeInfo;
            result?: ProbeResult;
            summary?: ProbeSummary;
            error?: ArmErrorBody['error'];
          };
          if (m.type === 'start' && m.info) {
            info = m.info;
            if (text) ctx.stdout(formatProbeHeader(m.info));
          } else if (m.type === 'probe' && m.result) {
            tally.add(m.result);
            if (text) ctx.stdout(formatProbeLine(m.result));
            else probes.push(m.result);
          } else if (m.type === 'summary' && m.summary) summary = m.summary;
          else if (m.type === 'error' && m.error) error = m.error;
        },
        stop.signal,
      );
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (error) throw new Error(`probe failed: ${error.message}`);
    // Interrupted: the statistics of what arrived, computed as the lab would.
    summary ??= tally.summary();
    // As ping does ("if ping does not receive any reply packets at all it will exit with code 1"):
    // a script sees a dead path without parsing the statistics.
    if (summary.sent > 0 && summary.received === 0) ctx.setExitCode?.(1);
    const head = info ?? { to: req.to, port: req.port, from: req.from };
    if (text) {
      ctx.stdout(`\n${formatSummary(head, summary)}`);
      return undefined;
    }
    return { ...(info ? { info } : {}), probes, summary };
  },
};
