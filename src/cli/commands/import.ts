/**
 * arslab import FILE… [--file OUT] — an ARM template as Azure exports it (`az group export`,
 * the portal's "Export template") and/or the JSON of `az network … show|list`, as a lab file
 * (src/lab/topology/import.ts). What could not be mapped is listed on stderr, one line per
 * resource or value with its type, name and why; the exit code is 1 when the written lab
 * does not validate (its errors listed too), else 0.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { importLab, type ImportInput } from '../../lab/topology/import.js';
import { UsageError, type Command } from '../command.js';

export const command: Command = {
  path: ['import'],
  summary:
    'Turn an exported ARM template or az network show/list JSON into a lab file, listing what could not be mapped.',
  args: {
    file: { flags: ['--file', '-f'], help: 'Write the lab file here instead of stdout.' },
    name: { flags: ['--name', '-n'], help: "The lab's name (default 'imported')." },
    resourceGroup: {
      flags: ['--resource-group', '-g'],
      help: "The resource group a template's resources go in (default 'imported-rg'); az JSON names its own.",
    },
    location: {
      flags: ['--location', '-l'],
      help: "Region where the input has none (default: the input's most common).",
    },
    parameters: {
      flags: ['--parameters', '-p'],
      help: 'A template parameter as NAME=VALUE (repeatable), over its defaultValue.',
      multiple: true,
    },
  },
  positionals: [{ name: 'files', required: true, rest: true }],
  defaultOutput: 'text',
  examples: [
    'az group export -g rs-rg > rs-rg.json && arslab import rs-rg.json -g rs-rg -n my-lab -f lab.yml',
    'arslab import vnet.json routeserver.json peerings.json -n from-az',
  ],
  async run(ctx, args) {
    const inputs: ImportInput[] = [];
    for (const file of args._) {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
      }
      inputs.push({ source: file, json });
    }
    const parameters: Record<string, string> = {};
    for (const p of (args['parameters'] as string[] | undefined) ?? []) {
      const at = p.indexOf('=');
      if (at <= 0) throw new UsageError(`--parameters ${p}: write NAME=VALUE`);
      parameters[p.slice(0, at)] = p.slice(at + 1);
    }
    const str = (k: string) => args[k] as string | undefined;
    const result = importLab(inputs, {
      ...(str('name') !== undefined ? { name: str('name')! } : {}),
      ...(str('resourceGroup') !== undefined ? { resourceGroup: str('resourceGroup')! } : {}),
      ...(str('location') !== undefined ? { location: str('location')! } : {}),
      parameters,
    });
    const out = str('file');
    if (out !== undefined) await writeFile(out, result.text);
    else ctx.stdout(result.text);
    for (const u of result.unmapped) ctx.stderr(`not mapped: ${u.type} '${u.name}': ${u.why}\n`);
    if (result.errors.length > 0) {
      for (const e of result.errors) ctx.stderr(`${out ?? 'lab'}:${e}\n`);
      throw new Error(
        `the imported lab does not validate: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'} (above)`,
      );
    }
    return undefined;
  },
};
