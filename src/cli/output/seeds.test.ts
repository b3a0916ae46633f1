// `-o table` outputs from /work/shared/seeds/001 (copy/paste collapsed runs of spaces, so
// lines are compared modulo runs of spaces; the dashed lines still carry exact widths).
// The transformers here are test stand-ins shaped like azure-cli's network table
// transformers (OrderedDicts with display column names), to check the tabulate layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResult } from './index.js';
import { ER1_PEER_STATUS, er1PeerStatusRest, tableLines } from '../../../test/fixtures/seed001.js';

const squash = (s: string) => s.replace(/ +/g, ' ').trim();
const lines = (s: string) => s.trimEnd().split('\n').map(squash);

test('seed 001: vnet-gateway list-bgp-peer-status -o table (column widths from the dashes)', () => {
  const peers = er1PeerStatusRest();
  const transformer = (r: unknown) =>
    (r as { value: Array<Record<string, unknown>> }).value.map((p) => ({
      Neighbor: p.neighbor,
      ASN: p.asn,
      State: p.state,
      ConnectedDuration: p.connectedDuration,
      RoutesReceived: p.routesReceived,
      MessagesSent: p.messagesSent,
      MessagesReceived: p.messagesReceived,
    }));
  const out = formatResult({ value: peers }, { output: 'table', tableTransformer: transformer });
  assert.deepEqual(lines(out), tableLines(ER1_PEER_STATUS));
  // numbers are left-aligned text (disable_numparse=True)
  assert.match(out, /\n10\.1\.3\.4 {4}12076 {2}Connected {2}01:43:11\.4004661 {5}2 {17}139 {13}144\n/);
});

test('seed 001: nic show-effective-route-table -o table (empty last column, spaces in headers)', () => {
  const routes = [
    ['Default', '10.1.16.0/24', 'VnetLocal', []],
    ['Default', '10.1.0.0/20', 'VNetPeering', []],
    ['VirtualNetworkGateway', '10.2.0.0/16', 'VirtualNetworkGateway', ['10.1.1.4']],
    ['VirtualNetworkGateway', '10.1.0.0/16', 'VirtualNetworkGateway', ['10.1.1.4']],
    ['VirtualNetworkGateway', '1.2.3.0/24', 'VirtualNetworkGateway', ['10.2.146.35']],
    ['Default', '0.0.0.0/0', 'Internet', []],
  ].map(([source, prefix, nextHopType, ips]) => ({
    source,
    state: 'Active',
    addressPrefix: [prefix],
    nextHopType,
    nextHopIpAddress: ips,
  }));
  const transformer = (r: unknown) =>
    (r as { value: Array<Record<string, unknown>> }).value.flatMap((x) =>
      (x.addressPrefix as string[]).map((p) => ({
        Source: x.source,
        State: x.state,
        'Address Prefix': p,
        'Next Hop Type': x.nextHopType,
        'Next Hop IP': (x.nextHopIpAddress as string[]).join(' '),
      })),
    );
  const out = formatResult({ value: routes }, { output: 'table', tableTransformer: transformer });
  assert.deepEqual(lines(out), [
    'Source State Address Prefix Next Hop Type Next Hop IP',
    '--------------------- ------- ---------------- --------------------- -------------',
    'Default Active 10.1.16.0/24 VnetLocal',
    'Default Active 10.1.0.0/20 VNetPeering',
    'VirtualNetworkGateway Active 10.2.0.0/16 VirtualNetworkGateway 10.1.1.4',
    'VirtualNetworkGateway Active 10.1.0.0/16 VirtualNetworkGateway 10.1.1.4',
    'VirtualNetworkGateway Active 1.2.3.0/24 VirtualNetworkGateway 10.2.146.35',
    'Default Active 0.0.0.0/0 Internet',
  ]);
  assert.ok(
    out.includes('\nDefault                Active   10.1.16.0/24      VnetLocal\n'),
    'trailing empty cell is rstripped',
  );
});

test('seed 001: routeserver show --query virtualRouterIps -o tsv / --query allowBranchToBranchTraffic', () => {
  const rs = {
    name: 'hub1rs',
    allowBranchToBranchTraffic: true,
    virtualRouterIps: ['10.1.0.4', '10.1.0.5'],
    virtualRouterAsn: 65515,
  };
  assert.equal(formatResult(rs, { output: 'tsv', query: 'virtualRouterIps' }), '10.1.0.4\n10.1.0.5\n');
  assert.equal(formatResult(rs, { output: 'json', query: 'allowBranchToBranchTraffic' }), 'true\n');
  assert.equal(formatResult(rs, { output: 'tsv', query: 'allowBranchToBranchTraffic' }), 'true\n');
});
