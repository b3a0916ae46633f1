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
// Three tests: the trace and probe across FRR (below); the scenario's tables, traces and
// probes in three states around a session shut (issue 9 item 6); netns mode with FRR's
// verbatim config and a forwarding loop that trace and probe report.
//
// Emulated 10.25-10.28.x; loopback mode binds 127.25.2.10 (web server), 127.26.0.1/.2 (FRR,
// MSEE), 127.27.0.1/.2 (FRR, cloud25's end of the link). Bounded, cleaned up by PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { flowHash } from '../../src/azure/dataPath.js';
import type { ProbeInfo, ProbeResult, ProbeSummary } from '../../src/lab/probe.js';
import type { TraceResult } from '../../src/lab/trace.js';
import { loadLabFile } from '../../src/lab/topology/index.js';
import { ArmPaths } from '../../src/api/paths.js';
import { ApiClient } from '../../src/cli/client.js';
import { isRoot, LabCli, labNamespaces, missingBinaries, ROOT, sleep } from './labCli.js';
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

// ---------------------------------------------------------------------------
// The scenario's tables in three states (issue 9, item 6): steady; only the session
// xr25<->cloud25 shut (its cross-connect stays, and so does cloud25's connected /30); restored.
// Every expectation below is built from the lab file's inputs (addresses Azure would assign,
// read with the lab-file loader) and the documented rules named beside it, never from
// ARSLab's answers.

interface CircuitRow {
  network: string;
  nextHop: string;
  path: string;
}
interface LearnedRow {
  network: string;
  origin: string;
  sourcePeer: string;
  asPath: string;
  weight: number;
  nextHop: string | null;
}
interface PeerRow {
  neighbor: string;
  asn: number;
  state: string;
  routesReceived: number;
}
interface EffectiveRow {
  source: string;
  state: string;
  addressPrefix: string[];
  nextHopType: string;
  nextHopIpAddress: string[];
}
interface RouterRow {
  prefix: string;
  best: boolean;
  local: boolean;
  nextHop: string;
  peer?: string;
}
interface FrrRow {
  prefix: string;
  best: boolean;
  nextHop: string;
  asPath: number[];
}

/** Host `k` of an IPv4 subnet ("10.26.0.0/30", 1 → "10.26.0.1"). */
const hostOf = (subnet: string, k: number) => {
  const n = num(subnet.split('/')[0]!) + k;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
};

/** The scenario's inputs, as Azure and the other cloud would have them (the lab file, loaded). */
async function scenarioInputs() {
  const loaded = await loadLabFile(SCENARIO);
  assert.ok(loaded.ok);
  const { model, routers, links } = loaded.spec;
  const gw = (name: string) => model.virtualNetworkGateways.find((g) => g.name === name)!;
  const er = gw('er25');
  const vpn = gw('vpn25');
  const circuit = model.expressRouteCircuits.find((c) => c.name === 'c25')!;
  const peering = circuit.peerings[0]!;
  const erConnection = model.connections.find((c) => c.connectionType === 'ExpressRoute')!;
  const cloud = routers.find((r) => r.name === 'cloud25')!;
  const cross = links!.find((l) => l.ends.some((e) => e.name === 'cloud25'))!;
  // One IPsec connection per tunnel, each bound to one VPN gateway instance (gatewayInstances):
  // instance j's BGP neighbour is the local network gateway's bgpPeeringAddress.
  const tunnelPeer = (j: number) => {
    const c = model.connections.find((x) => x.connectionType === 'IPsec' && x.gatewayInstances?.[0] === j)!;
    return model.localNetworkGateways.find((l) => l.id === c.localNetworkGateway2)!.bgpSettings!.bgpPeeringAddress;
  };
  return {
    hub: model.virtualNetworks.find((v) => v.name === 'hub25')!.addressPrefixes[0]!,
    erInstances: [...er.instanceAddresses],
    vpnInstances: [...vpn.instanceAddresses],
    vpnBgp: [...vpn.customBgpIpAddresses],
    tunnelPeers: [tunnelPeer(0), tunnelPeer(1)],
    // R-ER-1: on each link /30 the customer edge is the first host, the MSEE the second.
    primaryCe: hostOf(peering.primaryPeerAddressPrefix, 1),
    primaryMsee: hostOf(peering.primaryPeerAddressPrefix, 2),
    // Where the gateway instances see the primary and secondary MSEE (the connection's addresses).
    mseePeers: [...erConnection.mseePeerAddresses!],
    // R-ER-4: where NICs send the circuit's routes.
    mseeNextHops: [...circuit.mseeAddresses],
    exchangeAsn: peering.peerASN,
    cloudAsn: cloud.asn,
    // What cloud25 originates: its VPC, and its link's subnet as a connected route.
    cloudPrefixes: [...cloud.routes.map((r) => r.prefix), cross.subnet].sort(),
    crossXr: cross.ends.find((e) => e.name === 'xr25')!.address,
    crossCloud: cross.ends.find((e) => e.name === 'cloud25')!.address,
  };
}
type Inputs = Awaited<ReturnType<typeof scenarioInputs>>;

/**
 * Everything the test reads in one state, at once: the listings az would call (the same ARM
 * operations `arslab network …` posts, through the CLI's own API client: one process per
 * listing would cost seconds of CPU per state on a busy machine), and the routers' tables.
 */
async function snapshot(cli: LabCli) {
  const state = cli.state(NAME);
  assert.ok(state, 'the lab is running');
  const client = ApiClient.forLab(state, 20_000);
  const value = async <T>(method: string, path: string) => (await client.call(method, path)) as { value: T[] };
  const circuit = (devicePath: string) =>
    value<CircuitRow>(
      'POST',
      client.arm(ArmPaths.circuitRouteTable, {
        resourceGroupName: 'rg',
        circuitName: 'c25',
        peeringName: 'AzurePrivatePeering',
        devicePath,
      }),
    );
  const gw = <T>(
    op: typeof ArmPaths.gatewayLearnedRoutes | typeof ArmPaths.gatewayBgpPeerStatus,
    name: string,
    i: number,
  ) =>
    value<T>(
      'POST',
      client.arm(op, { resourceGroupName: 'rg', virtualNetworkGatewayName: name }, { instance: String(i) }),
    );
  const [primary, secondary, er0, er1, vpn0, vpn1, erPeers0, erPeers1, vpnPeers0, vpnPeers1, nic, cloud, xr] =
    await Promise.all([
      circuit('primary'),
      circuit('secondary'),
      gw<LearnedRow>(ArmPaths.gatewayLearnedRoutes, 'er25', 0),
      gw<LearnedRow>(ArmPaths.gatewayLearnedRoutes, 'er25', 1),
      gw<LearnedRow>(ArmPaths.gatewayLearnedRoutes, 'vpn25', 0),
      gw<LearnedRow>(ArmPaths.gatewayLearnedRoutes, 'vpn25', 1),
      gw<PeerRow>(ArmPaths.gatewayBgpPeerStatus, 'er25', 0),
      gw<PeerRow>(ArmPaths.gatewayBgpPeerStatus, 'er25', 1),
      gw<PeerRow>(ArmPaths.gatewayBgpPeerStatus, 'vpn25', 0),
      gw<PeerRow>(ArmPaths.gatewayBgpPeerStatus, 'vpn25', 1),
      value<EffectiveRow>(
        'POST',
        client.arm(ArmPaths.effectiveRouteTable, { resourceGroupName: 'rg', networkInterfaceName: 'app25VMNic' }),
      ),
      value<RouterRow>('GET', '/arslab/nodes/cloud25/routes'),
      value<FrrRow>('GET', '/arslab/nodes/xr25/routes'),
    ]);
  return {
    circuit: [primary.value, secondary.value],
    erLearned: [er0.value, er1.value],
    vpnLearned: [vpn0.value, vpn1.value],
    erPeers: [erPeers0.value, erPeers1.value],
    vpnPeers: [vpnPeers0.value, vpnPeers1.value],
    nic: nic.value,
    cloud: cloud.value,
    xr: xr.value,
  };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

const sorted = (xs: Iterable<string>) => [...xs].sort();
const circuitRows = (rows: CircuitRow[]) =>
  sorted(rows.map((r) => `${r.network} via ${r.nextHop.replace(/\*$/, '')} path ${r.path}`));
const learnedRows = (rows: LearnedRow[], prefixes: readonly string[]) =>
  sorted(
    rows
      .filter((r) => prefixes.includes(r.network))
      .map(
        (r) =>
          `${r.network} ${r.origin} from ${r.sourcePeer} path '${r.asPath}' weight ${r.weight} nh ${r.nextHop ?? null}`,
      ),
  );
const activeNextHops = (rows: EffectiveRow[], prefix: string) =>
  sorted(
    rows
      .filter((r) => r.state === 'Active' && r.addressPrefix.includes(prefix))
      .flatMap((r) => r.nextHopIpAddress.map((ip) => `${r.source} ${r.nextHopType} ${ip}`)),
  );

/**
 * The three states' checks, from the rules. `shut`: the session xr25<->cloud25 is closed.
 */
function checkTables(s: Snapshot, x: Inputs, shut: boolean, state: string): void {
  const at = (what: string) => `${state}: ${what}`;
  const dash = (...asns: number[]) => asns.join('-');
  // The MSEE of each link holds the hub's range from both ER gateway instances with the
  // gateway's AS path 65515 (R-ER-3: ASN 65515, both instances peer with both links).
  const hubRows = x.erInstances.map((ip) => `${x.hub} via ${ip} path 65515`);
  // The primary link's customer edge xr25 (AS 65025) re-advertises what cloud25 (AS 64512)
  // sends it, prepending its AS (RFC 4271 §5.1.2): next hop the customer edge's link address
  // (R-ER-1). With the session shut xr25 has nothing from cloud25, and the circuit nothing of
  // the other cloud: no route server in the hub, so the ER gateway never advertises the VPN
  // gateway's routes to the MSEE (R-VPN-2).
  const fromCe = shut ? [] : x.cloudPrefixes.map((p) => `${p} via ${x.primaryCe} path ${x.exchangeAsn} ${x.cloudAsn}`);
  assert.deepEqual(circuitRows(s.circuit[0]!), sorted([...hubRows, ...fromCe]), at('primary circuit table'));
  // The secondary link has no customer edge (xr25 attaches to the primary only): the hub's range, in every state.
  assert.deepEqual(circuitRows(s.circuit[1]!), sorted(hubRows), at('secondary circuit table'));
  // One best per prefix on each MSEE (`*`).
  for (const table of s.circuit)
    for (const network of new Set(table.map((r) => r.network)))
      assert.equal(
        table.filter((r) => r.network === network && r.nextHop.endsWith('*')).length,
        1,
        at(`one best for ${network}`),
      );

  for (const i of [0, 1]) {
    const er = x.erInstances[i]!;
    // ER gateway instance i: the other cloud's prefixes over the circuit, from the primary MSEE
    // (EBgp, weight 32769, R-ER-3) with the MSEE's 12076 prepended (R-ER-2) — only while the
    // session is up — and over iBGP from each VPN gateway instance (R-VPN-2), next hop kept:
    // the tunnel's far end, AS path as the tunnel sent it (64512), weight 32768 (R-ER-3).
    const ebgp = shut
      ? []
      : x.cloudPrefixes.map(
          (p) =>
            `${p} EBgp from ${x.mseePeers[0]} path '${dash(12076, x.exchangeAsn, x.cloudAsn)}' weight 32769 nh ${x.mseePeers[0]}`,
        );
    const ibgp = x.cloudPrefixes.flatMap((p) =>
      [0, 1].map((j) => `${p} IBgp from ${x.vpnInstances[j]} path '${x.cloudAsn}' weight 32768 nh ${x.tunnelPeers[j]}`),
    );
    assert.deepEqual(
      learnedRows(s.erLearned[i]!, x.cloudPrefixes),
      sorted([...ebgp, ...ibgp]),
      at(`er25/${i} learned`),
    );
    // Its own VNet range: a Network row, weight 32768, no next hop (R-ER-3).
    assert.ok(
      s.erLearned[i]!.some(
        (r) => r.network === x.hub && r.origin === 'Network' && r.sourcePeer === er && r.weight === 32768 && !r.nextHop,
      ),
      at(`er25/${i} Network row`),
    );
    // VPN gateway instance i: its own tunnel's routes (EBgp, weight 32768: no ExpressRoute
    // weight on a VPN gateway) in every state — cloud25's connected /30 stays advertised while
    // only the BGP session over the link is down —, and the ER gateway instances' circuit
    // routes over iBGP (R-VPN-2), next hop kept (the primary MSEE as the gateways see it),
    // only while the session is up.
    const tunnel = x.cloudPrefixes.map(
      (p) => `${p} EBgp from ${x.tunnelPeers[i]} path '${x.cloudAsn}' weight 32768 nh ${x.tunnelPeers[i]}`,
    );
    const fromEr = shut
      ? []
      : x.cloudPrefixes.flatMap((p) =>
          x.erInstances.map(
            (ip) =>
              `${p} IBgp from ${ip} path '${dash(12076, x.exchangeAsn, x.cloudAsn)}' weight 32768 nh ${x.mseePeers[0]}`,
          ),
        );
    assert.deepEqual(
      learnedRows(s.vpnLearned[i]!, x.cloudPrefixes),
      sorted([...tunnel, ...fromEr]),
      at(`vpn25/${i} learned`),
    );

    // Peer status: only the customer-side session was shut; every session of the gateways
    // stays Connected: ER instance i with both MSEEs (AS 12076, R-ER-1) and both VPN gateway
    // instances (65515, R-VPN-2); VPN instance i with its tunnel's device (64512) and both
    // ER gateway instances.
    assert.deepEqual(
      sorted(s.erPeers[i]!.map((p) => `${p.neighbor} ${p.asn} ${p.state}`)),
      sorted([...x.mseePeers.map((m) => `${m} 12076 Connected`), ...x.vpnInstances.map((v) => `${v} 65515 Connected`)]),
      at(`er25/${i} peers`),
    );
    assert.deepEqual(
      sorted(s.vpnPeers[i]!.map((p) => `${p.neighbor} ${p.asn} ${p.state}`)),
      sorted([`${x.tunnelPeers[i]} ${x.cloudAsn} Connected`, ...x.erInstances.map((e) => `${e} 65515 Connected`)]),
      at(`vpn25/${i} peers`),
    );
    // Over the tunnel: exactly cloud25's own VPC and connected /30 (it re-advertises nothing
    // learned without `transit`), in every state.
    assert.equal(
      s.vpnPeers[i]!.find((p) => p.neighbor === x.tunnelPeers[i])!.routesReceived,
      x.cloudPrefixes.length,
      at(`vpn25/${i} routes from its tunnel`),
    );
  }

  // The VM: the other cloud's prefixes over ExpressRoute while the circuit carries them — a
  // gateway route from the ER gateway outranks the VPN gateway's (Microsoft's ExpressRoute/VPN
  // coexistence: ExpressRoute preferred; R-ER-3) — with the circuit's two MSEE next hops
  // (R-ER-4); during the shut, the VPN gateway's two active-active instances' private
  // addresses, ECMP (R-VPN-1).
  for (const p of x.cloudPrefixes)
    assert.deepEqual(
      activeNextHops(s.nic, p),
      sorted((shut ? x.vpnInstances : x.mseeNextHops).map((ip) => `VirtualNetworkGateway VirtualNetworkGateway ${ip}`)),
      at(`app25VMNic's routes for ${p}`),
    );

  // The other cloud (aws-vgw: AWS's VGW prefers Direct Connect over VPN, then the shortest AS
  // path among VPN routes): the hub over the cross-connect while it is offered there, though
  // its AS path (65025 12076) is longer than the tunnels' (65515); over one tunnel during the
  // shut (one path, no ECMP on a VGW). Its VPC and the /30 stay its own.
  const hubBest = s.cloud.filter((r) => r.prefix === x.hub && r.best);
  assert.equal(hubBest.length, 1, at('cloud25: one best for the hub'));
  if (shut)
    assert.ok(
      x.vpnBgp.includes(hubBest[0]!.nextHop),
      at(`cloud25's hub route over a tunnel, got ${hubBest[0]!.nextHop}`),
    );
  else assert.equal(hubBest[0]!.nextHop, x.crossXr, at("cloud25's hub route over Direct Connect (xr25)"));
  assert.deepEqual(
    sorted(s.cloud.filter((r) => r.prefix === x.hub).map((r) => r.nextHop)),
    sorted([...(shut ? [] : [x.crossXr]), ...x.vpnBgp]),
    at('cloud25: candidates for the hub'),
  );
  assert.deepEqual(
    sorted(s.cloud.filter((r) => r.local).map((r) => r.prefix)),
    x.cloudPrefixes,
    at("cloud25's own routes"),
  );
  // xr25 (FRR): the hub from the MSEE, AS path 12076 alone (R-ER-2: 12076 prepended, 65515 a
  // private ASN removed toward the customer), and cloud25's prefixes only while the session is up.
  assert.deepEqual(
    sorted(s.xr.filter((r) => r.best).map((r) => `${r.prefix} via ${r.nextHop} path ${r.asPath.join(' ')}`)),
    sorted([
      `${x.hub} via ${x.primaryMsee} path 12076`,
      ...(shut ? [] : x.cloudPrefixes.map((p) => `${p} via ${x.crossCloud} path ${x.cloudAsn}`)),
    ]),
    at("xr25's best routes"),
  );
}

/** `probe` arguments for the VM's flow toward the VPC on source port `sport` (one flow). */
const vmToVpc = (sport: number) => ['--from', 'app25', '--to', VPC_HOST, '--source-port', String(sport)];

/** Paths of a trace as "kind name" lists. */
const kinds = (t: TraceResult) => t.paths.map((p) => p.hops.map((h) => `${h.kind} ${h.name}`));

/** A source port whose flow the NIC hashes onto the row with next hop `nextHop` (src/azure/dataPath.ts: rows in address order). */
function portOnto(rows: readonly string[], nextHop: string, destination: string): number {
  const byAddress = [...rows].sort((a, b) => num(a) - num(b));
  let sport = 40000;
  while (
    byAddress[
      flowHash({ source: APP, destination, protocol: 6, sourcePort: sport, destinationPort: 80 }) % rows.length
    ] !== nextHop
  )
    sport++;
  return sport;
}

test('cloud-exchange: circuit tables, gateway routes and peers, NIC routes, traces and probes — steady, xr25<->cloud25 shut, restored', {
  skip: noFrr,
  timeout: 120_000,
}, async (t) => {
  const x = await scenarioInputs();
  const cli = new LabCli('cx-states');
  try {
    await cli.ok(['up', SCENARIO, '--detach'], 60_000);
    cli.record(NAME);
    // The flow that crosses the circuit: hashed onto the primary MSEE's row (the secondary
    // link has no customer edge behind it).
    const sport = portOnto(x.mseeNextHops, x.mseeNextHops[0]!, VPC_HOST);
    const steady = async (state: string) => {
      const s = await waitFor(
        `${state}: the circuit carrying the other cloud's routes`,
        async () => {
          const s = await snapshot(cli);
          return circuitRows(s.circuit[0]!).length === 4 &&
            activeNextHops(s.nic, x.cloudPrefixes[0]!).some((r) => r.endsWith(x.mseeNextHops[0]!)) &&
            s.cloud.some((r) => r.prefix === x.hub && r.best && r.nextHop === x.crossXr)
            ? s
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 300 },
      );
      checkTables(s, x, false, state);
      // Traces both ways across the circuit (ADR 0032): the VM's flow through the primary MSEE
      // (`*`), FRR, the other cloud, owner of the address; back: cloud25 → FRR → MSEE → an
      // ER gateway instance → the VM.
      const [out, back] = await Promise.all([
        cli.json<TraceResult>(['trace', '--from', 'app25', '--to', VPC_HOST]),
        cli.json<TraceResult>(['trace', '--from', 'cloud25', '--to', APP]),
      ]);
      // One path per MSEE next hop of the NIC (R-ER-4); the primary's crosses FRR.
      assert.deepEqual(sorted(out.paths.map((p) => p.hops[0]!.route!.nextHop)), sorted(x.mseeNextHops));
      const primary = out.paths.filter((p) => p.hops[1]?.name === 'c25/primary');
      assert.deepEqual(
        kinds({ ...out, paths: primary }),
        [['vm app25', 'msee c25/primary', 'nva xr25', 'router cloud25']],
        `${state}: trace out`,
      );
      assert.equal(primary[0]!.end, 'reached');
      assert.deepEqual(replies({ ...out, paths: primary }), [['*', x.primaryCe, VPC_HOST]]);
      for (const p of back.paths) {
        assert.deepEqual(
          p.hops.map((h) => h.kind),
          ['router', 'nva', 'msee', 'expressroute-gateway', 'vm'],
          `${state}: trace back`,
        );
        assert.equal(p.end, 'reached');
      }
      // R-ER-3: both instances hold the hub's range; the MSEE spreads flows over both.
      assert.deepEqual(sorted(back.paths.map((p) => p.hops[3]!.name)), ['er25/0', 'er25/1']);
      return s;
    };
    const before = await steady('steady');

    // Probes across the whole fault, both ways, 10 a second: the longest gap is the failover.
    const every = ['-i', '100ms', '--duration', '14s'];
    const across = Promise.all([
      cli.probe<ProbeRun>([...every, ...vmToVpc(sport)], 40_000),
      cli.probe<ProbeRun>([...every, '--from', 'cloud25', '--to', APP], 40_000),
    ]);
    await sleep(1500);

    // Only the BGP session xr25<->cloud25 goes (Cease, RFC 4486); the cross-connect stays.
    await cli.ok(['link', 'down', '--session', 'xr25<->cloud25', '--graceful']);
    const shut = await waitFor(
      'shut: the other cloud reached over the VPN gateway',
      async () => {
        const s = await snapshot(cli);
        return activeNextHops(s.nic, x.cloudPrefixes[0]!).every((r) => x.vpnInstances.some((v) => r.endsWith(v))) &&
          circuitRows(s.circuit[0]!).length === 2 &&
          s.cloud.some((r) => r.prefix === x.hub && r.best && x.vpnBgp.includes(r.nextHop))
          ? s
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    checkTables(shut, x, true, 'shut');
    // Routes received over the gateways' sessions: exactly the other cloud's prefixes fewer
    // from the primary MSEE (xr25 withdrew them) and from each ER instance at the VPN
    // gateway (their iBGP copies); the secondary MSEE and the tunnels unchanged.
    const received = (rows: PeerRow[], neighbor: string) => rows.find((p) => p.neighbor === neighbor)!.routesReceived;
    const n = x.cloudPrefixes.length;
    for (const i of [0, 1]) {
      const [b, d] = [before.erPeers[i]!, shut.erPeers[i]!];
      assert.deepEqual(
        [
          received(b, x.mseePeers[0]!) - received(d, x.mseePeers[0]!),
          received(b, x.mseePeers[1]!) - received(d, x.mseePeers[1]!),
        ],
        [n, 0],
        `er25/${i}: routes from the MSEEs`,
      );
      const [vb, vd] = [before.vpnPeers[i]!, shut.vpnPeers[i]!];
      for (const er of x.erInstances)
        assert.equal(received(vb, er) - received(vd, er), n, `vpn25/${i}: routes from ${er}`);
    }
    // Traces across the tunnels both ways: the VM over each VPN gateway instance (ECMP,
    // R-VPN-1), each answering from its own address (ADR 0032), to cloud25; cloud25 over one
    // tunnel to a VPN gateway instance, which delivers into its VNet, to the VM.
    const [out, back] = await Promise.all([
      cli.json<TraceResult>(['trace', '--from', 'app25', '--to', VPC_HOST]),
      cli.json<TraceResult>(['trace', '--from', 'cloud25', '--to', APP]),
    ]);
    assert.deepEqual(sorted(kinds(out).map((k) => k.join(' > '))), [
      'vm app25 > vpn-gateway vpn25/0 > router cloud25',
      'vm app25 > vpn-gateway vpn25/1 > router cloud25',
    ]);
    for (const p of out.paths) assert.equal(p.hops[1]!.reply, x.vpnInstances[Number(p.hops[1]!.name.slice(-1))]);
    assert.equal(back.paths.length, 1);
    assert.deepEqual(
      back.paths[0]!.hops.map((h) => h.kind),
      ['router', 'vpn-gateway', 'vm'],
    );
    assert.equal(back.paths[0]!.end, 'reached');
    await sleep(2000);

    await cli.ok(['link', 'up', '--session', 'xr25<->cloud25']);
    await steady('restored');

    const [toVpc, toVm] = await across;
    for (const [name, run] of [
      ['app25 -> ' + VPC_HOST, toVpc],
      ['cloud25 -> ' + APP, toVm],
    ] as const) {
      const s = run.summary;
      t.diagnostic(
        `probe ${name}: ${s.sent} sent, ${s.received} received, longest gap ${s.longestGapMs} ms` +
          (s.longestGap ? ` (seq ${s.longestGap.fromSeq} -> ${s.longestGap.toSeq}, ${s.longestGap.lost} lost)` : '') +
          `, rtt ${JSON.stringify(s.rttMs)}${s.died ? `, lost at ${JSON.stringify(s.died)}` : ''}`,
      );
      // Before, during and after: the first probes over the circuit, some over a tunnel, the
      // last over the circuit again.
      const ok = run.probes.filter((p) => p.result === 'ok');
      const overVpn = (p: ProbeResult) => p.hops!.some((h) => /^vpn25\/[01]$/.test(h));
      assert.ok(ok.length > 0 && !overVpn(ok[0]!) && !overVpn(ok.at(-1)!), `${name}: circuit first and last`);
      assert.ok(ok.some(overVpn), `${name}: some probes over the tunnels`);
      assert.ok(
        ok.every((p) => overVpn(p) || p.hops!.includes('c25/primary')),
        `${name}: circuit or tunnel`,
      );
      // A graceful close moves every side at once (Cease, no detection time): the only
      // losses are probes caught mid-change and, on a busy machine, web-server answers later
      // than the 100-ms timeout; a failover waiting for a hold timer (180 s) would lose all.
      assert.ok(s.lost <= s.sent / 4, `${name}: ${s.lost} of ${s.sent} lost`);
    }

    await cli.ok(['down'], 20_000);
    await cli.waitClean(NAME, 5000);
  } finally {
    await cli.cleanup([NAME]);
  }
});

// ---------------------------------------------------------------------------
// Netns mode (ADR 0006): xr25's verbatim configuration (xr25/bgpd.conf: the emulated
// 10.26.0.1 and 10.27.0.1 on its eth0) peers with the MSEE and cloud25, trace and probe cross
// it both ways, and a route-map that sends the other cloud's VPC back toward the MSEE makes a
// forwarding loop, which `trace` and `probe` report (`loop`, the hop seen twice). The copy's
// lab name (cxc-cloud-exchange) keeps its namespaces apart from a user's run of the scenario.

const noNetns = !isRoot ? 'netns mode needs root' : noFrr;
const NETNS_NAME = 'cxc-cloud-exchange';

test('cloud-exchange in netns mode: the verbatim FRR config peers, trace and probe cross it; a route-map pointing the VPC back at the MSEE loops, and trace and probe say so', {
  skip: noNetns,
  timeout: 90_000,
}, async () => {
  const x = await scenarioInputs();
  const cli = new LabCli('cx-netns');
  try {
    const dir = join(cli.stateDir, 'scenario');
    cpSync(dirname(SCENARIO), dir, { recursive: true });
    const file = join(dir, 'lab.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^name: cloud-exchange$/m, `name: ${NETNS_NAME}`));
    await cli.ok(['up', file, '--netns', '--detach'], 60_000);
    const s = cli.record(NETNS_NAME);
    // One namespace for Azure's side, one per node (xr25, app25's web server).
    assert.deepEqual(sorted(s.namespaces), sorted(labNamespaces(NETNS_NAME)));
    assert.equal(s.namespaces.length, 3);

    // FRR runs the file as written for the VM: its sessions to the MSEE (R-ER-1's second host)
    // and to cloud25 (the link's `b` end) come up, and it holds the hub and the VPC.
    const xr = await waitFor(
      "xr25's table: the hub from the MSEE, the VPC from cloud25",
      async () => {
        const rows = (await cli.json<FrrRow[]>(['node', 'routes', 'xr25'])).filter((r) => r.best);
        const got = sorted(rows.map((r) => `${r.prefix} via ${r.nextHop}`));
        return got.includes(`${x.hub} via ${x.primaryMsee}`) && got.includes(`10.28.0.0/16 via ${x.crossCloud}`)
          ? got
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    assert.deepEqual(
      xr,
      sorted([`${x.hub} via ${x.primaryMsee}`, ...x.cloudPrefixes.map((p) => `${p} via ${x.crossCloud}`)]),
    );
    const sport = portOnto(x.mseeNextHops, x.mseeNextHops[0]!, VPC_HOST);
    const [out, back] = await Promise.all([
      cli.json<TraceResult>(['trace', '--from', 'app25', '--to', VPC_HOST]),
      cli.json<TraceResult>(['trace', '--from', 'cloud25', '--to', APP]),
    ]);
    const primary = out.paths.find((p) => p.hops[1]?.name === 'c25/primary')!;
    assert.deepEqual(replies({ ...out, paths: [primary] }), [['*', x.primaryCe, VPC_HOST]]);
    for (const p of back.paths) assert.deepEqual([p.end, p.hops[1]!.reply], ['reached', x.crossXr]);
    // The VM's web server answers in its namespace, through the Azure namespace's bridge.
    // (A 1-s timeout: a busy machine can hold a connection longer than 100 ms.)
    const toVm = await cli.probe<ProbeRun>(['--from', 'cloud25', '--to', APP, '-c', '3', '-i', '1s']);
    assert.equal(toVm.info.mode, 'netns');
    assert.ok(
      toVm.probes.every((p) => p.result === 'ok' && p.body === 'app25'),
      JSON.stringify(toVm.probes),
    );

    // The loop: xr25 takes cloud25's routes with next hop the MSEE (a route-map's wrong
    // `set ip next-hop`), still advertises them to the MSEE (eBGP: next hop itself, RFC 4271
    // §5.1.3), so the MSEE sends the VPC to xr25 and xr25 sends it back to the MSEE.
    await cli.ok([
      'node',
      'cmd',
      'xr25',
      [
        'configure terminal',
        'route-map TO-MSEE permit 10',
        `set ip next-hop ${x.primaryMsee}`,
        'exit',
        `router bgp ${x.exchangeAsn}`,
        'address-family ipv4 unicast',
        `neighbor ${x.crossCloud} route-map TO-MSEE in`,
        'end',
        `clear bgp ipv4 unicast ${x.crossCloud} soft in`,
      ].join('\n'),
    ]);
    const looped = await waitFor(
      'the VM toward the VPC looping between the MSEE and xr25',
      async () => {
        const t = await cli.json<TraceResult>(['trace', '--from', 'app25', '--to', VPC_HOST]);
        const p = t.paths.find((q) => q.hops[1]?.name === 'c25/primary');
        return p?.end === 'loop' ? p : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    // The walk stops where a hop comes round again: MSEE, xr25 (by its route via the MSEE), the MSEE.
    assert.deepEqual(
      looped.hops.map((h) => h.name),
      ['app25', 'c25/primary', 'xr25', 'c25/primary'],
    );
    assert.equal(looped.hops[2]!.route?.nextHop, x.primaryMsee);
    // traceroute's text ends that path with the loop and the hop seen twice.
    assert.match(
      await cli.ok(['trace', '--from', 'app25', '--to', VPC_HOST]),
      /\n {6}loop: c25\/primary is on the path already: a forwarding loop/,
    );
    // A probe of that flow dies of the loop, at the hop seen twice; none answers (exit 1, as ping).
    const lost = await cli.probe<ProbeRun>(['-c', '3', '-i', '100ms', ...vmToVpc(sport)]);
    for (const p of lost.probes) assert.deepEqual([p.result, p.diedAt], ['loop', 'c25/primary']);
    assert.deepEqual(lost.summary.died, { 'c25/primary: loop': 3 });

    await cli.ok(['down'], 20_000);
    await cli.waitClean(NETNS_NAME, 10_000);
  } finally {
    await cli.cleanup([NETNS_NAME]);
  }
});
