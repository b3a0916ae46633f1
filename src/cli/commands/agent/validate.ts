/** arslab agent validate --config FILE — check an agent config: errors with file:line:col and the field, MED warnings. */
import { formatConfigError, loadAgentConfig, type AgentConfig } from '../../../agent/config.js';
import type { Command, CommandContext } from '../../command.js';
import { ValidationFailed } from '../validate.js';

/** Loads the config; prints warnings; on errors prints them and throws (exit 1). */
export function loadAndReport(ctx: CommandContext, file: string): AgentConfig {
  const r = loadAgentConfig(file);
  for (const e of r.ok ? [] : r.errors) ctx.stderr(`${formatConfigError(e)}\n`);
  for (const w of r.warnings) ctx.stderr(`warning: ${formatConfigError(w)}\n`);
  if (!r.ok) throw new ValidationFailed(`${file}: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}`);
  return r.config;
}

export const command: Command = {
  path: ['agent', 'validate'],
  summary: 'Check an agent config file without starting anything.',
  args: { config: { flags: ['--config', '-c'], help: 'The agent config file (YAML, docs/agent.md).', required: true } },
  defaultOutput: 'text',
  examples: ['arslab agent validate --config examples/agent/watcher.yaml'],
  async run(ctx, args) {
    const file = args['config'] as string;
    const c = loadAndReport(ctx, file);
    const backends = new Set(c.vips.flatMap((v) => v.backends.map((b) => b.name)));
    ctx.stdout(
      `${file}: valid — AS ${c.asn}, ${c.neighbors.length} neighbor(s), ${c.vips.length} VIP(s) (${c.vips.map((v) => `${v.prefixText} ${v.pattern}`).join(', ')}), ${backends.size} backend(s)\n`,
    );
    return undefined;
  },
};
