/**
 * @module azure/errors
 * Errors as Azure Resource Manager returns them: an HTTP status, a code string and a
 * message, one factory per code (Azurite's StorageErrorFactory). Messages keep Azure's
 * wording where it is known and add what ARSLab knows about the cause.
 */
export class AzureError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Where in a lab file the problem is, when it comes from one. */
    readonly target?: string,
  ) {
    super(message);
    this.name = 'AzureError';
  }

  /** The ARM error body: `{"error": {"code", "message"}}`. */
  toJSON(): { error: { code: string; message: string; target?: string } } {
    return {
      error: this.target
        ? { code: this.code, message: this.message, target: this.target }
        : { code: this.code, message: this.message },
    };
  }
}

export const AzureErrors = {
  /** ARM's answer for a subscription id the caller has no access to, or that does not exist. */
  subscriptionNotFound: (id: string) =>
    new AzureError(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`),
  resourceGroupNotFound: (rg: string) =>
    new AzureError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`),
  resourceNotFound: (type: string, name: string, rg: string) =>
    new AzureError(
      404,
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${rg}' was not found.`,
    ),
  /** What az prints when a peering name is wrong (R-ARS-3: commands take the peering name). */
  bgpConnectionNotFound: (name: string, hub: string) =>
    new AzureError(
      404,
      'NotFound',
      `bgpConnections '${name}' not found under virtual hub '${hub}'. Commands take the peering name (az network routeserver peering list), not the VM name.`,
    ),
  invalidRouteServerSubnetName: (subnet: string) =>
    new AzureError(
      400,
      'InvalidRouteServerSubnet',
      `Route Server must be deployed in a subnet named 'RouteServerSubnet'; got '${subnet}'.`,
    ),
  routeServerSubnetTooSmall: (prefix: string) =>
    new AzureError(
      400,
      'RouteServerSubnetPrefixLengthTooLong',
      `RouteServerSubnet ${prefix} is too small: Route Server needs a /27 or larger (/26 recommended).`,
    ),
  routeServerSubnetHasRouteTable: () =>
    new AzureError(
      400,
      'RouteServerSubnetCannotHaveRouteTable',
      'A route table cannot be associated with RouteServerSubnet.',
    ),
  routeServerSubnetHasNsg: () =>
    new AzureError(
      400,
      'RouteServerSubnetCannotHaveNsg',
      'A network security group cannot be associated with RouteServerSubnet.',
    ),
  onlyOneRouteServerPerVnet: (vnet: string) =>
    new AzureError(
      400,
      'OnlyOneVirtualHubAllowedPerVnet',
      `Virtual network '${vnet}' already has a Route Server; only one is allowed per VNet.`,
    ),
  peerAsnReserved: (asn: number) =>
    new AzureError(
      400,
      'BgpPeerAsnIsReserved',
      `Peer ASN ${asn} is reserved and cannot be used: Azure reserves 8074, 8075, 12076, 65515, 65517-65520, 23456, 64496-64511 and 65535-65551.`,
    ),
  peerAsnNot16Bit: (asn: number) =>
    new AzureError(
      400,
      'InvalidBgpPeerAsn',
      `Peer ASN ${asn} is not supported: Route Server accepts 16-bit ASNs (1-65534) only.`,
    ),
  tooManyPeerings: (hub: string, max: number) =>
    new AzureError(
      400,
      'MaxBgpConnectionsPerVirtualHubReached',
      `Route Server '${hub}' cannot have more than ${max} peerings.`,
    ),
  duplicatePeerIp: (ip: string) =>
    new AzureError(
      400,
      'BgpConnectionPeerIpAlreadyExists',
      `A peering with peer IP ${ip} already exists on this Route Server.`,
    ),
  routeConflict: (table: string, prefix: string) =>
    new AzureError(
      400,
      'RouteConflict',
      `Route table '${table}' has more than one route with address prefix ${prefix}.`,
    ),
  invalidNextHop: (route: string, why: string) => new AzureError(400, 'InvalidNextHop', `Route '${route}': ${why}`),
  subnetNotInVnet: (subnet: string, prefix: string, vnet: string) =>
    new AzureError(
      400,
      'NetcfgSubnetRangeOutsideVnet',
      `Subnet '${subnet}' is not valid because its IP address range ${prefix} is outside the address space of virtual network '${vnet}'.`,
    ),
  subnetsOverlap: (a: string, b: string) =>
    new AzureError(400, 'NetcfgSubnetRangesOverlap', `Subnet '${a}' overlaps with subnet '${b}'.`),
  privateIpNotInSubnet: (ip: string, subnet: string) =>
    new AzureError(
      400,
      'PrivateIPAddressNotInSubnet',
      `Private IP address ${ip} is not in the range of subnet '${subnet}'.`,
    ),
  privateIpReserved: (ip: string, subnet: string) =>
    new AzureError(
      400,
      'PrivateIPAddressIsReserved',
      `Private IP address ${ip} is reserved in subnet '${subnet}' (Azure reserves the first four addresses and the last one).`,
    ),
  privateIpInUse: (ip: string, by: string) =>
    new AzureError(400, 'PrivateIPAddressInUse', `Private IP address ${ip} is already in use by ${by}.`),
  useRemoteGatewaysWithoutTransit: (peering: string, remote: string) =>
    new AzureError(
      400,
      'RemotePeeringIsDisconnectedOrGatewayTransitNotAllowed',
      `Peering '${peering}' sets useRemoteGateways, but the peering from '${remote}' does not set allowGatewayTransit.`,
    ),
  useRemoteGatewaysNoGateway: (peering: string, remote: string) =>
    new AzureError(
      400,
      'RemoteVnetHasNoGateways',
      `Peering '${peering}' sets useRemoteGateways, but virtual network '${remote}' has no gateway or Route Server.`,
    ),
  invalidParameter: (name: string, why: string) => new AzureError(400, 'InvalidParameter', `${name}: ${why}`),
  // --- run-time changes (issue 13, item 2): what ARM refuses on PUT/DELETE ------------
  /** A required property missing from a PUT body. */
  missingProperty: (path: string) =>
    new AzureError(400, 'InvalidRequestFormat', `Cannot parse the request: '${path}' is required.`, path),
  /** A child PUT under a resource group or parent that does not exist. */
  parentNotFound: (type: string, name: string, rg: string) =>
    new AzureError(
      404,
      'ParentResourceNotFound',
      `Failed to perform 'write' on resource(s) of type '${type}', because the parent resource '${name}' under resource group '${rg}' could not be found.`,
    ),
  inUseSubnetCannotBeDeleted: (subnet: string, by: string) =>
    new AzureError(400, 'InUseSubnetCannotBeDeleted', `Subnet ${subnet} is in use by ${by} and cannot be deleted.`),
  inUseRouteTableCannotBeDeleted: (table: string, by: string) =>
    new AzureError(
      400,
      'InUseRouteTableCannotBeDeleted',
      `Route table ${table} is in use by subnet ${by} and cannot be deleted.`,
    ),
  nicInUse: (nic: string, vm: string) =>
    new AzureError(
      400,
      'NicInUse',
      `Network Interface ${nic} is used by existing resource ${vm}. In order to delete the network interface, it must be dissociated from the resource.`,
    ),
  inUseVirtualNetworkCannotBeDeleted: (vnet: string, by: string) =>
    new AzureError(
      400,
      'InUseSubnetCannotBeDeleted',
      `Virtual network ${vnet} has a subnet in use by ${by} and cannot be deleted.`,
    ),
  locationMismatch: (what: string, location: string, other: string, otherLocation: string) =>
    new AzureError(
      400,
      'InvalidResourceReference',
      `${what} in ${location} cannot reference ${other} in ${otherLocation}: they must be in the same region.`,
    ),
  // --- the request itself (ARM's front door; issue 8, finding 6) -----------------------
  /** No `Authorization` header: ARM's code and wording. */
  authenticationMissing: (hint: string) =>
    new AzureError(
      401,
      'AuthenticationFailed',
      `Authentication failed. The 'Authorization' header is missing. ${hint}`,
    ),
  /** An `Authorization` header that is not `Bearer <token>`. */
  authenticationInvalidHeader: (hint: string) =>
    new AzureError(
      401,
      'AuthenticationFailedInvalidHeader',
      `Authentication failed. The 'Authorization' header is provided in an invalid format. ${hint}`,
    ),
  invalidAuthenticationToken: (hint: string) =>
    new AzureError(401, 'InvalidAuthenticationToken', `The access token is invalid. ${hint}`),
  /** A body that is not declared `application/json`: ARM's code and wording. */
  unsupportedMediaType: (type: string | undefined) =>
    new AzureError(
      415,
      'UnsupportedMediaType',
      `The content media type '${type ?? '<null>'}' is not supported. Only 'application/json' is supported.`,
    ),
  /** ARM refuses request bodies over 4 MB with this code. */
  requestContentTooLarge: (maxBytes: number) =>
    new AzureError(
      413,
      'RequestContentTooLarge',
      `The request content size exceeds the maximum size of ${maxBytes / (1024 * 1024)} MB.`,
    ),
  /** Not JSON at all. */
  invalidRequestContent: () =>
    new AzureError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.'),
  /** JSON, but a field of the wrong type: the Network provider's code, naming the field's path. */
  invalidRequestFormat: (path: string, why: string) =>
    new AzureError(400, 'InvalidRequestFormat', `Cannot parse the request: '${path}' ${why}.`, path),
} as const;
