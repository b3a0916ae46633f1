// `arslab trace` and `arslab probe` hop by hop, both directions, as a user runs them: a real
// lab up through the CLI with a VM serving HTTP (a real server process), an ExpressRoute
// circuit whose customer edge is an exchange router (`xr20`, transit) linked to another
// cloud's gateway (`cloud20`, profile aws-vgw), which also reaches the hub over two VPN
// tunnels, one per instance of an active/active VPN gateway.
//
// Expectations come from the documented rules, not from ARSLab's output:
// - R-ER-1: the customer edge holds the first host of each link /30, the MSEE the second;
//   a lab `links` entry gives `a` the first host, `b` the second (docs/lab-file.md);
// - R-ER-4: a NIC reaches on-premises prefixes through the circuit's MSEE addresses;
// - R-ARS-7 / Azure's ExpressRoute-over-VPN preference: the VNet sends 10.21.0.0/16 over the
//   circuit while it has it, over the VPN gateway when not;
// - AWS's VGW route priority (profile aws-vgw): Direct Connect before VPN;
// - ADR 0032 (seed 003's tracerts, Microsoft's "Interoperability in Azure – data plane
//   analysis"): MSEEs answer `*`, a gateway instance answers from its own address, a router
//   from the address the packet entered by, the owner of the destination as the destination;
// - ping's convention: exit status 1 when no probe got a reply.
//
// Emulated 10.20-10.23.x; loopback mode binds only 127.20.2.10 (the web server). Bounded in
// time, its own state folder, processes killed by PID in `finally`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowHash } from '../../src/azure/dataPath.js';
import type { ProbeInfo, ProbeResult, ProbeSummary } from '../../src/lab/probe.js';
import type { TraceResult } from '../../src/lab/trace.js';
import { LabCli } from './labCli.js';
import { waitFor } from '../helpers/waitFor.js';

const NAME = 'hop-by-hop';
const LAB = `name: ${NAME}
location: westeurope
settings: { connectRetryTime: 1 }
resourceGroups:
  rg:
    virtualNetworks:
      hub20:
        addressPrefixes: [10.20.0.0/20]
        subnets:
          default: { addressPrefix: 10.20.2.0/24 }
          GatewaySubnet: { addressPrefix: 10.20.3.0/24 }
    virtualMachines:
      app20: { subnet: hub20/default, privateIPAddress: 10.20.2.10 }
    virtualNetworkGateways:
      er20: { gatewayType: ExpressRoute, virtualNetwork: hub20, instanceAddresses: [10.20.3.12, 10.20.3.13] }
      vpn20: { gatewayType: Vpn, virtualNetwork: hub20, activeActive: true, enableBgp: true, customBgpIpAddresses: [169.254.21.2, 169.254.22.2] }
    localNetworkGateways:
      cloud20-t1: { gatewayIpAddress: 203.0.113.51, addressPrefixes: [], bgpSettings: { asn: 64512, bgpPeeringAddress: 169.254.21.1 } }
      cloud20-t2: { gatewayIpAddress: 203.0.113.52, addressPrefixes: [], bgpSettings: { asn: 64512, bgpPeeringAddress: 169.254.22.1 } }
    expressRouteCircuits:
      c20:
        serviceProviderName: Equinix
        peeringLocation: Amsterdam
        bandwidthInMbps: 50
        peerings:
          AzurePrivatePeering: { peerASN: 65020, primaryPeerAddressPrefix: 10.23.0.0/30, secondaryPeerAddressPrefix: 10.23.0.4/30, vlanId: 200 }
    connections:
      vpn20-t1: { connectionType: IPsec, virtualNetworkGateway1: vpn20, localNetworkGateway2: cloud20-t1, enableBgp: true, gatewayInstances: [0] }
      vpn20-t2: { connectionType: IPsec, virtualNetworkGateway1: vpn20, localNetworkGateway2: cloud20-t2, enableBgp: true, gatewayInstances: [1] }
      er20-c20: { connectionType: ExpressRoute, virtualNetworkGateway1: er20, peer: c20, mseePeerAddresses: [10.20.3.4, 10.20.3.5] }
nodes:
  app20: { kind: http, vm: app20 }
routers:
  xr20:
    asn: 65020
    transit: true
    attach: [{ circuit: c20, link: primary }, { circuit: c20, link: secondary }]
  cloud20:
    asn: 64512
    profile: aws-vgw
    attach: [{ localNetworkGateway: cloud20-t1 }, { localNetworkGateway: cloud20-t2 }]
    routes: [{ prefix: 10.21.0.0/16 }]
links:
  xr20-cloud20: { subnet: 10.22.0.0/30, a: xr20, b: cloud20 }
`;

/** R-ER-1: the customer edge's address on each link (first host), by the MSEE's name. */
const EDGE_ON = { 'c20/primary': '10.23.0.1', 'c20/secondary': '10.23.0.5' } as const;
const VPC_HOST = '10.21.5.5';
const APP = '10.20.2.10';

interface ProbeRun {
  info: ProbeInfo;
  probes: ProbeResult[];
  summary: ProbeSummary;
}

/** A trace path as traceroute prints it: hop replies, `*` for none, the sender left out. */
const replies = (t: TraceResult) => t.paths.map((p) => p.hops.filter((h) => !h.source).map((h) => h.reply ?? '*'));

async function up(cli: LabCli): Promise<void> {
  const file = join(cli.stateDir, `${NAME}.yml`);
  writeFileSync(file, LAB);
  await cli.ok(['up', file, '--detach'], 60_000);
  cli.record(NAME);
  // Converged: the VM reaches the other cloud's range over both links of the circuit (R-ER-4:
  // ECMP across links), and the other cloud has the hub's range from the exchange router.
  await waitFor(
    'routes across the circuit both ways',
    async () => {
      const a = await cli.json<TraceResult>(['trace', '--from', 'app20', '--to', VPC_HOST]);
      const b = await cli.json<TraceResult>(['trace', '--from', 'cloud20', '--to', APP]);
      return a.paths.length === 2 && [...a.paths, ...b.paths].every((p) => p.end === 'reached') ? true : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
}

test('trace hop by hop both ways across the circuit and the exchange router, as traceroute prints it; TTL', {
  timeout: 90_000,
}, async () => {
  const cli = new LabCli('hop-by-hop-trace');
  try {
    await up(cli);
    // VM → the other cloud: the NIC's two ECMP next hops are the circuit's MSEEs (R-ER-4), so
    // two paths; each: MSEE `*`, the exchange router from its address on that MSEE's link, the
    // other cloud answering as the owner of 10.21.0.0/16.
    const out = await cli.json<TraceResult>(['trace', '--from', 'app20', '--to', VPC_HOST]);
    assert.deepEqual(
      out.paths.map((p) => p.hops.map((h) => h.kind)),
      [
        ['vm', 'msee', 'router', 'router'],
        ['vm', 'msee', 'router', 'router'],
      ],
    );
    assert.deepEqual(
      replies(out),
      out.paths.map((p) => ['*', EDGE_ON[p.hops[1]!.name as keyof typeof EDGE_ON], VPC_HOST]),
    );
    assert.deepEqual(out.paths.map((p) => p.hops[1]!.name).sort(), ['c20/primary', 'c20/secondary']);
    assert.deepEqual(
      out.paths.map((p) => p.hops.at(-1)!.name),
      ['cloud20', 'cloud20'],
    );

    // The other cloud → the VM: Direct Connect before VPN (aws-vgw), so the exchange router
    // at its link address (`a`, the first host of 10.22.0.0/30), an MSEE `*`, an ER gateway
    // instance at its own address — the MSEE holds both instances' routes tied, so both are
    // listed —, then the VM.
    const back = await cli.json<TraceResult>(['trace', '--from', 'cloud20', '--to', APP]);
    assert.deepEqual(
      back.paths.map((p) => p.hops.map((h) => h.kind).slice(1)),
      Array(back.paths.length).fill(['router', 'msee', 'expressroute-gateway', 'vm']),
    );
    for (const r of replies(back)) assert.deepEqual([r[1], r[2], r[4]], ['10.22.0.1', '*', APP]);
    assert.deepEqual(
      replies(back)
        .map((r) => r[3])
        .sort(),
      ['10.20.3.12', '10.20.3.13'],
    );

    // The text: one line per hop, `*` where the MSEE is, the instance's address before its name.
    const text = await cli.ok(['trace', '--from', 'cloud20', '--to', APP]);
    assert.match(text, /^\s+3\s+\*\s+c20\/(primary|secondary)\s/m, text);
    assert.match(text, /^\s+4\s+10\.20\.3\.1[23]\s+er20\/[01]\s/m, text);
    assert.match(text, /^\s+5\s+10\.20\.2\.10\s+app20\s*$/m, text);

    // TTL: with 2 hops the packet expires after the exchange router.
    const short = await cli.json<TraceResult>(['trace', '--from', 'cloud20', '--to', APP, '--max-hops', '2']);
    assert.deepEqual(
      short.paths.map((p) => [p.end, p.hops.map((h) => h.name)]),
      [['ttl-exceeded', ['cloud20', 'xr20']]],
    );
    const bad = await cli.arslab(['trace', '--from', 'cloud20', '--to', APP, '--max-hops', '0']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /maxHops: expected a whole number from 1 to 255/);

    // An address nobody owns inside the hub's range: delivered into the VNet, no VM holds it.
    const none = await cli.json<TraceResult>(['trace', '--from', 'cloud20', '--to', '10.20.9.9']);
    assert.ok(
      none.paths.every((p) => p.end === 'vnet' && p.hops.at(-1)!.kind === 'expressroute-gateway'),
      JSON.stringify(none),
    );
    // `node routes` and `node cmd` agree on which names exist (issue 9, item 5): built-in
    // routers and a web server are nodes to both; an unknown name is NodeNotFound (exit 3) to both.
    for (const [name, exists] of [
      ['xr20', true],
      ['cloud20', true],
      ['app20', true],
      ['nope', false],
    ] as const) {
      const routes = await cli.arslab(['node', 'routes', name]);
      const cmd = await cli.arslab(['node', 'cmd', name, 'show']);
      assert.deepEqual(
        [routes.code === 3, cmd.code === 3],
        [!exists, !exists],
        `${name}: routes ${routes.code} ${routes.stderr} / cmd ${cmd.code} ${cmd.stderr}`,
      );
    }
    await cli.ok(['down'], 20_000);
    await cli.waitClean(NAME, 5000);
  } finally {
    await cli.cleanup([NAME]);
  }
});

test('probe both ways: a real HTTP answer from the VM, the other cloud answering for its range, where a flow dies, the exit status; failover to the VPN tunnels', {
  timeout: 120_000,
}, async () => {
  const cli = new LabCli('hop-by-hop-probe');
  try {
    await up(cli);
    // From the other cloud to the VM: every probe crosses the exchange router, an MSEE and an
    // ER gateway instance — the MSEE's tie broken per flow by the 5-tuple hash over the
    // instances' addresses in order (src/azure/dataPath.ts) — and gets the web server's answer.
    const toVm = await cli.json<ProbeRun>(['probe', '--from', 'cloud20', '--to', APP, '-c', '6', '-i', '100ms']);
    assert.equal(toVm.summary.received, 6, JSON.stringify(toVm.probes));
    for (const p of toVm.probes) {
      const flow = {
        source: toVm.info.source,
        destination: APP,
        protocol: 6,
        sourcePort: p.sourcePort,
        destinationPort: 80,
      };
      assert.deepEqual(
        [p.result, p.status, p.body, p.vm, p.hops],
        ['ok', 200, 'app20', 'app20', ['cloud20', 'xr20', p.hops![2], `er20/${flowHash(flow) % 2}`, 'app20']],
      );
      assert.match(p.hops![2]!, /^c20\/(primary|secondary)$/);
    }

    // From the VM to the other cloud: the NIC's ECMP row by the hash picks the MSEE; the other
    // cloud owns 10.21.0.0/16 and answers (no socket: ADR 0032).
    const toVpc = await cli.json<ProbeRun>(['probe', '--from', 'app20', '--to', VPC_HOST, '-c', '4', '-i', '100ms']);
    assert.equal(toVpc.summary.received, 4);
    for (const p of toVpc.probes) {
      assert.deepEqual([p.result, p.emulated, p.vm, p.hops!.slice(1)], ['ok', true, 'cloud20', ['xr20', 'cloud20']]);
      assert.equal(p.paths, 2, 'two ECMP rows: the two MSEEs (R-ER-4)');
    }

    // Nowhere: 10.99.0.1 falls in Azure's default 10.0.0.0/8 → None; every probe dies at the
    // VM, the statistics say where, and the command exits 1 as ping does.
    const lost = await cli.arslab(['probe', '--from', 'app20', '--to', '10.99.0.1', '-c', '2', '-i', '100ms']);
    assert.equal(lost.code, 1, lost.stdout + lost.stderr);
    assert.match(lost.stdout, /no route at app20/);
    assert.match(lost.stdout, /^lost at: app20: no route 2$/m);
    const partial = await cli.arslab(['probe', '--from', 'app20', '--to', VPC_HOST, '-c', '1']);
    assert.equal(partial.code, 0);
    // Inside the hub's range but no VM: the flow dies at the ER gateway instance that delivered it.
    const dead = await cli.arslab([
      'probe',
      '--from',
      'cloud20',
      '--to',
      '10.20.9.9',
      '-c',
      '2',
      '-i',
      '100ms',
      '-o',
      'json',
    ]);
    assert.equal(dead.code, 1);
    const vnet = JSON.parse(dead.stdout) as ProbeRun;
    for (const p of vnet.probes) {
      assert.equal(p.result, 'unreachable');
      assert.match(p.diedAt!, /^er20\/[01]$/);
    }

    // The session xr20<->cloud20 shut (Cease, both ends at once) while its link stays: the
    // other cloud falls back to its VPN tunnels (aws-vgw: Direct Connect first, VPN next), the
    // circuit loses 10.21.0.0/16, and the VNet reaches it over the VPN gateway: an instance
    // answers from its own address, then the other cloud.
    await cli.ok(['link', 'down', '--session', 'xr20<->cloud20', '--graceful']);
    const viaVpn = await waitFor(
      'the VM reaching the other cloud over the VPN gateway',
      async () => {
        const t = await cli.json<TraceResult>(['trace', '--from', 'app20', '--to', VPC_HOST]);
        return t.paths.length && t.paths.every((p) => p.hops[1]?.kind === 'vpn-gateway') ? t : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    for (const p of viaVpn.paths) {
      assert.deepEqual(
        p.hops.map((h) => h.kind),
        ['vm', 'vpn-gateway', 'router'],
      );
      assert.equal(p.hops[1]!.reply, p.hops[1]!.address);
      assert.equal(p.hops[2]!.reply, VPC_HOST);
    }
    const back = await cli.json<TraceResult>(['trace', '--from', 'cloud20', '--to', APP]);
    assert.ok(
      back.paths.every((p) => p.hops[1]!.kind === 'vpn-gateway' && p.end === 'reached'),
      JSON.stringify(back),
    );
    const overVpn = await cli.json<ProbeRun>(['probe', '--from', 'app20', '--to', VPC_HOST, '-c', '3', '-i', '100ms']);
    assert.ok(
      overVpn.probes.every((p) => p.result === 'ok' && /^vpn20\/[01]$/.test(p.hops![0]!)),
      JSON.stringify(overVpn.probes),
    );

    // Back up: Direct Connect again.
    await cli.ok(['link', 'up', '--session', 'xr20<->cloud20']);
    await waitFor(
      'back over the circuit',
      async () => {
        const t = await cli.json<TraceResult>(['trace', '--from', 'app20', '--to', VPC_HOST]);
        return t.paths.every((p) => p.hops[1]?.kind === 'msee' && p.end === 'reached') ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );

    // Cut silently (no --graceful): nothing crosses the link, neither end has noticed (hold
    // timer): probes toward the other cloud die after the exchange router.
    await cli.ok(['link', 'down', '--session', 'xr20<->cloud20']);
    const cutRun = await cli.arslab([
      'probe',
      '--from',
      'app20',
      '--to',
      VPC_HOST,
      '-c',
      '2',
      '-i',
      '100ms',
      '-o',
      'json',
    ]);
    assert.equal(cutRun.code, 1);
    const cut = JSON.parse(cutRun.stdout) as ProbeRun;
    for (const p of cut.probes) assert.deepEqual([p.result, p.diedAt], ['timeout', 'xr20'], JSON.stringify(p));
    assert.deepEqual(cut.summary.died, { 'xr20: timeout': 2 });
    await cli.ok(['link', 'up', '--session', 'xr20<->cloud20']);

    await cli.ok(['down'], 20_000);
    await cli.waitClean(NAME, 5000);
  } finally {
    await cli.cleanup([NAME]);
  }
});
