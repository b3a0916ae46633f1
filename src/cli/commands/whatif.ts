/**
 * arslab whatif FILE --fault 'AT WHAT' … — a fault timeline run on the virtual clock against
 * a fresh instance of a lab of built-in speakers (ADR 0019, src/lab/whatif.ts): the event
 * timeline and every NIC's gateway-route changes at their Azure times, in milliseconds of
 * computation. Labs with real daemons run in real time: refused with that said.
 */
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { formatLabFileError, loadLabFile } from '../../lab/topology/index.js';
import {
  parseDuration,
  parseFault,
  runWhatIf,
  WhatIfRefused,
  WhatIfSyntax,
  type WhatIfReport,
} from '../../lab/whatif.js';
import { ValidationFailed } from './validate.js';

/** "190.000s" from lab milliseconds. */
const secs = (ms: number): string => `${(ms / 1000).toFixed(3)}s`;

export function formatWhatIf(r: WhatIfReport): string {
  const lines: string[] = [
    `what-if: lab '${r.lab}', timing ${r.timing.profile}${r.timing.profile === 'ideal' ? '' : ` (seed ${r.timing.seed})`}: ${secs(r.untilMs)} of virtual time computed in ${r.computeMs.toFixed(0)} ms`,
    '',
    'Timeline (virtual time from the converged lab):',
  ];
  for (const e of r.events) lines.push(`  ${secs(e.atMs).padStart(10)}  ${e.type.padEnd(8)} ${e.source}: ${e.message}`);
  lines.push('', 'NIC route changes (VirtualNetworkGateway rows, at their Azure time):');
  if (r.nicChanges.length === 0) lines.push('  none');
  for (const c of r.nicChanges)
    lines.push(
      `  ${secs(c.atMs).padStart(10)}  ${c.nic}  ${c.prefix}: ${c.before.length ? c.before.join(', ') : '(none)'} -> ${c.after.length ? c.after.join(', ') : '(none)'}`,
    );
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  path: ['whatif'],
  summary:
    'Run a fault timeline on the virtual clock against a lab of built-in speakers: the event timeline and every NIC change at its Azure time, in milliseconds.',
  args: {
    fault: {
      flags: ['--fault', '-f'],
      help: "A fault: 'AT link down SESSION [graceful]' | 'AT link up SESSION' | 'AT link down|up circuit CIRCUIT primary|secondary' | 'AT maintenance INSTANCE [for DURATION] [graceful]' | 'AT maintenance end INSTANCE' | 'AT router stop|kill|pause|start|resume ROUTER'. AT: 90s, 3m, 1500ms. Repeat for a timeline.",
      multiple: true,
      required: true,
    },
    until: {
      flags: ['--until'],
      help: 'Virtual time to stop at (from the converged lab). Default: once nothing has happened for 200 s after the last fault.',
    },
    timing: {
      flags: ['--timing'],
      help: "Programming timing: ideal or azure (ADR 0018). Default: the lab file's settings.timing.",
    },
    seed: { flags: ['--seed'], help: "Seed of the azure profile's delays. Default: the lab file's." },
  },
  positionals: [{ name: 'file', required: true }],
  defaultOutput: 'text',
  examples: [
    "arslab whatif scenarios/next-hop-failover/lab.speaker.yml --fault '10s link down next-hop-ip-routeserver/IN_0<->watcher' --fault '10s link down next-hop-ip-routeserver/IN_1<->watcher'",
    "arslab whatif lab.yml --fault '1m maintenance hubrs/IN_0 for 5m' --timing azure -o json",
    "arslab whatif lab.yml --fault '30s link down circuit c1 primary' --until 2m",
  ],
  async run(ctx, args) {
    const file = args._[0]!;
    const loaded = await loadLabFile(file);
    if (!loaded.ok) {
      for (const e of loaded.errors) ctx.stderr(`${formatLabFileError(e)}\n`);
      throw new ValidationFailed(`${file}: ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}`);
    }
    const spec = loaded.spec;
    const texts = ([] as string[]).concat((args['fault'] as string[] | string | undefined) ?? []);
    let untilMs: number | undefined;
    if (typeof args['until'] === 'string') {
      untilMs = parseDuration(args['until']);
      if (untilMs === undefined) throw new UsageError(`--until: '${args['until']}' is not a duration (90s, 3m)`);
    }
    const base = spec.settings.timing ?? { profile: 'ideal' as const, seed: 1 };
    const t = args['timing'];
    if (t !== undefined && t !== 'ideal' && t !== 'azure') throw new UsageError(`--timing: ideal or azure, not '${t}'`);
    const seed = args['seed'] === undefined ? base.seed : Number(args['seed']);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: a whole number ≥ 0, not '${args['seed']}'`);
    const timing = { profile: (t as 'ideal' | 'azure' | undefined) ?? base.profile, seed };
    let report: WhatIfReport;
    try {
      const faults = texts.map(parseFault);
      report = await runWhatIf(spec, faults, { timing, ...(untilMs !== undefined ? { untilMs } : {}) });
    } catch (e) {
      if (e instanceof WhatIfRefused || e instanceof WhatIfSyntax) throw new UsageError(e.message);
      throw e;
    }
    if (args['output'] === undefined) {
      ctx.stdout(formatWhatIf(report));
      return undefined;
    }
    return report;
  },
};
