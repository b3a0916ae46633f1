// az-compatible output formatting: `--query` then `-o json|jsonc|table|tsv|yaml|yamlc|none`.
//
// Mirrors the flow of knack/cli.py `CLI.invoke` + knack/invocation.py + knack/query.py +
// knack/output.py `OutputProducer` as azure-cli uses them:
// 1. the query (if any) is compiled (a syntax error is an argument error) and applied to
//    the result with OrderedDict multiselect hashes (query.ts);
// 2. a None result (no result, or a query that yields null) prints nothing at all, in
//    every format (`if cmd_result and cmd_result.result is not None`);
// 3. the formatter for the format runs; jsonc/yamlc fall back to json/yaml when colour is
//    off (az: stdout not a tty, or core.no_color);
// 4. table: a table transformer runs only when no query is active, and keys are sorted
//    only when neither a query nor a transformer is given; any failure becomes
//    'Table output unavailable. Use the --query option to specify an appropriate query.
//    Use --debug for more info.' (knack `format_table`).
// Error texts and their sources:
// - table: knack/output.py format_table -> CLIError; azure-cli util.handle_exception turns
//   it into UnclassifiedUserFault: stderr 'ERROR: <message>', exit code 1;
// - query syntax: knack/query.py `jmespath_type` raises ValueError inside argparse, which
//   formats "argument --query: invalid jmespath_type value: '<query>'" (%r of the
//   string); azure-cli parser.py `AzCliCommandParser.error` prints it as
//   InvalidArgumentValueError with recommendation QUERY_REFERENCE, exit code 2;
// - query runtime: azure-cli util.py `handle_exception`, JMESPathError branch:
//   "Invalid jmespath query supplied for `--query`: <str(ex)>" + QUERY_REFERENCE, exit 1;
// - QUERY_REFERENCE (azure-cli util.py): "To learn more about --query, please visit:
//   'https://learn.microsoft.com/cli/azure/query-azure-cli'".

import { formatJson } from './json.js';
import { formatJsonc } from './jsonc.js';
import { formatNone } from './none.js';
import { compileQuery, JmesPathRuntimeError, PythonRuntimeError, searchQuery } from './query.js';
import { pyStrRepr } from './python.js';
import { formatTable, TABLE_UNAVAILABLE_MESSAGE } from './table.js';
import { formatTsv } from './tsv.js';
import { formatYaml } from './yaml.js';
import { formatYamlc } from './yamlc.js';

export type OutputFormat = 'json' | 'jsonc' | 'table' | 'tsv' | 'yaml' | 'yamlc' | 'none';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none'];

export type TableTransformer = ((result: unknown) => unknown) | string;

export interface FormatOptions {
  output: OutputFormat;
  /** The --query JMESPath expression; undefined when the option is not given. */
  query?: string;
  /** The command's table transformer: a function, or a JMESPath string (applied with OrderedDict). */
  tableTransformer?: TableTransformer;
  /** Colour for jsonc/yamlc (az: stdout is a tty and core.no_color is off). Default false. */
  color?: boolean;
}

export const QUERY_REFERENCE =
  "To learn more about --query, please visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'";

export type OutputErrorKind = 'table-unavailable' | 'query-syntax' | 'query-runtime' | 'unexpected';

/** A formatting/query failure, with az's message. `stderr` is what az prints. */
export class OutputError extends Error {
  override name = 'OutputError';
  readonly kind: OutputErrorKind;
  /** Line az prints after the error (QUERY_REFERENCE for query errors). */
  readonly recommendation: string | undefined;
  /** az's exit code for this error. */
  readonly exitCode: number;

  constructor(
    kind: OutputErrorKind,
    message: string,
    options: { recommendation?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.recommendation = options.recommendation;
    this.exitCode = options.exitCode ?? 1;
  }

  /** The text az writes to stderr (without colour): 'ERROR: <message>\n' + recommendation. */
  get stderr(): string {
    return `ERROR: ${this.message}\n` + (this.recommendation ? `${this.recommendation}\n` : '');
  }
}

/**
 * Applies a --query expression to a result, as knack does. Throws OutputError('query-syntax')
 * for an expression that does not parse and OutputError('query-runtime') for a JMESPath
 * error while searching (e.g. a function argument of the wrong type).
 */
export function applyQuery(result: unknown, query: string): unknown {
  let ast;
  try {
    ast = compileQuery(query);
  } catch (err) {
    throw new OutputError('query-syntax', `argument --query: invalid jmespath_type value: ${pyStrRepr(query)}`, {
      recommendation: QUERY_REFERENCE,
      exitCode: 2,
      cause: err,
    });
  }
  return runQuery(ast, result);
}

function runQuery(ast: ReturnType<typeof compileQuery>, data: unknown): unknown {
  try {
    return searchQuery(ast, data);
  } catch (err) {
    if (err instanceof JmesPathRuntimeError) {
      throw new OutputError('query-runtime', `Invalid jmespath query supplied for \`--query\`: ${err.message}`, {
        recommendation: QUERY_REFERENCE,
        cause: err,
      });
    }
    if (err instanceof PythonRuntimeError) {
      throw new OutputError(
        'unexpected',
        `The command failed with an unexpected error. Here is the traceback:\n${err.message}`,
        {
          recommendation: 'To check existing issues, please visit: https://github.com/Azure/azure-cli/issues',
          cause: err,
        },
      );
    }
    throw err;
  }
}

function table(result: unknown, queryActive: boolean, transformer: TableTransformer | undefined): string {
  try {
    let value = result;
    if (transformer && !queryActive) {
      value = typeof transformer === 'string' ? searchQuery(compileQuery(transformer), value) : transformer(value);
    }
    return formatTable(value, { sortKeys: !queryActive && !transformer });
  } catch (err) {
    throw new OutputError('table-unavailable', TABLE_UNAVAILABLE_MESSAGE, { cause: err });
  }
}

/**
 * The exact text az prints on stdout for `result` with these options ('' when az prints
 * nothing). Throws OutputError for the failures az reports on stderr.
 */
export function formatResult(result: unknown, options: FormatOptions): string {
  const queryActive = options.query !== undefined;
  const value = queryActive ? applyQuery(result, options.query as string) : result;
  if (value === null || value === undefined) return '';
  const color = options.color ?? false;
  switch (options.output) {
    case 'json':
      return formatJson(value);
    case 'jsonc':
      return color ? formatJsonc(value) : formatJson(value);
    case 'yaml':
      return formatYaml(value);
    case 'yamlc':
      return color ? formatYamlc(value) : formatYaml(value);
    case 'table':
      return table(value, queryActive, options.tableTransformer);
    case 'tsv':
      return formatTsv(value);
    case 'none':
      return formatNone(value);
    default:
      throw new TypeError(`unknown output format: ${String(options.output)}`);
  }
}

export { formatJson } from './json.js';
export { formatJsonc } from './jsonc.js';
export { formatTable } from './table.js';
export { formatTsv } from './tsv.js';
export { formatYaml } from './yaml.js';
export { formatYamlc } from './yamlc.js';
export { formatNone } from './none.js';
export { markOrdered, isOrdered } from './ordered.js';
