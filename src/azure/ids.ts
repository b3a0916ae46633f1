/**
 * @module azure/ids
 * ARM resource IDs: `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{type}/{name}[/{child}/{name}]`.
 * Azure compares names and IDs case-insensitively; we keep the case users wrote for
 * display and compare through `idKey`.
 */

export const DEFAULT_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

export type ResourceType =
  | 'virtualNetworks'
  | 'routeTables'
  | 'networkInterfaces'
  | 'virtualHubs'
  | 'publicIPAddresses'
  | 'networkSecurityGroups'
  | 'virtualNetworkGateways'
  | 'localNetworkGateways'
  | 'connections'
  | 'expressRouteCircuits';

export function resourceId(sub: string, rg: string, type: ResourceType, name: string, ...children: string[]): string {
  const provider = 'Microsoft.Network';
  let id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${provider}/${type}/${name}`;
  for (let i = 0; i + 1 < children.length; i += 2) id += `/${children[i]}/${children[i + 1]}`;
  return id;
}

export function vmId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

export function idKey(id: string): string {
  return id.toLowerCase();
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The resource group named in an ARM id, or undefined. */
export function resourceGroupOf(id: string): string | undefined {
  const m = /\/resourceGroups\/([^/]+)/i.exec(id);
  return m?.[1];
}

export function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}
