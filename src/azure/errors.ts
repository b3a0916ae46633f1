/**
 * @module azure/errors
 * Every error ARSLab answers, in one place (ADR 0030; Azurite's StorageErrorFactory is the
 * model): ERROR_CODES lists each code once with its HTTP status and where it comes from —
 * `azure`, a code Azure answers (the source names the Microsoft page or the capture that
 * shows it), or `arslab`, a code ARSLab had to name because Azure has no such error (its
 * own endpoints, the lab's faults) or because Azure's code is not published (the reason
 * says which). AzureErrors builds each error; nothing else in src/ calls `new AzureError`.
 * Messages: Azure's sentence where it is known, then what ARSLab knows of the cause.
 *
 * Warnings (designs Azure accepts that do not work as people expect) are ModelWarning,
 * not errors: Azure answers them with success.
 */
import {
  AZURE_RESERVED_ASNS,
  AZURE_VPN_APIPA,
  EXPRESSROUTE_PEERING_RESERVED_ASNS,
  formatAsnRanges,
  GATEWAY_SUBNET_NAME,
  IANA_RESERVED_ASNS,
  LAST_ASN_32,
  MAX_ROUTING_WEIGHT,
  MIN_SPECIAL_SUBNET_PREFIX,
  ROUTE_SERVER_ASN,
  ROUTE_SERVER_RESERVED_PEER_ASNS,
  ROUTE_SERVER_SUBNET_NAME,
} from './constants.js';

/** Where a code comes from (see the module's comment). `answer`: read from an API answer by a client. */
export type ErrorOrigin = 'azure' | 'arslab' | 'answer';

export interface ErrorKind {
  readonly status: number;
  readonly origin: ErrorOrigin;
  /** `azure`: the Microsoft page or capture showing the code; `arslab`: why ARSLab names it. */
  readonly source: string;
}

// Sources of Azure's codes.
const ARM_COMMON = 'https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors';
const ARM_NOT_FOUND = 'https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-not-found';
const ARM_AUTH = 'ARM front door, as az prints it (docs/azure-clients.md; ADR 0010)';
const NRP_CAPTURE = 'Microsoft.Network answer as az prints it (captured output quoted in the test)';
/** Its error list shows Microsoft.Network's answers for a private endpoint created with the CLI. */
const POSTGRES_PRIVATE_ENDPOINT =
  'https://learn.microsoft.com/azure/postgresql/flexible-server/how-to-networking-servers-deployed-public-access-add-private-endpoint';

const azure = (status: number, source: string): ErrorKind => ({ status, origin: 'azure', source });
const arslab = (status: number, source: string): ErrorKind => ({ status, origin: 'arslab', source });
const UNPUBLISHED = 'Azure refuses this, but its code is not published';

/** Every error code ARSLab answers, once. */
export const ERROR_CODES = {
  // --- ARM: the request, the caller, the resource's place ------------------------------
  SubscriptionNotFound: azure(404, ARM_COMMON),
  ResourceGroupNotFound: azure(404, ARM_COMMON),
  ResourceNotFound: azure(404, ARM_NOT_FOUND),
  /** The resource provider's own not-found (child resources: bgpConnections, peerings of a circuit). */
  NotFound: azure(404, ARM_NOT_FOUND),
  InvalidResourceType: azure(404, ARM_COMMON),
  InvalidParameter: azure(400, ARM_COMMON),
  InvalidResourceReference: azure(400, POSTGRES_PRIVATE_ENDPOINT),
  InvalidRequestContent: azure(400, ARM_COMMON),
  InvalidRequestFormat: azure(400, ARM_COMMON),
  RequestContentTooLarge: azure(413, ARM_AUTH),
  UnsupportedMediaType: azure(415, ARM_AUTH),
  AuthenticationFailed: azure(401, ARM_AUTH),
  AuthenticationFailedInvalidHeader: azure(401, ARM_AUTH),
  InvalidAuthenticationToken: azure(401, ARM_AUTH),
  InternalServerError: azure(500, 'ARM RPC: an unexpected failure is 500 InternalServerError'),
  /** The async-operation RPC asks for 404 on an unknown id; ARM publishes no code for it. */
  OperationNotFound: arslab(404, `${UNPUBLISHED}: ARM's async RPC says 404 for an unknown operation`),

  // --- Virtual networks, NICs, route tables, peerings -----------------------------------
  NetcfgSubnetRangeOutsideVnet: azure(400, NRP_CAPTURE),
  NetcfgSubnetRangesOverlap: azure(400, NRP_CAPTURE),
  PrivateIPAddressNotInSubnet: azure(400, ARM_COMMON),
  PrivateIPAddressInReservedRange: azure(400, ARM_COMMON),
  PrivateIPAddressIsAllocated: azure(400, POSTGRES_PRIVATE_ENDPOINT),
  RouteConflict: arslab(400, `${UNPUBLISHED}: two routes of one table with the same prefix`),
  InvalidNextHop: arslab(400, `${UNPUBLISHED}: nextHopIpAddress with the wrong nextHopType`),
  RemoteVnetHasNoGateways: azure(400, NRP_CAPTURE),
  RemotePeeringIsDisconnectedOrGatewayTransitNotAllowed: arslab(
    400,
    `${UNPUBLISHED}: useRemoteGateways toward a VNet whose peering back lacks allowGatewayTransit`,
  ),

  // Run-time changes (ADR 0034): what ARM refuses on PUT and DELETE.
  ParentResourceNotFound: azure(
    404,
    'https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-parent-resource',
  ),
  InUseSubnetCannotBeDeleted: azure(400, ARM_COMMON),
  InUseRouteTableCannotBeDeleted: arslab(400, `${UNPUBLISHED}: a route table still associated with a subnet`),
  InUseVirtualNetworkGatewayCannotBeDeleted: arslab(400, `${UNPUBLISHED}: a gateway a connection still uses`),
  InUseLocalNetworkGatewayCannotBeDeleted: arslab(
    400,
    `${UNPUBLISHED}: a local network gateway a connection still uses`,
  ),
  InUseExpressRouteCircuitCannotBeDeleted: arslab(400, `${UNPUBLISHED}: a circuit a connection still uses`),
  NicInUse: azure(
    400,
    'Microsoft.Network answer quoted in hashicorp/terraform-provider-azurerm issue 8105 (deleting a NIC a VM uses)',
  ),

  // --- Route Server (R-ARS-2, R-ARS-3) --------------------------------------------------
  InvalidRouteServerSubnetName: azure(400, 'azurerm provider acceptance test output (Route Server in another subnet)'),
  UseRemoteGatewaysOnlyOnePeering: arslab(
    400,
    `${UNPUBLISHED}: a second peering of one VNet with useRemoteGateways ("Only one peering can have this flag set to true", VirtualNetworkPeering API reference)`,
  ),
  RouteServerSubnetPrefixLengthTooLong: arslab(400, `${UNPUBLISHED}: RouteServerSubnet smaller than /27`),
  RouteServerSubnetCannotHaveRouteTable: arslab(400, `${UNPUBLISHED}: a route table on RouteServerSubnet`),
  RouteServerSubnetCannotHaveNsg: arslab(400, `${UNPUBLISHED}: an NSG on RouteServerSubnet`),
  OnlyOneVirtualHubAllowedPerVnet: arslab(400, `${UNPUBLISHED}: a second Route Server in a VNet`),
  BgpPeerAsnIsReserved: arslab(400, `${UNPUBLISHED}: a reserved peer ASN (Route Server FAQ lists them)`),
  InvalidBgpPeerAsn: arslab(400, `${UNPUBLISHED}: a 32-bit peer ASN`),
  MaxBgpConnectionsPerVirtualHubReached: arslab(400, `${UNPUBLISHED}: more peerings than Route Server's limit`),
  BgpConnectionPeerIpAlreadyExists: arslab(400, `${UNPUBLISHED}: two peerings with one peer IP`),

  // --- ExpressRoute and VPN gateways, connections, circuits -----------------------------
  InvalidGatewaySubnetName: arslab(400, `${UNPUBLISHED}: a gateway outside GatewaySubnet`),
  GatewaySubnetPrefixLengthTooLong: arslab(400, `${UNPUBLISHED}: GatewaySubnet smaller than /27`),
  VnetAlreadyHasGatewayOfThisType: arslab(400, `${UNPUBLISHED}: a second gateway of one type in a VNet`),
  InvalidGatewaySkuSpecifiedForGatewayDeploymentType: azure(
    400,
    'azurerm provider documentation of azurerm_virtual_network_gateway (quoting Azure)',
  ),
  BasicSkuNotSupported: arslab(400, `${UNPUBLISHED}: BGP or active-active on a Basic VPN gateway`),
  InvalidExpressRouteGatewayAsn: arslab(400, `${UNPUBLISHED}: an ExpressRoute gateway ASN other than 65515`),
  VpnGatewayNotCompatibleWithRouteServer: arslab(400, `${UNPUBLISHED}: R-ARS-11's VPN gateway requirements`),
  BgpAsnIsReserved: arslab(400, `${UNPUBLISHED}: a reserved VPN ASN (VPN Gateway FAQ lists them)`),
  InvalidApipaAddress: arslab(400, `${UNPUBLISHED}: a VPN BGP address outside Azure's APIPA range`),
  InvalidRoutingWeight: arslab(400, `${UNPUBLISHED}: routingWeight outside 0-32000`),
  ConnectionTypeNotSupportedByGateway: arslab(400, `${UNPUBLISHED}: a connection of the other gateway type`),
  ExpressRouteCircuitPeeringNotFound: arslab(400, `${UNPUBLISHED}: a circuit without private peering`),
  DuplicateExpressRouteConnection: arslab(400, `${UNPUBLISHED}: one gateway connected twice to a circuit`),
  MaxExpressRouteCircuitsPerGatewayReached: arslab(400, `${UNPUBLISHED}: more circuits than the gateway SKU allows`),
  InvalidPeerAsn: arslab(400, `${UNPUBLISHED}: a reserved ASN on private peering`),
  InvalidPeerAddressPrefix: arslab(400, `${UNPUBLISHED}: private peering link subnets`),
  AddressPrefixOverlapsVirtualNetwork: arslab(400, `${UNPUBLISHED}: peering subnets inside a VNet`),
  InvalidGlobalReachConnection: arslab(400, `${UNPUBLISHED}: a Global Reach connection to no circuit`),
  GlobalReachNotSupportedForCircuitsInSamePeeringLocation: arslab(400, `${UNPUBLISHED}: R-ER-6`),
  BgpNotConfigured: arslab(400, `${UNPUBLISHED}: BGP on a connection whose ends have no BGP`),

  // --- ARSLab's own API (/arslab/…) and its guard: no Azure counterpart ------------------
  LabNotReady: arslab(503, 'a request before the lab listens'),
  InvalidHostHeader: arslab(400, 'the DNS-rebinding guard (ADR 0010); ARM has no such check'),
  CrossOriginRequestRefused: arslab(403, 'the browser guard (ADR 0010); ARM has no such check'),
  IdentitySecretMissing: arslab(401, "the lab's managed-identity endpoint (ADR 0027), not ARM"),
  IdentitySecretInvalid: arslab(403, "the lab's managed-identity endpoint (ADR 0027), not ARM"),
  WebPageNotBuilt: arslab(404, "the lab's web page (ADR 0025)"),
  NodeNotFound: arslab(404, 'arslab node verbs: lab nodes are not Azure resources'),
  SessionNotFound: arslab(404, 'arslab link verbs: BGP sessions are not Azure resources'),
  AmbiguousSession: arslab(409, 'arslab link verbs'),
  NoSessionOnLink: arslab(409, 'arslab link verbs'),
  RouterStopped: arslab(409, 'lab faults (ADR 0012)'),
  UnderMaintenance: arslab(409, 'lab faults (ADR 0012)'),
  MaintenanceRunning: arslab(409, 'lab faults (ADR 0012)'),
  NoMaintenance: arslab(409, 'lab faults (ADR 0012)'),
  PeerNotFound: arslab(404, 'arslab explain names a BGP peer'),
  AmbiguousVirtualMachine: arslab(400, 'arslab probe names a VM'),
  VirtualMachineNotFound: arslab(404, 'arslab probe names a VM'),
  NoNetworkInterface: arslab(400, 'arslab probe needs a VM with an address'),
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The ARM error body, `{"error": {"code", "message", "target"?, "details"?}}` (ARM RPC, error response content). */
export interface ArmErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly target?: string;
    readonly details?: readonly ArmErrorBody['error'][];
  };
}

/** The one place the ARM error envelope is built. */
export function armErrorBody(code: string, message: string, target?: string): ArmErrorBody {
  return { error: target ? { code, message, target } : { code, message } };
}

export class AzureError extends Error {
  readonly status: number;
  readonly origin: ErrorOrigin;

  constructor(
    readonly code: string,
    kind: ErrorKind,
    message: string,
    /** Where the problem is: a request body's field path, or a lab file's place. */
    readonly target?: string,
  ) {
    super(message);
    this.name = 'AzureError';
    this.status = kind.status;
    this.origin = kind.origin;
  }

  /** True for a code ARSLab named itself (ERROR_CODES, docs/azure-differences.md). */
  get arslab(): boolean {
    return this.origin === 'arslab';
  }

  toJSON(): ArmErrorBody {
    return armErrorBody(this.code, this.message, this.target);
  }

  /** The error an API answer carries (a client reading `{error: {code, message}}`, or not). */
  static fromAnswer(status: number, body: unknown): AzureError {
    const e = (body as Partial<ArmErrorBody> | undefined)?.error;
    return new AzureError(
      typeof e?.code === 'string' ? e.code : 'Error',
      { status, origin: 'answer', source: 'an API answer' },
      typeof e?.message === 'string' ? e.message : `HTTP ${status}`,
    );
  }
}

const make = (code: ErrorCode, message: string, target?: string) =>
  new AzureError(code, ERROR_CODES[code], message, target);

const IANA_RESERVED_TEXT = formatAsnRanges(IANA_RESERVED_ASNS);
const VPN_RESERVED_TEXT = `Azure reserves ${formatAsnRanges(AZURE_RESERVED_ASNS, ' and ')}, IANA ${IANA_RESERVED_TEXT} and ${LAST_ASN_32}`;
const gatewayKind = (type: 'ExpressRoute' | 'Vpn') => (type === 'ExpressRoute' ? 'an ExpressRoute' : 'a VPN');

/** The message of a delete refused while a connection names the resource. */
function inUseByConnection(what: string, connection: string): string {
  return `${what} is in use by connection ${connection} and cannot be deleted: delete the connection first.`;
}

export const AzureErrors = {
  // --- ARM ------------------------------------------------------------------------------
  /** ARM's answer for a subscription id the caller has no access to, or that does not exist. */
  subscriptionNotFound: (id: string) => make('SubscriptionNotFound', `The subscription '${id}' could not be found.`),
  resourceGroupNotFound: (rg: string) => make('ResourceGroupNotFound', `Resource group '${rg}' could not be found.`),
  resourceNotFound: (type: string, name: string, rg: string) =>
    make('ResourceNotFound', `The Resource '${type}/${name}' under resource group '${rg}' was not found.`),
  /** What az prints when a peering name is wrong (R-ARS-3: commands take the peering name). */
  bgpConnectionNotFound: (name: string, hub: string) =>
    make(
      'NotFound',
      `bgpConnections '${name}' not found under virtual hub '${hub}'. Commands take the peering name (az network routeserver peering list), not the VM name.`,
    ),
  circuitPeeringNotFound: (peering: string, circuit: string) =>
    make(
      'NotFound',
      `Peering '${peering}' of circuit '${circuit}' was not found: ARSLab models AzurePrivatePeering only.`,
    ),
  /** A path no route serves: ARM's code, ARSLab's wording (ARM names the namespace and api-version). */
  notServed: (method: string, path: string) =>
    make('InvalidResourceType', `The resource type or operation '${method} ${path}' is not supported by ARSLab.`),
  invalidParameter: (name: string, why: string) => make('InvalidParameter', `${name}: ${why}`),
  /** A property naming a resource that is not there: Microsoft.Network's code and wording. */
  invalidResourceReference: (referenced: string, by: string) =>
    make(
      'InvalidResourceReference',
      `Resource ${referenced} referenced by resource ${by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    ),
  /** No `Authorization` header: ARM's code and wording. */
  authenticationMissing: (hint: string) =>
    make('AuthenticationFailed', `Authentication failed. The 'Authorization' header is missing. ${hint}`),
  /** An `Authorization` header that is not `Bearer <token>`. */
  authenticationInvalidHeader: (hint: string) =>
    make(
      'AuthenticationFailedInvalidHeader',
      `Authentication failed. The 'Authorization' header is provided in an invalid format. ${hint}`,
    ),
  invalidAuthenticationToken: (hint: string) =>
    make('InvalidAuthenticationToken', `The access token is invalid. ${hint}`),
  /** A body that is not declared `application/json`: ARM's code and wording. */
  unsupportedMediaType: (type: string | undefined) =>
    make(
      'UnsupportedMediaType',
      `The content media type '${type ?? '<null>'}' is not supported. Only 'application/json' is supported.`,
    ),
  /** ARM refuses request bodies over 4 MB with this code and wording. */
  requestContentTooLarge: (maxBytes: number) =>
    make(
      'RequestContentTooLarge',
      `The request content size exceeds the maximum size of ${maxBytes / (1024 * 1024)} MB.`,
    ),
  /** Not JSON at all. */
  invalidRequestContent: () =>
    make('InvalidRequestContent', 'The request content was invalid and could not be deserialized.'),
  /** JSON, but a field of the wrong type: the Network provider's code, naming the field's path. */
  invalidRequestFormat: (path: string, why: string) =>
    make('InvalidRequestFormat', `Cannot parse the request: '${path}' ${why}.`, path),
  internal: (message: string) => make('InternalServerError', message),
  operationNotFound: (operation: string, subscription: string, unreadTtlMs: number, readTtlMs: number) =>
    make(
      'OperationNotFound',
      `Operation ${operation} was not found in subscription ${subscription} or has expired (ARSLab keeps a result ${unreadTtlMs / 60_000} min until it is read, then ${readTtlMs / 1000} s).`,
    ),

  // --- Virtual networks, NICs, route tables, peerings ------------------------------------
  subnetNotInVnet: (subnet: string, prefix: string, vnet: string) =>
    make(
      'NetcfgSubnetRangeOutsideVnet',
      `Subnet '${subnet}' is not valid because its IP address range is outside the IP address range of virtual network '${vnet}'. ${prefix} is outside the address space of '${vnet}'.`,
    ),
  /** `subnet` overlaps `other`, which comes first in its VNet. */
  subnetsOverlap: (subnet: string, other: string, vnet: string) =>
    make(
      'NetcfgSubnetRangesOverlap',
      `Subnet '${subnet}' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '${vnet}'. It overlaps with subnet '${other}'.`,
    ),
  privateIpNotInSubnet: (ip: string, subnet: string) =>
    make('PrivateIPAddressNotInSubnet', `Private IP address ${ip} is not in the range of subnet '${subnet}'.`),
  privateIpReserved: (ip: string, subnet: string) =>
    make(
      'PrivateIPAddressInReservedRange',
      `Private IP address ${ip} is reserved in subnet '${subnet}' (Azure reserves the first four addresses and the last one).`,
    ),
  privateIpInUse: (ip: string, by: string) =>
    make('PrivateIPAddressIsAllocated', `Private IP address ${ip} is already in use by ${by}.`),
  routeConflict: (table: string, prefix: string) =>
    make('RouteConflict', `Route table '${table}' has more than one route with address prefix ${prefix}.`),
  invalidNextHop: (route: string, why: string) => make('InvalidNextHop', `Route '${route}': ${why}`),
  useRemoteGatewaysWithoutTransit: (peering: string, remote: string) =>
    make(
      'RemotePeeringIsDisconnectedOrGatewayTransitNotAllowed',
      `Peering '${peering}' sets useRemoteGateways, but the peering from '${remote}' does not set allowGatewayTransit.`,
    ),
  useRemoteGatewaysTwice: (peering: string, vnet: string, first: string) =>
    make(
      'UseRemoteGatewaysOnlyOnePeering',
      `Only one peering can have UseRemoteGateway flag set to true: peering '${peering}' of '${vnet}' sets it, and so does '${first}'.`,
    ),
  useRemoteGatewaysNoGateway: (peering: string, remote: string) =>
    make(
      'RemoteVnetHasNoGateways',
      `Peering '${peering}' cannot have UseRemoteGateway flag set to true because remote virtual network '${remote}' referenced by the peering does not have any gateways. '${remote}' has no gateway or Route Server.`,
    ),

  // --- Run-time changes (ADR 0034): what ARM refuses on PUT/DELETE ----------------------
  /** A required property missing from a PUT body. */
  missingProperty: (path: string) =>
    make('InvalidRequestFormat', `Cannot parse the request: '${path}' is required.`, path),
  /** A child PUT under a resource group or parent that does not exist: ARM's sentence, then which. */
  parentNotFound: (type: string, name: string, rg: string) =>
    make(
      'ParentResourceNotFound',
      `Failed to perform 'write' on resource(s) of type '${type}', because the parent resource '${name}' under resource group '${rg}' could not be found.`,
    ),
  inUseSubnetCannotBeDeleted: (subnet: string, by: string) =>
    make('InUseSubnetCannotBeDeleted', `Subnet ${subnet} is in use by ${by} and cannot be deleted.`),
  inUseRouteTableCannotBeDeleted: (table: string, by: string) =>
    make('InUseRouteTableCannotBeDeleted', `Route table ${table} is in use by subnet ${by} and cannot be deleted.`),
  /** A gateway, local network gateway or circuit a connection still names: delete the connection first. */
  virtualNetworkGatewayInUse: (gateway: string, connection: string) =>
    make(
      'InUseVirtualNetworkGatewayCannotBeDeleted',
      inUseByConnection(`Virtual network gateway ${gateway}`, connection),
    ),
  localNetworkGatewayInUse: (lng: string, connection: string) =>
    make('InUseLocalNetworkGatewayCannotBeDeleted', inUseByConnection(`Local network gateway ${lng}`, connection)),
  expressRouteCircuitInUse: (circuit: string, connection: string) =>
    make('InUseExpressRouteCircuitCannotBeDeleted', inUseByConnection(`ExpressRoute circuit ${circuit}`, connection)),
  nicInUse: (nic: string, vm: string) =>
    make(
      'NicInUse',
      `Network Interface ${nic} is used by existing resource ${vm}. In order to delete the network interface, it must be dissociated from the resource.`,
    ),
  inUseVirtualNetworkCannotBeDeleted: (vnet: string, by: string) =>
    make('InUseSubnetCannotBeDeleted', `Virtual network ${vnet} has a subnet in use by ${by} and cannot be deleted.`),
  locationMismatch: (what: string, location: string, other: string, otherLocation: string) =>
    make(
      'InvalidResourceReference',
      `${what} in ${location} cannot reference ${other} in ${otherLocation}: they must be in the same region.`,
    ),

  // --- Route Server ---------------------------------------------------------------------
  invalidRouteServerSubnetName: (subnet: string) =>
    make(
      'InvalidRouteServerSubnetName',
      `Subnet name used to deploy Route Server should be ${ROUTE_SERVER_SUBNET_NAME}. Route Server must be deployed in a subnet named '${ROUTE_SERVER_SUBNET_NAME}'; got '${subnet}'.`,
    ),
  routeServerSubnetTooSmall: (prefix: string) =>
    make(
      'RouteServerSubnetPrefixLengthTooLong',
      `${ROUTE_SERVER_SUBNET_NAME} ${prefix} is too small: Route Server needs a /${MIN_SPECIAL_SUBNET_PREFIX} or larger (/26 recommended).`,
    ),
  routeServerSubnetHasRouteTable: () =>
    make(
      'RouteServerSubnetCannotHaveRouteTable',
      `A route table cannot be associated with ${ROUTE_SERVER_SUBNET_NAME}.`,
    ),
  routeServerSubnetHasNsg: () =>
    make(
      'RouteServerSubnetCannotHaveNsg',
      `A network security group cannot be associated with ${ROUTE_SERVER_SUBNET_NAME}.`,
    ),
  onlyOneRouteServerPerVnet: (vnet: string) =>
    make(
      'OnlyOneVirtualHubAllowedPerVnet',
      `Virtual network '${vnet}' already has a Route Server; only one is allowed per VNet.`,
    ),
  peerAsnReserved: (asn: number) =>
    make(
      'BgpPeerAsnIsReserved',
      `Peer ASN ${asn} is reserved and cannot be used: Azure reserves ${formatAsnRanges(ROUTE_SERVER_RESERVED_PEER_ASNS, ' and ')}.`,
    ),
  peerAsnNot16Bit: (asn: number) =>
    make('InvalidBgpPeerAsn', `Peer ASN ${asn} is not supported: Route Server accepts 16-bit ASNs (1-65534) only.`),
  tooManyPeerings: (hub: string, max: number) =>
    make('MaxBgpConnectionsPerVirtualHubReached', `Route Server '${hub}' cannot have more than ${max} peerings.`),
  duplicatePeerIp: (ip: string) =>
    make('BgpConnectionPeerIpAlreadyExists', `A peering with peer IP ${ip} already exists on this Route Server.`),

  // --- ExpressRoute and VPN -------------------------------------------------------------
  gatewaySubnetName: (subnet: string) =>
    make(
      'InvalidGatewaySubnetName',
      `A virtual network gateway must be deployed in a subnet named exactly '${GATEWAY_SUBNET_NAME}'; got '${subnet}'.`,
    ),
  gatewaySubnetTooSmall: (prefix: string) =>
    make(
      'GatewaySubnetPrefixLengthTooLong',
      `${GATEWAY_SUBNET_NAME} ${prefix} is too small: virtual network gateways need a /${MIN_SPECIAL_SUBNET_PREFIX} or larger (ExpressRoute gateways, and VPN gateways next to them, require it).`,
    ),
  secondGateway: (vnet: string, type: 'ExpressRoute' | 'Vpn', existing: string) =>
    make(
      'VnetAlreadyHasGatewayOfThisType',
      `Virtual network '${vnet}' already has ${gatewayKind(type)} gateway, '${existing}': a VNet has at most one ExpressRoute gateway and one VPN gateway.`,
    ),
  skuNotForType: (sku: string, type: 'ExpressRoute' | 'Vpn', skus: readonly string[]) =>
    make(
      'InvalidGatewaySkuSpecifiedForGatewayDeploymentType',
      `SKU '${sku}' is not ${gatewayKind(type)} gateway SKU; ${type === 'ExpressRoute' ? 'ExpressRoute' : 'VPN'} gateways use ${skus.join(', ')}.`,
    ),
  basicSku: (what: string) =>
    make('BasicSkuNotSupported', `The Basic VPN gateway SKU does not support ${what}: use VpnGw1 or larger.`),
  expressRouteGatewayAsn: (asn: number) =>
    make(
      'InvalidExpressRouteGatewayAsn',
      `An ExpressRoute gateway always uses ASN ${ROUTE_SERVER_ASN} (R-ER-3); it cannot be set to ${asn}.`,
    ),
  vpnGatewayWithRouteServer: (gateway: string, vnet: string, routeServer: string, problem: string) =>
    make(
      'VpnGatewayNotCompatibleWithRouteServer',
      `VPN gateway must be active-active and use ASN ${ROUTE_SERVER_ASN} to interoperate with Route Server: gateway '${gateway}' shares virtual network '${vnet}' with Route Server '${routeServer}', but ${problem} (R-ARS-11, R-VPN-1).`,
    ),
  vpnGatewayAsnReserved: (asn: number) =>
    make(
      'BgpAsnIsReserved',
      `ASN ${asn} cannot be used by a VPN gateway: Azure reserves ${formatAsnRanges(
        AZURE_RESERVED_ASNS.filter(([lo]) => lo !== ROUTE_SERVER_ASN),
        ' and ',
      )}, IANA ${IANA_RESERVED_TEXT} and ${LAST_ASN_32} (${ROUTE_SERVER_ASN} is the default). Private ASNs 64512-65514 and 65521-65534 are allowed when no Route Server is in the VNet (R-VPN-1).`,
    ),
  onPremisesAsnReserved: (asn: number) =>
    make('BgpAsnIsReserved', `ASN ${asn} cannot be used for an on-premises VPN device: ${VPN_RESERVED_TEXT}.`),
  apipaOutOfRange: (ip: string, who: string) =>
    make(
      'InvalidApipaAddress',
      `${ip} is not in Azure's APIPA range for VPN: ${who} BGP over APIPA must use ${AZURE_VPN_APIPA.text} (R-VPN-1).`,
    ),
  routingWeight: (weight: number) =>
    make(
      'InvalidRoutingWeight',
      `Routing weight ${weight} is out of range: a connection's routingWeight is 0-${MAX_ROUTING_WEIGHT} (R-ER-3).`,
    ),
  connectionGatewayType: (
    connection: string,
    type: 'ExpressRoute' | 'IPsec',
    gateway: string,
    gatewayType: 'ExpressRoute' | 'Vpn',
  ) =>
    make(
      'ConnectionTypeNotSupportedByGateway',
      `Connection '${connection}' is of type ${type}, but '${gateway}' is ${gatewayKind(gatewayType)} gateway: ExpressRoute connections need an ExpressRoute gateway, IPsec connections a VPN gateway.`,
    ),
  circuitWithoutPrivatePeering: (circuit: string, what: string) =>
    make('ExpressRouteCircuitPeeringNotFound', `Circuit '${circuit}' has no AzurePrivatePeering: ${what}.`),
  duplicateCircuitConnection: (gateway: string, circuit: string, other: string) =>
    make(
      'DuplicateExpressRouteConnection',
      `Gateway '${gateway}' is already connected to circuit '${circuit}' by connection '${other}': a gateway connects to a circuit once.`,
    ),
  tooManyCircuits: (gateway: string, sku: string, max: number, count: number) =>
    make(
      'MaxExpressRouteCircuitsPerGatewayReached',
      `ExpressRoute gateway '${gateway}' (SKU ${sku}) connects to at most ${max} circuits; it has ${count} ExpressRoute connections.`,
    ),
  peeringAsnReserved: (asn: number) => {
    const [microsoft, internal] = EXPRESSROUTE_PEERING_RESERVED_ASNS.map((r) => formatAsnRanges([r]));
    return make(
      'InvalidPeerAsn',
      `Peer ASN ${asn} cannot be used on private peering: ${microsoft} is Microsoft's and ${internal} are reserved by Azure for internal use.`,
    );
  },
  peeringPrefixNot30: (link: string, prefix: string, len: number) =>
    make(
      'InvalidPeerAddressPrefix',
      `The ${link} link's ${prefix} is a /${len}: private peering needs a /30 per link (the customer edge uses its first host, the MSEE the second; R-ER-1).`,
    ),
  peeringPrefixesOverlap: (primary: string, secondary: string) =>
    make(
      'InvalidPeerAddressPrefix',
      `The primary and secondary links need different /30s: ${primary} and ${secondary} overlap.`,
    ),
  overlapsVnet: (what: string, prefix: string, vnet: string, vnetPrefix: string) =>
    make(
      'AddressPrefixOverlapsVirtualNetwork',
      `${what} ${prefix} overlaps address space ${vnetPrefix} of virtual network '${vnet}': it must not overlap address ranges used by virtual networks in Azure.`,
    ),
  globalReach: (name: string, why: string) =>
    make('InvalidGlobalReachConnection', `Global Reach connection '${name}': ${why}`),
  globalReachSameLocation: (a: string, b: string, location: string) =>
    make(
      'GlobalReachNotSupportedForCircuitsInSamePeeringLocation',
      `Global Reach cannot connect circuits '${a}' and '${b}': both are at peering location '${location}'. Global Reach links circuits at different peering locations only (R-ER-6); on-premises sites on one location reach each other through the provider, or through an NVA advertising a covering supernet (seed 003).`,
    ),
  bgpOverTunnel: (connection: string, why: string) =>
    make('BgpNotConfigured', `Connection '${connection}' enables BGP, but ${why}.`),

  // --- ARSLab's own API and guard -------------------------------------------------------
  labNotReady: () => make('LabNotReady', 'the API is not listening yet'),
  invalidHostHeader: (host: string, hosts: string) =>
    make(
      'InvalidHostHeader',
      `The Host header '${host}' is not this lab's address (${hosts}): requests through another name are refused (DNS rebinding).`,
    ),
  crossOrigin: (why: string) => make('CrossOriginRequestRefused', why),
  identitySecretMissing: () =>
    make(
      'IdentitySecretMissing',
      "The identity endpoint needs the lab's identity secret in the X-IDENTITY-HEADER (or secret) header: `arslab env` prints it as IDENTITY_HEADER and MSI_SECRET.",
    ),
  identitySecretInvalid: () =>
    make('IdentitySecretInvalid', "The identity secret shown is not this lab's (`arslab env`)."),
  webPageNotBuilt: (root: string) =>
    make('WebPageNotBuilt', `the web page is not built (no ${root}): run 'npm run build' or scripts/setup`),
  webFileNotFound: (name: string) => make('NotFound', `no file '${name}' in the web page`),
  nodeNotFound: (name: string, known: readonly string[]) =>
    make('NodeNotFound', `no node named '${name}' in this lab (nodes: ${known.join(', ') || 'none'})`),
  sessionNotFound: (name: string, known: readonly string[]) =>
    make(
      'SessionNotFound',
      `no in-process BGP session '${name}' in this lab, nor a TCP one (arslab link list shows them: ${known
        .slice(0, 6)
        .join(', ')}${known.length > 6 ? ', …' : ''})`,
    ),
  ambiguousSession: (name: string, matches: readonly string[]) =>
    make(
      'AmbiguousSession',
      `'${name}' names ${matches.length} sessions (${matches.join(', ')}): name one by its full name`,
    ),
  noSessionOnLink: (link: string, circuit: string) =>
    make(
      'NoSessionOnLink',
      `no BGP session rides on the ${link} link of circuit '${circuit}': no on-premises router is attached to it`,
    ),
  circuitNotFound: (name: string, known: readonly string[]) =>
    make('ResourceNotFound', `no ExpressRoute circuit '${name}' in this lab (circuits: ${known.join(', ') || 'none'})`),
  routeServerNotFound: (name: string | undefined, known: readonly string[]) =>
    make(
      'ResourceNotFound',
      `no route server${name ? ` named '${name}'` : ''} in this lab (route servers: ${known.join(', ') || 'none'})`,
    ),
  routerStopped: (session: string, router: string) =>
    make(
      'RouterStopped',
      `session ${session} belongs to router ${router}, which is stopped: start it with 'arslab node start ${router}'`,
    ),
  underMaintenance: (session: string, instance: string) =>
    make(
      'UnderMaintenance',
      `session ${session} belongs to route-server instance ${instance}, which is under maintenance: end it with 'arslab routeserver maintenance end --instance ${instance}'`,
    ),
  maintenanceRunning: (instance: string) =>
    make('MaintenanceRunning', `route-server instance ${instance} is already under maintenance: end it first`),
  noMaintenance: (instance: string) =>
    make('NoMaintenance', `route-server instance ${instance} is not under maintenance`),
  peerNotFound: (peer: string, where: string, known: readonly string[]) =>
    make('PeerNotFound', `no session with a peer named '${peer}'${where} (peers: ${known.join(', ') || 'none'})`),
  speakerNotFound: (name: string, known: readonly string[]) =>
    make('NotFound', `no router, VM or speaker named '${name}' (routers and VMs: ${known.join(', ') || 'none'})`),
  ambiguousVirtualMachine: (name: string, groups: readonly string[]) =>
    make(
      'AmbiguousVirtualMachine',
      `'${name}' names virtual machines in resource groups ${groups.join(', ')}: write RESOURCE-GROUP/NAME`,
    ),
  virtualMachineNotFound: (name: string, known: readonly string[], routers: readonly string[] = []) =>
    make(
      'VirtualMachineNotFound',
      `no virtual machine or NIC '${name}' in this lab (virtual machines: ${known.join(', ') || 'none'}${routers.length ? `; built-in routers: ${routers.join(', ')}` : ''})`,
    ),
  noNetworkInterface: (vm: string) =>
    make('NoNetworkInterface', `virtual machine '${vm}' has no NIC with a private IP address`),
} as const;

/** Any thrown value as the error an answer carries: an AzureError as it is, anything else a 500. */
export function asAzureError(e: unknown): AzureError {
  if (e instanceof AzureError) return e;
  return AzureErrors.internal((e as Error | undefined)?.message ?? String(e));
}

/**
 * A design Azure accepts that does not work as people expect (azure-routing.md §7): Azure
 * answers it with success, so it is no AzureError and has no status. Its codes are ARSLab's.
 */
export class ModelWarning {
  constructor(
    readonly code: WarningCode,
    readonly message: string,
  ) {}
}

/** Every warning code, once, with why ARSLab warns (Azure warns of none of them). */
export const WARNING_CODES = {
  RouteServerSubnetSmallerThanRecommended: 'Route Server accepts a /27 but its documentation asks for /26 or larger',
  PeeringInitiated: 'a peering without its way back is Initiated and carries nothing (R-ARS-8)',
  RouteServerPeerUnreachable:
    "a bgpConnection's peer IP in a VNet neither the Route Server's nor peered with it: ARM takes it, the session never comes up (R-ARS-23)",
} as const;

export type WarningCode = keyof typeof WARNING_CODES;

export const ModelWarnings = {
  routeServerSubnetBelowRecommended: (prefix: string) =>
    new ModelWarning(
      'RouteServerSubnetSmallerThanRecommended',
      `${ROUTE_SERVER_SUBNET_NAME} ${prefix} is a /${MIN_SPECIAL_SUBNET_PREFIX}: accepted, but current documentation asks for /26 or larger.`,
    ),
  peeringInitiated: (peering: string, vnet: string, remote: string) =>
    new ModelWarning(
      'PeeringInitiated',
      `Peering '${peering}' from '${vnet}' to '${remote}' is Initiated, not Connected: '${remote}' has no peering back to '${vnet}', so no traffic or routes flow.`,
    ),
  peerUnreachable: (peering: string, ip: string, vnet: string, rs: string, hub: string) =>
    new ModelWarning(
      'RouteServerPeerUnreachable',
      `Peering '${peering}': ${ip} is in virtual network '${vnet}', which is neither '${hub}' nor peered with it: Route Server '${rs}' cannot reach it and the BGP session never comes up.`,
    ),
} as const;
