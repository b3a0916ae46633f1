/**
 * What the `network vnet-gateway` verbs share: arguments, the ARM path, the ARSLab
 * `--instance` flag, and az's SDK view of the REST rows (every model attribute present,
 * null when the REST answer leaves it out) with azure-cli's table transformers
 * (network/_format.py transform_vnet_gateway_routes_table, transform_vnet_gateway_bgp_peer_table).
 */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import { UsageError, type ArgSpec, type ParsedArgs } from '../../../command.js';
import type { ApiClient } from '../../../client.js';
import { flattenArm } from '../../../flatten.js';

/**
 * az prints SDK models: `properties` flattened at every level, and a resourceGroup beside
 * every id (azure-cli's todict + _add_resource_group).
 */
export function flattenDeep(obj: unknown): unknown {
  if (Array.isArray(obj)) return obj.map(flattenDeep);
  if (typeof obj !== 'object' || obj === null) return obj;
  const o = obj as Record<string, unknown>;
  const flat = 'properties' in o || typeof o['id'] === 'string' ? flattenArm(o) : o;
  return Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, flattenDeep(v)]));
}

export const GATEWAY_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  name: { flags: ['--name', '-n'], help: 'Name of the VNet gateway.', required: true },
  instance: {
    flags: ['--instance'],
    help: 'ARSLab: the gateway instance that answers, 0 or 1 (default 0). Azure answers from one instance the caller does not choose.',
  },
};

/** The gateway's long-running listings, by operation name. */
const GATEWAY_OPS = {
  getLearnedRoutes: ArmPaths.gatewayLearnedRoutes,
  getAdvertisedRoutes: ArmPaths.gatewayAdvertisedRoutes,
  getBgpPeerStatus: ArmPaths.gatewayBgpPeerStatus,
} as const;

/** POST …/virtualNetworkGateways/{name}/{op}[?peer=…&instance=…] (long-running, followed by the client). */
export async function gatewayOperation(
  client: ApiClient,
  args: ParsedArgs,
  op: keyof typeof GATEWAY_OPS,
  peer?: string,
): Promise<unknown> {
  const q = new URLSearchParams();
  if (peer !== undefined) q.set('peer', peer);
  const inst = args['instance'];
  if (inst !== undefined) {
    if (typeof inst !== 'string' || !/^[01]$/.test(inst))
      throw new UsageError(`argument --instance: invalid choice: '${String(inst)}' (choose from '0', '1')`);
    q.set('instance', inst);
  }
  const path = client.arm(
    GATEWAY_OPS[op],
    { resourceGroupName: str(args, 'resourceGroup'), virtualNetworkGatewayName: str(args, 'name') },
    Object.fromEntries(q),
  );
  return client.call('POST', path);
}

/** The SDK model's attributes in declaration order, absent ones as null (what az prints). */
export function sdkRows(result: unknown, keys: readonly string[]): { value: Record<string, unknown>[] } {
  const value = ((result as { value?: Record<string, unknown>[] } | undefined)?.value ?? []).map((row) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = row[k] ?? null;
    return out;
  });
  return { value };
}

export const GATEWAY_ROUTE_KEYS = [
  'localAddress',
  'network',
  'nextHop',
  'sourcePeer',
  'origin',
  'asPath',
  'weight',
] as const;
export const BGP_PEER_STATUS_KEYS = [
  'localAddress',
  'neighbor',
  'asn',
  'state',
  'connectedDuration',
  'routesReceived',
  'messagesSent',
  'messagesReceived',
] as const;

/** Python's dict.get(key, default): a key present with None gives None (knack then drops the cell). */
function get(item: Record<string, unknown>, key: string): unknown {
  return key in item ? item[key] : '';
}

/** transform_vnet_gateway_routes_table (learned and advertised routes). */
export function transformGatewayRoutes(result: unknown): unknown {
  return ((result as { value?: Record<string, unknown>[] }).value ?? []).map((item) => ({
    Network: get(item, 'network'),
    NextHop: get(item, 'nextHop'),
    Origin: get(item, 'origin'),
    SourcePeer: get(item, 'sourcePeer'),
    AsPath: get(item, 'asPath'),
    Weight: get(item, 'weight'),
  }));
}

/** transform_vnet_gateway_bgp_peer_table. */
export function transformBgpPeerStatus(result: unknown): unknown {
  return ((result as { value?: Record<string, unknown>[] }).value ?? []).map((item) => ({
    Neighbor: get(item, 'neighbor'),
    ASN: get(item, 'asn'),
    State: get(item, 'state'),
    ConnectedDuration: get(item, 'connectedDuration'),
    RoutesReceived: get(item, 'routesReceived'),
    MessagesSent: get(item, 'messagesSent'),
    MessagesReceived: get(item, 'messagesReceived'),
  }));
}
