/**
 * `arslab explain` on a seed-001-like lab built in code (test/lab/hybrid.test.ts's set-up,
 * own addresses 10.52/10.53): hub1 with a route server (branch-to-branch on), an NVA, an
 * ExpressRoute gateway on two circuits (c1 to onprem1, c2 to onprem2), a spoke with a user
 * route; hub2 with its own route server (branch-to-branch off), NVA and gateway on c1. Each case is
 * explained, and every losing or dropped line names its rule:
 * R-ARS-7 (ER path beats an NVA path by preference class), R-ER-3 (weight), R-ARS-9
 * (NO_ADVERTISE toward the ER gateway), R-ARS-6 (65515 at hub2's route server), R-ER-4
 * (MSEE /30s), R-ER-5 (no transit between circuits; the supernet covers it), R-NIC-4.
 *
 * EXPLAIN_PRINT=1 prints every explanation as `arslab explain` would.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, parsePrefix } from '../../src/bgp/wire/index.js';
import type { Speaker } from '../../src/rib/index.js';
import { renderExplain, type ExplainResult } from '../../src/azure/explain.js';
import type { Lab } from '../../src/lab/lab.js';
import { explainNic, explainPeer } from '../../src/lab/explain.js';
import { ApiServer } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/client.js';
import { command as explainCommand } from '../../src/cli/commands/explain.js';
import type { ParsedArgs } from '../../src/cli/command.js';
import { nvaSessionsEstablished, nvaSpeaker, startSpecLab, type TestLab } from '../helpers/lab.js';
import { ONPREM2, seed001Model, seed001Onprem1 } from '../fixtures/seed001Lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { assertRulesOnLosses, checked, findLines, someLine } from '../helpers/explain.js';

const N = 52;
const M = N + 1;

let t: TestLab;
let lab: Lab;

before(async () => {
  t = await startSpecLab('explain', {
    model: seed001Model({
      n: N,
      // Branch-to-branch off: hub2's NVA does not hear er2's shorter 1.2.3.0/24 and keeps advertising its own.
      hub2: { branchToBranch: false, nva: true },
      secondCircuit: true,
      spokeRouteTable: {
        name: 'spoke-rt',
        routes: [
          {
            name: 'to-fw',
            addressPrefix: '10.99.0.0/16',
            nextHopType: 'VirtualAppliance',
            nextHopIpAddress: `10.${N}.1.4`,
          },
        ],
      },
    }),
    nodes: [
      nvaSpeaker('nva1', `10.${N}.1.4`, 65001, [
        { prefix: '10.99.0.0/16', nextHop: `10.${N}.1.4` },
        { prefix: '10.40.0.0/14', nextHop: `10.${N}.1.4`, communities: ['no-advertise'] },
        // The same prefix as on-premises: the route server prefers the ER path (R-ARS-7).
        { prefix: '1.2.3.0/24', nextHop: `10.${N}.1.4` },
        // Seed 003: a supernet covering both sites, advertised to every circuit.
        { prefix: '1.2.0.0/16', nextHop: `10.${N}.1.4` },
      ]),
      // Seed 001: hub1's route via the NVA mesh, 65515 still in the path.
      nvaSpeaker('nva2', `10.${M}.1.4`, 65002, [
        { prefix: '1.2.3.0/24', nextHop: `10.${M}.1.4`, asPath: [65001, 65515, 12076, 133937], origin: 'incomplete' },
      ]),
    ],
    routers: [seed001Onprem1(), ONPREM2],
  });
  lab = t.lab;
  await nvaSessionsEstablished(lab);
  const gw = (name: string) => [...lab.hybrid!.gateways.values()].find((g) => g.resource.name === name)!;
  const has = (sp: Speaker, text: string) => [...sp.locRib()].some((e) => formatPrefix(e.prefix) === text);
  await waitFor('the NVA routes everywhere', async () => {
    await lab.settled();
    const rs2 = lab.routeServer(lab.model.routeServers[1]!)!.instances;
    return (
      has(gw('er1').instances[0]!, '10.99.0.0/16') &&
      has(lab.hybrid!.routers.get('onprem2')!.speaker, '1.2.0.0/16') &&
      rs2.every((i) => i.speaker.candidates(parsePrefix('1.2.3.0/24')!).some((p) => p.rejected))
    );
  });
});

after(async () => {
  await t?.stop();
});

const nic = (name: string, target: string) => checked(explainNic(lab, 'rg', name, target));

test('NIC, 1.2.3.0/24: the ER row toward the MSEE wins; at the route server the ER path beats the NVA path by preference class (R-ARS-7); at the gateway the MSEE path beats the reflected one by weight (R-ER-3)', () => {
  const r = nic('clientVMNic', '1.2.3.0/24');
  const text = renderExplain(r);
  const best = someLine(r, { kind: 'nic', status: 'best' })[0]!.line;
  assert.deepEqual(best.row?.nextHopIpAddress, ['10.2.146.35'], text);
  assert.equal(best.origin, 'expressroute');
  assert.match(r.summary[0]!, /10\.2\.146\.35 \(programmed by the ExpressRoute gateway\)/);
  // The route server instances: the ER-learned path first, the NVA's outranked.
  const nva = someLine(r, { kind: 'route-server', status: 'lost', from: 'hub1nva' });
  assert.equal(nva.length, 2, 'on both instances');
  for (const { line } of nva) {
    assert.equal(line.rule, 'R-ARS-7');
    assert.match(line.reason!, /outranked: preference class 2 > 1 \(hubRoutingPreference ExpressRoute\)/);
  }
  someLine(r, { kind: 'route-server', status: 'best', text: /^er1\/[01] / });
  someLine(r, { kind: 'route-server', status: 'info', rule: 'R-ER-4', text: /that gateway programs it/ });
  // The gateway: the MSEE path (32769 + routingWeight 10) beats the route server's iBGP path.
  const w = someLine(r, { kind: 'expressroute-gateway', status: 'lost', rule: 'R-ER-3' });
  assert.match(w[0]!.line.reason!, /outranked: weight 32779 > 32768/);
  someLine(r, { kind: 'expressroute-gateway', status: 'best', text: /^c1\/secondary \(10\.52\.3\.5\)/ });
  someLine(r, {
    kind: 'expressroute-gateway',
    status: 'info',
    rule: 'R-ER-4',
    text: /programmed into NICs toward 10\.2\.146\.35/,
  });
  // R-ER-4: beside a route server, one next hop of the circuit's two.
  someLine(r, { kind: 'expressroute-gateway', status: 'dropped', rule: 'R-ER-4', text: /next hop 10\.2\.146\.36/ });
  // Back to where it came from: the MSEE and the on-premises router.
  someLine(r, { kind: 'msee', status: 'best', from: 'onprem1' });
  someLine(r, { kind: 'router', status: 'best', text: /^originated by onprem1/ });
  assert.match(text, /✓ best/);
  assert.match(text, /✗ hub1nva \(10\.52\.1\.4\): .*outranked: preference class 2 > 1 .*\(R-ARS-7\)$/m);
});

test('NIC, an address: resolved by longest match (1.2.3.77 → 1.2.3.0/24); less specific rows lose by R-NIC-4', () => {
  const r = nic('clientVMNic', '1.2.3.77');
  assert.equal(r.prefix, '1.2.3.0/24');
  assert.match(r.summary[0]!, /^1\.2\.3\.77 matches 1\.2\.3\.0\/24 \(longest match\)/);
  someLine(r, {
    kind: 'nic',
    status: 'lost',
    rule: 'R-NIC-4',
    text: /^1\.2\.0\.0\/16 VirtualNetworkGateway .*less specific than 1\.2\.3\.0\/24/,
  });
  someLine(r, { kind: 'nic', status: 'lost', rule: 'R-NIC-4', text: /^0\.0\.0\.0\/0 Default Internet/ });
});

test('peer: a NO_ADVERTISE prefix is not advertised to the ExpressRoute gateway (R-ARS-9), and is still programmed', () => {
  const r = checked(explainPeer(lab, { peer: 'er1', routeServer: 'hub1rs', resourceGroup: 'rg' }, '10.40.0.0/14'));
  const lines = someLine(r, { status: 'withheld', rule: 'R-ARS-9' });
  assert.equal(lines.length, 4, 'two route-server instances × two gateway instances');
  for (const { line } of lines) assert.match(line.text, /^not advertised to er1\/[01]: NO_ADVERTISE community$/);
  assert.equal(findLines(r, { status: 'advertised' }).length, 0);
  assert.match(r.summary[0]!, /advertised on 0 of 4 sessions.*NO_ADVERTISE community \(R-ARS-9\)/);
  // Programmed into NICs all the same (R-ARS-9: "it is still programmed into NICs").
  const n = nic('clientVMNic', '10.40.0.0/14');
  assert.equal(someLine(n, { kind: 'nic', status: 'best' })[0]!.line.row?.nextHopIpAddress[0], `10.${N}.1.4`);
  // Positive control: 10.99.0.0/16 is advertised to the gateway, with AS path and next hop as the NVA sent them.
  const ok = checked(explainPeer(lab, { peer: 'er1', routeServer: 'hub1rs', resourceGroup: 'rg' }, '10.99.0.0/16'));
  const adv = findLines(ok, { status: 'advertised' });
  assert.ok(adv.length >= 2, renderExplain(ok));
  assert.match(adv[0]!.line.text, /path 65001, next hop 10\.52\.1\.4/);
});

test("peer: the route looped through hub1 (65515 in the path) is dropped at hub2's route server (R-ARS-6); the NIC explanation says where it stopped", () => {
  const r = checked(explainPeer(lab, { peer: 'hub2nva', routeServer: 'hub2rs', resourceGroup: 'rg' }, '1.2.3.0/24'));
  const dropped = someLine(r, { kind: 'route-server', status: 'dropped', rule: 'R-ARS-6', from: 'hub2nva' });
  assert.equal(dropped.length, 2);
  assert.match(
    dropped[0]!.line.text,
    /dropped at route-server instance hub2rs\/IN_0: AS_PATH 65002-65001-65515-12076-133937 contains 65515/,
  );
  // The hub2 NIC: the ER route is used; hub2rs's view shows the NVA's copy dropped.
  const n = nic('hub2vmVMNic', '1.2.3.0/24');
  assert.equal(someLine(n, { kind: 'nic', status: 'best' })[0]!.line.origin, 'expressroute');
  someLine(n, { kind: 'route-server', status: 'dropped', rule: 'R-ARS-6', from: 'hub2nva' });
  // By peering IP too.
  checked(explainPeer(lab, { peer: `10.${M}.1.4` }, '1.2.3.0/24'));
});

test('NIC, an MSEE /30: not programmed (R-ER-4) at the gateway, kept out at the route server (R-ER-4)', () => {
  const r = nic('clientVMNic', '169.254.1.88/30');
  assert.equal(findLines(r, { kind: 'nic', text: /^169\.254\.1\.88\/30/ }).length, 0, 'no NIC row for the /30');
  someLine(r, {
    kind: 'expressroute-gateway',
    status: 'dropped',
    rule: 'R-ER-4',
    text: /^not programmed into NICs: MSEE link subnet/,
  });
  someLine(r, {
    kind: 'route-server',
    status: 'dropped',
    rule: 'R-ER-4',
    text: /neither programmed nor passed to NVAs/,
  });
});

test('peer: a prefix of circuit c1 explained for the on-premises router of circuit c2: no transit between circuits (R-ER-5); the supernet covers it', () => {
  const r = checked(explainPeer(lab, { peer: 'onprem2' }, '1.2.3.0/24'));
  assert.equal(findLines(r, { status: 'advertised' }).length, 0);
  const transit = someLine(r, { status: 'withheld', rule: 'R-ER-5' });
  assert.match(
    transit[0]!.line.text,
    /^er1\/[01] → c2\/(primary|secondary): not advertised to c2\/(primary|secondary): learned from an MSEE: no transit between circuits$/,
  );
  assert.match(r.summary[0]!, /advertised on 0 of 2 sessions.*no transit between circuits \(R-ER-5\)$/);
  const cover = someLine(r, { kind: 'router', status: 'info', rule: 'R-ER-5' });
  assert.match(
    cover[0]!.line.text,
    /^1\.2\.0\.0\/16 covers it: c2\/(primary|secondary) .*path 12076,.*traffic for 1\.2\.3\.0\/24 follows it/,
  );
  // Positive control: onprem2's own prefix reaches the gateway but not onprem1 either (R-ER-5 the other way).
  const back = checked(explainPeer(lab, { peer: 'onprem1' }, '10.100.20.0/24'));
  someLine(back, { status: 'withheld', rule: 'R-ER-5' });
});

test('NIC, a row invalidated by a user route (R-NIC-4)', () => {
  const r = nic('spokevmVMNic', '10.99.0.0/16');
  const best = someLine(r, { kind: 'nic', status: 'best' })[0]!.line;
  assert.equal(best.row?.source, 'User');
  const inv = someLine(r, {
    kind: 'nic',
    status: 'lost',
    rule: 'R-NIC-4',
    text: /^10\.99\.0\.0\/16 VirtualNetworkGateway VirtualNetworkGateway 10\.52\.1\.4/,
  });
  assert.match(inv[0]!.line.reason!, /^Invalid: user route to-fw overrides it$/);
  someLine(r, { kind: 'nic', status: 'info', rule: 'R-ARS-8', text: /gateway routes come from hub hub1/ });
});

test('branch-to-branch off: the gateway no longer hears the NVA route; explain names R-ARS-11', async () => {
  const set = (on: boolean) =>
    lab.applyModel(
      {
        ...lab.model,
        routeServers: lab.model.routeServers.map((x) =>
          x.name === 'hub1rs' ? { ...x, allowBranchToBranchTraffic: on } : x,
        ),
      },
      `test: b2b ${on ? 'on' : 'off'}`,
    );
  set(false);
  try {
    await lab.settled();
    const r = checked(explainPeer(lab, { peer: 'er1', routeServer: 'hub1rs', resourceGroup: 'rg' }, '10.99.0.0/16'));
    someLine(r, { status: 'withheld', rule: 'R-ARS-11' });
    // The NIC: now the NVA's 1.2.3.0/24 is programmed by the route server and loses the merge to ER (R-ARS-7).
    const n = nic('clientVMNic', '1.2.3.0/24');
    someLine(n, {
      kind: 'nic',
      status: 'dropped',
      rule: 'R-ARS-7',
      text: /^1\.2\.3\.0\/24 VirtualNetworkGateway VirtualNetworkGateway 10\.52\.1\.4 \(from the route server\)/,
    });
  } finally {
    set(true);
    await lab.settled();
  }
});

test('the API and the command: text tree by default, -o json the structured result', async () => {
  const api = new ApiServer(lab);
  const addr = await api.listen('127.0.0.1', 0);
  try {
    let out = '';
    const ctx = {
      client: async () => new ApiClient('127.0.0.1', addr.port, undefined, { token: api.token }),
      stdout: (t: string) => void (out += t),
      stderr: () => {},
    };
    const args = (a: Record<string, string>): ParsedArgs => ({ _: [], ...a });
    const none = await explainCommand.run(ctx, args({ nic: 'clientVMNic', resourceGroup: 'rg', prefix: '1.2.3.0/24' }));
    assert.equal(none, undefined);
    assert.match(out, /^clientVMNic sends 1\.2\.3\.0\/24 to VirtualNetworkGateway 10\.2\.146\.35/);
    assert.match(out, /├─ effective routes of clientVMNic \(hub1\/default\) covering 1\.2\.3\.0\/24/);
    assert.match(out, /✗ .*\(R-ARS-7\)$/m);
    const json = (await explainCommand.run(
      ctx,
      args({ peer: 'er1', routeserver: 'hub1rs', resourceGroup: 'rg', prefix: '10.40.0.0/14', output: 'json' }),
    )) as ExplainResult;
    assert.equal(json.query.kind, 'peer');
    assertRulesOnLosses(json);
    someLine(json, { status: 'withheld', rule: 'R-ARS-9' });
    await assert.rejects(
      explainCommand.run(ctx, args({ peer: 'nobody', prefix: '1.2.3.0/24' })),
      /PeerNotFound|no session with a peer named 'nobody'/,
    );
    await assert.rejects(
      explainCommand.run(ctx, args({ nic: 'clientVMNic', resourceGroup: 'rg', prefix: 'bogus' })),
      /is not a prefix/,
    );
  } finally {
    await api.close();
  }
});
