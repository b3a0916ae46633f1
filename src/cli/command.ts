/**
 * @module cli/command
 * What every command file exports (az's one-file-per-verb layout): its words, its
 * arguments, examples, and `run`, which returns the result to print (formatted by
 * src/cli/output exactly as az does) or undefined when it prints by itself.
 */
import type { TableTransformer } from './output/index.js';
import type { ApiClient } from './client.js';

export interface ArgSpec {
  /** Flags, long first: ['--resource-group', '-g']. */
  readonly flags: readonly string[];
  readonly help: string;
  readonly required?: boolean;
  /** Takes no value. */
  readonly boolean?: boolean;
  /** May repeat (values collected in order). */
  readonly multiple?: boolean;
}

export type ParsedArgs = Record<string, string | boolean | string[] | undefined> & { _: string[] };

export interface CommandContext {
  /** The API client of the lab the command talks to (connects lazily). */
  readonly client: () => Promise<ApiClient>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Global --lab, when given. */
  readonly labName?: string;
  /** The exit status when the command returns normally (default 0): `probe` with every probe lost says 1. */
  readonly setExitCode?: (code: number) => void;
}

export interface Command {
  /** The words after `arslab`, e.g. ['network', 'routeserver', 'peering', 'list-learned-routes']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly args: Readonly<Record<string, ArgSpec>>;
  /** Positional arguments, by name, in order. */
  readonly positionals?: readonly { readonly name: string; readonly required: boolean; readonly rest?: boolean }[];
  readonly examples: readonly string[];
  /** Default -o for this command (az's default is json; lab verbs print text). */
  readonly defaultOutput?: 'json' | 'text';
  readonly tableTransformer?: TableTransformer;
  run(ctx: CommandContext, args: ParsedArgs): Promise<unknown>;
}

/** Raised for wrong usage: printed as az prints argparse errors, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
