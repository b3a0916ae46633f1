/**
 * @module cli/genericUpdate
 * az's generic update argument `--set KEY=VALUE` (azure-cli's generic_update: a property
 * path of the resource as the SDK shows it, `properties` flattened, then a JSON or plain
 * value), as far as ARSLab's update verbs need it: each verb names the properties it lets
 * `--set` change, and anything else is a usage error naming them.
 */
import { UsageError, type ParsedArgs } from './command.js';

/** The `--set` assignments of `args`, as {property: value} for the allowed properties (matched without case). */
export function setAssignments(args: ParsedArgs, allowed: readonly string[]): Record<string, unknown> {
  const raw = args['set'];
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`argument --set: expected KEY=VALUE, got '${item}'`);
    // az accepts the SDK's flattened path; `properties.` in front (the REST shape) is tolerated.
    const key = item.slice(0, eq).replace(/^properties\./i, '');
    const name = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
    if (!name)
      throw new UsageError(`argument --set: ARSLab can set ${allowed.join(', ')} here; '${key}' is not one of them`);
    const text = item.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text.toLowerCase() === 'true' || text.toLowerCase() === 'false' ? text.toLowerCase() : text);
    } catch {
      // A plain string, as az takes it.
    }
    out[name] = value;
  }
  return out;
}

export const SET_ARG = {
  flags: ['--set'],
  help: 'Update an object by specifying a property path and value to set, e.g. --set allowGatewayTransit=true.',
  multiple: true,
} as const;
