// Network-namespace mode with real daemons whose configurations are written as on the VMs
// (verbatim: neighbours 10.61.1.4/.5, `local 10.61.0.4 as 65001`, no `strict bind`, GoBGP
// listening on every address of its namespace): BIRD, GoBGP and FRR each in their own
// namespace peer with both route-server instances, the Route Server learns their routes, and
// each daemon's own control interface (birdc socket, GoBGP's API socket, vtysh socket) works
// from outside its namespace. `arslab down` leaves no process and no namespace.
// Root and the daemons' packages needed; addresses 10.61.x exist only inside namespaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, LabCli, labNamespaces, missingBinaries, run } from './labCli.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

const missing = missingBinaries([
  '/usr/sbin/bird',
  '/usr/lib/frr/bgpd',
  '/usr/bin/vtysh',
  '/usr/bin/gobgpd',
  '/usr/bin/gobgp',
  '/usr/sbin/bgpd',
  '/usr/sbin/bgpctl',
]);
const skip = !isRoot
  ? 'netns mode needs root'
  : missing.length
    ? `missing ${missing.join(', ')} (scripts/setup --daemons all)`
    : false;
const NAME = 'arslab-test-netns-daemons';
/** OpenBGPD's control socket: a path, so reachable from outside its namespace (ADR 0006). */
const OBGPD_SOCKET = `/tmp/arslab-netns-obgpd-${process.pid}.sock`;

const LAB = routeServerLabYaml({
  name: NAME,
  n: 61,
  layout: 'flat',
  peers: [
    { name: 'p-bird', vm: 'vbird', host: 4, asn: 65001 },
    { name: 'p-gobgp', vm: 'vgobgp', host: 5, asn: 65002 },
    { name: 'p-frr', vm: 'vfrr', host: 6, asn: 65003 },
    { name: 'p-obgpd', vm: 'vobgpd', host: 7, asn: 65004 },
  ],
  nodes: `  nbird: { kind: bird, vm: vbird, config: bird.conf }
  ngobgp: { kind: gobgp, vm: vgobgp, config: gobgp.toml }
  nfrr: { kind: frr, vm: vfrr, config: frr.conf }
  nobgpd:
    kind: exec
    vm: vobgpd
    config: bgpd.conf
    command: sh -c "mkdir -p /run/openbgpd && exec bgpd -d -f {config}"
    routesCommand: bgpctl -s ${OBGPD_SOCKET} -j show rib
`,
});

// As on the VM: no `strict bind` (loopback mode refuses this file), `local` is the VM's address.
const BIRD = `
router id 10.61.0.4;
protocol device {}
protocol static s4 { ipv4; route 100.64.61.0/24 blackhole; }
template bgp rsp {
  local 10.61.0.4 as 65001;
  multihop;
  connect delay time 1;
  ipv4 { import all; export where proto = "s4"; };
}
protocol bgp rs0 from rsp { neighbor 10.61.1.4 as 65515; }
protocol bgp rs1 from rsp { neighbor 10.61.1.5 as 65515; }
`;

// No local-address-list: GoBGP listens on every address of its namespace.
const GOBGP = `
[global.config]
  as = 65002
  router-id = "10.61.0.5"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.61.1.4"
    peer-as = 65515
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 4
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.61.1.5"
    peer-as = 65515
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 4
`;

// OpenBGPD 7 as on the VM (kind: exec): no `listen on`, no `fib-update no` (its namespace's
// table is its own), `multihop` because the instances are one routed hop away, as FRR's
// ebgp-multihop above; `nexthop qualify via default` lets it use routes whose next hop (an
// instance) it reaches through its default route, as on a VM.
const OBGPD = `AS 65004
router-id 10.61.0.7
socket "${OBGPD_SOCKET}"
nexthop qualify via default
network 100.64.64.0/24
neighbor 10.61.1.4 {
  remote-as 65515
  multihop 2
  descr "rs0"
}
neighbor 10.61.1.5 {
  remote-as 65515
  multihop 2
  descr "rs1"
}
allow from any
allow to any
`;

const FRR = `
router bgp 65003
 bgp router-id 10.61.0.6
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.61.1.4 remote-as 65515
 neighbor 10.61.1.4 ebgp-multihop 2
 neighbor 10.61.1.5 remote-as 65515
 neighbor 10.61.1.5 ebgp-multihop 2
 address-family ipv4 unicast
  network 100.64.63.0/24
 exit-address-family
`;

interface Status {
  routeServers: { instances: { peerings: { name: string; state: string }[] }[] }[];
  nodes: { name: string; state: string; realAddress: string }[];
}

test('netns mode: BIRD, GoBGP and FRR run verbatim configs in their namespaces, controlled from outside', {
  skip,
  timeout: 60_000,
}, async () => {
  const cli = new LabCli('netns-d');
  try {
    const file = join(cli.stateDir, 'lab.yml');
    writeFileSync(file, LAB);
    writeFileSync(join(cli.stateDir, 'bird.conf'), BIRD);
    writeFileSync(join(cli.stateDir, 'gobgp.toml'), GOBGP);
    writeFileSync(join(cli.stateDir, 'frr.conf'), FRR);
    writeFileSync(join(cli.stateDir, 'bgpd.conf'), OBGPD);

    await cli.ok(['up', file, '--netns', '--detach'], 45_000);
    const s = cli.record(NAME);
    assert.equal(s.bgpPort, 179);
    assert.deepEqual([...s.namespaces].sort(), labNamespaces(NAME).sort());
    assert.equal(s.namespaces.length, 5, 'one namespace per node and one for the route server');

    await waitFor(
      'all eight sessions Established',
      async () => {
        const st = await cli.json<Status>(['status']);
        const states = st.routeServers[0]!.instances.flatMap((i) => i.peerings.map((p) => p.state));
        return states.length === 8 && states.every((x) => x === 'Established');
      },
      { timeoutMs: 20_000, intervalMs: 150 },
    );
    const status = await cli.json<Status>(['status']);
    assert.deepEqual(
      status.nodes.map((n) => [n.name, n.state, n.realAddress]),
      [
        ['nbird', 'running', '10.61.0.4'],
        ['ngobgp', 'running', '10.61.0.5'],
        ['nfrr', 'running', '10.61.0.6'],
        ['nobgpd', 'running', '10.61.0.7'],
      ],
    );

    // The Route Server learned each daemon's route, next hop = the daemon's own address.
    for (const [peering, prefix, nh] of [
      ['p-bird', '100.64.61.0/24', '10.61.0.4'],
      ['p-frr', '100.64.63.0/24', '10.61.0.6'],
      ['p-obgpd', '100.64.64.0/24', '10.61.0.7'],
    ] as const) {
      await waitFor(
        `${prefix} learned from ${peering}`,
        async () => {
          const r = JSON.parse(
            await cli.ok([
              'network',
              'routeserver',
              'peering',
              'list-learned-routes',
              '--name',
              peering,
              '--routeserver',
              'rs',
              '--resource-group',
              'rg',
            ]),
          ) as Record<string, { network: string; nextHop: string }[]>;
          return (
            Object.keys(r).length === 2 &&
            Object.values(r).every((v) => v.some((x) => x.network === prefix && x.nextHop === nh))
          );
        },
        { timeoutMs: 10_000, intervalMs: 150 },
      );
    }

    // Control interfaces from outside the namespaces: birdc's socket, GoBGP's API socket, vtysh.
    const bird = await cli.ok(['node', 'cmd', 'nbird', 'show', 'protocols']);
    assert.match(bird, /rs0\s+BGP.*Established/);
    assert.match(bird, /rs1\s+BGP.*Established/);
    const gobgp = await cli.ok(['node', 'cmd', 'ngobgp', 'neighbor']);
    assert.match(gobgp, /10\.61\.1\.4\s.*Establ/);
    const frr = await cli.ok(['node', 'cmd', 'nfrr', 'show', 'bgp', 'summary']);
    assert.match(frr, /10\.61\.1\.5\s+4\s+65515/);
    // What each daemon received from both instances (read through those sockets): the VNet
    // and another daemon's route, each with the instance's own address as next hop (R-ARS-9).
    await waitFor(
      'routes received by the daemons',
      async () => {
        for (const [node, other] of [
          ['nbird', '100.64.63.0/24'],
          ['ngobgp', '100.64.61.0/24'],
          ['nfrr', '100.64.61.0/24'],
          ['nobgpd', '100.64.63.0/24'],
        ]) {
          const routes = await cli.json<{ prefix: string; nextHop: string; peer?: string }[]>([
            'node',
            'routes',
            node!,
          ]);
          for (const prefix of ['10.61.0.0/16', other!]) {
            for (const rs of ['10.61.1.4', '10.61.1.5'])
              if (!routes.some((r) => r.prefix === prefix && r.peer === rs && r.nextHop === rs))
                throw new Error(`${node}: no ${prefix} from ${rs}: ${JSON.stringify(routes)}`);
          }
        }
        return true;
      },
      { timeoutMs: 10_000, intervalMs: 150 },
    );

    // GoBGP listens on every address of its namespace: allowed there (not on the host).
    const ns = s.namespaces.find((n) => n.endsWith('-ngobgp'))!;
    const listen = await run(['ss', '-N', ns, '-tlnp'], { timeoutMs: 10_000 });
    assert.match(listen.stdout, /(0\.0\.0\.0|\*):179\s.*gobgpd/);

    cli.record(NAME);
    await cli.ok(['down'], 60_000);
    await cli.waitClean(NAME, 5000);
  } catch (e) {
    (e as Error).message += cli.logTail();
    throw e;
  } finally {
    await cli.cleanup([NAME]);
  }
});
