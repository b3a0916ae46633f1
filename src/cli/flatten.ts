/**
 * @module cli/flatten
 * az prints ARM resources with `properties` flattened into the top level and the
 * resource group added (azure-cli's aaz output and `todict`). The API keeps ARM's shape;
 * the CLI flattens, as az does on its side of the wire.
 */
import { resourceGroupOf } from '../azure/ids.js';

export function flattenArm(obj: unknown, drop: readonly string[] = []): Record<string, unknown> {
  const o = obj as Record<string, unknown> & { properties?: Record<string, unknown>; id?: string };
  const { properties, ...rest } = o;
  const out: Record<string, unknown> = { ...rest, ...(properties ?? {}) };
  if (typeof o.id === 'string') {
    const rg = resourceGroupOf(o.id);
    if (rg) out['resourceGroup'] = rg;
  }
  for (const k of drop) delete out[k];
  return out;
}
