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
import {
  ER1_ADVERTISED,
  ER1_LEARNED_2,
  ER1_PEER_STATUS,
  er1AdvertisedRest,
  er1PeerStatusRest,
  tableLines,
  tableRows,
} from '../../../../../test/fixtures/seed001.js';

const squash = (s: string) => s.replace(/ +/g, ' ').trim();
const lines = (s: string) => s.trimEnd().split('\n').map(squash);

/** "net origin sourcePeer [asPath] weight [nextHop]" as the REST API answers it. */
function learned(rows: string[], local: string) {
  return rows.map((l) => {
    const f = l.split(' ');
    const [network, origin, sourcePeer] = f as [string, string, string];
    const rest = f.slice(3); // Network: weight; no AS path: weight next-hop; else AS-path weight next-hop
    const asPath = rest.length === 3 ? rest[0]! : '';
    const weight = Number(rest.length === 3 ? rest[1] : rest[0]);
    const nextHop = origin === 'Network' ? undefined : rest[rest.length - 1];
    return { localAddress: local, network, ...(nextHop ? { nextHop } : {}), sourcePeer, origin, asPath, weight };
  });
}

test('seed 001: vnet-gateway list-learned-routes -o table, second capture (columns, widths, rows)', () => {
  const rest = { value: learned(tableRows(ER1_LEARNED_2), '10.1.3.12') };
  assert.equal(rest.value[0]!.nextHop, undefined);
  assert.equal(rest.value[1]!.asPath, '');
  assert.equal(rest.value[11]!.asPath, '65001-65002');
  const out = formatResult(sdkRows(rest, GATEWAY_ROUTE_KEYS), {
    output: 'table',
    tableTransformer: transformGatewayRoutes,
  });
  assert.deepEqual(lines(out), tableLines(ER1_LEARNED_2));
  assert.equal(out.split('\n')[1], '---------------  --------  ------------  ------------  --------  ---------');
});

test('seed 001: vnet-gateway list-advertised-routes -o table (no SourcePeer column: null in every row)', () => {
  const rows = er1AdvertisedRest();
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
  assert.deepEqual(lines(out), tableLines(ER1_ADVERTISED));
  // az's JSON: sorted keys, the null source peer shown.
  assert.match(formatResult(sdk, { output: 'json' }), /"origin": "Igp",\n {6}"sourcePeer": null,\n {6}"weight": 0/);
});

test('seed 001: vnet-gateway list-bgp-peer-status -o table with the real transformer', () => {
  const peers = er1PeerStatusRest();
  const out = formatResult(sdkRows({ value: peers }, BGP_PEER_STATUS_KEYS), {
    output: 'table',
    tableTransformer: transformBgpPeerStatus,
  });
  assert.deepEqual(lines(out), tableLines(ER1_PEER_STATUS));
});
