/**
 * The vnet-gateway commands' output path (REST rows → az's SDK view → azure-cli's table
 * transformers → knack/tabulate) against seed 001's `-o table` captures: the column order az
 * prints (NextHop last when the first row is a Network row whose next hop is null; no
 * SourcePeer column for advertised routes) and the exact widths of the dashed lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResult } from '../../../output/index.js';
import {
  BGP_PEER_STATUS_KEYS,
  GATEWAY_ROUTE_KEYS,
  sdkRows,
  transformBgpPeerStatus,
  transformGatewayRoutes,
} from './common.js';

const squash = (s: string) => s.replace(/ +/g, ' ').trim();
const lines = (s: string) => s.trimEnd().split('\n').map(squash);

/** "net origin sourcePeer [asPath] weight [nextHop]" as the REST API answers it. */
function learned(text: string, local: string) {
  return text.split('\n').map((l) => {
    const f = l.split(' ');
    const [network, origin, sourcePeer] = f as [string, string, string];
    const rest = f.slice(3); // Network: weight; no AS path: weight next-hop; else AS-path weight next-hop
    const asPath = rest.length === 3 ? rest[0]! : '';
    const weight = Number(rest.length === 3 ? rest[1] : rest[0]);
    const nextHop = origin === 'Network' ? undefined : rest[rest.length - 1];
    return { localAddress: local, network, ...(nextHop ? { nextHop } : {}), sourcePeer, origin, asPath, weight };
  });
}

const CAPTURE_2 = `10.1.0.0/20 Network 10.1.3.12 32768
10.1.0.0/20 IBgp 10.1.0.4 32768 10.1.0.4
10.1.0.0/20 IBgp 10.1.0.5 32768 10.1.0.5
10.1.16.0/24 Network 10.1.3.12 32768
10.1.16.0/24 IBgp 10.1.0.4 32768 10.1.0.4
10.1.16.0/24 IBgp 10.1.0.5 32768 10.1.0.5
10.1.17.0/24 Network 10.1.3.12 32768
10.1.17.0/24 IBgp 10.1.0.4 32768 10.1.0.4
10.1.17.0/24 IBgp 10.1.0.5 32768 10.1.0.5
169.254.1.88/30 EBgp 10.1.3.4 12076-133937 32779 10.1.3.4
169.254.1.88/30 EBgp 10.1.3.5 12076-133937 32779 10.1.3.5
10.2.0.0/16 IBgp 10.1.0.4 65001-65002 32768 10.1.1.4
10.2.0.0/16 IBgp 10.1.0.5 65001-65002 32768 10.1.1.4
169.254.1.92/30 EBgp 10.1.3.4 12076-133937 32779 10.1.3.4
169.254.1.92/30 EBgp 10.1.3.5 12076-133937 32779 10.1.3.5
1.2.3.0/24 EBgp 10.1.3.5 12076-133937 32779 10.1.3.5
10.1.0.0/20 EBgp 10.1.3.5 12076-12076 32779 10.1.3.13
10.1.16.0/24 EBgp 10.1.3.5 12076-12076 32779 10.1.3.13
10.1.17.0/24 EBgp 10.1.3.5 12076-12076 32779 10.1.3.13`;

test('seed 001: vnet-gateway list-learned-routes -o table, second capture (columns, widths, rows)', () => {
  const rest = { value: learned(CAPTURE_2, '10.1.3.12') };
  assert.equal(rest.value[0]!.nextHop, undefined);
  assert.equal(rest.value[1]!.asPath, '');
  assert.equal(rest.value[11]!.asPath, '65001-65002');
  const out = formatResult(sdkRows(rest, GATEWAY_ROUTE_KEYS), {
    output: 'table',
    tableTransformer: transformGatewayRoutes,
  });
  assert.deepEqual(lines(out), [
    'Network Origin SourcePeer AsPath Weight NextHop',
    '--------------- -------- ------------ ------------ -------- ---------',
    ...CAPTURE_2.split('\n'),
  ]);
  assert.equal(out.split('\n')[1], '---------------  --------  ------------  ------------  --------  ---------');
});

test('seed 001: vnet-gateway list-advertised-routes -o table (no SourcePeer column: null in every row)', () => {
  const rows = [
    ['10.1.0.0/20', '10.1.3.13', 'Igp', ''],
    ['10.1.16.0/24', '10.1.3.13', 'Igp', ''],
    ['10.1.17.0/24', '10.1.3.13', 'Igp', ''],
    ['169.254.1.88/30', '10.1.3.4', 'Incomplete', '12076-133937'],
    ['169.254.1.92/30', '10.1.3.4', 'Incomplete', '12076-133937'],
    ['1.2.3.0/24', '10.1.3.5', 'Incomplete', '12076-133937'],
  ].map(([network, nextHop, origin, asPath]) => ({
    localAddress: '10.1.3.13',
    network,
    nextHop,
    origin,
    asPath,
    weight: 0,
  }));
  const sdk = sdkRows({ value: rows }, GATEWAY_ROUTE_KEYS);
  assert.deepEqual(Object.keys(sdk.value[0]!), [
    'localAddress',
    'network',
    'nextHop',
    'sourcePeer',
    'origin',
    'asPath',
    'weight',
  ]);
  assert.equal(sdk.value[0]!['sourcePeer'], null);
  const out = formatResult(sdk, { output: 'table', tableTransformer: transformGatewayRoutes });
  assert.deepEqual(lines(out), [
    'Network NextHop Origin AsPath Weight',
    '--------------- --------- ---------- ------------ --------',
    '10.1.0.0/20 10.1.3.13 Igp 0',
    '10.1.16.0/24 10.1.3.13 Igp 0',
    '10.1.17.0/24 10.1.3.13 Igp 0',
    '169.254.1.88/30 10.1.3.4 Incomplete 12076-133937 0',
    '169.254.1.92/30 10.1.3.4 Incomplete 12076-133937 0',
    '1.2.3.0/24 10.1.3.5 Incomplete 12076-133937 0',
  ]);
  // az's JSON: sorted keys, the null source peer shown.
  assert.match(formatResult(sdk, { output: 'json' }), /"origin": "Igp",\n {6}"sourcePeer": null,\n {6}"weight": 0/);
});

test('seed 001: vnet-gateway list-bgp-peer-status -o table with the real transformer', () => {
  const peers = [
    ['10.1.3.4', 12076, '01:43:11.4004661', 2, 139],
    ['10.1.3.5', 12076, '01:42:45.9564815', 6, 138],
    ['10.1.0.4', 65515, '01:43:19.0347253', 4, 350],
    ['10.1.0.5', 65515, '01:43:18.9878490', 4, 471],
  ].map(([neighbor, asn, connectedDuration, routesReceived, messagesSent]) => ({
    localAddress: '10.1.3.12',
    neighbor,
    asn,
    state: 'Connected',
    connectedDuration,
    routesReceived,
    messagesSent,
    messagesReceived: 144,
  }));
  const out = formatResult(sdkRows({ value: peers }, BGP_PEER_STATUS_KEYS), {
    output: 'table',
    tableTransformer: transformBgpPeerStatus,
  });
  assert.deepEqual(lines(out), [
    'Neighbor ASN State ConnectedDuration RoutesReceived MessagesSent MessagesReceived',
    '---------- ----- --------- ------------------- ---------------- -------------- ------------------',
    '10.1.3.4 12076 Connected 01:43:11.4004661 2 139 144',
    '10.1.3.5 12076 Connected 01:42:45.9564815 6 138 144',
    '10.1.0.4 65515 Connected 01:43:19.0347253 4 350 144',
    '10.1.0.5 65515 Connected 01:43:18.9878490 4 471 144',
  ]);
});
