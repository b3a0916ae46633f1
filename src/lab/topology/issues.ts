/**
 * @module lab/topology/issues
 * What is particular to the lab file in reporting schema issues (the rest is src/config):
 * the words for a node's `kind`, and which part of the file a schema error makes unusable,
 * so the later checks can still run on the rest (see `unusableEntry`).
 */
import { closest, describeValue, type DescribeOptions, type Path } from '../../config/index.js';
import { NODE_KINDS } from './schema.js';

/** A node's `kind` missing or unknown: the kinds there are, and the likely one. */
export const LAB_ISSUE_WORDS: DescribeOptions = {
  discriminators: {
    kind: (found) => {
      const kinds = NODE_KINDS.join(', ');
      if (found === undefined) return `missing required key 'kind': one of ${kinds}`;
      const hint = typeof found === 'string' ? closest(found, NODE_KINDS) : undefined;
      return `unknown node kind ${describeValue(found)}${hint ? ` (did you mean '${hint}'?)` : ''}; known kinds: ${kinds}`;
    },
  },
};

// ---------------------------------------------------------------------------
// Error recovery: which entry of the file a schema issue makes unusable.

const RESOURCE_COLLECTIONS = new Set([
  'virtualNetworks',
  'routeTables',
  'networkSecurityGroups',
  'routeServers',
  'virtualMachines',
  'virtualNetworkGateways',
  'localNetworkGateways',
  'connections',
  'expressRouteCircuits',
]);
const CHILD_COLLECTIONS: Readonly<Record<string, readonly string[]>> = {
  virtualNetworks: ['subnets', 'virtualNetworkPeerings'],
  routeTables: ['routes'],
  routeServers: ['peerings'],
  expressRouteCircuits: ['globalReachConnections'],
};

/** Top-level keys a schema error can be recovered from by falling back to a default. */
const REPLACEABLE_TOP_LEVEL = new Set([
  'name',
  'subscriptionId',
  'location',
  'systemRouteProfile',
  'settings',
  'nodes',
  'routers',
]);

/**
 * The smallest named entry that contains an issue's path: a child resource (a subnet, a
 * route, a peering), a resource, a resource group, a node or router, or one of the replaceable
 * top-level keys. Dropping that entry leaves a file the schema accepts, on which the
 * cross-resource checks can still run, so one typo does not hide every other error.
 * Undefined when the issue is in the file's skeleton (the root, `resourceGroups` itself):
 * nothing can be trusted past it.
 */
export function unusableEntry(path: Path): Path | undefined {
  const [top, group, collection, name, child, childName] = path;
  if (top === 'resourceGroups') {
    if (group === undefined) return undefined;
    if (typeof collection === 'string' && RESOURCE_COLLECTIONS.has(collection) && name !== undefined) {
      if (typeof child === 'string' && CHILD_COLLECTIONS[collection]?.includes(child) && childName !== undefined)
        return path.slice(0, 6);
      return path.slice(0, 4);
    }
    return path.slice(0, 2);
  }
  if ((top === 'nodes' || top === 'routers') && group !== undefined) return path.slice(0, 2);
  if (typeof top === 'string' && REPLACEABLE_TOP_LEVEL.has(top)) return [top];
  return undefined;
}
