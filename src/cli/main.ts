#!/usr/bin/env node
/**
 * @module cli/main
 * `arslab …`: the command line. Lab verbs (validate, up, down, status, events, node) and
 * the az verbs ARSLab mirrors (network routeserver …, network nic …, network watcher …),
 * with az's -o/--query output. The CLI talks to a running lab only through its API.
 */
import { AzureError } from '../azure/errors.js';
import { applyIds, checkRequired, GLOBAL_ARGS, idsSpec, parseArgs } from './args.js';
import { ApiClient, findLab, NoLabError } from './client.js';
import { UsageError, type Command } from './command.js';
import { ValidationFailed } from './commands/validate.js';
import { formatResult, OUTPUT_FORMATS, OutputError, type OutputFormat } from './output/index.js';
import { commandsUnder, COMMANDS, findCommand } from './registry.js';
import { LabFileInvalid } from './runLab.js';

const out = (t: string) => void process.stdout.write(t);
const err = (t: string) => void process.stderr.write(t);

function helpFor(c: Command): string {
  const lines = [
    `Command`,
    `    arslab ${c.path.join(' ')}${(c.positionals ?? []).map((p) => ` ${p.name.toUpperCase()}${p.rest ? '…' : ''}`).join('')} : ${c.summary}`,
    '',
  ];
  const args = Object.values(c.args);
  if (args.length) {
    lines.push('Arguments');
    for (const a of args) lines.push(`    ${a.flags.join(' ').padEnd(32)}${a.required ? '[Required] ' : ''}${a.help}`);
    lines.push('');
  }
  lines.push('Global Arguments');
  for (const a of Object.values(GLOBAL_ARGS)) lines.push(`    ${a.flags.join(' ').padEnd(32)}${a.help}`);
  lines.push('', 'Examples');
  for (const e of c.examples) lines.push(`    ${e}`);
  return lines.join('\n') + '\n';
}

function groupHelp(prefix: string[]): string {
  const cs = commandsUnder(prefix);
  const lines = [
    `arslab ${prefix.join(' ')}`.trim() + ': Azure Route Server lab — local, faithful, real BGP.',
    '',
    'Commands:',
  ];
  for (const c of cs) lines.push(`    ${c.path.join(' ').padEnd(48)}${c.summary}`);
  lines.push('', "Use 'arslab COMMAND --help' for a command's arguments and examples.");
  return lines.join('\n') + '\n';
}

export async function main(argv: readonly string[]): Promise<number> {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    out(groupHelp([]));
    return 0;
  }
  if (argv[0] === '--version') {
    out('arslab 0.1.0\n');
    return 0;
  }
  const found = findCommand(words);
  if (!found) {
    const group = commandsUnder(words);
    if (group.length) {
      out(groupHelp(words));
      return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
    }
    err(`ERROR: '${words.join(' ')}' is not an arslab command. See 'arslab --help'.\n`);
    return 2;
  }
  const { command } = found;
  try {
    const specs = idsSpec(command.args);
    const args = parseArgs(argv.slice(command.path.length), specs);
    if (args['help']) {
      out(helpFor({ ...command, args: specs }));
      return 0;
    }
    applyIds(args, specs);
    checkRequired(args, specs);
    const need = (command.positionals ?? []).filter((p) => p.required);
    if (args._.length < need.length)
      throw new UsageError(
        `the following arguments are required: ${need
          .slice(args._.length)
          .map((p) => p.name.toUpperCase())
          .join(', ')}`,
      );
    if (!command.positionals?.some((p) => p.rest) && args._.length > (command.positionals?.length ?? 0)) {
      throw new UsageError(`unrecognized arguments: ${args._.slice(command.positionals?.length ?? 0).join(' ')}`);
    }
    const output = (args['output'] as string | undefined) ?? 'json';
    if (!OUTPUT_FORMATS.includes(output as OutputFormat)) {
      throw new UsageError(
        `argument --output/-o: invalid choice: '${output}' (choose from ${OUTPUT_FORMATS.map((f) => `'${f}'`).join(', ')})`,
      );
    }
    const labName = args['lab'] as string | undefined;
    let client: ApiClient | undefined;
    let exitCode = 0;
    const result = await command.run(
      {
        client: async () => (client ??= ApiClient.forLab(findLab(labName))),
        stdout: out,
        stderr: err,
        setExitCode: (code) => {
          exitCode = code;
        },
        ...(labName ? { labName } : {}),
      },
      args,
    );
    if (result !== undefined) {
      const query = args['query'] as string | undefined;
      out(
        formatResult(result, {
          output: output as OutputFormat,
          ...(query !== undefined ? { query } : {}),
          ...(command.tableTransformer ? { tableTransformer: command.tableTransformer } : {}),
          color: output.endsWith('c') && process.stdout.isTTY === true,
        }),
      );
    }
    return exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`ERROR: ${e.message}\nTry 'arslab ${command.path.join(' ')} --help' for more information.\n`);
      return 2;
    }
    if (e instanceof AzureError) {
      err(`ERROR: (${e.code}) ${e.message}\nCode: ${e.code}\nMessage: ${e.message}\n`);
      return e.status === 404 ? 3 : 1;
    }
    if (e instanceof OutputError) {
      err(e.stderr);
      return e.exitCode;
    }
    if (e instanceof ValidationFailed) {
      err(`${e.message}\n`);
      return 1;
    }
    if (e instanceof NoLabError || e instanceof LabFileInvalid) {
      err(`ERROR: ${e.message}\n`);
      return 1;
    }
    const ex = e as Error;
    err(`ERROR: ${ex.message}\n`);
    if (process.env['ARSLAB_DEBUG']) err(`${ex.stack}\n`);
    return 1;
  }
}

// Run when executed (not when imported by tests).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      err(`ERROR: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}

export { COMMANDS };
