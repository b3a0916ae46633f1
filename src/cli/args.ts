/**
 * @module cli/args
 * az-style argument parsing: `--flag value`, `--flag=value`, short aliases (-g, -n, -o),
 * boolean switches, positionals; the error texts follow argparse's, as az prints them.
 */
import { UsageError, type ArgSpec, type ParsedArgs } from './command.js';

export const GLOBAL_ARGS: Record<string, ArgSpec> = {
  output: { flags: ['--output', '-o'], help: 'Output format: json, jsonc, table, tsv, yaml, yamlc, none.' },
  query: { flags: ['--query'], help: 'JMESPath query string (https://jmespath.org/).' },
  lab: { flags: ['--lab'], help: 'Name of the running lab to talk to (default: the only one running).' },
  help: { flags: ['--help', '-h'], help: 'Show this help message and exit.', boolean: true },
  debug: { flags: ['--debug'], help: 'Increase logging verbosity to show all debug logs.', boolean: true },
  verbose: { flags: ['--verbose'], help: 'Increase logging verbosity.', boolean: true },
  onlyShowErrors: { flags: ['--only-show-errors'], help: 'Only show errors, suppressing warnings.', boolean: true },
  subscription: { flags: ['--subscription'], help: 'Accepted for compatibility with az; a lab has one subscription.' },
};

export function parseArgs(tokens: readonly string[], specs: Readonly<Record<string, ArgSpec>>): ParsedArgs {
  const all: Record<string, ArgSpec> = { ...GLOBAL_ARGS, ...specs };
  const byFlag = new Map<string, string>();
  for (const [name, s] of Object.entries(all)) for (const f of s.flags) byFlag.set(f, name);
  const out: ParsedArgs = { _: [] };
  const unknown: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '--') {
      out._.push(...tokens.slice(i + 1));
      break;
    }
    if (!t.startsWith('-') || t === '-' || /^-\d/.test(t)) {
      out._.push(t);
      continue;
    }
    const eq = t.indexOf('=');
    const flag = t.startsWith('--') && eq > 0 ? t.slice(0, eq) : t;
    const name = byFlag.get(flag);
    if (!name) {
      unknown.push(t);
      continue;
    }
    const spec = all[name]!;
    if (spec.boolean) {
      // az's three-state flags: `--flag`, `--flag true|false`, `--flag=false`.
      const explicit =
        t.startsWith('--') && eq > 0
          ? t.slice(eq + 1)
          : /^(true|false)$/i.test(tokens[i + 1] ?? '')
            ? tokens[++i]
            : undefined;
      if (explicit !== undefined && !/^(true|false)$/i.test(explicit))
        throw new UsageError(`argument ${spec.flags.join('/')}: expected true or false, got '${explicit}'`);
      out[name] = explicit === undefined ? true : explicit.toLowerCase() === 'true';
      continue;
    }
    let value: string | undefined;
    if (t.startsWith('--') && eq > 0) value = t.slice(eq + 1);
    else {
      value = tokens[i + 1];
      if (value === undefined) throw new UsageError(`argument ${spec.flags.join('/')}: expected one argument`);
      i++;
    }
    if (spec.multiple) out[name] = [...((out[name] as string[] | undefined) ?? []), value];
    else out[name] = value;
  }
  if (unknown.length) throw new UsageError(`unrecognized arguments: ${unknown.join(' ')}`);
  return out;
}

export function checkRequired(args: ParsedArgs, specs: Readonly<Record<string, ArgSpec>>): void {
  if (args['help']) return;
  const missing = Object.entries(specs)
    .filter(([name, s]) => s.required && args[name] === undefined)
    .map(([, s]) => s.flags.join('/'));
  if (missing.length) throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
}

/**
 * "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic" →
 * {rg, name}; a child resource's id (".../virtualHubs/rs/bgpConnections/p") gives `name` the
 * top resource's name and `names` every name in order (["rs", "p"]).
 */
export function parseResourceId(id: string): {
  subscription: string;
  resourceGroup: string;
  name: string;
  names: string[];
} {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+((?:\/[^/]+\/[^/]+)+)\/?$/i.exec(
    id.trim(),
  );
  if (!m) throw new UsageError(`argument --ids: invalid resource ID '${id}'`);
  const parts = m[3]!.split('/').slice(1);
  const names = parts.filter((_, i) => i % 2 === 1).map((x) => decodeURIComponent(x));
  return { subscription: m[1]!, resourceGroup: m[2]!, name: names[0]!, names };
}

/** The arguments a command names its parent resource by (the resource a child lives in). */
const PARENT_ARGS = ['routeserver', 'vnetName', 'routeTableName', 'circuitName', 'gatewayName'];

/**
 * az's `--ids` on every command that takes a resource by `--name` and `--resource-group`:
 * one parser for ARM ids in the CLI. Fills `resourceGroup`, the parent's name (where the
 * command has a parent argument) and `name` from the id; a child segment the command names
 * otherwise (an ExpressRoute peering) goes to its one other name argument. Mixing `--ids`
 * with those arguments is refused, as az does.
 */
export function idsSpec(specs: Readonly<Record<string, ArgSpec>>): Readonly<Record<string, ArgSpec>> {
  if (specs['ids'] || !specs['resourceGroup'] || !specs['name']) return specs;
  return {
    ...specs,
    ids: {
      flags: ['--ids'],
      help: "One resource ID (az's --ids): instead of --name and --resource-group (and the parent's name).",
    },
  };
}

export function applyIds(args: ParsedArgs, specs: Readonly<Record<string, ArgSpec>>): void {
  const id = args['ids'];
  if (typeof id !== 'string' || !specs['resourceGroup'] || !specs['name']) return;
  const parent = PARENT_ARGS.find((a) => specs[a]);
  const given = ['resourceGroup', 'name', ...(parent ? [parent] : [])].filter((a) => args[a] !== undefined);
  if (given.length)
    throw new UsageError(
      `usage error: --ids cannot be combined with ${given.map((a) => specs[a]!.flags[0]).join(', ')}`,
    );
  const r = parseResourceId(id);
  args['resourceGroup'] = r.resourceGroup;
  if (parent) {
    if (r.names.length < 2)
      throw new UsageError(`argument --ids: '${id}' names no ${specs['name'].help.replace(/\.$/, '').toLowerCase()}`);
    args[parent] = r.names[0]!;
    args['name'] = r.names[1]!;
  } else {
    args['name'] = r.names[0]!;
    const child = specs['peeringName'] ? 'peeringName' : undefined;
    if (child && r.names[1] !== undefined && args[child] === undefined) args[child] = r.names[1];
  }
}

export function str(args: ParsedArgs, name: string): string {
  const v = args[name];
  if (typeof v !== 'string') throw new UsageError(`argument ${name}: expected a value`);
  return v;
}

/** A multi-valued flag's values (az's nargs +: repeated, or space-separated in one value). */
export function listArg(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/) : [];
}
