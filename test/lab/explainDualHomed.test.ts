/**
 * `arslab explain` on a seed-002-like lab (dual-homed spoke, 10.50/16): the spoke has its
 * own route server, peered with an NVA in each of two hubs. The standby NVA prepends its
 * default route (it loses by AS-path length, R-ARS-7); an NVA that passes on its hub route
 * server's routes without as-override keeps 65515 in the path (dropped, R-ARS-6), the other
 * applies it (used); a prefix both advertise alike is ECMP. Every losing line names its rule.
 *
 * EXPLAIN_PRINT=1 prints every explanation as `arslab explain` would.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lab } from '../../src/lab/lab.js';
import { explainNic, explainPeer } from '../../src/lab/explain.js';
import { buildModel } from '../helpers/model.js';
import { nvaSessionsEstablished, nvaSpeaker, startSpecLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { checked, findLines, someLine } from '../helpers/explain.js';

const N = 50;
let t: TestLab;
let lab: Lab;

before(async () => {
  const m = buildModel({
    vnets: [
      {
        name: 'spoke',
        prefixes: [`10.${N}.0.0/20`],
        subnets: [
          { name: 'RouteServerSubnet', prefix: `10.${N}.0.0/26` },
          { name: 'app', prefix: `10.${N}.1.0/24` },
        ],
        // Seed 002: "Use Remote Gateway or Remote Route Server" disabled on the spoke's peerings.
        peerings: [
          { name: 'to-hubA', remote: 'hubA' },
          { name: 'to-hubB', remote: 'hubB' },
        ],
      },
      {
        name: 'hubA',
        prefixes: [`10.${N}.16.0/20`],
        subnets: [{ name: 'nva', prefix: `10.${N}.17.0/24` }],
        peerings: [{ name: 'to-spoke', remote: 'spoke' }],
      },
      {
        name: 'hubB',
        prefixes: [`10.${N}.32.0/20`],
        subnets: [{ name: 'nva', prefix: `10.${N}.33.0/24` }],
        peerings: [{ name: 'to-spoke', remote: 'spoke' }],
      },
    ],
    vms: [
      { name: 'app', vnet: 'spoke', subnet: 'app', ip: `10.${N}.1.10` },
      { name: 'nvaA', vnet: 'hubA', subnet: 'nva', ip: `10.${N}.17.4` },
      { name: 'nvaB', vnet: 'hubB', subnet: 'nva', ip: `10.${N}.33.4` },
    ],
    routeServers: [
      {
        name: 'spokers',
        vnet: 'spoke',
        peerings: [
          { name: 'nvaA', peerIp: `10.${N}.17.4`, peerAsn: 65001 },
          { name: 'nvaB', peerIp: `10.${N}.33.4`, peerAsn: 65002 },
        ],
      },
    ],
  });
  t = await startSpecLab('explain-dual-homed', {
    model: m,
    nodes: [
      nvaSpeaker('nvaA', `10.${N}.17.4`, 65001, [
        { prefix: '0.0.0.0/0' },
        // Learned from hub A's route server and passed on as is: 65515 still in the path.
        { prefix: '192.168.10.0/24', asPath: [65515, 12076, 65100] },
        { prefix: '10.60.0.0/16' },
      ]),
      nvaSpeaker('nvaB', `10.${N}.33.4`, 65002, [
        // The standby hub: prepended.
        { prefix: '0.0.0.0/0', asPath: [65002, 65002] },
        // as-override: 65515 replaced by the NVA's own ASN (seed 002's advice).
        { prefix: '192.168.10.0/24', asPath: [65002, 12076, 65100] },
        { prefix: '10.60.0.0/16' },
      ]),
    ],
  });
  lab = t.lab;
  await nvaSessionsEstablished(lab);
  const rt = lab.routeServer(m.routeServers[0]!)!;
  await waitFor('the NVA routes', () =>
    rt.instances.every(
      (i) =>
        i.speaker.prefixCount >= 4 && [...i.speaker.locRib()].some((e) => e.prefix.len === 16 && e.best.length === 2),
    ),
  );
});

after(async () => {
  await t?.stop();
});

test('the default route: the prepended standby NVA loses by AS-path length (R-ARS-7); BGP 0/0 removes the Internet row (R-NIC-4)', () => {
  const r = checked(explainNic(lab, 'rg', 'appVMNic', '0.0.0.0/0'));
  assert.deepEqual(someLine(r, { kind: 'nic', status: 'best' })[0]!.line.row?.nextHopIpAddress, [`10.${N}.17.4`]);
  someLine(r, {
    kind: 'nic',
    status: 'dropped',
    rule: 'R-NIC-4',
    text: /^0\.0\.0\.0\/0 Default Internet: not in the table: removed by a 0\.0\.0\.0\/0 route$/,
  });
  const lost = someLine(r, { kind: 'route-server', status: 'lost', from: 'nvaB', rule: 'R-ARS-7' });
  assert.equal(lost.length, 2);
  assert.match(lost[0]!.line.reason!, /^outranked: AS path length 1 < 3$/);
});

test('an on-premises address: the NVA without as-override is dropped (R-ARS-6), the one with it is used', () => {
  const r = checked(explainNic(lab, 'rg', 'appVMNic', '192.168.10.5'));
  assert.equal(r.prefix, '192.168.10.0/24');
  assert.deepEqual(someLine(r, { kind: 'nic', status: 'best' })[0]!.line.row?.nextHopIpAddress, [`10.${N}.33.4`]);
  const dropped = someLine(r, { kind: 'route-server', status: 'dropped', from: 'nvaA', rule: 'R-ARS-6' });
  assert.match(
    dropped[0]!.line.text,
    /dropped at route-server instance spokers\/IN_0: AS_PATH 65001-65515-12076-65100 contains 65515$/,
  );
  const p = checked(explainPeer(lab, { peer: 'nvaA', routeServer: 'spokers', resourceGroup: 'rg' }, '192.168.10.0/24'));
  // Advertised to nvaA: nvaB's path, 65515 prepended (R-ARS-9: route reflection between NVAs).
  someLine(p, { status: 'advertised', text: /path 65515-65002-65002-12076-65100, next hop 10\.50\.0\.4/ });
  someLine(p, { status: 'dropped', rule: 'R-ARS-6', from: 'nvaA' });
});

test('a prefix both NVAs advertise alike: equal cost (two rows, two next hops)', () => {
  const r = checked(explainNic(lab, 'rg', 'appVMNic', '10.60.0.0/16'));
  assert.equal(findLines(r, { kind: 'nic', status: 'best' }).length, 1);
  assert.equal(findLines(r, { kind: 'nic', status: 'equal' }).length, 1);
  assert.equal(findLines(r, { kind: 'route-server', status: 'equal' }).length, 2);
  // Not sent back to the peer it came from (R-ARS-9).
  const p = checked(explainPeer(lab, { peer: `10.${N}.17.4` }, '10.60.0.0/16'));
  someLine(p, { status: 'withheld', rule: 'R-ARS-9', text: /its best path came from peering nvaA/ });
});
