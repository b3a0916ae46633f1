// scenarios/cloud-exchange: a real daemon in the middle of the path: FRR as an exchange router (`xr25`), customer edge
// of an ExpressRoute circuit and linked to another cloud's gateway (`cloud25`, a built-in
// router with profile aws-vgw, which also has two VPN tunnels to the hub). `arslab trace`
// and `arslab probe` cross FRR by FRR's own best routes (read from bgpd, ADR 0032), both ways.
//
// Expectations from documented rules: R-ER-1 (the customer edge holds the first host of the
// link /30, the MSEE the second), lab `links` (`a` the first host, `b` the second), R-ER-4
// (a NIC reaches on-premises prefixes through the circuit's MSEE addresses), AWS's VGW route
// priority (Direct Connect before VPN), ADR 0032's replies (MSEE `*`, gateway instance from
// its own address, a router from the address the packet entered by, the owner as the
// destination).
//
// Emulated 10.25-10.28.x; loopback mode binds 127.25.2.10 (web server), 127.26.0.1/.2 (FRR,
// MSEE), 127.27.0.1/.2 (FRR, cloud25's end of the link). Bounded, cleaned up by PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { flowHash } from '../../src/azure/dataPath.js';
import type { ProbeInfo, ProbeResult, ProbeSummary } from '../../src/lab/probe.js';
import type { TraceResult } from '../../src/lab/trace.js';
import { LabCli, missingBinaries, ROOT } from './labCli.js';
import { waitFor } from '../helpers/waitFor.js';

// scenarios/cloud-exchange as a user runs it (its README walks through the same steps).
const NAME = 'cloud-exchange';
const SCENARIO = join(ROOT, 'scenarios/cloud-exchange/lab.yml');
const noFrr = missingBinaries(['/usr/lib/frr/bgpd', '/usr/bin/vtysh']).length > 0 ? 'FRR is not installed' : false;

const VPC_HOST = '10.28.5.5';
const APP = '10.25.2.10';

interface ProbeRun {
  info: ProbeInfo;
  probes: ProbeResult[];
  summary: ProbeSummary;
}

const num = (ip: string) => ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);
const replies = (t: TraceResult) => t.paths.map((p) => p.hops.filter((h) => !h.source).map((h) => h.reply ?? '*'));

test('trace and probe cross a real FRR exchange router by its own table, both ways; a session shut moves them to the VPN', {
  skip: noFrr,
  timeout: 120_000,
}, async () => {
  const cli = new LabCli('daemon-hop');
  try {
    await cli.ok(['up', SCENARIO, '--detach'], 60_000);
    cli.record(NAME);

    // The VPN tunnels come up first (in process); once FRR has its sessions, the circuit's
    // route wins at the VNet (ExpressRoute over VPN, R-ARS-7's routing preference class).
    const out = await waitFor(
      'the VM reaching the other cloud across the circuit and FRR',
      async () => {
        const t = await cli.json<TraceResult>(['trace', '--from', 'app25', '--to', VPC_HOST]);
        return t.paths.find((p) => p.hops[1]?.name === 'c25/primary')?.end === 'reached' ? t : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    // FRR is the edge of the primary link only: the path through the primary MSEE is VM → MSEE
    // (`*`) → FRR, answering from its primary-link address → cloud25, the owner. (The NIC also
    // lists the secondary MSEE, which has no route behind it: see the report on R-ER-4.)
    const primary = out.paths.find((p) => p.hops[1]?.name === 'c25/primary')!;
    assert.deepEqual(
      primary.hops.map((h) => `${h.kind} ${h.name}`),
      ['vm app25', 'msee c25/primary', 'nva xr25', 'router cloud25'],
    );
    assert.deepEqual(replies({ ...out, paths: [primary] }), [['*', '10.26.0.1', VPC_HOST]]);
    // FRR's hop names the route it forwards by: cloud25's range, next hop cloud25's link end.
    assert.deepEqual([primary.hops[2]!.route?.prefix, primary.hops[2]!.route?.nextHop], ['10.28.0.0/16', '10.27.0.2']);
    // A flow the NIC sends to the primary MSEE: its ECMP row by the 5-tuple hash over the rows
    // in next-hop address order (src/azure/dataPath.ts).
    const rows = out.paths.map((p) => p.hops[0]!.route!.nextHop).sort((a, b) => num(a) - num(b));
    const want = rows.indexOf(primary.hops[0]!.route!.nextHop);
    let sport = 40000;
    while (
      flowHash({ source: APP, destination: VPC_HOST, protocol: 6, sourcePort: sport, destinationPort: 80 }) %
        rows.length !==
      want
    )
      sport++;

    // cloud25 → the VM: Direct Connect first (aws-vgw) → FRR at 10.27.0.1 (link `a`) → FRR's
    // best toward the hub is the MSEE (10.26.0.2) → `*` → an ER gateway instance → the VM.
    const back = await waitFor(
      'the other cloud reaching the VM across FRR',
      async () => {
        const t = await cli.json<TraceResult>(['trace', '--from', 'cloud25', '--to', APP]);
        return t.paths.length && t.paths.every((p) => p.end === 'reached' && p.hops[1]?.kind === 'nva') ? t : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    for (const p of back.paths)
      assert.deepEqual(
        p.hops.map((h) => h.kind),
        ['router', 'nva', 'msee', 'expressroute-gateway', 'vm'],
      );
    for (const r of replies(back)) assert.deepEqual([r[1], r[2], r[4]], ['10.27.0.1', '*', APP]);
    for (const r of replies(back)) assert.match(r[3]!, /^10\.25\.3\.1[23]$/);

    // Probes both ways: the VM's real web server answers; cloud25 answers for its range.
    const toVm = await cli.json<ProbeRun>(['probe', '--from', 'cloud25', '--to', APP, '-c', '3', '-i', '200ms']);
    for (const p of toVm.probes)
      assert.deepEqual([p.result, p.body, p.hops!.slice(0, 3)], ['ok', 'app25', ['cloud25', 'xr25', 'c25/primary']]);
    const toVpc = await cli.json<ProbeRun>([
      'probe',
      '--from',
      'app25',
      '--to',
      VPC_HOST,
      '-c',
      '3',
      '-i',
      '200ms',
      '--source-port',
      String(sport),
    ]);
    for (const p of toVpc.probes)
      assert.deepEqual([p.result, p.vm, p.hops], ['ok', 'cloud25', ['c25/primary', 'xr25', 'cloud25']]);

    // Only the session xr25<->cloud25 shut (Cease; the link stays): cloud25 falls back to its
    // VPN tunnels, FRR withdraws 10.28.0.0/16 from the MSEE, the VNet reaches it over the VPN
    // gateway; probes across show where the traffic went.
    await cli.ok(['link', 'down', '--session', 'xr25<->cloud25', '--graceful']);
    await waitFor(
      'the VM reaching the other cloud over the VPN gateway',
      async () => {
        const t = await cli.json<TraceResult>(['trace', '--from', 'app25', '--to', VPC_HOST]);
        return t.paths.length && t.paths.every((p) => p.hops[1]?.kind === 'vpn-gateway' && p.end === 'reached')
          ? true
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    const overVpn = await cli.json<ProbeRun>(['probe', '--from', 'app25', '--to', VPC_HOST, '-c', '3', '-i', '200ms']);
    for (const p of overVpn.probes) {
      assert.equal(p.result, 'ok');
      assert.match(p.hops![0]!, /^vpn25\/[01]$/);
    }
    await cli.ok(['link', 'up', '--session', 'xr25<->cloud25']);

    await cli.ok(['down'], 20_000);
    await cli.waitClean(NAME, 5000);
  } finally {
    await cli.cleanup([NAME]);
  }
});
