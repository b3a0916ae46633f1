/**
 * Issue 10 item 9: what-if in virtual time. A lab of built-in speakers (seed 000's shape:
 * watch1 announces the VIP 100.64.0.1/32 via ws1, watch2 via ws2 with its AS prepended, so
 * the route server prefers watch1 by AS-path length, R-ARS-7) and a fault timeline: watch1's
 * links to both route-server instances cut at 10 s, silently. Each instance notices at its
 * hold-timer expiry (R-ARS-4: 180 s offered, the lower of both sides used; RFC 4271 §6.5:
 * the timer restarts on every KEEPALIVE, sent every third of it), drops watch1's path, and
 * the NICs move to ws2 (R-ARS-8). Addresses 10.82.x (loopback 127.82.x).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../src/lab/lab.js';
import { formatLabFileError, loadLabText } from '../../src/lab/topology/index.js';
import { parseFault, refusal, runWhatIf, WhatIfRefused, type WhatIfReport } from '../../src/lab/whatif.js';
import type { LabSpec, NodeSpec } from '../../src/lab/spec.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 82;
const T = { timeout: 60_000 };
const WS1 = `10.${N}.0.4`;
const WS2 = `10.${N}.0.5`;

function yaml(hold: number | undefined): string {
  const h = hold === undefined ? '' : `, holdTime: ${hold}`;
  return `name: whatif
location: uksouth
settings: { connectRetryTime: 1${hold === undefined ? '' : `, routeServer: { holdTime: ${hold}, keepaliveTime: ${Math.max(1, Math.floor(hold / 3))} }`} }
resourceGroups:
  rg:
    virtualNetworks:
      vnet:
        addressPrefixes: [10.${N}.0.0/16]
        subnets:
          default: { addressPrefix: 10.${N}.0.0/24 }
          RouteServerSubnet: { addressPrefix: 10.${N}.1.0/24 }
    routeServers:
      rs:
        subnet: vnet/RouteServerSubnet
        peerings:
          watch1: { peerIp: 10.${N}.0.7, peerAsn: 65001 }
          watch2: { peerIp: 10.${N}.0.8, peerAsn: 65002 }
    virtualMachines:
      ws1: { subnet: vnet/default, privateIPAddress: ${WS1} }
      ws2: { subnet: vnet/default, privateIPAddress: ${WS2} }
      lt1: { subnet: vnet/default, privateIPAddress: 10.${N}.0.6 }
      watch1: { subnet: vnet/default, privateIPAddress: 10.${N}.0.7 }
      watch2: { subnet: vnet/default, privateIPAddress: 10.${N}.0.8 }
nodes:
  watch1: { kind: speaker, vm: watch1, asn: 65001${h}, routes: [{ prefix: 100.64.0.1/32, nextHop: ${WS1} }] }
  watch2: { kind: speaker, vm: watch2, asn: 65002${h}, routes: [{ prefix: 100.64.0.1/32, nextHop: ${WS2}, asPath: [65002] }] }
`;
}

function spec(text: string): LabSpec {
  const r = loadLabText(text, '/labs/whatif/lab.yml');
  assert.ok(r.ok, r.ok ? '' : r.errors.map(formatLabFileError).join('\n'));
  return r.spec;
}

const CUT = ['10s link down rs/IN_0<->watch1', '10s link down rs/IN_1<->watch1'].map(parseFault);

/** lt1's VIP changes, "atMs before -> after". */
const vipChanges = (r: WhatIfReport) =>
  r.nicChanges.filter((c) => c.nic === 'lt1VMNic' && c.prefix === '100.64.0.1/32');

/**
 * The order of what happened, as phases: the faults, the instances' sessions with watch1
 * going down (either instance first), the instances' best path moving to ws2, the NIC moving.
 */
function phases(events: readonly { type: string; source: string; message: string }[], nicMoved: boolean): string[] {
  // Each phase at its first occurrence: the two instances detect on their own hold timers,
  // so their events may interleave (IN_0 down, IN_0 best, IN_1 down, IN_1 best) or not; what
  // must agree is the order in which each phase first happens.
  const out: string[] = [];
  const push = (p: string) => {
    if (!out.includes(p)) out.push(p);
  };
  for (const e of events) {
    if (e.type === 'lab' && e.message.startsWith('fault:')) push('fault');
    else if (
      e.type === 'session' &&
      /IN_[01]\/watch1$/.test(e.source) &&
      /session down|Established -> /.test(e.message)
    )
      push('watch1 session down');
    else if (e.type === 'route' && /IN_[01]$/.test(e.source) && e.message.includes(`100.64.0.1/32 -> [${WS2}]`))
      push('best via ws2');
  }
  if (nicMoved) push('NIC via ws2');
  return out;
}

test('what-if: a 180-s hold-expiry failover computed in well under a second of wall time', T, async () => {
  const r = await runWhatIf(spec(yaml(undefined)), CUT);
  const moves = vipChanges(r);
  assert.equal(moves.length, 1, JSON.stringify(r.nicChanges));
  const m = moves[0]!;
  assert.deepEqual([m.before, m.after], [[WS1], [WS2]]);
  // Detection at hold expiry: 180 s after the last KEEPALIVE received (every 60 s), so
  // between 120 s and 180 s after the cut at 10 s; ideal timing programs it at once.
  assert.ok(m.atMs > 10_000 + 120_000 && m.atMs <= 10_000 + 180_000, `NIC moved at ${m.atMs} ms`);
  // The instances' session events say why: the hold timer expired.
  const down = r.events.filter(
    (e) => e.type === 'session' && /IN_[01]\/watch1$/.test(e.source) && /hold/i.test(e.message),
  );
  assert.ok(down.length >= 2, r.events.map((e) => `${e.atMs} ${e.source} ${e.message}`).join('\n'));
  assert.ok(r.computeMs < 1000, `computed in ${r.computeMs.toFixed(0)} ms`);
  assert.deepEqual(phases(r.events, true), ['fault', 'watch1 session down', 'best via ws2', 'NIC via ws2']);
});

test('what-if with the azure profile: the NIC moves 0.9–5.4 s after the route server (R-TIME-1)', T, async () => {
  const r = await runWhatIf(spec(yaml(undefined)), CUT, { timing: { profile: 'azure', seed: 82 } });
  const m = vipChanges(r)[0]!;
  const best = r.events.filter(
    (e) => e.type === 'route' && /IN_[01]$/.test(e.source) && e.message.includes(`-> [${WS2}]`),
  );
  const last = Math.max(...best.map((e) => e.atMs));
  const first = Math.min(...best.map((e) => e.atMs));
  // The fabric's delay runs from the first instance's change; both instances program together.
  assert.ok(m.atMs - first >= 900 && m.atMs - first <= 5400 + (last - first), `${first}..${last} -> ${m.atMs}`);
});

test('what-if: same order of events as the real-time run of the same lab', { timeout: 90_000 }, async () => {
  // Short timers so that the real-time run takes seconds: hold 3 s on every session.
  const text = yaml(3);
  const virtual = await runWhatIf(spec(text), CUT);
  const vOrder = phases(virtual.events, vipChanges(virtual).length === 1);

  const dir = mkdtempSync(join(tmpdir(), 'arslab-whatif-rt-'));
  writeFileSync(join(dir, 'lab.yml'), text);
  const lab = await Lab.start(spec(text), { stateDir: join(dir, 'state') });
  try {
    const lt1 = lab.model.networkInterfaces.find((n) => n.name === 'lt1VMNic')!;
    const vip = () =>
      lab
        .effectiveRoutes(lt1)
        .value.filter((r) => r.addressPrefix[0] === '100.64.0.1/32' && r.state === 'Active')
        .flatMap((r) => r.nextHopIpAddress);
    await waitFor('the VIP via ws1 in real time', () => vip().join() === WS1, 20_000);
    const seq = lab.events.since().at(-1)!.seq;
    for (const f of CUT) {
      lab.events.emit('lab', 'what-if', `fault: ${f.text}`);
      lab.graph.faults.linkDown(lab.graph.findSessions((f.action as { session: string }).session), false);
    }
    await waitFor('the VIP via ws2 in real time', () => vip().join() === WS2, 20_000);
    const rOrder = phases(lab.events.since(seq), true);
    assert.deepEqual(rOrder, ['fault', 'watch1 session down', 'best via ws2', 'NIC via ws2']);
    assert.deepEqual(vOrder, rOrder);
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what-if refuses a lab with real daemons, saying they run in real time', T, async () => {
  // The seed's ExaBGP beside the built-in speakers (only its kind and name matter here).
  const base = spec(yaml(undefined));
  const s: LabSpec = {
    ...base,
    nodes: [...base.nodes, { ...base.nodes[0]!, kind: 'exabgp', name: 'nva' } as unknown as NodeSpec],
  };
  assert.match(refusal(s) ?? '', /runs real daemons \(nva: exabgp\).*keep their own time.*real time: arslab up/);
  await assert.rejects(runWhatIf(s, CUT), WhatIfRefused);
  assert.equal(refusal(spec(yaml(undefined))), undefined);
});

test('what-if fault specs: times and forms; a bad one names the forms', () => {
  assert.deepEqual(parseFault('3m maintenance rs/IN_0 for 90s graceful'), {
    atMs: 180_000,
    text: '3m maintenance rs/IN_0 for 90s graceful',
    action: { kind: 'maintenance', instance: 'rs/IN_0', graceful: true, durationMs: 90_000 },
  });
  assert.deepEqual(parseFault('1500ms link down circuit c1 primary').action, {
    kind: 'circuit-down',
    circuit: 'c1',
    path: 'primary',
  });
  assert.throws(() => parseFault('soon link down x'), /'soon' is not a time.*forms: AT link down SESSION/);
  assert.throws(() => parseFault('10s explode rs'), /unknown fault 'explode'/);
});
