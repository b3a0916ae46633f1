/**
 * The error module against what Azure shows: each Azure code with its status, the first
 * sentence of its message as Microsoft's pages (or az, where a page quotes its output) give
 * it, and the ARM envelope; then the catalogue's own promises (every code once, every
 * factory's code in it, ARSLab's codes marked) and the reserved ASN lists of the FAQs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asnInRanges,
  EXPRESSROUTE_PEERING_RESERVED_ASNS,
  isReservedPeerAsn,
  isReservedPeeringAsn,
  isReservedVpnAsn,
  ROUTE_SERVER_RESERVED_PEER_ASNS,
} from './constants.js';
import {
  armErrorBody,
  asAzureError,
  AzureError,
  AzureErrors,
  ERROR_CODES,
  ModelWarning,
  ModelWarnings,
} from './errors.js';

/** `f` with `n` parameters called with values that serve as a string, a number or a list of names. */
function callWithAnything(f: (...a: never[]) => AzureError): AzureError {
  return (f as (...a: unknown[]) => AzureError)(...Array.from({ length: f.length }, () => ['x']));
}

test('every factory builds an AzureError whose code is in the catalogue, with the catalogue’s status', () => {
  for (const [name, f] of Object.entries(AzureErrors)) {
    const e = callWithAnything(f);
    assert.ok(e instanceof AzureError, name);
    const kind = ERROR_CODES[e.code as keyof typeof ERROR_CODES];
    assert.ok(kind, `${name}: code ${e.code} is not in ERROR_CODES`);
    assert.equal(e.status, kind.status, name);
    assert.equal(e.arslab, kind.origin === 'arslab', name);
    assert.ok(e.message.length > 0, name);
  }
});

test('the catalogue: an HTTP error status, an origin and a source for each code', () => {
  for (const [code, kind] of Object.entries(ERROR_CODES)) {
    assert.ok(kind.status >= 400 && kind.status < 600, code);
    assert.ok(kind.origin === 'azure' || kind.origin === 'arslab', code);
    assert.ok(kind.source.length > 10, `${code} says where it comes from`);
  }
  // Every code some factory can answer is listed, and every listed code has a factory.
  const answered = new Set(Object.values(AzureErrors).map((f) => callWithAnything(f).code));
  assert.deepEqual([...answered].sort(), Object.keys(ERROR_CODES).sort());
});

test('ARM: not-found codes and messages as the Resource Manager troubleshooting pages show them', () => {
  // learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-not-found:
  // "Code=ResourceNotFound; Message=The Resource 'Microsoft.Storage/storageAccounts/{storage name}'
  // under resource group {resource group name} was not found."
  const e = AzureErrors.resourceNotFound('Microsoft.Network/virtualHubs', 'rs1', 'rg');
  assert.equal(e.status, 404);
  assert.equal(e.code, 'ResourceNotFound');
  assert.equal(e.message, "The Resource 'Microsoft.Network/virtualHubs/rs1' under resource group 'rg' was not found.");
  assert.equal(e.origin, 'azure');
  // common-deployment-errors lists ResourceGroupNotFound and SubscriptionNotFound; az prints
  // "(ResourceGroupNotFound) Resource group 'x' could not be found."
  assert.equal(AzureErrors.resourceGroupNotFound('x').message, "Resource group 'x' could not be found.");
  assert.equal(AzureErrors.resourceGroupNotFound('x').status, 404);
  assert.equal(AzureErrors.subscriptionNotFound('s').code, 'SubscriptionNotFound');
});

test('ARM: the envelope is {error: {code, message}}, with target only when there is one', () => {
  // ARM RPC, error response content: code and message required, target optional.
  assert.deepEqual(AzureErrors.invalidRequestContent().toJSON(), {
    error: {
      code: 'InvalidRequestContent',
      message: 'The request content was invalid and could not be deserialized.',
    },
  });
  const f = AzureErrors.invalidRequestFormat('properties.peerAsn', 'must be a number, not a string');
  assert.equal(f.status, 400);
  assert.deepEqual(f.toJSON(), {
    error: {
      code: 'InvalidRequestFormat',
      message: "Cannot parse the request: 'properties.peerAsn' must be a number, not a string.",
      target: 'properties.peerAsn',
    },
  });
  assert.deepEqual(armErrorBody('C', 'm'), { error: { code: 'C', message: 'm' } });
  // ARM's 4 MB refusal, as deployments that hit it quote it: 413, code and sentence.
  const big = AzureErrors.requestContentTooLarge(4 * 1024 * 1024);
  assert.equal(big.status, 413);
  assert.deepEqual(big.toJSON(), {
    error: { code: 'RequestContentTooLarge', message: 'The request content size exceeds the maximum size of 4 MB.' },
  });
});

test('what a client reads back is what the server wrote; anything else thrown is a 500', () => {
  const sent = AzureErrors.resourceGroupNotFound('rg9');
  const read = AzureError.fromAnswer(404, JSON.parse(JSON.stringify(sent)));
  assert.equal(read.code, 'ResourceGroupNotFound');
  assert.equal(read.message, sent.message);
  assert.equal(read.status, 404);
  assert.equal(AzureError.fromAnswer(502, '<html>bad gateway</html>').code, 'Error');
  assert.equal(AzureError.fromAnswer(502, undefined).message, 'HTTP 502');
  const internal = asAzureError(new Error('boom'));
  assert.equal(internal.status, 500);
  assert.deepEqual(internal.toJSON(), { error: { code: 'InternalServerError', message: 'boom' } });
  assert.equal(asAzureError(sent), sent);
});

test('Microsoft.Network: subnet and peering refusals start with the sentence az prints', () => {
  // az network vnet subnet create, outside the VNet (captured az output):
  // "(NetcfgSubnetRangeOutsideVnet) Subnet 'subnet-alb' is not valid because its IP address
  // range is outside the IP address range of virtual network 'aks-vnet-34152116'."
  const out = AzureErrors.subnetNotInVnet('subnet-alb', '10.9.0.0/24', 'aks-vnet-34152116');
  assert.equal(out.code, 'NetcfgSubnetRangeOutsideVnet');
  assert.equal(out.status, 400);
  assert.ok(
    out.message.startsWith(
      "Subnet 'subnet-alb' is not valid because its IP address range is outside the IP address range of virtual network 'aks-vnet-34152116'.",
    ),
    out.message,
  );
  // "(NetcfgSubnetRangesOverlap) Subnet 'test-subnet' is not valid because its IP address range
  // overlaps with that of an existing subnet in virtual network 'lab4-vnet'."
  const overlap = AzureErrors.subnetsOverlap('test-subnet', 'default', 'lab4-vnet');
  assert.equal(overlap.code, 'NetcfgSubnetRangesOverlap');
  assert.ok(
    overlap.message.startsWith(
      "Subnet 'test-subnet' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'lab4-vnet'.",
    ),
  );
  // useRemoteGateways toward a VNet without a gateway: "Peering … cannot have UseRemoteGateway
  // flag set to true because remote virtual network … referenced by the peering does not have
  // any gateways."
  const gw = AzureErrors.useRemoteGatewaysNoGateway('spoke-to-hub', 'hub');
  assert.equal(gw.code, 'RemoteVnetHasNoGateways');
  assert.match(
    gw.message,
    /^Peering 'spoke-to-hub' cannot have UseRemoteGateway flag set to true because remote virtual network 'hub' referenced by the peering does not have any gateways\./,
  );
});

test('Microsoft.Network: NIC address codes from the common deployment errors list and the private endpoint page', () => {
  // common-deployment-errors: PrivateIPAddressInReservedRange ("includes an address range
  // required by Azure"), PrivateIPAddressNotInSubnet ("outside of the subnet range").
  assert.equal(AzureErrors.privateIpReserved('10.0.0.1', 'default').code, 'PrivateIPAddressInReservedRange');
  assert.equal(AzureErrors.privateIpNotInSubnet('10.0.1.4', 'default').code, 'PrivateIPAddressNotInSubnet');
  // Azure Database for PostgreSQL, "Add private endpoint connections": a static address
  // another NIC holds is "Code: PrivateIPAddressIsAllocated".
  const taken = AzureErrors.privateIpInUse('10.0.0.4', 'nic1');
  assert.equal(taken.code, 'PrivateIPAddressIsAllocated');
  assert.equal(taken.status, 400);
  // Same page: "Code: InvalidResourceReference / Message: Resource <vnet> referenced by
  // resource <private endpoint> was not found. Please make sure that the referenced resource
  // exists, and that both resources are in the same region."
  const ref = AzureErrors.invalidResourceReference('/subscriptions/s/x/virtualNetworks/v', '/subscriptions/s/y/nic');
  assert.equal(ref.code, 'InvalidResourceReference');
  assert.equal(
    ref.message,
    'Resource /subscriptions/s/x/virtualNetworks/v referenced by resource /subscriptions/s/y/nic was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.',
  );
});

test('Route Server and gateways: the codes Azure answers, and the ones ARSLab names marked as its own', () => {
  // Azure's answer to a Route Server outside RouteServerSubnet, as terraform-provider-azurerm's
  // acceptance run printed it: Code="InvalidRouteServerSubnetName" Message="Subnet name used
  // to deploy Route Server should be RouteServerSubnet."
  const name = AzureErrors.invalidRouteServerSubnetName('AzureBastionSubnet');
  assert.equal(name.code, 'InvalidRouteServerSubnetName');
  assert.ok(name.message.startsWith('Subnet name used to deploy Route Server should be RouteServerSubnet.'));
  assert.equal(name.arslab, false);
  // azurerm's virtual network gateway documentation quotes Azure's code for a SKU the
  // gateway type does not take.
  assert.equal(
    AzureErrors.skuNotForType('VpnGw1', 'ExpressRoute', ['Standard']).code,
    'InvalidGatewaySkuSpecifiedForGatewayDeploymentType',
  );
  // Azure refuses a reserved peer ASN (Route Server FAQ) without publishing the code: ARSLab's.
  const asn = AzureErrors.peerAsnReserved(65515);
  assert.equal(asn.code, 'BgpPeerAsnIsReserved');
  assert.equal(asn.arslab, true);
  assert.match(
    asn.message,
    /Azure reserves 8074, 8075, 12076, 65515, 65517-65520, 23456, 64496-64511 and 65535-65551\.$/,
  );
  // ARSLab's own endpoints answer ARSLab's codes.
  assert.equal(AzureErrors.nodeNotFound('r9', ['r1']).arslab, true);
  assert.equal(AzureErrors.routerStopped('s', 'r1').status, 409);
});

test('warnings are their own type: no HTTP status, never an AzureError', () => {
  const w = ModelWarnings.routeServerSubnetBelowRecommended('10.0.1.0/27');
  assert.ok(w instanceof ModelWarning);
  assert.ok(!((w as unknown) instanceof AzureError));
  assert.equal('status' in w, false);
  assert.equal(w.code, 'RouteServerSubnetSmallerThanRecommended');
});

test('reserved ASNs: the Route Server FAQ list, its edges, and the VPN and ExpressRoute lists', () => {
  // Route Server FAQ: Azure reserves 65515, 65517-65520, 8074, 8075, 12076; IANA 23456,
  // 64496-64511, 65535-65551. 65516 and the private 64512-65514, 65521-65534 are usable.
  for (const asn of [8074, 8075, 12076, 65515, 65517, 65520, 23456, 64496, 64511, 65535, 65551])
    assert.ok(isReservedPeerAsn(asn), `${asn} is reserved`);
  for (const asn of [8073, 8076, 12075, 65514, 65516, 65521, 23455, 64495, 64512, 65534, 65552, 65001])
    assert.ok(!isReservedPeerAsn(asn), `${asn} is not reserved`);
  // VPN Gateway FAQ adds 4294967295 (RFC 7300's last 32-bit AS); 0 is never an ASN (RFC 7607).
  for (const asn of [0, 4294967295, 65515, 12076]) assert.ok(isReservedVpnAsn(asn), `${asn} VPN`);
  assert.ok(!isReservedVpnAsn(65516));
  // ExpressRoute private peering: 12076 and 65515-65520 (65516 included: the range is whole).
  for (const asn of [12076, 65515, 65516, 65520]) assert.ok(isReservedPeeringAsn(asn), `${asn} peering`);
  assert.ok(!isReservedPeeringAsn(8074));
  assert.ok(!isReservedPeeringAsn(65521));
  assert.ok(asnInRanges(65518, ROUTE_SERVER_RESERVED_PEER_ASNS));
  assert.equal(EXPRESSROUTE_PEERING_RESERVED_ASNS.length, 2);
});
