/**
 * `arslab ARGV…` run in the test's own process against a lab's API: the command's own
 * argument parsing and run, the API over HTTP (ApiClient), az's output formatting. Returns
 * what the command would print on stdout. For in-process labs (test/lab/*), where spawning
 * the CLI would not reach the Lab object the test holds.
 */
import assert from 'node:assert/strict';
import { checkRequired, parseArgs } from '../../src/cli/args.js';
import type { ApiClient } from '../../src/cli/client.js';
import { formatResult, type OutputFormat } from '../../src/cli/output/index.js';
import { findCommand } from '../../src/cli/registry.js';

export async function runCli(client: ApiClient, argv: readonly string[]): Promise<string> {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  const found = findCommand(words);
  assert.ok(found, `no command ${words.join(' ')}`);
  const args = parseArgs(argv.slice(found.command.path.length), found.command.args);
  checkRequired(args, found.command.args);
  let out = '';
  const result = await found.command.run(
    { client: async () => client, stdout: (t) => (out += t), stderr: () => {} },
    args,
  );
  if (result !== undefined) {
    const query = args['query'] as string | undefined;
    out += formatResult(result, {
      output: ((args['output'] as string | undefined) ?? 'json') as OutputFormat,
      ...(query !== undefined ? { query } : {}),
      ...(found.command.tableTransformer ? { tableTransformer: found.command.tableTransformer } : {}),
    });
  }
  return out;
}
