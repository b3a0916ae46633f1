/**
 * @module api/paths
 * The ARM paths ARSLab serves, written once: the API compiles each into its route (named
 * capture groups, api/router) and the CLI builds its requests from the same template
 * (`armPath`), so the two cannot drift apart.
 *
 * Every template is the path key of the operation in Azure's public REST specification
 * (azure-rest-api-specs, specification/network/resource-manager/Microsoft.Network/stable/
 * 2024-05-01, and Microsoft.Resources' subscriptions.json), parameter names included — the
 * spec is not uniform (`virtualHubs/{virtualHubName}/bgpConnections` but
 * `virtualHubs/{hubName}/bgpConnections/{connectionName}/learnedRoutes`), and the names
 * follow it. test/api/armSpec.test.ts checks each against the spec's paths.
 *
 * A resource family gets its list, item and action paths here; a run-time create/update/delete
 * (issue 13, items 2–3) is a new method on an existing item template, so it needs no new path.
 *
 * Pure: no I/O, no Node modules (the CLI imports it too).
 */

/** The stable network API version ARSLab follows (what it puts in the URLs it hands out). */
export const ARM_API_VERSION = '2024-05-01';

const SUB = '/subscriptions/{subscriptionId}';
const RG = `${SUB}/resourceGroups/{resourceGroupName}/providers`;
const NET = `${RG}/Microsoft.Network`;

/** ARM paths of the public REST specification that ARSLab serves, by what they address. */
export const ArmPaths = {
  // Microsoft.Resources (subscriptions.json): what az reads at `az login` and `az account`.
  subscriptions: '/subscriptions',
  subscription: SUB,
  tenants: '/tenants',
  // resources.json: the spec writes this one key in lower case (`resourcegroups`).
  resourceGroup: `${SUB}/resourcegroups/{resourceGroupName}`,

  // virtualWan.json: a route server is a virtual hub of kind RouteServer.
  virtualHubs: `${NET}/virtualHubs`,
  virtualHub: `${NET}/virtualHubs/{virtualHubName}`,
  virtualHubIpConfigurations: `${NET}/virtualHubs/{virtualHubName}/ipConfigurations`,
  virtualHubIpConfiguration: `${NET}/virtualHubs/{virtualHubName}/ipConfigurations/{ipConfigName}`,
  bgpConnections: `${NET}/virtualHubs/{virtualHubName}/bgpConnections`,
  bgpConnection: `${NET}/virtualHubs/{virtualHubName}/bgpConnections/{connectionName}`,
  bgpConnectionLearnedRoutes: `${NET}/virtualHubs/{hubName}/bgpConnections/{connectionName}/learnedRoutes`,
  bgpConnectionAdvertisedRoutes: `${NET}/virtualHubs/{hubName}/bgpConnections/{connectionName}/advertisedRoutes`,

  // networkInterface.json
  networkInterfaces: `${NET}/networkInterfaces`,
  networkInterface: `${NET}/networkInterfaces/{networkInterfaceName}`,
  effectiveRouteTable: `${NET}/networkInterfaces/{networkInterfaceName}/effectiveRouteTable`,

  // Microsoft.Compute (computeRP virtualMachine.json)
  virtualMachine: `${RG}/Microsoft.Compute/virtualMachines/{vmName}`,

  // virtualNetwork.json
  virtualNetworks: `${NET}/virtualNetworks`,
  virtualNetwork: `${NET}/virtualNetworks/{virtualNetworkName}`,
  subnets: `${NET}/virtualNetworks/{virtualNetworkName}/subnets`,
  subnet: `${NET}/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}`,
  virtualNetworkPeerings: `${NET}/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings`,
  virtualNetworkPeering: `${NET}/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}`,

  // routeTable.json
  routeTables: `${NET}/routeTables`,
  routeTable: `${NET}/routeTables/{routeTableName}`,
  routes: `${NET}/routeTables/{routeTableName}/routes`,
  route: `${NET}/routeTables/{routeTableName}/routes/{routeName}`,

  // publicIpAddress.json: accepted as placeholders (a route server's, a bastion's)
  publicIPAddress: `${NET}/publicIPAddresses/{publicIpAddressName}`,

  // networkWatcher.json
  nextHop: `${NET}/networkWatchers/{networkWatcherName}/nextHop`,

  // virtualNetworkGateway.json
  virtualNetworkGateways: `${NET}/virtualNetworkGateways`,
  virtualNetworkGateway: `${NET}/virtualNetworkGateways/{virtualNetworkGatewayName}`,
  gatewayLearnedRoutes: `${NET}/virtualNetworkGateways/{virtualNetworkGatewayName}/getLearnedRoutes`,
  gatewayAdvertisedRoutes: `${NET}/virtualNetworkGateways/{virtualNetworkGatewayName}/getAdvertisedRoutes`,
  gatewayBgpPeerStatus: `${NET}/virtualNetworkGateways/{virtualNetworkGatewayName}/getBgpPeerStatus`,
  localNetworkGateways: `${NET}/localNetworkGateways`,
  localNetworkGateway: `${NET}/localNetworkGateways/{localNetworkGatewayName}`,
  // virtualNetworkGateway.json: a gateway's connections (ExpressRoute, IPsec)
  connections: `${NET}/connections`,
  connection: `${NET}/connections/{virtualNetworkGatewayConnectionName}`,

  // expressRouteCircuit.json
  expressRouteCircuits: `${NET}/expressRouteCircuits`,
  expressRouteCircuit: `${NET}/expressRouteCircuits/{circuitName}`,
  circuitPeerings: `${NET}/expressRouteCircuits/{circuitName}/peerings`,
  circuitPeering: `${NET}/expressRouteCircuits/{circuitName}/peerings/{peeringName}`,
  // Global Reach: a connection of this circuit's private peering to another circuit's
  circuitConnections: `${NET}/expressRouteCircuits/{circuitName}/peerings/{peeringName}/connections`,
  circuitConnection: `${NET}/expressRouteCircuits/{circuitName}/peerings/{peeringName}/connections/{connectionName}`,
  circuitRouteTable: `${NET}/expressRouteCircuits/{circuitName}/peerings/{peeringName}/routeTables/{devicePath}`,
  circuitRouteTableSummary: `${NET}/expressRouteCircuits/{circuitName}/peerings/{peeringName}/routeTablesSummary/{devicePath}`,
} as const;

/**
 * Paths ARSLab serves that are not operations of the specification:
 * - `operationResult`: the Location of a long-running operation. ARM's RPC makes that URL
 *   the provider's own (clients follow it as given, never build it); this is the shape
 *   Microsoft.Network uses.
 * - the `get…` names ARSLab served for route-server learned/advertised routes before it
 *   followed the spec's `learnedRoutes`/`advertisedRoutes`; kept so older scripts still run.
 */
export const ArmExtraPaths = {
  operationResult: `${SUB}/providers/Microsoft.Network/locations/{location}/operationResults/{operationId}`,
  bgpConnectionGetLearnedRoutes: `${NET}/virtualHubs/{hubName}/bgpConnections/{connectionName}/getLearnedRoutes`,
  bgpConnectionGetAdvertisedRoutes: `${NET}/virtualHubs/{hubName}/bgpConnections/{connectionName}/getAdvertisedRoutes`,
} as const;

/** Shortcuts to the lab's web page outside /arslab/: `/` and `/ui` redirect to /arslab/ui/ (api/routes/ui). */
export const PagePaths = { root: '', shortcut: '/ui' } as const;

/**
 * The cloud's discovery and identity endpoints (api/routes/identity): not resources, so not
 * in the network specification. `metadataEndpoints` is where az looks for a cloud's
 * endpoints (`{resourceManager}/metadata/endpoints`); `identityToken` is IMDS's token path,
 * served in App Service's protocol (ADR 0027).
 */
export const IdentityPaths = {
  metadataEndpoints: '/metadata/endpoints',
  identityToken: '/metadata/identity/oauth2/token',
} as const;

/** The parameter names of a path template: `'/a/{x}/b/{y}'` → `'x' | 'y'`. */
export type PathParams<T extends string> = T extends `${string}{${infer P}}${infer Rest}`
  ? (P extends `${infer N}:${string}` ? N : P) | PathParams<Rest>
  : never;

/**
 * A concrete path from a template: each `{name}` replaced by its value, URL-encoded as a
 * path segment; an optional query (`api-version` and the like).
 */
export function armPath<T extends string>(
  template: T,
  params: Readonly<Record<PathParams<T>, string>>,
  query?: Readonly<Record<string, string | undefined>>,
): string {
  const path = template.replace(/\{([A-Za-z0-9_]+)(?::[^}]*)?\}/g, (_, name: string) => {
    const v = (params as Record<string, string | undefined>)[name];
    if (v === undefined) throw new Error(`armPath: no value for {${name}} in ${template}`);
    return encodeURIComponent(v);
  });
  const q = Object.entries(query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return q.length ? `${path}?${new URLSearchParams(q).toString()}` : path;
}
